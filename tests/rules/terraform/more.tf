resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  viewer_certificate {
    # ruleid: aws-cloudfront-tls
    minimum_protocol_version = "TLSv1"
  }
}

# ruleid: aws-dynamodb-pitr
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}

# ruleid: aws-efs-encryption
resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
}

# ruleid: aws-kinesis-encryption
resource "aws_kinesis_stream" "events" {
  name        = "events"
  shard_count = 1
}

# ruleid: aws-lb-drop-invalid-headers
resource "aws_lb" "web" {
  name = "web"
}

# ok: aws-lb-drop-invalid-headers
resource "aws_lb" "net" {
  name               = "net"
  load_balancer_type = "network"
}

# ruleid: aws-opensearch-encryption, aws-opensearch-https
resource "aws_opensearch_domain" "search" {
  domain_name = "search"
}

# ruleid: aws-redshift-encryption
resource "aws_redshift_cluster" "dw" {
  cluster_identifier = "dw"
  node_type          = "ra3.xlplus"
}

# ruleid: azure-aks-local-accounts
resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "aks"
}

resource "azurerm_mssql_server" "sql" {
  name                          = "sql"
  resource_group_name           = "rg"
  location                      = "westeurope"
  version                       = "12.0"
  # ruleid: azure-mssql-tls
  minimum_tls_version           = "1.0"
  public_network_access_enabled = false
}

resource "azurerm_postgresql_server" "pg" {
  name                = "pg"
  location            = "westeurope"
  resource_group_name = "rg"
  sku_name            = "B_Gen5_2"
  # ruleid: azure-postgres-ssl
  ssl_enforcement_enabled = false
}

resource "aws_s3_bucket_acl" "site" {
  bucket = "site"
  # ruleid: s3-public-acl
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "site" {
  bucket = "site"
  # ruleid: s3-public-access-block
  block_public_acls = false
}

resource "aws_s3_bucket_policy" "site" {
  bucket = "site"
  # ruleid: s3-public-policy
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "*" }]
  })
}

resource "aws_iam_policy" "admin" {
  name = "admin"
  # ruleid: iam-wildcard
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "guard" {
  name = "guard"
  # ok: iam-wildcard
  policy = <<-EOT
    {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    EOT  
}

resource "aws_kms_key" "old" {
  # ruleid: kms-rotation-disabled
  enable_key_rotation = false
}

resource "aws_cloudtrail" "quiet" {
  name                       = "quiet"
  s3_bucket_name             = "trail"
  kms_key_id                 = "arn:aws:kms:eu-west-1:1:key/1"
  # ruleid: logging-disabled
  enable_logging             = false
  enable_log_file_validation = true
}

provider "aws" {
  region = "eu-west-1"
  # ruleid: hardcoded-credential
  secret_key = "wJalrXUtnFEMI-not-real-at-all"
}

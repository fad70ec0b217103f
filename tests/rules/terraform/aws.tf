# ruleid: aws-kms-key-rotation
resource "aws_kms_key" "data" {
  description = "data key"
}

# ok: aws-kms-key-rotation
resource "aws_kms_key" "rotated" {
  enable_key_rotation = true
}

resource "aws_db_instance" "orders" {
  engine = "postgres"
  # ruleid: encryption-disabled
  storage_encrypted   = false
  # ruleid: aws-rds-deletion-protection
  deletion_protection = false
  # ruleid: public-address
  publicly_accessible = true
}

# ruleid: aws-rds-encryption, aws-rds-deletion-protection
resource "aws_rds_cluster" "reports" {
  engine = "aurora-postgresql"
}

# ok: aws-rds-encryption, aws-rds-deletion-protection, public-address
resource "aws_db_instance" "billing" {
  engine              = "postgres"
  storage_encrypted   = true
  deletion_protection = true
}

# ruleid: aws-ec2-imdsv2
resource "aws_instance" "legacy" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  # ruleid: public-address
  associate_public_ip_address = true
}

# ok: aws-ec2-imdsv2
resource "aws_instance" "modern" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_subnet" "dmz" {
  vpc_id = "vpc-1"
  # ruleid: public-address
  map_public_ip_on_launch = true
}

resource "aws_security_group" "admin" {
  ingress {
    from_port = 22
    to_port   = 22
    protocol  = "tcp"
    # ruleid: sg-open-ingress
    cidr_blocks = ["10.0.0.0/7"]
  }
  ingress {
    from_port = 443
    to_port   = 443
    protocol  = "tcp"
    # ok: sg-open-ingress
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port = 5432
    to_port   = 5432
    protocol  = "tcp"
    # ok: sg-open-ingress
    cidr_blocks = ["10.20.0.0/16"]
  }
}

resource "aws_network_acl_rule" "all_in" {
  network_acl_id = "acl-1"
  rule_number    = 100
  egress         = false
  protocol       = "-1"
  rule_action    = "allow"
  # ruleid: network-exposure
  cidr_block     = "0.0.0.0/1"
}

resource "aws_network_acl_rule" "deny_all" {
  network_acl_id = "acl-1"
  rule_number    = 200
  protocol       = "-1"
  rule_action    = "deny"
  # ok: network-exposure
  cidr_block     = "0.0.0.0/0"
}

resource "aws_sqs_queue_policy" "jobs" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/1/jobs"
  # ruleid: public-resource-policy
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "sqs:SendMessage", Resource = "*" }]
  })
}

resource "aws_sns_topic_policy" "events" {
  arn = "arn:aws:sns:eu-west-1:1:events"
  # ok: public-resource-policy
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "sns:Publish", Resource = "*",
    Condition = { StringEquals = { "aws:SourceAccount" = "111122223333" } } }]
  })
}

resource "aws_ecr_repository_policy" "pull" {
  repository = "app"
  # ruleid: public-resource-policy
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:*"}]}
EOF   
}

resource "aws_glacier_vault" "archive" {
  name = "archive"
  # ok: public-resource-policy
  access_policy = <<EOF
{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "glacier:DeleteArchive", "Resource": "*"}]}
EOF
}

resource "aws_lambda_permission" "anyone" {
  function_name = "worker"
  action        = "lambda:InvokeFunction"
  # ruleid: public-resource-policy
  principal     = "*"
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = "arn"
  port              = 443
  protocol          = "HTTPS"
  # ruleid: aws-lb-tls-policy
  ssl_policy        = "ELBSecurityPolicy-2016-08"
}

# ok: aws-lb-tls-policy
resource "aws_lb_listener" "http" {
  load_balancer_arn = "arn"
  port              = 80
  protocol          = "HTTP"
}

# ruleid: aws-cloudtrail-log-validation, aws-cloudtrail-kms
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "trail"
}

# ruleid: aws-ecr-scan-on-push, aws-ecr-immutable-tags
resource "aws_ecr_repository" "app" {
  name = "app"
}

# ruleid: aws-ebs-encryption
resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 10
}

# ruleid: aws-elasticache-encryption, aws-elasticache-transit
resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "cache"
  description          = "cache"
}

# ruleid: aws-sns-encryption
resource "aws_sns_topic" "plain" {
  name = "plain"
}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn"
  # ruleid: aws-eks-public-endpoint
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}

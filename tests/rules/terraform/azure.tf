resource "azurerm_network_security_rule" "ssh" {
  name                        = "ssh"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  destination_port_range      = "22"
  # ruleid: network-exposure
  source_address_prefix       = "Internet"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "nsg"
}

resource "azurerm_network_security_group" "web" {
  name                = "web"
  location            = "westeurope"
  resource_group_name = "rg"
  security_rule {
    name                       = "https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    destination_port_range     = "443"
    # ok: network-exposure
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}

resource "azurerm_storage_account" "data" {
  name                     = "data"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  # ruleid: azure-storage-tls
  min_tls_version          = "TLS1_0"
  # ruleid: azure-storage-public-blobs
  allow_nested_items_to_be_public = true
  # ruleid: azure-storage-public-network
  public_network_access_enabled   = true
}

# ok: azure-storage-tls, azure-storage-public-blobs, azure-storage-public-network
resource "azurerm_storage_account" "locked" {
  name                            = "locked"
  resource_group_name             = "rg"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  public_network_access_enabled   = false
}

resource "azurerm_storage_container" "assets" {
  name                  = "assets"
  storage_account_name  = "data"
  # ruleid: public-resource-policy
  container_access_type = "blob"
}

# ruleid: azure-keyvault-purge-protection, azure-storage-public-network
resource "azurerm_key_vault" "kv" {
  name                = "kv"
  location            = "westeurope"
  resource_group_name = "rg"
  tenant_id           = "t"
  sku_name            = "standard"
}

# ruleid: azure-app-https-only
resource "azurerm_linux_web_app" "site" {
  name                = "site"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"
  site_config {}
}

resource "azurerm_network_interface" "vm" {
  name                = "vm"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "internal"
    subnet_id                     = "subnet"
    private_ip_address_allocation = "Dynamic"
    # ruleid: public-address
    public_ip_address_id          = "pip"
  }
}

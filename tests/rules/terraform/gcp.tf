resource "google_compute_firewall" "ssh" {
  name    = "ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  # ruleid: network-exposure
  source_ranges = ["0.0.0.0/0"]
}

resource "google_compute_firewall" "web" {
  name    = "web"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
  # ok: network-exposure
  source_ranges = ["0.0.0.0/0"]
}

# ruleid: gcp-bucket-uniform-access, gcp-bucket-public-prevention
resource "google_storage_bucket" "assets" {
  name     = "assets"
  location = "EU"
}

# ok: gcp-bucket-uniform-access, gcp-bucket-public-prevention
resource "google_storage_bucket" "private" {
  name                        = "private"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = "assets"
  role   = "roles/storage.objectViewer"
  # ruleid: public-resource-policy
  member = "allUsers"
}

resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_15"
  # ruleid: gcp-sql-backups
  settings {
    tier = "db-f1-micro"
    # ruleid: network-exposure, gcp-sql-ssl
    ip_configuration {
      ipv4_enabled = true
      authorized_networks {
        name  = "anyone"
        value = "0.0.0.0/0"
      }
    }
  }
}

# ruleid: gcp-instance-shielded-vm
resource "google_compute_instance" "vm" {
  name         = "vm"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
    # ruleid: public-address
    access_config {}
  }
}

# ruleid: gcp-kms-rotation
resource "google_kms_crypto_key" "key" {
  name     = "key"
  key_ring = "ring"
}

# ruleid: gcp-gke-private-nodes
resource "google_container_cluster" "gke" {
  name     = "gke"
  location = "europe-west1"
  # ruleid: gcp-gke-legacy-abac
  enable_legacy_abac = true
}

# ruleid: gcp-subnet-flow-logs
resource "google_compute_subnetwork" "sub" {
  name          = "sub"
  ip_cidr_range = "10.2.0.0/16"
  network       = "default"
}

# One contribution to runtime configuration: namespace.key = value, written as a JSON file that
# appconfig-deployment merges (map values under the same key merge, so every gateway adds its own entry).
terraform {
  required_providers {
    local = { source = "hashicorp/local", version = ">= 2.5" }
  }
}

variable "namespace" {
  type = string
}

variable "key" {
  type = string
}

variable "value" {
  type        = any
  description = "A map: entries under the same key are merged."
}

variable "entries_dir" {
  type    = string
  default = null
}

locals {
  dir     = coalesce(var.entries_dir, "${path.root}/.runtime-config/entries")
  content = jsonencode(var.value)
}

resource "local_file" "entry" {
  filename = "${local.dir}/${var.namespace}/${var.key}-${sha256(local.content)}.json"
  content  = local.content
}

output "id" {
  value = local_file.entry.id
}

# Merges the entry files per namespace and deploys them. Declare it after every module that adds entries
# and pass their entry ids: reading waits until those files exist.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
}

variable "application_id" {
  type = string
}

variable "environment_id" {
  type = string
}

variable "deployment_strategy_id" {
  type = string
}

variable "configuration_profile_ids" {
  type = map(string)
}

variable "entry_ids" {
  type    = list(string)
  default = []
}

variable "entries_dir" {
  type    = string
  default = null
}

locals {
  dir = coalesce(var.entries_dir, "${path.root}/.runtime-config/entries")
  # Unknown while an entry is still to be written, so the files are read at apply time then.
  files = join(",", var.entry_ids) == "\u0000" ? [] : fileset(local.dir, "*/*.json")
  entries = [for f in local.files : {
    namespace = dirname(f)
    key       = regex("^(.*)-[0-9a-f]{64}\\.json$", basename(f))[0]
    value     = jsondecode(file("${local.dir}/${f}"))
  }]
  documents = { for namespace in keys(var.configuration_profile_ids) : namespace => {
    for key in distinct([for e in local.entries : e.key if e.namespace == namespace]) :
    key => merge([for e in local.entries : e.value if e.namespace == namespace && e.key == key]...)
  } }
}

resource "aws_appconfig_hosted_configuration_version" "namespace" {
  for_each                 = var.configuration_profile_ids
  application_id           = var.application_id
  configuration_profile_id = each.value
  content_type             = "application/json"
  content                  = jsonencode(local.documents[each.key])
}

resource "aws_appconfig_deployment" "namespace" {
  for_each                 = var.configuration_profile_ids
  application_id           = var.application_id
  environment_id           = var.environment_id
  configuration_profile_id = each.value
  configuration_version    = aws_appconfig_hosted_configuration_version.namespace[each.key].version_number
  deployment_strategy_id   = var.deployment_strategy_id
}

output "documents" {
  value = local.documents
}

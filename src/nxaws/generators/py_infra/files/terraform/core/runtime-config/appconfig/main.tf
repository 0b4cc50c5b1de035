# Runtime configuration in AWS AppConfig: one application, environment "default", one profile per namespace.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
}

variable "name" {
  type        = string
  description = "AppConfig application name (servers find it through RUNTIME_CONFIG_APP_ID)."
}

variable "namespaces" {
  type    = list(string)
  default = ["connection", "agentcore"]
}

resource "aws_appconfig_application" "this" {
  name = var.name
}

resource "aws_appconfig_environment" "default" {
  name           = "default"
  application_id = aws_appconfig_application.this.id
}

resource "aws_appconfig_deployment_strategy" "instant" {
  name                           = "${var.name}-instant"
  deployment_duration_in_minutes = 0
  final_bake_time_in_minutes     = 0
  growth_factor                  = 100
  replicate_to                   = "NONE"
}

resource "aws_appconfig_configuration_profile" "namespace" {
  for_each       = toset(var.namespaces)
  application_id = aws_appconfig_application.this.id
  name           = each.key
  location_uri   = "hosted"
  type           = "AWS.Freeform"
}

output "application_id" {
  value = aws_appconfig_application.this.id
}

output "environment_id" {
  value = aws_appconfig_environment.default.environment_id
}

output "deployment_strategy_id" {
  value = aws_appconfig_deployment_strategy.instant.id
}

output "configuration_profile_ids" {
  value = { for namespace, profile in aws_appconfig_configuration_profile.namespace : namespace => profile.configuration_profile_id }
}

output "read_policy_statement" {
  description = "Add to a role's statements to let it read runtime configuration."
  value = {
    Effect   = "Allow"
    Action   = ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"]
    Resource = ["${aws_appconfig_application.this.arn}/*"]
  }
}

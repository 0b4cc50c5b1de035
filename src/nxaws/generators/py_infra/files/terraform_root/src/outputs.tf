output "runtime_config_application_id" {
  description = "RUNTIME_CONFIG_APP_ID for running an agent locally against the deployed gateways."
  value       = module.runtime_config.application_id
}

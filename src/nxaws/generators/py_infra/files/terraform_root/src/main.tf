# What the application deploys. nxaws adds a module block per agent, MCP server and gateway, and
# `nxaws g connection` adds gateway targets and invoke grants inside them; add your own resources too.
module "runtime_config" {
  source = "../../common/terraform/src/core/runtime-config/appconfig"
  name   = var.name
}

# Merges and deploys what every module put in runtime configuration; nxaws lists each new module here.
module "runtime_config_deployment" {
  source                    = "../../common/terraform/src/core/runtime-config/appconfig-deployment"
  application_id            = module.runtime_config.application_id
  environment_id            = module.runtime_config.environment_id
  deployment_strategy_id    = module.runtime_config.deployment_strategy_id
  configuration_profile_ids = module.runtime_config.configuration_profile_ids

  entry_ids = [
  ]
}

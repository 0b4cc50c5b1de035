# An AgentCore Runtime from a component's Dockerfile (built and pushed at apply time; the workspace
# root is the build context), reading runtime config through RUNTIME_CONFIG_APP_ID.
terraform {
  required_providers {
    aws    = { source = "hashicorp/aws", version = ">= 6.0" }
    random = { source = "hashicorp/random", version = ">= 3.6" }
  }
}

variable "class_name" {
  type = string
}

variable "dockerfile" {
  type        = string
  description = "Dockerfile path relative to the workspace root."
}

variable "source_dir" {
  type        = string
  description = "Project folder (relative to the workspace root) whose changes rebuild the image."
}

variable "workspace_root" {
  type = string
}

variable "server_protocol" {
  type    = string
  default = "HTTP"
}

variable "runtime_config_application_id" {
  type = string
}

variable "runtime_config_entries_dir" {
  type    = string
  default = null
}

variable "additional_iam_policy_statements" {
  type    = list(object({ Effect = string, Action = list(string), Resource = list(string) }))
  default = []
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "random_id" "suffix" {
  byte_length = 4
}

locals {
  account = data.aws_caller_identity.current.account_id
  region  = data.aws_region.current.region
  name    = "${substr(var.class_name, 0, 30)}_${random_id.suffix.hex}"
  sources = [for f in sort(fileset(var.workspace_root, "${var.source_dir}/**")) : f if !strcontains(f, "/.venv/") && !strcontains(f, "__pycache__")]
  tag     = substr(sha1(join(",", [for f in local.sources : filesha1("${var.workspace_root}/${f}")])), 0, 16)
  image   = "${aws_ecr_repository.this.repository_url}:${local.tag}"
  statements = concat([
    { Effect = "Allow", Action = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource = [aws_ecr_repository.this.arn] },
    { Effect = "Allow", Action = ["ecr:GetAuthorizationToken"], Resource = ["*"] },
    { Effect = "Allow", Action = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource = ["arn:aws:logs:${local.region}:${local.account}:log-group:/aws/bedrock-agentcore/runtimes/*"] },
    { Effect = "Allow", Action = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource = ["*"] },
    { Effect = "Allow", Action = ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"], Resource = ["arn:aws:appconfig:${local.region}:${local.account}:application/${var.runtime_config_application_id}/*"] },
    { Effect = "Allow", Action = ["bedrock-agentcore:GetWorkloadAccessToken", "bedrock-agentcore:GetWorkloadAccessTokenForJWT", "bedrock-agentcore:GetWorkloadAccessTokenForUserId"], Resource = ["*"] },
  ], var.additional_iam_policy_statements)
}

resource "aws_ecr_repository" "this" {
  name         = lower("${var.class_name}-${random_id.suffix.hex}")
  force_delete = true
}

resource "terraform_data" "image" {
  triggers_replace = [local.image]
  provisioner "local-exec" {
    working_dir = var.workspace_root
    command     = <<-EOT
      aws ecr get-login-password --region ${local.region} | docker login --username AWS --password-stdin ${split("/", local.image)[0]}
      docker build --platform linux/arm64 -f ${var.dockerfile} -t ${local.image} .
      docker push ${local.image}
    EOT
  }
}

resource "aws_iam_role" "runtime" {
  name_prefix = substr("${var.class_name}-", 0, 38)
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "bedrock-agentcore.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account }
        ArnLike      = { "aws:SourceArn" = "arn:aws:bedrock-agentcore:${local.region}:${local.account}:*" }
      }
    }]
  })
}

resource "aws_iam_role_policy" "runtime" {
  role   = aws_iam_role.runtime.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}

resource "aws_bedrockagentcore_agent_runtime" "this" {
  agent_runtime_name = local.name
  role_arn           = aws_iam_role.runtime.arn
  agent_runtime_artifact {
    container_configuration {
      container_uri = local.image
    }
  }
  environment_variables = { RUNTIME_CONFIG_APP_ID = var.runtime_config_application_id }
  network_configuration {
    network_mode = "PUBLIC"
  }
  protocol_configuration {
    server_protocol = var.server_protocol
  }
  depends_on = [terraform_data.image, aws_iam_role_policy.runtime]
}

module "runtime_config_entry" {
  source      = "../runtime-config/entry"
  namespace   = "agentcore"
  key         = "agentRuntimes"
  value       = { (var.class_name) = { arn = aws_bedrockagentcore_agent_runtime.this.agent_runtime_arn } }
  entries_dir = var.runtime_config_entries_dir
}

output "agent_core_runtime_arn" {
  value = aws_bedrockagentcore_agent_runtime.this.agent_runtime_arn
}

output "agent_core_runtime_id" {
  value = aws_bedrockagentcore_agent_runtime.this.agent_runtime_id
}

output "agent_core_runtime_role_arn" {
  value = aws_iam_role.runtime.arn
}

output "agent_core_runtime_role_name" {
  value = aws_iam_role.runtime.name
}

output "runtime_config_entry_id" {
  value = module.runtime_config_entry.id
}

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws    = { source = "hashicorp/aws", version = ">= 6.0" }
    local  = { source = "hashicorp/local", version = ">= 2.5" }
    null   = { source = "hashicorp/null", version = ">= 3.2" }
    random = { source = "hashicorp/random", version = ">= 3.6" }
    time   = { source = "hashicorp/time", version = ">= 0.11" }
  }

  # State is local (terraform.tfstate here, git-ignored) until you choose a backend, e.g.
  # backend "s3" {
  #   bucket       = "<your state bucket>"
  #   key          = "infra/terraform.tfstate"
  #   region       = "<region>"
  #   use_lockfile = true
  # }
}

provider "aws" {
  region = var.aws_region
}

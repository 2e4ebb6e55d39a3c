# A root module exercising what the source loader evaluates: tfvars, optional object
# attributes, locals in any order, module outputs (also through for_each), dynamic blocks,
# try(..., null), provider aliases and a resource's own provider.
variable "region" {
  type    = string
  default = "us-west-2"
}

variable "endpoints" {
  type = map(object({
    service             = string
    private_dns_enabled = optional(bool)
    subnet_keys         = optional(list(number), [])
  }))
}

variable "ports" {
  type    = list(number)
  default = [443]
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "east"
  region = "us-east-1"
  # plan-offline gives only the default provider mock credentials; these let
  # tests/hcl/stack/plan.json be regenerated offline (see tests/test_source.py).
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

locals {
  name   = "${local.prefix}-net"
  prefix = "demo"
  azs    = [for s in ["a", "b"] : "${var.region}${s}"]
  apps = {
    web = { port = 8080 }
    api = { port = 9090 }
  }
}

module "net" {
  source = "./modules/net"
  name   = local.name
  cidr   = "10.0.0.0/16"
  azs    = local.azs
}

module "app" {
  source     = "./modules/app"
  for_each   = local.apps
  name       = each.key
  port       = each.value.port
  vpc_id     = module.net.vpc_id
  subnet_ids = module.net.private_subnet_ids
}

# tfcheck:ignore VPCE012 single-AZ on purpose
resource "aws_security_group" "vpce" {
  name   = "${local.name}-vpce"
  vpc_id = module.net.vpc_id

  dynamic "ingress" {
    for_each = var.ports
    iterator = rule
    content {
      from_port   = rule.value
      to_port     = rule.value
      protocol    = "tcp"
      cidr_blocks = [module.net.cidr]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_vpc_endpoint" "e" { # tfcheck:ignore VPCE010
  for_each            = var.endpoints
  vpc_id              = module.net.vpc_id
  service_name        = "com.amazonaws.${var.region}.${each.value.service}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = try(each.value.private_dns_enabled, null)
  subnet_ids = (length(each.value.subnet_keys) > 0
    ? [for k in each.value.subnet_keys : module.net.private_subnet_ids[k]]
  : module.net.private_subnet_ids)
  security_group_ids = [aws_security_group.vpce.id]
  tags = {
    Name = "${local.name}-${each.key}"
  }
}

resource "aws_vpc_endpoint" "s3" {
  provider          = aws.east
  vpc_id            = module.net.vpc_id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = values(module.net.route_table_ids)
}

output "web_sg" {
  value = module.app["web"].security_group_id
}

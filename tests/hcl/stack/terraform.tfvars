endpoints = {
  logs = { service = "logs", private_dns_enabled = true }
  ecr_api = { service = "ecr.api", subnet_keys = [1] }
  sts = { service = "sts", private_dns_enabled = false, extra = "dropped by the object type" }
}

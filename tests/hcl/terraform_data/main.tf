# terraform_data resources (builtin provider) whose planned inputs are known: instance keys
# quoted as Terraform prints them, module count/for_each outputs, templatefile, heredocs.
locals {
  k    = "dyn"
  keys = toset(["a\"b", "x$${y}", "plain", "sp ace", "ü"])
  nested = {
    one = { rules = [{ port = 1, cidrs = ["a"] }, { port = 2, cidrs = ["b", "c"] }] }
  }
}
resource "terraform_data" "keys" {
  for_each = local.keys
  input    = each.key
}
resource "terraform_data" "cnt" {
  count = 2
  input = "n${count.index}"
}
resource "terraform_data" "none" {
  count = 0
  input = 1
}
resource "terraform_data" "use" {
  input = {
    splat  = terraform_data.cnt[*].input
    values = [for k, v in terraform_data.keys : v.input]
    objkey = { (local.k) = 1, "${local.k}2" = 2, plain = 3 }
    cond   = length(terraform_data.none) == 0 ? "empty" : "full"
    ws     = terraform.workspace
    pm     = path.module
    tf     = templatefile("${path.module}/t.tpl", { names = ["a", "b"], x = 1 })
    mod    = module.m[1].out
    mods   = module.m[*].out
    fe     = { for k, m in module.f : k => m.out }
    hd     = <<-EOT
      ${~ "  trimmed"}   x   ${"y" ~}
        z
    EOT
    nested = flatten([for name, n in local.nested : [for r in n.rules : [for c in r.cidrs : "${name}:${r.port}:${c}"]]])
  }
}
module "m" {
  source = "./modules/m"
  count  = 2
  v      = count.index
}
module "f" {
  source   = "./modules/m"
  for_each = { p = 10, q = 20 }
  v        = each.value
}
output "use" { value = terraform_data.use.input }

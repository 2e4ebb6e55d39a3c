# Outputs whose values terraform 1.11.4 computed (plan.json): tests/test_hcl_functions.py
# evaluates each one and compares.
variable "obj" {
  type = object({
    a = string
    b = optional(number, 7)
    c = optional(list(string))
    d = optional(object({ x = optional(bool, true) }), {})
  })
  default = { a = "A" }
}
variable "setv" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "num" {
  type    = string
  default = 5
}
locals {
  m  = { b = 2, a = 1, c = 3 }
  l  = [3, 1, 2]
  objs = [{ n = "x", v = 1 }, { n = "y", v = 2 }, { n = "x", v = 3 }]
  heredoc = <<-EOT
    hello ${local.m.a}
      indented %{ if local.m.a == 1 }yes%{ else }no%{ endif }
    done
    EOT
  heredoc2 = <<EOT
%{ for k, v in local.m ~}
${k}=${v}
%{ endfor ~}
EOT
}
output "o01" { value = var.obj }
output "o02" { value = var.setv }
output "o03" { value = var.num }
output "o04" { value = [for k, v in local.m : "${k}:${v}"] }
output "o05" { value = { for o in local.objs : o.n => o.v... } }
output "o06" { value = { for k, v in local.m : upper(k) => v * 2 if v > 1 } }
output "o07" { value = local.objs[*].n }
output "o08" { value = local.heredoc }
output "o09" { value = local.heredoc2 }
output "o10" { value = "a${1 + 2}b%{ for x in local.l }${x},%{ endfor }" }
output "o11" { value = 7 / 2 }
output "o12" { value = -7 % 3 }
output "o13" { value = 1 == 1.0 }
output "o14" { value = "1" == 1 }
output "o15" { value = true && !false || false }
output "o16" { value = cidrsubnet("10.0.0.0/16", 8, 3) }
output "o17" { value = cidrhost("10.0.1.0/24", -2) }
output "o18" { value = cidrnetmask("172.16.0.0/12") }
output "o19" { value = cidrsubnets("10.1.0.0/16", 4, 4, 8, 4) }
output "o20" { value = format("%s-%03d-%.2f-%v-%q-%t-%x", "a", 7, 3.14159, 5, "q", true, 255) }
output "o21" { value = formatlist("%s=%s", ["a", "b"], "v") }
output "o22" { value = join(",", concat(["a"], ["b", "c"])) }
output "o23" { value = split(",", "a,b,,c") }
output "o24" { value = element(["a", "b", "c"], 4) }
output "o25" { value = lookup(local.m, "z", 9) }
output "o26" { value = merge(local.m, { d = 4 }, null) }
output "o27" { value = keys(local.m) }
output "o28" { value = values(local.m) }
output "o29" { value = length("héllo") }
output "o30" { value = flatten([[1, [2]], 3, []]) }
output "o31" { value = distinct([1, 2, 1, 3]) }
output "o32" { value = slice([1, 2, 3, 4], 1, 3) }
output "o33" { value = zipmap(["a", "b"], [1, 2]) }
output "o34" { value = range(3) }
output "o35" { value = range(1, 10, 3) }
output "o36" { value = range(5, 1) }
output "o37" { value = contains(["a"], "a") }
output "o38" { value = index(["a", "b"], "b") }
output "o39" { value = jsonencode({ b = [1, "x<y>&"], a = null, c = 1.5 }) }
output "o40" { value = jsondecode("{\"a\": [1, 2.5, true]}") }
output "o41" { value = try(local.m.zz, "fallback") }
output "o42" { value = can(local.m.zz) }
output "o43" { value = coalesce("", null, "x") }
output "o44" { value = coalescelist([], [1]) }
output "o45" { value = compact(["a", "", null, "b"]) }
output "o46" { value = replace("hello world", "/o(\\w)/", "0$1") }
output "o47" { value = [lower("AbC"), upper("abc"), trimspace("  x \n"), trimprefix("abc", "a"), trimsuffix("abc", "c")] }
output "o48" { value = substr("hello", -3, 2) }
output "o49" { value = [startswith("abc", "ab"), endswith("abc", "bc")] }
output "o50" { value = [min(3, 1, 2), max(local.l...), abs(-2), ceil(1.2), floor(1.8)] }
output "o51" { value = one([]) }
output "o52" { value = sort(["b", "a", "10", "9"]) }
output "o53" { value = reverse(local.l) }
output "o54" { value = setunion(["a"], ["b", "a"]) }
output "o55" { value = setintersection(["a", "b"], ["b", "c"]) }
output "o56" { value = setsubtract(["a", "b"], ["b"]) }
output "o57" { value = [alltrue([true, "true"]), anytrue([]), sum([1, 2.5])] }
output "o58" { value = regex("(\\d+)-(\\d+)", "a 10-20 b") }
output "o59" { value = regex("(?P<x>[a-z]+)", "123abc") }
output "o60" { value = regexall("\\d", "a1b2") }
output "o61" { value = tostring(5) }
output "o62" { value = tonumber("3.5") }
output "o63" { value = tobool("true") }
output "o64" { value = tolist(toset(["b", "a"])) }
output "o65" { value = tomap({ a = 1 }) }
output "o66" { value = local.objs.*.v }
output "o67" { value = [for i, o in local.objs : i if o.n == "x"] }
output "o68" { value = "${local.m.a}" }
output "o69" { value = 10 / 4 * 2 }
output "o70" { value = "%{ if true ~}   yes   %{~ endif }" }
output "o71" { value = title("hello world-foo bar_baz") }
output "o72" { value = format("%5s|%-5s|%05d", "ab", "cd", 42) }
output "o73" { value = indent(2, "a\nb") }
output "o74" { value = chomp("x\n\n") }
output "o75" { value = strrev("abc") }
output "o76" { value = [for s in var.setv : s] }
output "o77" { value = { for k, v in { a = "x", b = "y" } : v => k } }
output "o78" { value = length(local.objs[0]) }
output "o79" { value = jsonencode([1e3, 0.5, 100000000000]) }
output "o80" { value = format("%v", [1, "a"]) }
output "o81" { value = "${1.5}" }
output "o82" { value = 3 - 5 }
output "o83" { value = base64encode("hi") }
output "o84" { value = md5("x") }
output "o85" { value = urlencode("a b&c/d~") }
output "o86" { value = trim("xxhixx", "x") }
output "o87" { value = matchkeys(["a", "b"], ["x", "y"], ["y"]) }
output "o88" { value = transpose({ a = ["1", "2"], b = ["2"] }) }
output "o89" { value = chunklist([1, 2, 3], 2) }
output "o90" { value = setproduct(["a", "b"], [1, 2]) }
output "o91" { value = parseint("ff", 16) }
output "o92" { value = pow(2, 10) }
output "o93" { value = signum(-3) }
output "o94" { value = log(8, 2) }
output "o95" { value = strcontains("abc", "b") }
output "o96" { value = local.l[*] }
output "o97" { value = [1, 2][*] }
output "o98" { value = { a = 1 }[*] }
output "o99" { value = null[*] }
output "p01" { value = (local.m).a }
output "p02" { value = local.objs[1]["n"] }
output "p03" { value = sum([for o in local.objs : o.v]) }
output "p04" { value = tostring(null) }
output "p05" { value = try(tonumber("x"), -1) }
output "p06" { value = 0.1 + 0.2 }
output "p07" { value = 2.0 }
output "p08" { value = format("%g %e %f", 1.5, 1500.0, 2) }
output "p09" { value = jsonencode("a\u2028b") }
output "p10" { value = "a\tb\\c\"d" }
output "s_tf" { value = templatefile("${path.module}/strip.tpl", {}) }
output "s_q" { value = "a %{ if true ~}\n\n  x%{ endif }" }
output "s_h1" {
  value = <<-EOT
    a ${"b" ~}

      c
    ${~ "d"}
    EOT
}
output "s_h2" {
  value = <<EOT
  a %{~ if true ~}

  b
  %{~ endif ~}
  c
EOT
}

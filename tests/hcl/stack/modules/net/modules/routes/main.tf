variable "vpc_id" { type = string }
variable "subnets" { type = map(string) }

resource "aws_route_table" "rt" {
  for_each = var.subnets
  vpc_id   = var.vpc_id
  tags     = { Zone = each.key }
}

resource "aws_route_table_association" "a" {
  for_each       = var.subnets
  subnet_id      = each.value
  route_table_id = aws_route_table.rt[each.key].id
}

output "ids" { value = { for k, rt in aws_route_table.rt : k => rt.id } }

variable "v" { type = number }
resource "terraform_data" "inner" {
  input = var.v * 2
}
output "out" { value = "v${var.v}" }

variable "name" { type = string }
variable "port" { type = number }
variable "vpc_id" { type = string }
variable "subnet_ids" { type = list(string) }

resource "aws_security_group" "app" {
  name   = "app-${var.name}"
  vpc_id = var.vpc_id
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lambda_function" "fn" {
  function_name = var.name
  role          = "arn:aws:iam::123456789012:role/lambda"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "fn.zip"
  environment {
    variables = {
      PORT = tostring(var.port)
    }
  }
  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.app.id]
  }
}

output "security_group_id" { value = aws_security_group.app.id }

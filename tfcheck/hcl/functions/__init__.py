"""Terraform's built-in functions, by family; `table` maps each name to its callable."""

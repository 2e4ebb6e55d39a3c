"""Terraform HCL read and evaluated offline: parse, expressions, functions, modules → an Inventory."""

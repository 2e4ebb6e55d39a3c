"""Load stage: `terraform show -json` documents (and their HCL source) → an Inventory of instances."""

"""tfcheck: catch AWS VPC endpoint networking mistakes in Terraform before apply."""

__version__ = "0.1.0"

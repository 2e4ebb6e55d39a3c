"""Findings report formats (`tfcheck check --format`)."""

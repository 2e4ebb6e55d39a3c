"""Cost report formats (`tfcheck cost --format`)."""

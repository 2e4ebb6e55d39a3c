"""The CLI's commands, one module per family, loaded only when their command runs (cli.COMMANDS)."""

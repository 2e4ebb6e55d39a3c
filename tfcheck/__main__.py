from tfcheck.cli import entry

entry()

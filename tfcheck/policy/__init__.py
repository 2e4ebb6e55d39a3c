"""Policy stage: rule files loaded and compiled once, evaluated over the graph into findings."""

"""Graph formats (`tfcheck graph --format`): drawings and text of the network."""

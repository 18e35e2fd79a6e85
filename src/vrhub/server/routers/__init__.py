"""The hub's routes, one module per feature."""

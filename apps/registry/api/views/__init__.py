"""The registry API, one module per resource."""

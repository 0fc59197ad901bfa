"""The repositories API, one module per resource."""

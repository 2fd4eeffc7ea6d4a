"""Input and output schemas of the care desk API, one module per area."""

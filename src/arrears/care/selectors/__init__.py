"""Reads of the care desk, one module per area."""

"""Admin pages of the care desk: line."""

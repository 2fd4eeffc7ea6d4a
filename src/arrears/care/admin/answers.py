"""Admin pages of the care desk: answers."""

"""Admin pages of the care desk: tickets."""

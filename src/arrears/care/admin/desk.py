"""Admin pages of the care desk: desk."""

"""Every write of the care desk, one module per area (docs/care.md, "The desk in the shell")."""

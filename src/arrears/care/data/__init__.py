"""Bundled data of the care desk (the default desk: calendars, teams, queues)."""

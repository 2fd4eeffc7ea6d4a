"""The pure core of the care desk (客服): calendars, SLA clocks, queueing, callbacks, search.

The Django care app persists tickets, queues and articles and calls these functions with the
facts it read and the `now` it was given; nothing here reads the clock or a database.
See docs/care.md.
"""

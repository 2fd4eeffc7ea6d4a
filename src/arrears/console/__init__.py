"""The staff console: collectors', service agents', supervisors' and compliance officers' screens.

Server-rendered templates with htmx for the live parts. No models of its own: every read is a
selector and every write one service function of the domain apps below it.
"""

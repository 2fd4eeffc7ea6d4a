"""Every write of the servicing app: one function per use case, keyword-only, atomic.

Services nest inside the caller's transaction (`transaction.atomic()`), never commit on their own,
and raise `arrears.core.errors` exceptions with a message that names the field.
"""

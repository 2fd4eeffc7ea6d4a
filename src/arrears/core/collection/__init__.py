"""The pure core of collection operations (催收作业).

- `dispositions`: the standard list of call results and what each drives (data, extendable).
- `retries`: when and on which number to call again, or switch to SMS / e-mail.
- `best_time`: answer rates by hour of the week, smoothed; the best hours to call.
- `promises`: promises to pay matched against payments: kept, partly kept, broken.
- `escalation`: the preconditions of a warning letter, lawyer's letter, legal review, agency.
- `value`: the expected value of a contact now, which ranks the work queues.
- `assignment`: case allocation (分案) to agents and agencies with skills, capacity and caps.
- `labels`: the reason keys in English and Chinese.

Pure Python: no Django, no clock (the caller passes `at` / `as_of`), Money for amounts.
"""

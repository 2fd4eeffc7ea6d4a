"""The borrower portal: a signed-in borrower sees and acts on their own accounts only.

Server-rendered, phone-first templates. No models of its own: reads are selectors and writes
service functions of the domain apps below it, always for `request.borrower`.
"""

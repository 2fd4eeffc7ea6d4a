"""The compliance gate's Django side: profiles, holds, opt-outs, consents, the contact history,
the decision log and permits. The rules themselves are pure Python in `arrears.core.compliance`."""

"""The figures `arrears demo` ends with: accounts by bucket and what they owe."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from arrears.servicing.models import Account, JournalLine

_RECEIVABLE = (
    Q(book__startswith="principal:") | Q(book__startswith="interest:") | Q(book__startswith="fees:")
)


@dataclass(frozen=True)
class BucketLine:
    bucket: str
    status: str
    currency: str
    accounts: int
    owed_minor: int  # principal + interest + fees, before any credit balance


def bucket_report() -> list[BucketLine]:
    """Accounts and the balance they owe, per (bucket, status, currency), in bucket order."""
    counts = Account.objects.values("bucket", "status", "currency").annotate(n=Count("id"))
    owed = (
        JournalLine.objects.filter(_RECEIVABLE)
        .values("account__bucket", "account__status", "account__currency")
        .annotate(total=Sum("amount_minor"))
    )
    totals = {
        (row["account__bucket"], row["account__status"], row["account__currency"]): row["total"]
        for row in owed
    }
    lines = [
        BucketLine(
            bucket=row["bucket"],
            status=row["status"],
            currency=row["currency"],
            accounts=row["n"],
            owed_minor=int(totals.get((row["bucket"], row["status"], row["currency"])) or 0),
        )
        for row in counts
    ]
    return sorted(lines, key=lambda line: (_bucket_order(line.bucket), line.status, line.currency))


def _bucket_order(code: str) -> tuple[int, str]:
    if code == "current":
        return (0, code)
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits else 99, code)

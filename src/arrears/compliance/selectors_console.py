"""Reads behind the compliance officer's console pages: the decision log and its filters,
refusals counted by rule, holds, opt-outs, consents and the audit trail of views of personal
data.

Every list is a queryset with what its rows show already joined, so a page costs the same few
queries however many rows there are. Date ranges are business dates read in the desk's zone
(`settings.TIME_ZONE`), both ends included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from arrears.compliance.choices import Channel
from arrears.compliance.models import AutomatedConsent, Decision, Hold, OptOut, PersonalDataAccess
from arrears.core.errors import NotFound


def _desk_zone() -> ZoneInfo:
    return ZoneInfo(str(settings.TIME_ZONE))


def _period(field_name: str, since: dt.date | None, until: dt.date | None) -> Q:
    """`field_name` (an instant) falls on a day from `since` to `until` in the desk's zone."""
    zone = _desk_zone()
    period = Q()
    if since is not None:
        period &= Q(**{f"{field_name}__gte": dt.datetime.combine(since, dt.time(), tzinfo=zone)})
    if until is not None:
        after = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        period &= Q(**{f"{field_name}__lt": after})
    return period


def _refused_by(rule_id: str) -> Q:
    """`denied_rules` (ids separated by single spaces) holds `rule_id` as a whole word."""
    return (
        Q(denied_rules=rule_id)
        | Q(denied_rules__startswith=f"{rule_id} ")
        | Q(denied_rules__endswith=f" {rule_id}")
        | Q(denied_rules__contains=f" {rule_id} ")
    )


def _borrower_or_account(reference: str, *, borrower: str = "borrower") -> Q:
    """A borrower's reference or one of their account numbers (exact, any case)."""
    return Q(**{f"{borrower}__reference__iexact": reference}) | Q(
        **{f"{borrower}__accounts__number__iexact": reference}
    )


@dataclass(frozen=True)
class DecisionFilter:
    """What the decision log is narrowed to; an empty field narrows nothing."""

    since: dt.date | None = None
    until: dt.date | None = None
    outcome: str = ""  # "allowed", "blocked" or "flagged"
    rule_id: str = ""
    channel: str = ""
    purpose: str = ""
    reference: str = ""  # a borrower reference or an account number


def decision_log(filters: DecisionFilter) -> QuerySet[Decision]:
    """The gate's decisions, newest first, narrowed by `filters`, with borrower and account."""
    decisions = Decision.objects.filter(_period("decided_at", filters.since, filters.until))
    if filters.outcome == "allowed":
        decisions = decisions.filter(allowed=True)
    elif filters.outcome == "blocked":
        decisions = decisions.filter(allowed=False)
    elif filters.outcome == "flagged":
        decisions = decisions.filter(flagged=True)
    if filters.rule_id:
        decisions = decisions.filter(_refused_by(filters.rule_id))
    if filters.channel:
        decisions = decisions.filter(channel=filters.channel)
    if filters.purpose:
        decisions = decisions.filter(purpose=filters.purpose)
    if filters.reference:
        reference = filters.reference.strip()
        decisions = decisions.filter(
            Q(borrower__reference__iexact=reference) | Q(account__number__iexact=reference)
        )
    return decisions.select_related("borrower", "account").order_by("-decided_at", "-id")


def decision_by_id(decision_id: int) -> Decision:
    """One decision with its borrower, account and permit; `NotFound` if there is none."""
    decision = (
        Decision.objects.select_related("borrower", "account", "permit")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise NotFound(_("There is no decision with id %(id)s.") % {"id": decision_id})
    return decision


@dataclass
class RuleCount:
    """How many contacts one rule refused over a period, in all and per channel."""

    rule_id: str
    total: int = 0
    by_channel: Counter[str] = field(default_factory=Counter)
    per_channel: list[tuple[str, int]] = field(default_factory=list)  # in `channels` order


@dataclass(frozen=True)
class BlockedByRule:
    rules: list[RuleCount]
    channels: list[tuple[str, str]]  # (channel, its label) of those that appear, stable order
    blocked: int  # refused decisions (a decision refused by two rules counts once here)


def blocked_by_rule(*, since: dt.date | None, until: dt.date | None) -> BlockedByRule:
    """Refused contacts per refusing rule and channel over the period, most frequent first.

    The database groups the refusals by their set of rules and channel (a handful of groups
    however many decisions); each group is then counted under each of its rules.
    """
    groups = (
        Decision.objects.filter(_period("decided_at", since, until), allowed=False)
        .values("denied_rules", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, RuleCount] = {}
    channels: set[str] = set()
    blocked = 0
    for group in groups:
        blocked += group["n"]
        channels.add(group["channel"])
        for rule_id in group["denied_rules"].split() or ["—"]:
            count = counts.setdefault(rule_id, RuleCount(rule_id))
            count.total += group["n"]
            count.by_channel[group["channel"]] += group["n"]
    order = [value for value in Channel.values if value in channels]
    order += sorted(channels - set(order))
    ordered = sorted(counts.values(), key=lambda c: (-c.total, c.rule_id))
    for count in ordered:
        count.per_channel = [(value, count.by_channel[value]) for value in order]
    labels = dict(Channel.choices)
    return BlockedByRule(
        rules=ordered,
        channels=[(value, str(labels.get(value, value))) for value in order],
        blocked=blocked,
    )


def holds_list(
    *, status: str = "", kind: str = "", reference: str = "", on: dt.date
) -> QuerySet[Hold]:
    """Holds newest first; `status` "active" (in force on `on`) or "lifted" (lifted or ended)."""
    holds = Hold.objects.all()
    in_force = Q(lifted_at__isnull=True) & (Q(end_on__isnull=True) | Q(end_on__gte=on))
    if status == "active":
        holds = holds.filter(in_force)
    elif status == "lifted":
        holds = holds.exclude(in_force)
    if kind:
        holds = holds.filter(kind=kind)
    if reference:
        holds = holds.filter(_borrower_or_account(reference.strip())).distinct()
    return holds.select_related("borrower", "account").order_by("-start_on", "-id")


def opt_outs_list(
    *, channel: str = "", reference: str = "", since: dt.date | None, until: dt.date | None
) -> QuerySet[OptOut]:
    """Opt-outs received in the period, newest first."""
    opt_outs = OptOut.objects.filter(_period("at", since, until))
    if channel:
        opt_outs = opt_outs.filter(channel=channel)
    if reference:
        opt_outs = opt_outs.filter(_borrower_or_account(reference.strip())).distinct()
    return opt_outs.select_related("borrower").order_by("-at", "-id")


def consents_list(
    *, status: str = "", channel: str = "", reference: str = ""
) -> QuerySet[AutomatedConsent]:
    """Consents to automated contact, newest first; `status` "in_force" or "revoked"."""
    consents = AutomatedConsent.objects.all()
    if status == "in_force":
        consents = consents.filter(revoked_at__isnull=True)
    elif status == "revoked":
        consents = consents.filter(revoked_at__isnull=False)
    if channel:
        consents = consents.filter(channel=channel)
    if reference:
        consents = consents.filter(_borrower_or_account(reference.strip())).distinct()
    return consents.select_related("borrower").order_by("-given_at", "-id")


def personal_data_views(
    *, staff: str = "", reference: str = "", since: dt.date | None, until: dt.date | None
) -> QuerySet[PersonalDataAccess]:
    """Who opened which borrower's personal data when, newest first.

    `staff` is a staff member's user name (exact, any case); `reference` a borrower reference
    or one of their account numbers.
    """
    views = PersonalDataAccess.objects.filter(_period("accessed_at", since, until))
    if staff:
        views = views.filter(user__username__iexact=staff.strip())
    if reference:
        views = views.filter(_borrower_or_account(reference.strip())).distinct()
    return views.select_related("user", "borrower").order_by("-accessed_at", "-id")

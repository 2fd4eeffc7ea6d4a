"""What the real engine did to the simulated borrowers on one day.

The collection night proposed the day's messages (outbox, with the gate's permits) and calls
(work queues). Here the messages go out through the real dispatcher — every message asks the
gate again and records its contact attempt — with recording adapters instead of providers;
and the simulated agents work the queues hour by hour (09:00–20:59 lender time): each takes
its next call with `take_next_action` (a call permit from the gate), and whether the borrower
answers is drawn with the behaviour model's `answer_probability` at the borrower's local hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from arrears.collection.services.queues import TakenAction, take_next_action
from arrears.compliance.choices import Channel, Direction
from arrears.compliance.models import ContactAttempt
from arrears.core.clock import FixedClock
from arrears.core.sim import BorrowerState, answer_probability
from arrears.core.sim.params import CHANNEL_INDEX, HOURS_PER_WEEK
from arrears.core.sim.streams import generator
from arrears.demo.sim.book import Book
from arrears.engagement.channels.base import ChannelAdapter, RecordingAdapter
from arrears.engagement.dispatch import dispatch_outbox
from arrears.engagement.models import OutboxMessage

LENDER_ZONE = ZoneInfo("Asia/Shanghai")
#: The lender's working hours for calls (local), and when the day's messages go out.
CALL_HOURS = range(9, 21)
DISPATCH_HOUR = 12
CALL_PURPOSE = 202  # random stream of the calls' answers
_DISPATCH_BATCH = 1_000


@dataclass(frozen=True)
class Call:
    """One call an agent placed: to whom, when, and whether the borrower answered."""

    borrower: int  # index in the population
    taken: TakenAction
    agent: Any
    started_at: dt.datetime
    hour_of_week: int  # the borrower's local hour
    right_party: bool


@dataclass
class EngineDay:
    calls: list[Call]
    message_borrower: np.ndarray  # int64
    message_channel: np.ndarray  # int8
    message_hour: np.ndarray  # int16 local hour of week
    message_kind: np.ndarray  # str: the message's template kind (a plan offer, a reminder …)
    dispatched: dict[str, int]


def lender_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LENDER_ZONE).astimezone(dt.UTC)


def utc_hour_of_week(at: dt.datetime) -> int:
    utc = at.astimezone(dt.UTC)
    return utc.weekday() * 24 + utc.hour


def send_messages(day: dt.date) -> dict[str, int]:
    """Run the dispatcher at midday until nothing more is due; counts by outcome."""
    clock = FixedClock(lender_time(day, DISPATCH_HOUR))
    adapters: dict[str, ChannelAdapter] = {
        str(ch): RecordingAdapter(ch, clock=clock) for ch in _MESSAGE_CHANNELS
    }
    total: dict[str, int] = {}
    while True:
        counts = dispatch_outbox(limit=_DISPATCH_BATCH, clock=clock, adapters=adapters)
        for name, value in counts.as_dict().items():
            total[name] = total.get(name, 0) + value
        for adapter in adapters.values():
            if isinstance(adapter, RecordingAdapter):
                adapter.outbox.clear()
        if counts.claimed < _DISPATCH_BATCH:
            return total


_MESSAGE_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.LETTER, Channel.IN_APP)


def work_calls(
    state: BorrowerState,
    book: Book,
    *,
    day: dt.date,
    agents: list[Any],
    calls_per_agent: int,
    seed: int,
) -> list[Call]:
    """The agents' calls of the day, spread evenly over the working hours."""
    index = book.index_of_borrowers()
    rng = generator(seed, CALL_PURPOSE, state.day_number(day))
    per_hour = -(-calls_per_agent // len(CALL_HOURS)) if calls_per_agent else 0
    made = dict.fromkeys(range(len(agents)), 0)
    calls: list[Call] = []
    for hour in CALL_HOURS:
        slot = lender_time(day, hour)
        utc_how = utc_hour_of_week(slot)
        chance = answer_probability(state, "call", (utc_how + state.utc_offset_hours))
        for a, agent in enumerate(agents):
            for n in range(min(per_hour, calls_per_agent - made[a])):
                started = slot + dt.timedelta(minutes=4 * n)
                taken = take_next_action(agent=agent, clock=FixedClock(started))
                if taken is None:
                    break
                made[a] += 1
                i = index[taken.action.borrower_id]
                local = int((utc_how + int(state.utc_offset_hours[i])) % HOURS_PER_WEEK)
                answered = bool(rng.random() < chance[i])
                calls.append(Call(i, taken, agent, started, local, answered))
    return calls


def messages_sent(state: BorrowerState, book: Book, *, day: dt.date) -> tuple[np.ndarray, ...]:
    """The day's outbound messages from the contact log: borrower, channel, local hour, and
    the kind of the outbox message that carried it (by their shared permit)."""
    index = book.index_of_borrowers()
    rows = list(
        ContactAttempt.objects.filter(
            direction=Direction.OUTBOUND,
            started_at__gte=lender_time(day, 0),
            started_at__lt=lender_time(day + dt.timedelta(days=1), 0),
        )
        .exclude(channel=Channel.CALL)
        .order_by("started_at", "pk")
        .values_list("borrower_id", "channel", "started_at", "permit_id")
    )
    kinds = dict(
        OutboxMessage.objects.filter(permit_id__in=[r[3] for r in rows if r[3]]).values_list(
            "permit_id", "kind"
        )
    )
    who, channel, hour, kind = [], [], [], []
    for borrower_id, ch, started, permit_id in rows:
        if borrower_id not in index or ch not in CHANNEL_INDEX:
            continue
        i = index[borrower_id]
        who.append(i)
        channel.append(CHANNEL_INDEX[ch])
        hour.append((utc_hour_of_week(started) + int(state.utc_offset_hours[i])) % HOURS_PER_WEEK)
        kind.append(kinds.get(permit_id, ""))
    return (
        np.array(who, np.int64),
        np.array(channel, np.int8),
        np.array(hour, np.int16),
        np.array(kind, dtype=object),
    )


def engine_day(
    state: BorrowerState,
    book: Book,
    *,
    day: dt.date,
    agents: list[Any],
    calls_per_agent: int,
    seed: int,
) -> EngineDay:
    dispatched = send_messages(day)
    calls = work_calls(
        state, book, day=day, agents=agents, calls_per_agent=calls_per_agent, seed=seed
    )
    who, channel, hour, kind = messages_sent(state, book, day=day)
    return EngineDay(calls, who, channel, hour, kind, dispatched)

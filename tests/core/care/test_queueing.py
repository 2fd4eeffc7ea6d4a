"""The inbound line's figures, checked against exact arithmetic, closed forms and a simulation."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.care.queueing import (
    DEFAULT_WAIT_BANDS,
    QueueModel,
    ServiceTarget,
    agents_needed,
    erlang_a_figures,
    erlang_b,
    erlang_c,
    erlang_c_figures,
    expected_wait_in_line,
    line_figures,
    wait_band,
)
from arrears.core.care.simulation import simulate_line
from arrears.core.errors import ValidationError


def exact_erlang_c(load: Fraction, agents: int) -> Fraction:
    """The textbook closed form with factorials, in exact fractions."""
    top = load**agents / math.factorial(agents) * Fraction(agents) / (agents - load)
    bottom = sum(load**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


# --- Erlang C against independent calculation --------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=999))
def test_erlang_c_matches_the_factorial_formula_in_exact_fractions(
    agents: int, per_mille: int
) -> None:
    load = Fraction(per_mille, 1000) * agents  # strictly below capacity

    assert erlang_c(float(load), agents) == pytest.approx(float(exact_erlang_c(load, agents)),
                                                          rel=1e-9, abs=1e-15)  # fmt: skip


def test_erlang_c_matches_the_single_and_two_agent_closed_forms() -> None:
    for load in (0.1, 0.5, 0.9):
        assert erlang_c(load, 1) == pytest.approx(load)  # M/M/1: the chance to wait is ρ
    for load in (0.4, 1.0, 1.8):
        rho = load / 2
        assert erlang_c(load, 2) == pytest.approx(2 * rho**2 / (1 + rho))


def test_erlang_b_matches_the_published_table() -> None:
    assert erlang_b(10, 10) == pytest.approx(0.21458, abs=5e-6)
    assert erlang_b(2, 3) == pytest.approx(4 / 19)


def test_the_ten_erlang_desk_needs_fourteen_agents_for_eighty_twenty() -> None:
    # 100 calls in half an hour at 3 minutes each: 10 erlangs.
    target = ServiceTarget.parse("target", "80/20")
    thirteen = erlang_c_figures(calls_per_hour=200, aht_seconds=180, agents=13)
    fourteen = erlang_c_figures(calls_per_hour=200, aht_seconds=180, agents=14)

    assert thirteen.service_level == pytest.approx(0.7956, abs=1e-4)
    assert fourteen.p_wait == pytest.approx(0.1741, abs=1e-4)
    assert fourteen.service_level == pytest.approx(0.8884, abs=1e-4)
    assert fourteen.mean_wait_seconds == pytest.approx(7.84, abs=0.01)
    assert agents_needed(calls_per_hour=200, aht_seconds=180, target=target) == 14


def test_erlang_c_stays_finite_for_thousands_of_agents() -> None:
    figures = erlang_c_figures(calls_per_hour=1_800_000, aht_seconds=18, agents=9_100)

    assert 0 < figures.p_wait < 1
    assert math.isfinite(figures.mean_wait_seconds)


def test_an_overloaded_line_never_settles_under_erlang_c() -> None:
    figures = erlang_c_figures(calls_per_hour=3600, aht_seconds=60, agents=60)

    assert not figures.stable
    assert figures.p_wait == 1
    assert math.isinf(figures.mean_wait_seconds)


# --- Erlang A against closed forms ---------------------------------------------------------


def test_when_patience_equals_handling_time_the_line_behaves_like_infinitely_many_agents() -> None:
    # θ = μ: callers in the system leave at rate kμ whatever k, so their number is Poisson(a).
    load, agents = 12.0, 10
    figures = erlang_a_figures(calls_per_hour=load * 60, aht_seconds=60, agents=agents,
                               patience_seconds=60)  # fmt: skip
    poisson = [math.exp(-load) * load**k / math.factorial(k) for k in range(120)]

    assert figures.p_wait == pytest.approx(sum(poisson[agents:]), rel=1e-9)
    expected_queue = sum((k - agents) * p for k, p in enumerate(poisson) if k > agents)
    assert figures.p_abandon == pytest.approx(expected_queue / load, rel=1e-9)


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    a = erlang_a_figures(calls_per_hour=2880, aht_seconds=60, agents=52, patience_seconds=1e9)
    c = erlang_c_figures(calls_per_hour=2880, aht_seconds=60, agents=52)

    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.mean_answer_wait_seconds == pytest.approx(c.mean_wait_seconds, rel=1e-4)
    assert a.p_abandon < 1e-6


def test_erlang_a_settles_even_when_the_calls_exceed_the_agents() -> None:
    figures = erlang_a_figures(calls_per_hour=4000, aht_seconds=60, agents=50, patience_seconds=120)

    assert figures.stable
    # In the long run agents answer at most their capacity: the excess hangs up.
    assert figures.p_abandon >= 1 - 50 / (4000 / 60)
    assert figures.occupancy <= 1


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=60),
    st.floats(min_value=0.2, max_value=1.5),
    st.floats(min_value=10, max_value=900),
)
def test_erlang_a_shares_are_probabilities_and_more_agents_never_hurt(
    agents: int, utilisation: float, patience: float
) -> None:
    calls = utilisation * agents * 60  # aht 60 s
    fewer = erlang_a_figures(calls_per_hour=calls, aht_seconds=60, agents=agents,
                             patience_seconds=patience)  # fmt: skip
    more = erlang_a_figures(calls_per_hour=calls, aht_seconds=60, agents=agents + 1,
                            patience_seconds=patience)  # fmt: skip

    for share in (fewer.p_wait, fewer.p_abandon, fewer.service_level, fewer.occupancy):
        assert -1e-12 <= share <= 1 + 1e-12
    assert fewer.service_level <= 1 - fewer.p_abandon + 1e-9
    assert more.service_level >= fewer.service_level - 1e-9
    assert more.p_abandon <= fewer.p_abandon + 1e-12


# --- both against a discrete-event simulation --------------------------------------------------

SIMULATED_LOADS = [
    # calls/h, aht s, agents, patience s (None: Erlang C)
    (480, 60, 10, None),
    (2700, 60, 50, None),
    (2880, 60, 50, 120),
    (1500, 60, 22, 60),  # overloaded: more calls than agents, callers hang up
]


@pytest.mark.parametrize(("calls", "aht", "agents", "patience"), SIMULATED_LOADS)
def test_the_formulas_agree_with_a_simulated_line(
    calls: float, aht: float, agents: int, patience: float | None
) -> None:
    formula = line_figures(calls_per_hour=calls, aht_seconds=aht, agents=agents,
                           patience_seconds=patience)  # fmt: skip
    simulated = simulate_line(calls_per_hour=calls, aht_seconds=aht, agents=agents,
                              patience_seconds=patience, callers=120_000, seed=7)  # fmt: skip

    assert formula.model is (QueueModel.ERLANG_C if patience is None else QueueModel.ERLANG_A)
    assert simulated.p_wait == pytest.approx(formula.p_wait, abs=0.02)
    assert simulated.p_abandon == pytest.approx(formula.p_abandon, abs=0.01)
    assert simulated.service_level == pytest.approx(formula.service_level, abs=0.02)
    assert simulated.mean_wait_seconds == pytest.approx(formula.mean_wait_seconds, rel=0.15,
                                                        abs=0.5)  # fmt: skip
    assert simulated.occupancy == pytest.approx(formula.occupancy, abs=0.02)


def test_the_simulation_repeats_with_the_same_seed() -> None:
    once = simulate_line(calls_per_hour=600, aht_seconds=60, agents=12, callers=2000, seed=3)
    again = simulate_line(calls_per_hour=600, aht_seconds=60, agents=12, callers=2000, seed=3)

    assert once == again


# --- staffing ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=30, max_value=6000),
    st.sampled_from([30.0, 60.0, 180.0, 300.0]),
    st.sampled_from([None, 60.0, 180.0]),
    st.sampled_from(["80/20", "90/15", "70/60"]),
)
def test_the_agents_needed_are_the_fewest_that_meet_the_target(
    calls: float, aht: float, patience: float | None, text: str
) -> None:
    target = ServiceTarget.parse("target", text)
    needed = agents_needed(calls_per_hour=calls, aht_seconds=aht, target=target,
                           patience_seconds=patience)  # fmt: skip

    def level(agents: int) -> float:
        figures = line_figures(calls_per_hour=calls, aht_seconds=aht, agents=agents,
                               patience_seconds=patience,
                               answer_within_seconds=target.within_seconds)  # fmt: skip
        return figures.service_level if figures.stable else 0.0

    assert level(needed) * 100 >= target.percent
    if needed > 1:
        assert level(needed - 1) * 100 < target.percent


def test_abandonment_is_cheaper_to_staff_for_than_endless_patience() -> None:
    target = ServiceTarget(80, 20)
    with_abandonment = agents_needed(calls_per_hour=2880, aht_seconds=60, target=target,
                                     patience_seconds=120)  # fmt: skip
    without = agents_needed(calls_per_hour=2880, aht_seconds=60, target=target)

    assert (with_abandonment, without) == (46, 52)


def test_caps_on_occupancy_and_abandonment_add_agents() -> None:
    target = ServiceTarget(80, 20)
    plain = agents_needed(calls_per_hour=2880, aht_seconds=60, target=target, patience_seconds=120)
    capped = agents_needed(calls_per_hour=2880, aht_seconds=60, target=target,
                           patience_seconds=120, max_occupancy=0.85, max_abandon=0.01)  # fmt: skip

    assert capped > plain
    figures = erlang_a_figures(calls_per_hour=2880, aht_seconds=60, agents=capped,
                               patience_seconds=120)  # fmt: skip
    assert figures.occupancy <= 0.85 and figures.p_abandon <= 0.01


# --- place in line and announced bands -------------------------------------------------------


def test_the_wait_for_a_place_in_line_without_abandonment_is_places_times_aht_over_agents() -> None:
    assert expected_wait_in_line(0, agents=10, aht_seconds=300) == pytest.approx(30)
    assert expected_wait_in_line(9, agents=10, aht_seconds=300) == pytest.approx(300)


def test_callers_ahead_who_hang_up_shorten_the_wait() -> None:
    patient = expected_wait_in_line(20, agents=10, aht_seconds=300)
    impatient = expected_wait_in_line(20, agents=10, aht_seconds=300, patience_seconds=120)

    assert impatient < patient


@pytest.mark.parametrize(
    ("seconds", "key"),
    [(0, "wait.under_2_minutes"), (119.9, "wait.under_2_minutes"), (120, "wait.2_to_5_minutes"),
     (450, "wait.5_to_10_minutes"), (600, "wait.over_10_minutes"), (7200, "wait.over_10_minutes")],
)  # fmt: skip
def test_waits_are_announced_in_bands(seconds: float, key: str) -> None:
    assert wait_band(seconds).key == key


def test_the_default_bands_end_open() -> None:
    assert DEFAULT_WAIT_BANDS[-1].below_seconds is None


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calls_per_hour": -1, "aht_seconds": 60, "agents": 5}, "calls_per_hour"),
        ({"calls_per_hour": 100, "aht_seconds": 0, "agents": 5}, "aht_seconds"),
        ({"calls_per_hour": 100, "aht_seconds": 60, "agents": 0}, "agents"),
        ({"calls_per_hour": 100, "aht_seconds": 60, "agents": 5, "patience_seconds": 0},
         "patience_seconds"),
    ],
)  # fmt: skip
def test_bad_line_figures_name_the_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        line_figures(**kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


@pytest.mark.parametrize("text", ["80", "120/20", "eighty/20", "0/20"])
def test_a_bad_service_target_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        ServiceTarget.parse("target", text)

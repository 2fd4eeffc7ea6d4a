"""Confidence intervals for comparing a strategy's arms (champion/challenger 冠军–挑战者).

Pure Python, no Django. Figures here are statistics about many accounts, not money movements,
so they are floats; the money they summarise stays in minor units elsewhere.

- a **share** (cure rate, promises kept, complaints per account): the Wilson score interval,
  and for the difference of two shares Newcombe's hybrid score interval (method 10), which keep
  their coverage near 95 % for small counts and shares near 0 or 1 where the textbook ± 1.96·SE
  interval does not;
- a **mean** (money collected per account, contacts per account): Student's t interval, and for
  the difference of two means Welch's interval with the Welch–Satterthwaite degrees of freedom
  (the arms' variances are not assumed equal).

A sample is given by its summary (`Sample`: count, sum, sum of squares) so the database can
aggregate it; `Sample.of(values)` builds one from the values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

#: The two-sided 95 % quantile of the standard normal distribution.
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval [low, high]."""

    estimate: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        """For a difference: the two arms differ significantly (at the interval's level)."""
        return self.low > 0 or self.high < 0

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Sample:
    """A sample summarised: how many values, their sum and the sum of their squares."""

    count: int
    total: float
    total_of_squares: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Sample:
        found = [float(v) for v in values]
        return cls(len(found), math.fsum(found), math.fsum(v * v for v in found))

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def variance(self) -> float | None:
        """The unbiased sample variance (n − 1); None under two values."""
        if self.count < 2:
            return None
        mean = self.total / self.count
        spread = self.total_of_squares - self.count * mean * mean
        return max(spread, 0.0) / (self.count - 1)


def wilson_interval(successes: int, trials: int, *, z: float = Z_95) -> Interval | None:
    """The Wilson score interval of a share `successes / trials`; None with no trials."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and the number of trials")
    share = successes / trials
    z2 = z * z
    centre = (share + z2 / (2 * trials)) / (1 + z2 / trials)
    half = (z / (1 + z2 / trials)) * math.sqrt(
        share * (1 - share) / trials + z2 / (4 * trials * trials)
    )
    # rounding must not put the share itself outside its interval (at 0 % and 100 % it is an end)
    low = min(max(0.0, centre - half), share)
    high = max(min(1.0, centre + half), share)
    return Interval(share, low, high)


def share_difference(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, *, z: float = Z_95
) -> Interval | None:
    """Newcombe's interval for share(b) − share(a); None when either arm has no trials."""
    a = wilson_interval(successes_a, trials_a, z=z)
    b = wilson_interval(successes_b, trials_b, z=z)
    if a is None or b is None:
        return None
    difference = b.estimate - a.estimate
    low = difference - math.sqrt((b.estimate - b.low) ** 2 + (a.high - a.estimate) ** 2)
    high = difference + math.sqrt((b.high - b.estimate) ** 2 + (a.estimate - a.low) ** 2)
    return Interval(difference, min(max(-1.0, low), difference), max(min(1.0, high), difference))


def mean_interval(sample: Sample, *, level: float = 0.95) -> Interval | None:
    """Student's t interval of the sample's mean; None under two values."""
    variance = sample.variance
    if variance is None or sample.mean is None:
        return None
    half = t_quantile(level, sample.count - 1) * math.sqrt(variance / sample.count)
    return Interval(sample.mean, sample.mean - half, sample.mean + half)


def mean_difference(a: Sample, b: Sample, *, level: float = 0.95) -> Interval | None:
    """Welch's interval for mean(b) − mean(a); None when an arm has under two values."""
    va, vb = a.variance, b.variance
    if va is None or vb is None or a.mean is None or b.mean is None:
        return None
    ea, eb = va / a.count, vb / b.count
    difference = b.mean - a.mean
    standard_error = math.sqrt(ea + eb)
    if standard_error == 0:
        return Interval(difference, difference, difference)
    freedom = (ea + eb) ** 2 / (ea * ea / (a.count - 1) + eb * eb / (b.count - 1))
    half = t_quantile(level, freedom) * standard_error
    return Interval(difference, difference - half, difference + half)


def normal_quantile(p: float) -> float:
    """The standard normal quantile (Acklam's rational approximation, refined by one Halley
    step: accurate to about 1e-15)."""
    if not 0 < p < 1:
        raise ValueError("p must be strictly between 0 and 1")
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)  # fmt: skip
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
         3.754408661907416e00)  # fmt: skip
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    elif p > 1 - 0.02425:
        return -normal_quantile(1 - p)
    else:
        q = p - 0.5
        r = q * q
        x = (
            (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
            * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        )
    error = 0.5 * math.erfc(-x / math.sqrt(2)) - p
    step = error * math.sqrt(2 * math.pi) * math.exp(x * x / 2)
    return x - step / (1 + x * step / 2)


def t_quantile(level: float, freedom: float) -> float:
    """The two-sided `level` quantile of Student's t with `freedom` degrees of freedom.

    Exact for 1 and 2 degrees of freedom; otherwise the Cornish–Fisher expansion around the
    normal quantile (error under 0.2 % from 3 degrees of freedom, far less beyond 10)."""
    if freedom <= 0:
        raise ValueError("degrees of freedom must be positive")
    p = 1 - (1 - level) / 2
    if freedom == 1:
        return math.tan(math.pi * (p - 0.5))
    if freedom == 2:
        alpha = 4 * p * (1 - p)
        return 2 * (p - 0.5) * math.sqrt(2 / alpha)
    z = normal_quantile(p)
    v = freedom
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / v + g2 / v**2 + g3 / v**3 + g4 / v**4

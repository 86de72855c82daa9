"""metrics.fmt_pct / fmt_rate（快速版）与原来的 Decimal 实现逐字相同：四舍五入（…5 进位）、空值、分母为 0；不到 100% 的比率
不显示成 100%、大于 0 的不显示成 0%（多给小数位，见 metrics._pct_text）。"""
from __future__ import annotations

import math
import random
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from analytics import metrics


# ---- the implementation before the fast path, kept here as the independent reference
def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def _ref_round(x: float, digits: int = 1) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def ref_pct(r, digits: int = 1) -> str:
    if _missing(r):
        return "—"
    x = float(r) * 100
    for more in range(digits, digits + 4):  # a share strictly between 0 and 100 % never shows as 0 or 100 %
        text = _ref_round(x, more)
        if not 0 < x < 100 or text not in (0, 100):
            return f"{text}%"
    return f"{Decimal(100) - Decimal(1).scaleb(-digits - 3) if x > 50 else Decimal(1).scaleb(-digits - 3)}%"


def ref_rate(num, den, digits: int = 1) -> str:
    n = 0 if _missing(num) else int(num)
    d = 0 if _missing(den) else int(den)
    r = None if d == 0 else float(n) / float(d)
    return f"{ref_pct(r, digits)}（{n}/{d}）"


def test_hand_computed_halves_round_up():
    assert metrics.fmt_rate(9, 16) == "56.3%（9/16）"        # 56.25 → 56.3, not banker's 56.2
    assert metrics.fmt_rate(1, 8) == "12.5%（1/8）"
    assert metrics.fmt_rate(1, 16) == "6.3%（1/16）"          # 6.25 → 6.3
    assert metrics.fmt_rate(3, 16) == "18.8%（3/16）"         # 18.75 → 18.8
    assert metrics.fmt_pct(0.00005) == "0.01%"                # 0.005 → 0.0 (one decimal), but not 0: 0.01
    assert metrics.fmt_rate(16697, 16705) == "99.95%（16697/16705）"  # 99.952 → 100.0, but 8 not done: 99.95
    assert metrics.fmt_rate(999999, 1000000) == "99.9999%（999999/1000000）"
    assert metrics.fmt_rate(99999999, 100000000) == "99.9999%（99999999/100000000）"  # 99.999999: last digit short
    assert metrics.fmt_rate(1, 10 ** 9) == "0.0001%（1/1000000000）"
    assert metrics.fmt_rates([16697, 16705, 0], [16705, 16705, 7]) == [
        "99.95%（16697/16705）", "100.0%（16705/16705）", "0.0%（0/7）"]
    assert metrics.fmt_pct(0.0005) == "0.1%"                  # 0.05 → 0.1
    assert metrics.fmt_pct(0.1235, 2) == "12.35%"
    assert metrics.fmt_pct(0.12345, 2) == "12.35%"            # 12.345 → 12.35
    assert metrics.fmt_pct(0.5, 0) == "50%"
    assert metrics.fmt_pct(0.125, 0) == "13%"                 # 12.5 → 13


def test_edge_cases():
    for num, den, text in [(0, 0, "—（0/0）"), (None, None, "—（0/0）"), (5, None, "—（5/0）"),
                           (None, 4, "0.0%（0/4）"), (float("nan"), 3, "0.0%（0/3）"), (pd.NA, 0, "—（0/0）"),
                           (np.int64(7), np.int64(7), "100.0%（7/7）"), (3.0, 4.0, "75.0%（3/4）"),
                           (12, 5, "240.0%（12/5）")]:
        assert metrics.fmt_rate(num, den) == text == ref_rate(num, den), (num, den)
    for r, text in [(None, "—"), (float("nan"), "—"), (pd.NA, "—"), (np.nan, "—"), (0, "0.0%"), (1, "100.0%"),
                    (-0.0, "-0.0%"), (-0.0004, "-0.0%"), (-0.0005, "-0.1%"), (1e-12, "0.0001%"),
                    (Decimal("0.5625"), "56.3%"), (np.float32(0.5625), "56.3%")]:
        assert metrics.fmt_pct(r) == text == ref_pct(r), r


def test_every_small_fraction_matches_reference():
    """分母 1–400 的全部分子（含各种 …x5）：与原实现逐字相同。"""
    for d in range(1, 401):
        for n in range(0, d + 1):
            assert metrics.fmt_rate(n, d) == ref_rate(n, d), (n, d)


@pytest.mark.parametrize("digits", [0, 1, 2, 3])
def test_random_and_half_values_match_reference(digits):
    rng = random.Random(13 + digits)
    values = [rng.uniform(-2, 2) for _ in range(20000)]
    values += [rng.randint(-100000, 100000) / 10 ** (digits + 3) + 5 / 10 ** (digits + 3) for _ in range(20000)]
    values += [k / 10 ** (digits + 3) for k in range(-3000, 3000)]                    # every x.x5 step
    values += [1e4, 1e6, 1e7 + 0.05, 123456.785, -99999.95, 5e-324, 1e-300, 1e15]   # large / tiny
    for r in values:
        assert metrics.fmt_pct(r, digits) == ref_pct(r, digits), (r, digits)


def test_large_counts_match_reference():
    rng = random.Random(7)
    for _ in range(20000):
        d = rng.randint(1, 10 ** 7)
        n = rng.randint(0, d)
        assert metrics.fmt_rate(n, d) == ref_rate(n, d), (n, d)


def test_fmt_rates_column_matches_reference():
    rng = random.Random(3)
    dens = [rng.randint(0, 400) for _ in range(30000)] + [0, 16, 16, 8, 10 ** 7, 3, 4, 5]
    nums = [rng.randint(0, max(d, 1)) for d in dens[:-8]] + [0, 9, 1, 1, 5, 12, 3, 2]
    assert metrics.fmt_rates(nums, dens) == [ref_rate(a, b) for a, b in zip(nums, dens, strict=True)]
    assert metrics.fmt_rates(nums, dens, 2) == [ref_rate(a, b, 2) for a, b in zip(nums, dens, strict=True)]
    assert metrics.fmt_rates([9, 0], [16, 0]) == ["56.3%（9/16）", "—（0/0）"]


def test_fmt_rates_missing_and_float_columns():
    """SQL 的计数列可能是浮点（含 NaN）或可空整数：空值当 0，小数截去，与逐个 fmt_rate 相同。"""
    nums = pd.Series([3.0, np.nan, 7.0, 2.9, None], dtype="float64")
    dens = pd.Series([4, 5, None, 3, 8], dtype="Int64")
    expected = [ref_rate(a, b) for a, b in zip([3.0, None, 7.0, 2.9, None], [4, 5, None, 3, 8], strict=True)]
    assert expected == ["75.0%（3/4）", "0.0%（0/5）", "—（7/0）", "66.7%（2/3）", "0.0%（0/8）"]
    assert metrics.fmt_rates(nums, dens) == expected
    assert metrics.fmt_rates([None, 1], [None, 2]) == ["—（0/0）", "50.0%（1/2）"]
    assert metrics.fmt_rates([], []) == []


def test_the_meeting_brief_rounds_as_the_dashboard():
    from reports.brief_text import pct1

    assert pct1(9, 16) == "56.3%"             # float formatting gave 56.2 (56.25 rounded to even)
    assert pct1(16697, 16705) == "99.95%"      # and 100.0 here
    assert pct1(3, 0) == "—"

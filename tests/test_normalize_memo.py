"""RowContext.normalize memoizes normalizer calls by value and arguments: the normalizer always gets the
cell value itself, whatever its type, and the answer (or the error) is the one of that value."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from etl.config import load_campaign
from etl.normalize.errors import NormalizeError
from etl.validate.context import RowContext, Submission

CAMPAIGN = load_campaign("fuyang-2023")


def _ctx() -> RowContext:
    sub = Submission("s", CAMPAIGN.id, "f.xlsx", "表", "ledger", None, None, "无", "00" * 32)
    return RowContext(CAMPAIGN, sub, {})


def test_the_normalizer_gets_the_value_itself_and_each_answer_is_its_own():
    seen = []

    def echo(value, *args):
        seen.append(value)
        if value == "坏":
            raise NormalizeError("坏值")
        return (type(value).__name__, value, args)

    ctx = _ctx()
    values = [Decimal("3"), time(9, 30), "3", 3, 3.5, date(2023, 5, 1), datetime(2023, 5, 1, 8), True, None]
    for value in values:
        assert ctx.normalize(echo, value) == (type(value).__name__, value, ())
    assert [type(v) for v in seen] == [type(v) for v in values]  # a Decimal or a time is not handed over as text
    assert ctx.normalize(echo, "3", 2023, CAMPAIGN) == ("str", "3", (2023, CAMPAIGN))
    assert ctx.normalize(echo, "3", 2024, CAMPAIGN) == ("str", "3", (2024, CAMPAIGN))
    calls = len(seen)
    assert ctx.normalize(echo, Decimal("3")) == ("Decimal", Decimal("3"), ())  # remembered: not called again
    assert ctx.normalize(echo, "3", 2023, CAMPAIGN) == ("str", "3", (2023, CAMPAIGN))
    assert len(seen) == calls
    for _ in range(2):
        with pytest.raises(NormalizeError, match="坏值"):
            ctx.normalize(echo, "坏")
    assert seen.count("坏") == 1


def test_a_bool_cell_is_not_handed_the_result_cached_for_the_number_1():
    calls = []

    def describe(value):
        calls.append(value)
        return f"{type(value).__name__}:{value}"

    ctx = RowContext(load_campaign("fuyang-2023"), Submission("s", "fuyang-2023", "f.xlsx", "Sheet1", "leads", None,
                                                               None, "", "sha"), {})
    assert [ctx.normalize(describe, v) for v in (1, True, 1, True, 0, False)] == [
        "int:1", "bool:True", "int:1", "bool:True", "int:0", "bool:False"]
    assert calls == [1, True, 0, False]

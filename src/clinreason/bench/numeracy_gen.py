# ruff: noqa: E501  (the template table reads best one row per line)
"""Numeracy questions over generated records, with gold answers computed from the values.

Records and their three representations come from `bench.numeracy_records`. Questions come from
`TEMPLATES` (45 wordings over the four operation types). Every gold answer is computed here, in
plain Python from the generating values (`statistics`, explicit loops), never by
`clinreason.tools.timeline`. Windows are measured from the record's first or last observation
(any analyte). Items whose answer would sit on a decision boundary (a trend within 2 points of
the ±5% band, a KDIGO rise or ratio within 2% of a threshold, a tied maximum or minimum asked by
time) are not generated: the benchmark tests numeracy, not rounding luck.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from clinreason.bench.numeracy_records import REPRESENTATIONS, GenRecord, Series, make_record, show
from clinreason.trace import Case

# -- questions and their gold answers ----------------------------------------------------------

Made = tuple[dict[str, str], str] | None
"""Template fields and the gold answer, or None when the record does not suit the template."""


@dataclass(frozen=True)
class Template:
    """One question wording, its operation type, and how to fill it and compute its answer."""

    id: str
    op_type: str
    text: str
    make: Callable[[Series, GenRecord, random.Random], Made]
    creatinine_only: bool = False


def _t(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M}"


def _window(rec: GenRecord, s: Series, hours: int, last: bool) -> list[tuple[datetime, float]]:
    lo, hi = (
        (rec.end - timedelta(hours=hours), rec.end)
        if last
        else (rec.start, rec.start + timedelta(hours=hours))
    )
    return [(t, v) for t, v in s.points if lo <= t <= hi]


def _values(s: Series) -> list[float]:
    return [v for _, v in s.points]


def _midpoint(s: Series, rng: random.Random) -> str | None:
    """A threshold halfway between two neighbouring distinct values (never equal to one)."""
    distinct = sorted(set(_values(s)))
    if len(distinct) < 2:
        return None
    i = rng.randrange(len(distinct) - 1)
    return show((distinct[i] + distinct[i + 1]) / 2)


def _max_rise(points: list[tuple[datetime, float]], hours: float) -> float:
    best = 0.0
    for i, (t1, v1) in enumerate(points):
        for t2, v2 in points[i + 1 :]:
            if t2 - t1 <= timedelta(hours=hours):
                best = max(best, v2 - v1)
    return best


def _trend(points: list[tuple[datetime, float]]) -> str | None:
    xs = [(t - points[0][0]).total_seconds() / 3600 for t, _ in points]
    ys = [v for _, v in points]
    slope = statistics.linear_regression(xs, ys).slope
    relative = slope * (xs[-1] - xs[0]) / statistics.mean(ys)
    if 0.03 <= abs(relative) <= 0.07:
        return None  # too close to the ±5% band to be a fair question
    return "rising" if relative > 0.05 else "falling" if relative < -0.05 else "stable"


def _kdigo(s: Series) -> str | None:
    mg = [(t, v / 88.4 if s.unit == "µmol/L" else v) for t, v in s.points]
    best = 0
    for i, (t, v) in enumerate(mg):
        prior48 = [x for u, x in mg[:i] if t - u <= timedelta(hours=48)]
        prior7 = [x for u, x in mg[:i] if t - u <= timedelta(days=7)]
        rise = v - min(prior48) if prior48 else 0.0
        ratio = v / min(prior7) if prior7 else 0.0
        near = [abs(rise - 0.3) / 0.3] + [abs(ratio - r) / r for r in (1.5, 2.0, 3.0)]
        if min(near) < 0.02 or abs(v - 4.0) < 0.08:
            return None  # on a threshold: unit rounding could decide it
        stage = 0
        if rise >= 0.3 or ratio >= 1.5:
            stage = 3 if ratio >= 3.0 or v >= 4.0 else 2 if ratio >= 2.0 else 1
        best = max(best, stage)
    return f"stage {best}" if best else "no AKI"


def _unique_extreme(s: Series, high: bool) -> Made:
    values = _values(s)
    target = max(values) if high else min(values)
    hits = [t for t, v in s.points if v == target]
    return ({}, _t(hits[0])) if len(hits) == 1 else None


def _pick_time(s: Series, rng: random.Random) -> Made:
    t, v = rng.choice(s.points)
    return {"t": _t(t), "date": f"{t:%Y-%m-%d}", "clock": f"{t:%H:%M}"}, show(v)


def _difference(s: Series, rng: random.Random) -> Made:
    (t1, v1), (t2, v2) = sorted(rng.sample(s.points, 2))
    return {"t1": _t(t1), "t2": _t(t2)}, show(v2 - v1)


def _beyond(s: Series, rng: random.Random, above: bool, last: bool, count: bool = False) -> Made:
    x = _midpoint(s, rng)
    if x is None:
        return None
    limit = float(x)
    hits = [v for v in _values(s) if (v > limit if above else v < limit)]
    if count:
        return {"x": x}, str(len(hits))
    if last:
        v = s.points[-1][1]
        return {"x": x}, "yes" if (v > limit if above else v < limit) else "no"
    return {"x": x}, "yes" if hits else "no"


def _rise(s: Series, rng: random.Random) -> Made:
    hours = rng.choice((24, 48))
    best = _max_rise(list(s.points), hours)
    step = 10**-s.decimals
    amount = best * rng.choice((0.6, 1.4)) if best > 0 else 3 * step
    amount = round(amount, s.decimals + 1)
    if amount <= 0 or abs(amount - best) < step / 2:
        return None
    return {"d": show(amount), "h": str(hours)}, "yes" if best >= amount else "no"


def _windowed(
    rec: GenRecord,
    s: Series,
    rng: random.Random,
    last: bool,
    fn: Callable[[list[tuple[datetime, float]]], str | None],
    least: int = 1,
) -> Made:
    hours = rng.choice((12, 24, 48))
    points = _window(rec, s, hours, last)
    if len(points) < least:
        return None
    answer = fn(points)
    return ({"h": str(hours)}, answer) if answer is not None else None


def _any_recent(s: Series, rec: GenRecord, rng: random.Random) -> Made:
    x = _midpoint(s, rng)
    hours = rng.choice((12, 24, 48))
    points = _window(rec, s, hours, last=True)
    if x is None or not points:
        return None
    return {"x": x, "h": str(hours)}, "yes" if any(v > float(x) for _, v in points) else "no"


def _largest_rise(s: Series, rng: random.Random) -> Made:
    hours = rng.choice((24, 48))
    return {"h": str(hours)}, show(_max_rise(list(s.points), hours))


def _first(s: Series, rng: random.Random) -> Made:
    return {}, show(s.points[0][1])


def _last(s: Series, rng: random.Random) -> Made:
    return {}, show(s.points[-1][1])


def _pct(s: Series) -> str:
    first, last = s.points[0][1], s.points[-1][1]
    return show((last - first) / first * 100)


def _ts(
    fn: Callable[[Series, random.Random], Made],
) -> Callable[[Series, GenRecord, random.Random], Made]:
    return lambda s, rec, rng: fn(s, rng)


def _const(
    fn: Callable[[Series], str | None],
) -> Callable[[Series, GenRecord, random.Random], Made]:
    def make(s: Series, rec: GenRecord, rng: random.Random) -> Made:
        answer = fn(s)
        return ({}, answer) if answer is not None else None

    return make


_U = " (in {unit})"
TEMPLATES: tuple[Template, ...] = (
    # retrieval
    Template("R01", "retrieval", "What was the first {a} value recorded" + _U + "?", _ts(_first)),
    Template("R02", "retrieval", "What was the initial {a}" + _U + "?", _ts(_first)),
    Template("R03", "retrieval", "What was the admission {a}" + _U + "?", _ts(_first)),
    Template("R04", "retrieval", "What was the most recent {a}" + _U + "?", _ts(_last)),
    Template("R05", "retrieval", "What was the latest {a} reading" + _U + "?", _ts(_last)),
    Template("R06", "retrieval", "What was the final {a} value" + _U + "?", _ts(_last)),
    Template("R07", "retrieval", "What was the {a} at {t}" + _U + "?", _ts(_pick_time)),
    Template("R08", "retrieval", "What was the {a} on {date} at {clock}" + _U + "?", _ts(_pick_time)),
    Template("R09", "retrieval", "When was the {a} highest?", _ts(lambda s, r: _unique_extreme(s, True))),
    Template("R10", "retrieval", "At what time was the highest {a} recorded?", _ts(lambda s, r: _unique_extreme(s, True))),
    Template("R11", "retrieval", "When was the lowest {a} recorded?", _ts(lambda s, r: _unique_extreme(s, False))),
    # comparison
    Template("C01", "comparison", "Was any {a} value above {x} {unit}?", _ts(lambda s, r: _beyond(s, r, True, False))),
    Template("C02", "comparison", "Did the {a} ever fall below {x} {unit}?", _ts(lambda s, r: _beyond(s, r, False, False))),
    Template("C03", "comparison", "Was the latest {a} above {x} {unit}?", _ts(lambda s, r: _beyond(s, r, True, True))),
    Template("C04", "comparison", "Was the most recent {a} below {x} {unit}?", _ts(lambda s, r: _beyond(s, r, False, True))),
    Template("C05", "comparison", "Was the last {a} higher than the first?", _const(lambda s: "yes" if s.points[-1][1] > s.points[0][1] else "no")),
    Template("C06", "comparison", "Was the final {a} greater than the initial value?", _const(lambda s: "yes" if s.points[-1][1] > s.points[0][1] else "no")),
    Template("C07", "comparison", "Did the {a} rise by at least {d} {unit} within {h} hours?", _ts(_rise)),
    Template("C08", "comparison", "Did the {a} increase by {d} {unit} or more within {h} hours?", _ts(_rise)),
    Template("C09", "comparison", "What is the KDIGO AKI stage by creatinine?", _const(_kdigo), creatinine_only=True),
    Template("C10", "comparison", "Does the creatinine meet KDIGO criteria for acute kidney injury, and at what stage?", _const(_kdigo), creatinine_only=True),
    Template("C11", "comparison", "Was any {a} value above {x} {unit} in the last {h} hours?", _any_recent),
    # arithmetic
    Template("A01", "arithmetic", "By how much did the {a} change from the first to the last value" + _U + "?", _const(lambda s: show(s.points[-1][1] - s.points[0][1]))),
    Template("A02", "arithmetic", "What was the net change in {a}" + _U + "?", _const(lambda s: show(s.points[-1][1] - s.points[0][1]))),
    Template("A03", "arithmetic", "What was the percent change in {a} from first to last?", _const(_pct)),
    Template("A04", "arithmetic", "What was the percentage change in {a} over the record?", _const(_pct)),
    Template("A05", "arithmetic", "What is the difference between the highest and lowest {a}" + _U + "?", _const(lambda s: show(max(_values(s)) - min(_values(s))))),
    Template("A06", "arithmetic", "What was the range of {a} values" + _U + "?", _const(lambda s: show(max(_values(s)) - min(_values(s))))),
    Template("A07", "arithmetic", "What was the difference in {a} between {t1} and {t2}" + _U + "?", _ts(_difference)),
    Template("A08", "arithmetic", "How much did the {a} change between {t1} and {t2}" + _U + "?", _ts(_difference)),
    Template("A09", "arithmetic", "What was the largest rise in {a} within {h} hours" + _U + "?", _ts(_largest_rise)),
    Template("A10", "arithmetic", "What was the change in {a} over the last {h} hours" + _U + "?",
             lambda s, rec, rng: _windowed(rec, s, rng, True, lambda p: show(p[-1][1] - p[0][1]), least=2)),
    # aggregation
    Template("G01", "aggregation", "What was the highest {a}" + _U + "?", _const(lambda s: show(max(_values(s))))),
    Template("G02", "aggregation", "What was the peak {a} value" + _U + "?", _const(lambda s: show(max(_values(s))))),
    Template("G03", "aggregation", "What was the lowest {a}" + _U + "?", _const(lambda s: show(min(_values(s))))),
    Template("G04", "aggregation", "What was the nadir {a}" + _U + "?", _const(lambda s: show(min(_values(s))))),
    Template("G05", "aggregation", "What was the average {a}" + _U + "?", _const(lambda s: show(statistics.mean(_values(s))))),
    Template("G06", "aggregation", "What was the mean {a} in the last {h} hours" + _U + "?",
             lambda s, rec, rng: _windowed(rec, s, rng, True, lambda p: show(statistics.mean(v for _, v in p)))),
    Template("G07", "aggregation", "What was the median {a}" + _U + "?", _const(lambda s: show(statistics.median(_values(s))))),
    Template("G08", "aggregation", "How many {a} measurements were recorded?", _const(lambda s: str(len(s.points)))),
    Template("G09", "aggregation", "How many {a} values were above {x} {unit}?", _ts(lambda s, r: _beyond(s, r, True, False, count=True))),
    Template("G10", "aggregation", "How many {a} readings were below {x} {unit}?", _ts(lambda s, r: _beyond(s, r, False, False, count=True))),
    Template("G11", "aggregation", "Is the {a} trend rising, falling or stable?", _const(lambda s: _trend(list(s.points)))),
    Template("G12", "aggregation", "What was the highest {a} in the first {h} hours" + _U + "?",
             lambda s, rec, rng: _windowed(rec, s, rng, False, lambda p: show(max(v for _, v in p)))),
    Template("G13", "aggregation", "How many {a} values were recorded in the last {h} hours?",
             lambda s, rec, rng: _windowed(rec, s, rng, True, lambda p: str(len(p)))),
)  # fmt: skip
"""45 question wordings: 11 retrieval, 11 comparison, 10 arithmetic, 13 aggregation."""


def generate(seed: int = 0, records: int = 10) -> list[Case]:
    """`records` records x every template x the three representations, as cases with gold.

    Each record and each (record, template) pair has its own `random.Random` seeded from
    `seed`, so the same seed gives the same items whatever `records` is. Case metadata names the
    operation type, template, representation, record and `group` (the same question in its
    three representations).

    >>> cases = generate(seed=1, records=1)
    >>> sorted({c.metadata["representation"] for c in cases})
    ['fhir', 'table', 'text']
    >>> all(c.gold for c in cases), len(cases) % 3
    (True, 0)
    """
    cases: list[Case] = []
    for index in range(records):
        rec = make_record(random.Random(f"numeracy:{seed}:{index}"), index)
        contexts = {name: write(rec) for name, write in REPRESENTATIONS.items()}
        for tpl in TEMPLATES:
            rng = random.Random(f"numeracy:{seed}:{index}:{tpl.id}")
            pool = [s for s in rec.series if s.analyte == "creatinine" or not tpl.creatinine_only]
            rng.shuffle(pool)
            for series in pool:
                made = tpl.make(series, rec, rng)
                if made is not None:
                    break
            else:
                continue
            fields, gold = made
            question = tpl.text.format(a=series.label, unit=series.unit, **fields)
            group = f"{rec.id}-{tpl.id}"
            for name, context in contexts.items():
                cases.append(
                    Case(
                        id=f"{group}-{name}",
                        question=question,
                        context=context,
                        gold=gold,
                        dataset=f"numeracy-generated@{seed}",
                        metadata={
                            "op_type": tpl.op_type,
                            "template": tpl.id,
                            "representation": name,
                            "record": rec.id,
                            "group": group,
                        },
                    )
                )
    return cases

"""Answer a `Query` over a `Record` with DuckDB, naming the rows each answer rests on.

Each record is loaded into an in-memory DuckDB table `obs(id, analyte, t, value)` (values in
the analyte's canonical unit; answers in the unit the question names, else that one);
every operation is one SQL statement over the analyte's series (window filters, `FILTER`
clauses, `regr_slope`, self-joins on time intervals, and `RANGE ... INTERVAL ... PRECEDING`
window frames for KDIGO's 48-hour and 7-day baselines). The result says which rows it used
(`rows`: every row the operation looked at; `key`: the rows that decide the answer) and
explains the arithmetic in plain lines.

Operations, by the benchmark's operation type:

- retrieval: `value_at`, `first`, `last`, `time_of_max`, `time_of_min`
- comparison: `any_beyond` (any value beyond a threshold), `last_beyond`, `last_vs_first`,
  `rise_within` (a rise of at least `amount` within `hours`), `kdigo` (AKI stage by creatinine)
- arithmetic: `change` (last - first), `percent_change`, `range` (max - min), `difference`
  (value at `at2` minus value at `at`), `max_rise_within` (largest rise within `hours`)
- aggregation: `max`, `min`, `mean`, `median`, `count`, `count_beyond`, `trend`

Trend: the least-squares line over the window; its change from first to last time, relative
to the mean, decides 'rising' (> +5%), 'falling' (< -5%) or 'stable'.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from clinreason.errors import ConfigError, InputError
from clinreason.tools.timeline.analytes import ANALYTES
from clinreason.tools.timeline.kdigo import KDIGO_SQL, kdigo_stage
from clinreason.tools.timeline.record import Observation, Record, show_number

Op = Literal[
    "value_at", "first", "last", "time_of_max", "time_of_min",
    "any_beyond", "last_beyond", "last_vs_first", "rise_within", "kdigo",
    "change", "percent_change", "range", "difference", "max_rise_within",
    "max", "min", "mean", "median", "count", "count_beyond", "trend",
]  # fmt: skip
OP_TYPES: dict[str, str] = {
    **dict.fromkeys(("value_at", "first", "last", "time_of_max", "time_of_min"), "retrieval"),
    **dict.fromkeys(
        ("any_beyond", "last_beyond", "last_vs_first", "rise_within", "kdigo"), "comparison"
    ),
    **dict.fromkeys(
        ("change", "percent_change", "range", "difference", "max_rise_within"), "arithmetic"
    ),
    **dict.fromkeys(
        ("max", "min", "mean", "median", "count", "count_beyond", "trend"), "aggregation"
    ),
}
"""Operation -> one of the four operation types."""
COMPARATORS = (">", ">=", "<", "<=")
TREND_BAND = 0.05
"""A fitted change within ±5% of the mean is 'stable'."""


@dataclass(frozen=True)
class Query:
    """What to compute over one analyte's series."""

    op: Op
    analyte: str
    start: datetime | None = None
    """Window start (inclusive); None = from the first value."""
    end: datetime | None = None
    """Window end (inclusive); None = to the last value."""
    threshold: float | None = None
    comparator: str = ">"
    at: datetime | None = None
    at2: datetime | None = None
    hours: float | None = None
    amount: float | None = None
    unit: str | None = None
    """Unit the answer (and `threshold`, `amount`) are in; None = the series' unit."""
    window: str = ""
    """How the window was stated, for explanations ('last 24 h')."""

    def __post_init__(self) -> None:
        if self.op not in OP_TYPES:
            raise ConfigError(f"unknown timeline operation {self.op!r}")
        if self.analyte not in ANALYTES:
            raise ConfigError(f"unknown analyte {self.analyte!r}")
        if self.comparator not in COMPARATORS:
            raise ConfigError(f"comparator must be one of {', '.join(COMPARATORS)}")

    def describe(self) -> dict[str, Any]:
        """The query as JSON-ready arguments (for a tool-call step)."""
        out: dict[str, Any] = {"op": self.op, "analyte": self.analyte}
        for key in ("threshold", "hours", "amount", "unit", "window"):
            if getattr(self, key) not in (None, ""):
                out[key] = getattr(self, key)
        if self.op in ("any_beyond", "last_beyond", "count_beyond"):
            out["comparator"] = self.comparator
        for key in ("start", "end", "at", "at2"):
            if getattr(self, key) is not None:
                out[key] = f"{getattr(self, key):%Y-%m-%d %H:%M}"
        return out


@dataclass(frozen=True)
class Outcome:
    """An answer with the rows it rests on."""

    answer: str
    """'1.9', 'yes', 'rising', 'stage 2', '2024-03-02 08:00', ..."""
    number: float | None = None
    unit: str | None = None
    rows: tuple[int, ...] = ()
    """Ids of every observation the operation looked at."""
    key: tuple[int, ...] = ()
    """Ids of the observations that decide the answer."""
    explanation: list[str] = field(default_factory=list)
    sql: str = ""


@functools.lru_cache(maxsize=1)
def _database() -> Any:
    """One in-memory DuckDB database per process (opening one costs ~10-40 ms; a cursor on it
    ~1 ms). Each query gets its own cursor, a separate connection whose TEMP table no other
    query sees, so concurrent queries never share data."""
    import duckdb

    return duckdb.connect(":memory:")


def _connect(rows: list[Observation]) -> Any:
    """A fresh cursor holding the rows as the TEMP table `obs`."""
    con = _database().cursor()
    values = ", ".join(["(?, ?, ?, ?)"] * len(rows))
    con.execute(
        "CREATE TEMP TABLE obs AS SELECT * FROM (VALUES "
        + values
        + ") AS v(id, analyte, t, value)",
        [x for o in rows for x in (o.id, o.analyte, o.time, o.value)],
    )
    return con


def _in_unit(q: Query) -> tuple[float, str]:
    """Factor taking values from the canonical to the answer unit (linear units only), and
    that unit."""
    a = ANALYTES[q.analyte]
    if q.unit is None or q.unit == a.unit:
        return 1.0, a.unit
    try:
        zero, one = a.convert(0.0, a.unit, q.unit), a.convert(1.0, a.unit, q.unit)
    except InputError as exc:
        raise InputError(f"cannot give {a.label} in {q.unit}: {exc}") from None
    if abs(zero) > 1e-12:
        raise InputError(f"cannot give {a.label} in {q.unit}: offset units are not supported")
    return one, q.unit


@dataclass(frozen=True)
class _Ctx:
    """What every operation needs: the record, the query, a cursor on the window's rows."""

    record: Record
    q: Query
    con: Any
    k: float
    """Factor from the canonical unit to the answer's unit."""
    unit: str
    label: str
    """The analyte's name with the window ('potassium (last 24 h)')."""
    ids: tuple[int, ...]
    """Every row in the window, in time order."""

    def one(self, sql: str, *params: Any) -> tuple[Any, ...]:
        row = self.con.execute(sql, [self.q.analyte, *params]).fetchone()
        return tuple(row) if row is not None else ()

    def num(self, value: float) -> str:
        return show_number(value * self.k)

    def number(self, value: float, key: tuple[int, ...], line: str, sql: str) -> Outcome:
        """A numeric answer (converted to the answer's unit)."""
        v = value * self.k
        return Outcome(show_number(v), v, self.unit, self.ids, key, [line], sql)

    def word(self, answer: str, key: tuple[int, ...], line: str, sql: str) -> Outcome:
        """A yes/no, time or trend answer."""
        return Outcome(answer, None, None, self.ids, key, [line], sql)


def run_query(record: Record, q: Query) -> Outcome:
    """Compute `q` over `record`.

    Raises:
        InputError: the series has a problem, no value falls in the window, or the question
            needs a value the record lacks (each message says which).
    """
    series = record.series(q.analyte)
    start = q.start or series[0].time
    end = q.end or series[-1].time
    window = [o for o in series if start <= o.time <= end]
    label = ANALYTES[q.analyte].label
    if not window:
        raise InputError(
            f"no {label} value between {record.show_time(start)} and {record.show_time(end)}"
        )
    factor, unit = _in_unit(q)
    con = _connect(window)
    try:
        ids = tuple(r[0] for r in con.execute("SELECT id FROM obs ORDER BY t").fetchall())
        label += f" ({q.window})" if q.window else ""
        return _OPS[q.op](_Ctx(record, q, con, factor, unit, label, ids))
    finally:
        con.close()


_SERIES = "FROM obs WHERE analyte = ?"
_ORDER = {
    "first": "t ASC",
    "last": "t DESC",
    "max": "value DESC, t ASC",
    "min": "value ASC, t ASC",
    "time_of_max": "value DESC, t ASC",
    "time_of_min": "value ASC, t ASC",
}


def _pick(c: _Ctx) -> Outcome:
    """first, last, max, min and the time of the max or min (ties: the earliest)."""
    sql = f"SELECT id, value, t {_SERIES} ORDER BY {_ORDER[c.q.op]} LIMIT 1"
    rid, value, t = c.one(sql)
    word = {"time_of_max": "highest", "time_of_min": "lowest"}.get(c.q.op, c.q.op)
    when = c.record.show_time(t)
    line = f"{word} {c.label} of {len(c.ids)} values: {c.num(value)} {c.unit} at {when}"
    if c.q.op.startswith("time_of"):
        return c.word(when, (rid,), line, sql)
    return c.number(value, (rid,), line, sql)


def _at(c: _Ctx, when: datetime | None) -> tuple[int, float, str]:
    """The row at `when`: (id, value, the time as shown)."""
    if when is None:
        raise ConfigError(f"{c.q.op} needs a time")
    row = c.one(f"SELECT id, value {_SERIES} AND t = ?", when)
    if not row:
        raise InputError(f"no {c.label} value at {c.record.show_time(when)}")
    return row[0], row[1], c.record.show_time(when)


def _value_at(c: _Ctx) -> Outcome:
    rid, value, when = _at(c, c.q.at)
    line = f"{c.label} at {when}: {c.num(value)} {c.unit}"
    return c.number(value, (rid,), line, f"SELECT id, value {_SERIES} AND t = ?")


def _difference(c: _Ctx) -> Outcome:
    (id1, v1, t1), (id2, v2, t2) = _at(c, c.q.at), _at(c, c.q.at2)
    line = f"{c.label} at {t2} minus at {t1}: {c.num(v2)} - {c.num(v1)} = {c.num(v2 - v1)}"
    return c.number(
        v2 - v1, (id1, id2), f"{line} {c.unit}", f"SELECT id, value {_SERIES} AND t = ?"
    )


def _aggregate(c: _Ctx) -> Outcome:
    """mean, median, count."""
    fn = {"mean": "avg(value)", "median": "median(value)", "count": "count(*)"}[c.q.op]
    sql = f"SELECT {fn} {_SERIES}"
    (value,) = c.one(sql)
    if c.q.op == "count":
        line = f"{len(c.ids)} {c.label} values"
        return Outcome(str(int(value)), float(value), None, c.ids, c.ids, [line], sql)
    line = f"{c.q.op} of {len(c.ids)} {c.label} values = {c.num(value)} {c.unit}"
    return c.number(value, c.ids, line, sql)


def _ends(c: _Ctx) -> Outcome:
    """change (last - first), percent change, and whether the last exceeds the first."""
    sql = f"SELECT arg_min(id, t), arg_min(value, t), arg_max(id, t), arg_max(value, t) {_SERIES}"
    id1, first, id2, last = c.one(sql)
    key = (id1, id2)
    if c.q.op == "last_vs_first":
        line = f"last {c.label} {c.num(last)} vs first {c.num(first)} {c.unit}"
        return c.word("yes" if last > first else "no", key, line, sql)
    if c.q.op == "change":
        line = f"last - first {c.label}: {c.num(last)} - {c.num(first)} = {c.num(last - first)}"
        return c.number(last - first, key, f"{line} {c.unit}", sql)
    pct = (last - first) / first * 100  # plausible values are positive (analyte ranges)
    line = f"({c.num(last)} - {c.num(first)}) / {c.num(first)} x 100 = {show_number(pct)}%"
    return Outcome(show_number(pct), pct, "%", c.ids, key, [line], sql)


def _range(c: _Ctx) -> Outcome:
    sql = f"SELECT arg_max(id, value), max(value), arg_min(id, value), min(value) {_SERIES}"
    hi_id, hi, lo_id, lo = c.one(sql)
    line = f"highest - lowest {c.label}: {c.num(hi)} - {c.num(lo)} = {c.num(hi - lo)} {c.unit}"
    return c.number(hi - lo, (hi_id, lo_id), line, sql)


def _beyond(c: _Ctx) -> Outcome:
    """any value, the last value, or how many values beyond a threshold."""
    q = c.q
    if q.threshold is None:
        raise ConfigError(f"{q.op} needs a threshold")
    eps = 1e-9 * max(1.0, abs(q.threshold / c.k))  # values that only round-trip to the limit
    limit = q.threshold / c.k + (eps if q.comparator in (">", "<=") else -eps)
    cmp = q.comparator  # one of COMPARATORS (checked in Query)
    rule = f"{c.label} {cmp} {show_number(q.threshold)} {c.unit}"
    if q.op == "last_beyond":
        sql = f"SELECT arg_max(id, t), arg_max(value, t), arg_max(value, t) {cmp} ? {_SERIES}"
        rid, value, hit = c.con.execute(sql, [limit, q.analyte]).fetchone()
        line = f"last {c.label} {c.num(value)} {c.unit}: {rule}? {'yes' if hit else 'no'}"
        return c.word("yes" if hit else "no", (rid,), line, sql)
    sql = f"SELECT id, value, t {_SERIES} AND value {cmp} ? ORDER BY t"
    hits = c.con.execute(sql, [q.analyte, limit]).fetchall()
    shown = ", ".join(f"{c.num(v)} at {c.record.show_time(t)}" for _, v, t in hits)
    line = f"{len(hits)} of {len(c.ids)} values with {rule}" + (f": {shown}" if hits else "")
    key = tuple(h[0] for h in hits)
    if q.op == "count_beyond":
        return Outcome(str(len(hits)), float(len(hits)), None, c.ids, key, [line], sql)
    return c.word("yes" if hits else "no", key, line, sql)


def _rise(c: _Ctx) -> Outcome:
    """The largest rise within `hours` (a self-join on the time interval), or whether it
    reaches `amount`."""
    q = c.q
    if q.hours is None or q.hours <= 0:
        raise ConfigError(f"{q.op} needs a positive number of hours")
    sql = (
        "SELECT a.id, b.id, b.value - a.value AS rise, a.t, b.t FROM obs a JOIN obs b "
        "ON a.analyte = b.analyte AND a.t < b.t AND b.t <= a.t + to_microseconds(?) "
        "WHERE a.analyte = ? ORDER BY rise DESC, b.t ASC LIMIT 1"
    )
    row = c.con.execute(sql, [round(q.hours * 3600 * 1e6), q.analyte]).fetchone()
    hours = show_number(q.hours)
    best, key = 0.0, ()
    line = f"no rise in {c.label} within {hours} h"
    if row and row[2] > 0:
        best, key = row[2], (row[0], row[1])
        show = c.record.show_time
        line = (
            f"largest rise in {c.label} within {hours} h: {c.num(best)} {c.unit} "
            f"({show(row[3])} -> {show(row[4])})"
        )
    if q.op == "max_rise_within":
        return c.number(best, key, line, sql)
    if q.amount is None:
        raise ConfigError("rise_within needs an amount")
    hit = best * c.k >= q.amount - 1e-9
    line += f"; at least {show_number(q.amount)} {c.unit}? {'yes' if hit else 'no'}"
    return c.word("yes" if hit else "no", key, line, sql)


def _trend(c: _Ctx) -> Outcome:
    sql = (
        "SELECT regr_slope(value, epoch(t)), avg(value), epoch(max(t)) - epoch(min(t)), "
        f"count(*) {_SERIES}"
    )
    slope, mean, span_s, n = c.one(sql)
    if n < 2 or not span_s:
        raise InputError(f"a trend needs at least two {c.label} values at different times")
    change = slope * span_s
    relative = change / mean if mean else 0.0
    word = "rising" if relative > TREND_BAND else "falling" if relative < -TREND_BAND else "stable"
    line = (
        f"least-squares line over {n} {c.label} values changes by {c.num(change)} {c.unit} "
        f"({show_number(100 * relative)}% of the mean {c.num(mean)}): {word}"
    )
    return c.word(word, c.ids, line, sql)


def _kdigo(c: _Ctx) -> Outcome:
    """The highest KDIGO creatinine stage reached in the window, with the rows that reach it."""
    if c.q.analyte != "creatinine":
        raise ConfigError("KDIGO staging reads creatinine")
    record = c.record
    best, key, lines = 0, (), []
    for rid, t, value, b48, id48, b7, id7 in c.con.execute(KDIGO_SQL).fetchall():
        stage = kdigo_stage(value, b48, b7)
        if stage > best:
            best, key = stage, tuple(dict.fromkeys(x for x in (id7, id48, rid) if x is not None))
            rise = f"+{show_number(value - b48)} mg/dL over 48 h" if b48 is not None else ""
            ratio = f"{show_number(value / b7)}x the 7-day lowest" if b7 else ""
            lines.append(
                f"{record.show_time(t)}: creatinine {show_number(value)} mg/dL, "
                + ", ".join(x for x in (rise, ratio) if x)
                + f" -> stage {stage}"
            )
    if not lines:
        lines.append("no rise of 0.3 mg/dL within 48 h nor to 1.5x the 7-day lowest: no AKI")
    answer = f"stage {best}" if best else "no AKI"
    return Outcome(answer, float(best), None, c.ids, key, lines, KDIGO_SQL.strip())


_OPS = {
    **dict.fromkeys(_ORDER, _pick),
    "value_at": _value_at,
    "difference": _difference,
    **dict.fromkeys(("mean", "median", "count"), _aggregate),
    **dict.fromkeys(("change", "percent_change", "last_vs_first"), _ends),
    "range": _range,
    **dict.fromkeys(("any_beyond", "last_beyond", "count_beyond"), _beyond),
    **dict.fromkeys(("rise_within", "max_rise_within"), _rise),
    "trend": _trend,
    "kdigo": _kdigo,
}
"""Operation -> its handler (every `Op` has one)."""

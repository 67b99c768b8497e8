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
from datetime import datetime, timedelta
from typing import Any, Literal

from clinreason.errors import ConfigError, InputError
from clinreason.tools.timeline.analytes import ANALYTES
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


def _in_unit(q: Query, series: list[Observation]) -> tuple[float, str]:
    """Factor taking values from the canonical to the answer unit (linear units only), and
    that unit."""
    unit = ANALYTES[q.analyte].unit
    if q.unit is None or q.unit == unit:
        return 1.0, unit
    a = ANALYTES[q.analyte]
    try:
        zero, one = a.convert(0.0, unit, q.unit), a.convert(1.0, unit, q.unit)
    except InputError as exc:
        raise InputError(f"cannot give {a.label} in {q.unit}: {exc}") from None
    if abs(zero) > 1e-12:
        raise InputError(f"cannot give {a.label} in {q.unit}: offset units are not supported")
    return one, q.unit


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
    where = f" ({q.window})" if q.window else ""
    if not window:
        raise InputError(
            f"no {label} value between {record.show_time(start)} and {record.show_time(end)}"
        )
    factor, unit = _in_unit(q, series)
    con = _connect(window)
    try:
        return _dispatch(record, q, con, factor, unit, label + where)
    finally:
        con.close()


_SERIES = "FROM obs WHERE analyte = ?"


def _one(con: Any, sql: str, *params: Any) -> tuple[Any, ...]:
    row = con.execute(sql, list(params)).fetchone()
    return tuple(row) if row is not None else ()


def _all_ids(con: Any, q: Query) -> tuple[int, ...]:
    return tuple(
        r[0] for r in con.execute(f"SELECT id {_SERIES} ORDER BY t", [q.analyte]).fetchall()
    )


def _dispatch(record: Record, q: Query, con: Any, k: float, unit: str, label: str) -> Outcome:
    show = record.show_time
    ids = _all_ids(con, q)
    n = len(ids)
    if q.op in ("first", "last", "max", "min", "time_of_max", "time_of_min"):
        order = {
            "first": "t ASC", "last": "t DESC", "max": "value DESC, t ASC",
            "min": "value ASC, t ASC", "time_of_max": "value DESC, t ASC",
            "time_of_min": "value ASC, t ASC",
        }[q.op]  # fmt: skip
        sql = f"SELECT id, value, t {_SERIES} ORDER BY {order} LIMIT 1"
        rid, value, t = _one(con, sql, q.analyte)
        word = {"time_of_max": "highest", "time_of_min": "lowest"}.get(q.op, q.op)
        line = f"{word} {label} of {n} values: {show_number(value * k)} {unit} at {show(t)}"
        if q.op.startswith("time_of"):
            return Outcome(show(t), None, None, ids, (rid,), [line], sql)
        return Outcome(show_number(value * k), value * k, unit, ids, (rid,), [line], sql)
    if q.op == "value_at":
        if q.at is None:
            raise ConfigError("value_at needs a time")
        sql = f"SELECT id, value {_SERIES} AND t = ?"
        row = _one(con, sql, q.analyte, q.at)
        if not row:
            raise InputError(f"no {label} value at {show(q.at)}")
        line = f"{label} at {show(q.at)}: {show_number(row[1] * k)} {unit}"
        return Outcome(show_number(row[1] * k), row[1] * k, unit, ids, (row[0],), [line], sql)
    if q.op == "difference":
        if q.at is None or q.at2 is None:
            raise ConfigError("difference needs two times")
        sql = f"SELECT id, value {_SERIES} AND t = ?"
        a, b = _one(con, sql, q.analyte, q.at), _one(con, sql, q.analyte, q.at2)
        for row, when in ((a, q.at), (b, q.at2)):
            if not row:
                raise InputError(f"no {label} value at {show(when)}")
        diff = (b[1] - a[1]) * k
        line = (
            f"{label} at {show(q.at2)} minus at {show(q.at)}: {show_number(b[1] * k)} - "
            f"{show_number(a[1] * k)} = {show_number(diff)} {unit}"
        )
        return Outcome(show_number(diff), diff, unit, ids, (a[0], b[0]), [line], sql)
    if q.op in ("mean", "median", "count"):
        fn = {"mean": "avg(value)", "median": "median(value)", "count": "count(*)"}[q.op]
        sql = f"SELECT {fn} {_SERIES}"
        (value,) = _one(con, sql, q.analyte)
        if q.op == "count":
            line = f"{n} {label} values"
            return Outcome(str(int(value)), float(value), None, ids, ids, [line], sql)
        line = f"{q.op} of {n} {label} values = {show_number(value * k)} {unit}"
        return Outcome(show_number(value * k), value * k, unit, ids, ids, [line], sql)
    if q.op in ("change", "percent_change", "last_vs_first"):
        sql = (
            f"SELECT arg_min(id, t), arg_min(value, t), arg_max(id, t), arg_max(value, t) {_SERIES}"
        )
        id1, v1, id2, v2 = _one(con, sql, q.analyte)
        first, last = v1 * k, v2 * k
        if q.op == "last_vs_first":
            answer = "yes" if last > first else "no"
            line = f"last {label} {show_number(last)} vs first {show_number(first)} {unit}"
            return Outcome(answer, None, None, ids, (id1, id2), [line], sql)
        if q.op == "change":
            line = f"last - first {label}: {show_number(last)} - {show_number(first)} = "
            line += f"{show_number(last - first)} {unit}"
            return Outcome(
                show_number(last - first), last - first, unit, ids, (id1, id2), [line], sql
            )
        pct = (last - first) / first * 100
        line = f"({show_number(last)} - {show_number(first)}) / {show_number(first)} x 100 = "
        line += f"{show_number(pct)}%"
        return Outcome(show_number(pct), pct, "%", ids, (id1, id2), [line], sql)
    if q.op == "range":
        sql = f"SELECT arg_max(id, value), max(value), arg_min(id, value), min(value) {_SERIES}"
        hi_id, hi, lo_id, lo = _one(con, sql, q.analyte)
        rng = (hi - lo) * k
        line = f"highest - lowest {label}: {show_number(hi * k)} - {show_number(lo * k)} = "
        line += f"{show_number(rng)} {unit}"
        return Outcome(show_number(rng), rng, unit, ids, (hi_id, lo_id), [line], sql)
    if q.op in ("any_beyond", "last_beyond", "count_beyond"):
        return _beyond(record, q, con, k, unit, label, ids)
    if q.op in ("rise_within", "max_rise_within"):
        return _rise(record, q, con, k, unit, label, ids)
    if q.op == "trend":
        return _trend(q, con, k, unit, label, ids)
    return kdigo(record, q, con, ids)


def _beyond(
    record: Record, q: Query, con: Any, k: float, unit: str, label: str, ids: tuple[int, ...]
) -> Outcome:
    if q.threshold is None:
        raise ConfigError(f"{q.op} needs a threshold")
    eps = 1e-9 * max(1.0, abs(q.threshold / k))  # values that only round-trip to the limit
    limit = q.threshold / k + (eps if q.comparator in (">", "<=") else -eps)
    cmp = q.comparator  # one of COMPARATORS (checked in Query)
    rule = f"{label} {cmp} {show_number(q.threshold)} {unit}"
    if q.op == "last_beyond":
        sql = f"SELECT arg_max(id, t), arg_max(value, t), arg_max(value, t) {cmp} ? {_SERIES}"
        rid, value, hit = _one(con, sql, limit, q.analyte)
        line = f"last {label} {show_number(value * k)} {unit}: {rule}? {'yes' if hit else 'no'}"
        return Outcome("yes" if hit else "no", None, None, ids, (rid,), [line], sql)
    sql = f"SELECT id, value, t {_SERIES} AND value {cmp} ? ORDER BY t"
    hits = con.execute(sql, [q.analyte, limit]).fetchall()
    shown = ", ".join(f"{show_number(v * k)} at {record.show_time(t)}" for _, v, t in hits)
    line = f"{len(hits)} of {len(ids)} values with {rule}" + (f": {shown}" if hits else "")
    key = tuple(h[0] for h in hits)
    if q.op == "count_beyond":
        return Outcome(str(len(hits)), float(len(hits)), None, ids, key, [line], sql)
    return Outcome("yes" if hits else "no", None, None, ids, key, [line], sql)


def _rise(
    record: Record, q: Query, con: Any, k: float, unit: str, label: str, ids: tuple[int, ...]
) -> Outcome:
    if q.hours is None or q.hours <= 0:
        raise ConfigError(f"{q.op} needs a positive number of hours")
    sql = (
        "SELECT a.id, b.id, b.value - a.value AS rise, a.t, b.t FROM obs a JOIN obs b "
        "ON a.analyte = b.analyte AND a.t < b.t AND b.t <= a.t + to_microseconds(?) "
        "WHERE a.analyte = ? ORDER BY rise DESC, b.t ASC LIMIT 1"
    )
    micros = round(q.hours * 3600 * 1e6)
    row = _one(con, sql, micros, q.analyte)
    hours = show_number(q.hours)
    if not row or row[2] <= 0:
        line = f"no rise in {label} within {hours} h"
        best = 0.0
        key: tuple[int, ...] = ()
    else:
        best = row[2] * k
        key = (row[0], row[1])
        line = (
            f"largest rise in {label} within {hours} h: {show_number(row[2] * k)} {unit} "
            f"({record.show_time(row[3])} -> {record.show_time(row[4])})"
        )
    if q.op == "max_rise_within":
        return Outcome(show_number(best), best, unit, ids, key, [line], sql)
    if q.amount is None:
        raise ConfigError("rise_within needs an amount")
    hit = best >= q.amount - 1e-9
    line += f"; at least {show_number(q.amount)} {unit}? {'yes' if hit else 'no'}"
    return Outcome("yes" if hit else "no", None, None, ids, key, [line], sql)


def _trend(q: Query, con: Any, k: float, unit: str, label: str, ids: tuple[int, ...]) -> Outcome:
    sql = (
        "SELECT regr_slope(value, epoch(t)), avg(value), epoch(max(t)) - epoch(min(t)), "
        f"count(*) {_SERIES}"
    )
    slope, mean, span_s, n = _one(con, sql, q.analyte)
    if n < 2 or not span_s:
        raise InputError(f"a trend needs at least two {label} values at different times")
    change = slope * span_s
    relative = change / mean if mean else 0.0
    word = "rising" if relative > TREND_BAND else "falling" if relative < -TREND_BAND else "stable"
    line = (
        f"least-squares line over {n} {label} values changes by {show_number(change * k)} "
        f"{unit} ({show_number(100 * relative)}% of the mean {show_number(mean * k)}): {word}"
    )
    return Outcome(word, None, None, ids, ids, [line], sql)


KDIGO_SQL = """
SELECT id, t, value,
  min(value) OVER w48, arg_min(id, value) OVER w48,
  min(value) OVER w7, arg_min(id, value) OVER w7
FROM obs WHERE analyte = 'creatinine'
WINDOW
  w48 AS (ORDER BY t RANGE BETWEEN INTERVAL 48 HOURS PRECEDING AND CURRENT ROW
          EXCLUDE CURRENT ROW),
  w7 AS (ORDER BY t RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW
         EXCLUDE CURRENT ROW)
ORDER BY t
"""


def kdigo_stage(value: float, base48: float | None, base7: float | None) -> int:
    """KDIGO 2012 AKI stage from serum creatinine (mg/dL) alone.

    AKI: a rise of >= 0.3 mg/dL over the lowest value of the previous 48 h, or >= 1.5 times the
    lowest value of the previous 7 days. Stage 2: >= 2.0 times; stage 3: >= 3.0 times, or a
    value >= 4.0 mg/dL in AKI.

    >>> kdigo_stage(1.4, 1.0, 1.0), kdigo_stage(2.1, 1.0, 1.0), kdigo_stage(4.1, 3.7, 3.7)
    (1, 2, 3)
    >>> kdigo_stage(1.2, None, 1.0)
    0
    """
    rise = value - base48 if base48 is not None else 0.0
    ratio = value / base7 if base7 else 0.0
    if not (rise >= 0.3 - 1e-9 or ratio >= 1.5 - 1e-9):
        return 0
    if ratio >= 3.0 - 1e-9 or value >= 4.0:
        return 3
    return 2 if ratio >= 2.0 - 1e-9 else 1


def kdigo(record: Record, q: Query, con: Any, ids: tuple[int, ...]) -> Outcome:
    """The highest KDIGO creatinine stage reached in the window, with the rows that reach it."""
    if q.analyte != "creatinine":
        raise ConfigError("KDIGO staging reads creatinine")
    best, key, lines = 0, (), []
    for rid, t, value, b48, id48, b7, id7 in con.execute(KDIGO_SQL).fetchall():
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
    return Outcome(answer, float(best), None, ids, key, lines, KDIGO_SQL.strip())


def window_hours(record: Record, hours: float, *, last: bool) -> tuple[datetime, datetime]:
    """The last (or first) `hours` of the record, measured from its last (first) observation."""
    if last:
        end = record.end()
        return end - timedelta(hours=hours), end
    start = record.start()
    return start, start + timedelta(hours=hours)

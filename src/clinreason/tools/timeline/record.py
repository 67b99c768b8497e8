"""A patient's longitudinal record: readings from any source, checked and put in time order.

Readers (`text`, `table`, `fhir`) produce `Reading`s; `build_record` turns them into a `Record`:

- **units**: every value is converted with `clinreason.tools.units` to its analyte's canonical
  unit, the conversion written into its `note` (and a series written in several units gets a
  recorded assumption); an unknown or unconvertible unit is a problem of that series;
- **plausibility**: a value outside the analyte's plausible range (in its canonical unit) is a
  problem of that series, naming where it was read;
- **duplicates**: a second reading of an analyte at the same time with the same value is
  counted once (a recorded assumption); with a different value it is a problem;
- **times**: a reading without a time is a problem (readers record how they dated readings).

A problem does not stop other series: a question about potassium is answered when a creatinine
row is implausible, and a question about creatinine then fails with the problem as its error
(`Record.series`). Nothing is dropped or guessed silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from clinreason.errors import InputError
from clinreason.tools.timeline.analytes import ANALYTES, Analyte, canonical_unit
from clinreason.trace import Span

UNDATED_DAY_1 = date(2000, 1, 1)
"""Stand-in date of day 1 for records whose times carry no dates (shown as 'day N')."""


@dataclass(frozen=True)
class Reading:
    """One value as a reader found it."""

    analyte: Analyte
    value: float
    unit: str
    """As written (any spelling `tools.units` knows)."""
    time: datetime | None
    where: str
    """Where it was read, for messages: 'line 4', 'row 3', 'entry 2 (Observation o2)'."""
    span: Span | None = None
    note: str = ""
    """How the reader dated or read it, when not plainly written."""


@dataclass(frozen=True)
class Observation:
    """A checked reading in its series' unit."""

    id: int
    analyte: str
    value: float
    """In `unit`."""
    unit: str
    """The analyte's canonical unit (e.g. creatinine in mg/dL), whatever the written one."""
    time: datetime
    written_value: float
    written_unit: str
    """The value and unit as written (398, 'µmol/L'), before conversion."""
    where: str
    span: Span | None = None
    note: str = ""

    @property
    def written(self) -> str:
        """'398 µmol/L'."""
        return f"{self.written_value:g} {self.written_unit}"


@dataclass
class Record:
    """Observations in time order, with the assumptions made and the problems found."""

    observations: list[Observation]
    source: str
    """'text', 'table', 'json' or 'fhir'."""
    assumptions: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    """Analyte -> messages that make its series unusable."""
    undated: bool = False
    """Times were written without dates (day 1 = `UNDATED_DAY_1`)."""

    def series(self, analyte: str) -> list[Observation]:
        """The analyte's observations in time order.

        Raises:
            InputError: the series has a problem, or the record has no such values.
        """
        if self.problems.get(analyte):
            raise InputError("; ".join(self.problems[analyte]))
        rows = [o for o in self.observations if o.analyte == analyte]
        if not rows:
            label = ANALYTES[analyte].label if analyte in ANALYTES else analyte
            raise InputError(f"the record has no {label} values")
        return rows

    def assumptions_about(self, analyte: str) -> list[str]:
        """The assumptions that concern `analyte`: those naming it, and those naming no
        analyte (e.g. how undated times were read)."""
        labels = {a.name: a.label for a in ANALYTES.values()}
        own = labels.get(analyte, analyte)
        return [
            text
            for text in self.assumptions
            if own in text or not any(label in text for label in labels.values())
        ]

    def start(self) -> datetime:
        """Time of the first observation (any analyte)."""
        return min(o.time for o in self.observations)

    def end(self) -> datetime:
        """Time of the last observation (any analyte)."""
        return max(o.time for o in self.observations)

    def show_time(self, when: datetime) -> str:
        """'2024-03-01 08:00', or 'day 2 08:00' for an undated record.

        >>> Record([], "text", undated=True).show_time(datetime(2000, 1, 2, 8, 0))
        'day 2 08:00'
        """
        return show_time(when, self.undated)


def show_time(when: datetime, undated: bool = False) -> str:
    """'2024-03-01 08:00', or 'day N 08:00' when times were written without dates."""
    if undated:
        return f"day {(when.date() - UNDATED_DAY_1).days + 1} {when:%H:%M}"
    return f"{when:%Y-%m-%d %H:%M}"


def show_number(value: float) -> str:
    """A number as text with at most 4 significant decimals and no trailing zeros.

    >>> show_number(1.5), show_number(2.0), show_number(0.123456), show_number(-0.0)
    ('1.5', '2', '0.1235', '0')
    """
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def days_from_clock(times: Sequence[time]) -> tuple[list[datetime], str]:
    """Datetimes for clock times written without dates, read in order: day 1 first, a new day
    whenever the clock goes back. Returns them with the assumption to record.

    >>> [f"{d:%d %H:%M}" for d in days_from_clock([time(22), time(6), time(14)])[0]]
    ['01 22:00', '02 06:00', '02 14:00']
    """
    day, previous, out = 0, None, []
    for t in times:
        if previous is not None and t < previous:
            day += 1
        previous = t
        out.append(datetime.combine(UNDATED_DAY_1 + timedelta(days=day), t))
    note = (
        "times are written without dates: read in order as day 1, day 2, ... "
        "(a new day whenever the clock goes back)"
    )
    return out, note


def build_record(
    readings: Sequence[Reading],
    source: str,
    *,
    assumptions: Sequence[str] = (),
    problems: dict[str, list[str]] | None = None,
    undated: bool = False,
) -> Record:
    """Check readings (units, plausibility, duplicates, times) and order them by time."""
    found: dict[str, list[str]] = defaultdict(list, problems or {})
    notes = list(assumptions)
    written_units: dict[str, set[str]] = defaultdict(set)
    kept: dict[tuple[str, datetime], Observation] = {}
    for r in readings:
        a = r.analyte
        if r.time is None:
            found[a.name].append(f"{r.where}: {a.label} {r.value:g} {r.unit} has no time")
            continue
        try:
            unit = canonical_unit(r.unit, r.where)
            value = a.to_canonical(r.value, unit, r.where)
        except InputError as exc:
            found[a.name].append(str(exc))
            continue
        if not a.low <= value <= a.high:
            found[a.name].append(
                f"{r.where}: {a.label} {r.value:g} {unit} is implausible "
                f"(plausible {a.low:g}-{a.high:g} {a.unit})"
            )
            continue
        written_units[a.name].add(unit)
        note = r.note
        if unit != a.unit:
            note = "; ".join(x for x in (note, f"{r.value:g} {unit} = {value:.4g} {a.unit}") if x)
        obs = Observation(
            id=len(kept) + 1,
            analyte=a.name,
            value=value,
            unit=a.unit,
            time=r.time,
            written_value=r.value,
            written_unit=unit,
            where=r.where,
            span=r.span,
            note=note,
        )
        twin = kept.get((a.name, r.time))
        if twin is None:
            kept[(a.name, r.time)] = obs
        elif abs(twin.value - value) <= 1e-9 * max(1.0, abs(value)):
            notes.append(
                f"{r.where} repeats {twin.where} ({a.label} {r.value:g} {r.unit} at the same "
                "time): counted once"
            )
        else:
            found[a.name].append(
                f"two {a.label} values at the same time {show_time(r.time, undated)}: "
                f"{twin.written} ({twin.where}) and {r.value:g} {r.unit} ({r.where})"
            )
    for name, units in sorted(written_units.items()):
        if len(units) > 1:
            notes.append(
                f"{ANALYTES[name].label} is written in {', '.join(sorted(units))}: every value "
                f"is converted to {ANALYTES[name].unit} (each conversion is noted on its value)"
            )
    ordered = sorted(kept.values(), key=lambda o: (o.time, o.id))
    return Record(
        observations=ordered,
        source=source,
        assumptions=notes,
        problems={k: v for k, v in found.items() if v},
        undated=undated,
    )

# ruff: noqa: E501  (the analyte table reads best one row per line)
"""Seeded longitudinal records for the numeracy benchmark, written three equivalent ways.

Each record is a few days of timed vital signs and labs (3-4 analytes, 5-12 values each, times
4-16 h apart, values a bounded random walk at each analyte's written precision; creatinine
rises into acute kidney injury in about half the records; creatinine and glucose are written in
SI units in about a third). The three representations are written from the same values:

- `text`: a progress note, one line per time under a date heading (three date styles);
- `table`: a wide flowsheet in markdown, CSV or TSV (one per record, rotating);
- `fhir`: a FHIR R4 collection Bundle of Observations (LOINC codes, UCUM units, blood pressure
  as a panel with two components).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

# analyte: (label, written unit, SI unit, SI factor, precision, start range, step, bounds, LOINC)
_SPEC: dict[str, tuple[str, str, str | None, float, int, tuple[float, float], float,
                       tuple[float, float], str]] = {
    "creatinine": ("creatinine", "mg/dL", "µmol/L", 88.4, 1, (0.7, 1.3), 0.15, (0.4, 8.0), "2160-0"),
    "potassium": ("potassium", "mmol/L", None, 1, 1, (3.6, 4.8), 0.3, (2.8, 6.8), "2823-3"),
    "sodium": ("sodium", "mmol/L", None, 1, 0, (134, 144), 2.5, (120, 160), "2951-2"),
    "glucose": ("glucose", "mg/dL", "mmol/L", 1 / 18.0, 0, (90, 180), 25, (50, 400), "2345-7"),
    "hemoglobin": ("hemoglobin", "g/dL", None, 1, 1, (9.5, 14.5), 0.5, (6.0, 17.0), "718-7"),
    "heart_rate": ("heart rate", "/min", None, 1, 0, (70, 105), 8, (45, 150), "8867-4"),
    "respiratory_rate": ("respiratory rate", "/min", None, 1, 0, (14, 22), 2, (8, 36), "9279-1"),
    "temperature": ("temperature", "°C", None, 1, 1, (36.6, 37.8), 0.4, (35.5, 40.5), "8310-5"),
    "spo2": ("oxygen saturation", "%", None, 1, 0, (92, 99), 1.5, (82, 100), "2708-6"),
    "systolic_bp": ("systolic blood pressure", "mmHg", None, 1, 0, (105, 150), 9, (80, 200), "8480-6"),
}  # fmt: skip
_TEXT_NAME = {"heart_rate": "HR", "respiratory_rate": "RR", "spo2": "SpO2", "temperature": "temp"}
_TEXT_UNIT = {"/min": {"heart_rate": "bpm", "respiratory_rate": "breaths/min"}, "°C": "°C"}
_UCUM = {"µmol/L": "umol/L", "°C": "Cel", "mmHg": "mm[Hg]"}


@dataclass(frozen=True)
class Series:
    """One analyte's generated values: times and values as written (in `unit`)."""

    analyte: str
    unit: str
    points: tuple[tuple[datetime, float], ...]
    decimals: int
    """Written precision."""
    diastolic: tuple[float, ...] = ()
    """For systolic blood pressure: the paired diastolic values (written, not asked)."""

    @property
    def label(self) -> str:
        """The analyte's name in questions."""
        return _SPEC[self.analyte][0]


@dataclass(frozen=True)
class GenRecord:
    """A generated record: its series, first and last time (any analyte), and its id."""

    id: str
    series: tuple[Series, ...]
    start: datetime
    end: datetime
    table_style: str
    date_style: int


def _walk(rng: random.Random, analyte: str, n: int, aki: bool) -> list[float]:
    _, _, _, _, prec, (lo, hi), step, (low, high), _ = _SPEC[analyte]
    value = rng.uniform(lo, hi)
    out = []
    for i in range(n):
        if analyte == "creatinine" and aki and i >= n // 3:
            value *= rng.uniform(1.1, 1.45)
        else:
            value += rng.gauss(0, step)
        value = min(max(value, low), high)
        out.append(round(value, prec))
    return out


def make_record(rng: random.Random, index: int) -> GenRecord:
    """One record (see the module docstring)."""
    start = datetime(2023, 1, 1, 6) + timedelta(  # noqa: DTZ001 (wall-clock chart times)
        days=rng.randrange(900), hours=rng.randrange(14)
    )
    times = [start]
    for _ in range(rng.randint(6, 11)):
        times.append(times[-1] + timedelta(hours=rng.choice((4, 6, 8, 12, 16))))
    names = ["creatinine", *rng.sample([a for a in _SPEC if a != "creatinine"], 3)]
    if rng.random() < 0.25:
        names = names[1:]
    series = []
    for a in names:
        chosen = sorted(rng.sample(times, rng.randint(min(5, len(times)), len(times))))
        values = _walk(rng, a, len(chosen), aki=rng.random() < 0.5)
        _, unit, si, factor, digits, _, _, _, _ = _SPEC[a]
        if si is not None and rng.random() < 0.35:
            digits = 0 if si == "µmol/L" else 1
            unit, values = si, [round(v * factor, digits) for v in values]
        dia = (
            tuple(round(v * rng.uniform(0.55, 0.68)) for v in values) if a == "systolic_bp" else ()
        )
        series.append(Series(a, unit, tuple(zip(chosen, values, strict=True)), digits, dia))
    all_times = [t for s in series for t, _ in s.points]
    return GenRecord(
        f"r{index:03d}",
        tuple(series),
        min(all_times),
        max(all_times),
        rng.choice(("markdown", "csv", "tsv")),
        rng.randrange(3),
    )


def show(value: float) -> str:
    """A number as the answers write it (at most 4 decimals)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fmt(s: Series, v: float) -> str:
    return f"{v:.{s.decimals}f}"


# -- the three representations ----------------------------------------------------------------


def _date(d: datetime, style: int) -> str:
    return (f"{d.day} {d:%B %Y}", f"{d:%m/%d/%Y}", f"{d:%Y-%m-%d}")[style]


def as_text(rec: GenRecord) -> str:
    """The record as a progress note."""
    by_time: dict[datetime, list[str]] = {}
    for s in rec.series:
        for i, (t, v) in enumerate(s.points):
            if s.analyte == "systolic_bp":
                item = f"BP {_fmt(s, v)}/{s.diastolic[i]} mmHg"
            else:
                name = _TEXT_NAME.get(s.analyte, s.label)
                unit = _TEXT_UNIT.get(s.unit, s.unit)
                unit = unit.get(s.analyte, s.unit) if isinstance(unit, dict) else unit
                sep = "" if unit == "%" else " "
                item = f"{name} {_fmt(s, v)}{sep}{unit}"
            by_time.setdefault(t, []).append(item)
    lines, day = ["Progress notes (ward)."], None
    for t in sorted(by_time):
        if t.date() != day:
            day = t.date()
            lines += ["", f"{_date(t, rec.date_style)}:"]
        lines.append(f"{t:%H:%M} - " + ", ".join(by_time[t]) + ".")
    return "\n".join(lines) + "\n"


def as_table(rec: GenRecord) -> str:
    """The record as a wide flowsheet (markdown, CSV or TSV)."""
    header = ["Time"]
    for s in rec.series:
        header.append(f"{s.label.capitalize()} ({s.unit})")
        if s.analyte == "systolic_bp":
            header.append("Diastolic blood pressure (mmHg)")
    times = sorted({t for s in rec.series for t, _ in s.points})
    rows = []
    for t in times:
        row = [f"{t:%Y-%m-%d %H:%M}"]
        for s in rec.series:
            found = [i for i, (pt, _) in enumerate(s.points) if pt == t]
            row.append(_fmt(s, s.points[found[0]][1]) if found else "")
            if s.analyte == "systolic_bp":
                row.append(str(s.diastolic[found[0]]) if found else "")
        rows.append(row)
    if rec.table_style == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        sep = "," if rec.table_style == "csv" else "\t"
        lines = [sep.join(header), *(sep.join(r) for r in rows)]
    return "\n".join(lines) + "\n"


def _quantity(value: float, unit: str) -> dict[str, object]:
    return {
        "value": value,
        "unit": unit,
        "system": "http://unitsofmeasure.org",
        "code": _UCUM.get(unit, unit),
    }


def as_fhir(rec: GenRecord) -> str:
    """The record as a FHIR R4 collection Bundle of Observations."""
    entries = []
    for s in rec.series:
        for i, (t, v) in enumerate(s.points):
            obs: dict[str, object] = {
                "resourceType": "Observation",
                "id": f"{s.analyte}-{i + 1}",
                "status": "final",
                "effectiveDateTime": f"{t:%Y-%m-%dT%H:%M:%S}+00:00",
            }
            loinc = _SPEC[s.analyte][8]
            if s.analyte == "systolic_bp":
                obs["code"] = {
                    "coding": [{"system": "http://loinc.org", "code": "85354-9"}],
                    "text": "Blood pressure panel",
                }
                obs["component"] = [
                    {
                        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
                        "valueQuantity": _quantity(v, "mmHg"),
                    },
                    {
                        "code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                        "valueQuantity": _quantity(s.diastolic[i], "mmHg"),
                    },
                ]
            else:
                obs["code"] = {
                    "coding": [{"system": "http://loinc.org", "code": loinc}],
                    "text": s.label,
                }
                obs["valueQuantity"] = _quantity(v, s.unit)
            entries.append({"fullUrl": f"urn:uuid:{rec.id}-{s.analyte}-{i + 1}", "resource": obs})
    bundle = {"resourceType": "Bundle", "id": rec.id, "type": "collection", "entry": entries}
    return json.dumps(bundle, indent=1, ensure_ascii=False) + "\n"


REPRESENTATIONS: dict[str, Callable[[GenRecord], str]] = {
    "text": as_text,
    "table": as_table,
    "fhir": as_fhir,
}

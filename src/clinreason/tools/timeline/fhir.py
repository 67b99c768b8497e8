"""Read FHIR R4 Observation bundles (and JSON rows) into timed readings.

The bundle is parsed and validated by `fhirclient` (SMART Health IT's FHIR 4.0.1 models): a
structurally invalid resource is an error naming its path ('entry.2.resource.valueQuantity.
value: wrong type'). Per Observation (and per `component`, e.g. a blood-pressure panel):

- the analyte is found by LOINC code, else by `code.text` or a coding's display; an
  Observation naming no known quantity is left out and said so;
- the time is `effectiveDateTime`, `effectiveInstant` or `effectivePeriod.start`; a date
  without a time is taken at 00:00 (noted); no effective time is a problem of the series;
  clocks in different UTC offsets are all converted to UTC (a recorded assumption), else the
  written wall-clock time is kept;
- the value is `valueQuantity` (its UCUM `code`, else its `unit` text); an Observation without one
  (`valueString`, `dataAbsentReason`, ...) and one with status `entered-in-error` or
  `cancelled` are left out and said so.

The evidence span of each reading is the Observation's JSON object in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from clinreason.errors import InputError
from clinreason.tools.timeline.analytes import Analyte, analyte_for_loinc, analyte_named
from clinreason.tools.timeline.record import Reading, Record, build_record
from clinreason.tools.units import normalize_unit
from clinreason.trace import Span

UCUM = {
    "Cel": "°C",
    "[degF]": "°F",
    "mm[Hg]": "mmHg",
    "10*9/L": "10^9/L",
    "10*3/uL": "10^3/µL",
    "{beats}/min": "/min",
    "{breaths}/min": "/min",
    "meq/L": "mEq/L",
}
"""UCUM codes whose spelling `tools.units` does not read as such."""
_LEFT_OUT = ("entered-in-error", "cancelled")


def object_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every JSON object in `text`, in order of their opening brace.

    >>> object_spans('[{"a": {"b": "}"}}, {}]')
    [(1, 18), (7, 17), (20, 22)]
    """
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            stack.append(len(spans))
            spans.append((i, -1))
        elif ch == "}" and stack:
            k = stack.pop()
            spans[k] = (spans[k][0], i + 1)
    return [s for s in spans if s[1] > 0]


_OBSERVATION = re.compile(r'"resourceType"\s*:\s*"Observation"')


def _observation_spans(text: str) -> list[Span]:
    """The JSON object of each Observation in the text, in order."""
    objects = object_spans(text)
    out = []
    for m in _OBSERVATION.finditer(text):
        inner = min(
            (s for s in objects if s[0] < m.start() < s[1]), key=lambda s: s[1] - s[0], default=None
        )
        if inner is not None:
            out.append(Span(start=inner[0], end=inner[1], text=text[inner[0] : inner[1]]))
    return out


def _validation_message(exc: Exception) -> str:
    """fhirclient's nested error as one line: the path and the first reason, no object ids."""
    lines = [ln.strip().rstrip(":") for ln in str(exc).splitlines() if ln.strip()]
    path = [ln for ln in lines if not ln.startswith(("'", '"', "Wrong", "Non-optional"))]
    reason = next((ln for ln in lines if ln.startswith(("'", '"', "Wrong", "Non-optional"))), "")
    reason = re.sub(r" on <[^>]+>", "", reason).strip("'\"")
    return ".".join(p for p in path if p != "{root}") + ": " + reason


def _analyte(code: Any) -> Analyte | None:
    for coding in getattr(code, "coding", None) or []:
        found = analyte_for_loinc(coding.code or "") if coding.code else None
        if found is not None:
            return found
    for name in [getattr(code, "text", None)] + [c.display for c in code.coding or []]:
        found = analyte_named(name) if name else None
        if found is not None:
            return found
    return None


def _effective(obs: Any) -> tuple[datetime | None, str]:
    """The effective time as written (aware or naive) and a note for a date without a time."""
    field = obs.effectiveDateTime or obs.effectiveInstant
    if field is None and obs.effectivePeriod is not None:
        field = obs.effectivePeriod.start
    if field is None:
        return None, ""
    raw = field.origval if isinstance(field.origval, str) else field.isostring
    if "T" not in raw:
        return field.datetime, "date without a time: taken as 00:00"
    return field.datetime, ""


def _unit(q: Any) -> str | None:
    """The Quantity's unit: its UCUM `code` where `tools.units` reads it (or `UCUM` maps it),
    else its human-readable `unit`."""
    for candidate in (UCUM.get(q.code or ""), q.code, UCUM.get(q.unit or ""), q.unit):
        if candidate:
            try:
                normalize_unit(candidate)
                return str(candidate)
            except InputError:
                continue
    return q.unit or q.code


def _parts(obs: Any) -> Iterator[tuple[Any, Any]]:
    """(code, valueQuantity-holder) for the Observation and each of its components."""
    if obs.component:
        for comp in obs.component:
            yield comp.code, comp
    else:
        yield obs.code, obs


def read_fhir(data: dict[str, Any], text: str = "") -> Record:
    """Readings from a FHIR R4 Bundle of Observations (or one Observation).

    Raises:
        InputError: not a Bundle or Observation, or a resource that fails FHIR validation
            (naming its path).
    """
    from fhirclient.models.bundle import Bundle
    from fhirclient.models.fhirabstractbase import FHIRValidationError
    from fhirclient.models.observation import Observation

    kind = data.get("resourceType")
    if kind not in ("Bundle", "Observation"):
        raise InputError(f"FHIR input must be a Bundle or an Observation, not {kind!r}")
    try:
        parsed = Bundle(data) if kind == "Bundle" else Observation(data)
    except FHIRValidationError as exc:
        raise InputError(f"invalid FHIR {kind}: {_validation_message(exc)}") from None
    entries = (
        [(i, e.resource) for i, e in enumerate(parsed.entry or [])]
        if kind == "Bundle"
        else [(0, parsed)]
    )
    spans = iter(_observation_spans(text)) if text else iter(())
    assumptions: list[str] = []
    problems: dict[str, list[str]] = {}
    raw: list[tuple[Analyte, float, str, datetime | None, str, Span | None, str]] = []
    for i, res in entries:
        if not isinstance(res, Observation):
            continue
        span = next(spans, None)
        where = f"entry {i} (Observation {res.id or 'without id'})"
        if res.status in _LEFT_OUT:
            assumptions.append(f"{where}: status {res.status}: left out")
            continue
        when, note = _effective(res)
        for code, holder in _parts(res):
            a = _analyte(code)
            if a is None:
                name = code.text or next((c.display or c.code for c in code.coding or []), "?")
                assumptions.append(f"{where}: {name!r} names no known quantity: left out")
                continue
            q = holder.valueQuantity
            if q is None or q.value is None:
                other = [
                    k
                    for k in ("valueString", "valueCodeableConcept", "dataAbsentReason")
                    if getattr(holder, k, None) is not None
                ]
                has = f" (it has {', '.join(other)})" if other else ""
                assumptions.append(f"{where}: {a.label} has no valueQuantity{has}: left out")
                continue
            unit = _unit(q)
            if not unit:
                problems.setdefault(a.name, []).append(f"{where}: {a.label} {q.value} has no unit")
                continue
            if when is None:
                problems.setdefault(a.name, []).append(f"{where}: {a.label} has no effective time")
                continue
            raw.append((a, float(q.value), unit, when, where, span, note))
    offsets = {r[3].utcoffset() for r in raw if r[3] is not None and r[3].tzinfo is not None}
    if len(offsets) > 1:
        assumptions.append("times are written in different UTC offsets: all read in UTC")
    readings = []
    for a, value, unit, when, where, span, note in raw:
        if when is not None and when.tzinfo is not None:
            if len(offsets) > 1:
                when = when.astimezone(UTC)
            when = when.replace(tzinfo=None)
        readings.append(Reading(a, value, unit, when, where, span, note))
    return build_record(readings, "fhir", assumptions=assumptions, problems=problems)

"""Shared machinery: a generic calculator class, input resolution with unit conversion, and
the explanation recorder every formula writes its steps to."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from clinreason.errors import InputError
from clinreason.tools import units
from clinreason.tools.calculators.base import Computation, OutputType, Param

NOT_MENTIONED = "not mentioned in the note -> assumed absent/normal (MedCalc-Bench convention)"

_TRUE = {"true", "yes", "y", "present", "positive", "1"}
_FALSE = {"false", "no", "n", "absent", "negative", "0", "none"}
_SEX = {
    "male": "Male",
    "m": "Male",
    "man": "Male",
    "boy": "Male",
    "female": "Female",
    "f": "Female",
    "woman": "Female",
    "girl": "Female",
}


def fmt(x: float | int) -> str:
    """A number for explanations: integers without decimals, others to ~6 significant digits."""
    if isinstance(x, bool):
        return str(x)
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.4g}" if abs(x) < 1 else f"{x:.6g}"


def rounded(x: float, digits: int = 3) -> float:
    """Round a final decimal result (benchmark answers are given to 3 decimals)."""
    return round(float(x), digits)


class Ctx:
    """Resolves a calculator's inputs from an entity dict and records explanation steps."""

    def __init__(self, name: str, params: tuple[Param, ...], entities: Mapping[str, Any]) -> None:
        if not isinstance(entities, Mapping):
            raise InputError(f"{name}: entities must be a mapping, got {type(entities).__name__}")
        self.calculator = name
        self.params = {p.name: p for p in params}
        self.entities = entities
        self.steps: list[str] = []
        self.assumptions: list[str] = []
        self.inputs: dict[str, Any] = {}
        self._resolved: dict[str, Any] = {}

    # -- recording ------------------------------------------------------------------------
    def step(self, text: str) -> None:
        """Record one explanation line."""
        self.steps.append(text)

    def assume(self, text: str) -> None:
        """Record an assumption (also shown as a step)."""
        self.assumptions.append(text)
        self.steps.append(f"Assumption: {text}")

    def points(self, label: str, pts: float, why: str) -> float:
        """Record a scored item: '<label>: <why> -> +pts'. Returns pts."""
        sign = "+" if pts >= 0 else "-"
        self.steps.append(f"{label}: {why} -> {sign}{fmt(abs(pts))}")
        return pts

    # -- lookup ---------------------------------------------------------------------------
    def item(self, name: str, pts: float, label: str | None = None) -> float:
        """Score a yes/no item: `pts` if present, else 0 (missing -> absent)."""
        present = self.flag(name)
        return self.points(label or name, pts if present else 0, "yes" if present else "no")

    def param(self, name: str) -> Param:
        try:
            return self.params[name]
        except KeyError:  # a programming error in a calculator, not user input
            raise KeyError(f"{self.calculator}: no parameter {name!r}") from None

    def get(self, name: str) -> Any:
        """The entity value under the parameter's name or one of its aliases, or None."""
        value = self.entities.get(name)
        if value is None and name in self.params:
            for alias in self.params[name].aliases:
                value = self.entities.get(alias)
                if value is not None:
                    break
        return value

    def has(self, name: str) -> bool:
        """Whether a value was given for this parameter."""
        return self.get(name) is not None

    def _missing(self, p: Param) -> Any:
        if p.required:
            raise InputError(f"{self.calculator}: missing required input {p.name!r}")
        if p.default is None:
            shown = "absent" if p.kind in ("bool", "choice") else "normal (scores no points)"
        else:
            shown = "absent" if p.default is False else p.default
        why = NOT_MENTIONED
        if p.default is True:
            why = f"not mentioned -> assumed {p.description}"
        self.assumptions.append(f"{p.name}: {why}")
        self.steps.append(f"{p.name}: not given -> assumed {shown}")
        self.inputs[p.name] = p.default
        return p.default

    def _num(self, name: str) -> Any:
        """A measurement or number in the parameter's canonical unit (None: optional, absent)."""
        p = self.param(name)
        value = self.get(name)
        if value is None:
            return self._missing(p)
        number, shown = self._to_number(p, value)
        if p.bounds is not None:
            units.check_range(p.name, number, p.unit or "", p.bounds[0], p.bounds[1])
        self.inputs[p.name] = number
        self.steps.append(f"{p.name} = {shown}")
        return number

    def _to_number(self, p: Param, value: Any) -> tuple[float, str]:
        unit = p.unit or ""
        if isinstance(value, bool):
            raise InputError(f"{p.name}: expected a number, got {value!r}")
        if isinstance(value, int | float):
            if p.kind == "measurement" and p.unit:
                self.assumptions.append(f"{p.name}: no unit given, read as {p.unit}")
            return _finite(p.name, float(value)), f"{fmt(value)} {unit}".strip()
        if isinstance(value, list | tuple) and len(value) >= 2 and len(value) % 2 == 0:
            total, parts = 0.0, []
            for i in range(0, len(value), 2):
                v, u = value[i], value[i + 1]
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise InputError(f"{p.name}: expected [number, unit], got {value!r}")
                v = _finite(p.name, float(v))
                parts.append(f"{fmt(v)} {u}")
                total += self._convert(p, v, str(u))
            given = " ".join(parts)
            canon = f"{fmt(total)} {unit}".strip()
            if len(value) == 2 and p.unit and _same_unit(str(value[1]), p.unit):
                return total, given
            return total, f"{given} = {canon}" if p.unit else given
        raise InputError(f"{p.name}: expected [number, unit], got {value!r}")

    def _convert(self, p: Param, v: float, u: str) -> float:
        if not p.unit:
            return v
        if p.analyte in {"wbc", "platelets"} and u.strip() == "m^3":
            # MedCalc-Bench writes cell counts per mm^3 as 'm^3'; a count per cubic metre is
            # physically meaningless, so the spelling is read as mm^3 (= per µL) and said so.
            self.assumptions.append(f"{p.name}: unit 'm^3' read as per mm^3 (= per µL)")
            u = "/µL"
        analyte = p.analyte if p.analyte in units.ANALYTES else None
        try:
            return units.convert(v, u, p.unit, analyte=analyte)
        except InputError as exc:
            raise InputError(f"{self.calculator}: {p.name}: {exc}") from None

    def _flag(self, name: str) -> Any:
        """A yes/no finding (missing optional -> its default, recorded as an assumption)."""
        p = self.param(name)
        value = self.get(name)
        if value is None:
            return bool(self._missing(p))
        result = to_bool(p.name, value)
        self.inputs[p.name] = result
        return result

    def _choice(self, name: str) -> Any:
        """A categorical value, matched case-insensitively to `Param.choices`.

        A boolean is passed through (some MedCalc-Bench items are either a category or a
        yes/no answer); the calculator maps it.
        """
        p = self.param(name)
        value = self.get(name)
        if value is None:
            return self._missing(p)
        if isinstance(value, bool):
            self.inputs[p.name] = value
            return value
        if not isinstance(value, str):
            raise InputError(f"{p.name}: expected one of {list(p.choices)}, got {value!r}")
        key = " ".join(value.lower().split())
        if p.name == "sex" and key in _SEX:
            self.inputs[p.name] = _SEX[key]
            return _SEX[key]
        for c in p.choices:
            if " ".join(c.lower().split()) == key:
                self.inputs[p.name] = c
                return c
        if key in _TRUE | _FALSE:
            b = key in _TRUE
            self.inputs[p.name] = b
            return b
        raise InputError(f"{p.name}: {value!r} is not one of {list(p.choices)}")

    def _text(self, name: str) -> Any:
        """A free-text categorical value, stripped, interpreted by the calculator itself."""
        p = self.param(name)
        value = self.get(name)
        if value is None:
            return self._missing(p)
        if isinstance(value, str):
            value = " ".join(value.split())
        elif not isinstance(value, bool):
            raise InputError(f"{name}: expected text, got {value!r}")
        self.inputs[p.name] = value
        return value

    def _cached(self, kind: str, name: str) -> Any:
        """Resolve an input once; later reads reuse the value without repeating its step."""
        key = f"{kind}:{name}"
        if key not in self._resolved:
            self._resolved[key] = getattr(self, f"_{kind}")(name)
        return self._resolved[key]

    def num(self, name: str) -> float:
        """A measurement or number in the parameter's canonical unit (must be present)."""
        value = self._cached("num", name)
        if value is None:
            raise InputError(f"{self.calculator}: missing input {name!r}")
        return float(value)

    def opt(self, name: str) -> float | None:
        """An optional measurement or number (None: not given, recorded as an assumption)."""
        value = self._cached("num", name)
        return None if value is None else float(value)

    def flag(self, name: str) -> bool:
        """A yes/no finding (missing optional -> its default, recorded as an assumption)."""
        return bool(self._cached("flag", name))

    def choice(self, name: str) -> str | bool | None:
        """A categorical value matched case-insensitively to `Param.choices` (bools pass)."""
        value: str | bool | None = self._cached("choice", name)
        return value

    def text(self, name: str) -> str | bool | None:
        """A free-text categorical value, stripped, interpreted by the calculator itself."""
        value: str | bool | None = self._cached("text", name)
        return value

    def date(self, name: str) -> dt.date:
        """A date given as 'MM/DD/YYYY' (also accepts 'YYYY-MM-DD')."""
        p = self.param(name)
        value = self.get(name)
        if value is None:
            self._missing(p)
            raise InputError(f"{self.calculator}: missing required date {name!r}")
        if not isinstance(value, str):
            raise InputError(f"{name}: expected a date 'MM/DD/YYYY', got {value!r}")
        d = parse_date(value)
        if d is not None:
            self.inputs[name] = d.strftime("%m/%d/%Y")
            self.steps.append(f"{name} = {d.strftime('%m/%d/%Y')}")
            return d
        raise InputError(f"{name}: {value!r} is not a date in the form MM/DD/YYYY")


def parse_date(text: str) -> dt.date | None:
    """Parse 'MM/DD/YYYY' or 'YYYY-MM-DD'; None if it is not a valid date."""
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        month, day, year = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if not m:
            return None
        year, month, day = (int(g) for g in m.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def to_bool(name: str, value: Any) -> bool:
    """Read a yes/no value strictly."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise InputError(f"{name}: expected true/false, got {value!r}")


def _same_unit(a: str, b: str) -> bool:
    try:
        return units.normalize_unit(a) == units.normalize_unit(b)
    except InputError:
        return False


def _finite(name: str, v: float) -> float:
    if not math.isfinite(v):
        raise InputError(f"{name}: value {v!r} is not a finite number")
    return v


@dataclass(frozen=True)
class FormulaCalculator:
    """A calculator defined by metadata plus a formula function `f(ctx) -> value`."""

    id: int
    slug: str
    name: str
    aliases: tuple[str, ...]
    category: str
    output_type: OutputType
    params: tuple[Param, ...]
    reference: str
    formula: Callable[[Ctx], Any]
    unit: str | None = None
    notes: str = ""
    """Divergences from the MedCalc-Bench implementation or labels, with the source."""

    def compute(self, entities: Mapping[str, Any]) -> Computation:
        """Compute from MedCalc-Bench-style entities. Raises InputError on bad input."""
        ctx = Ctx(self.name, self.params, entities)
        known = {p.name for p in self.params} | {a for p in self.params for a in p.aliases}
        unused = sorted(k for k in entities if k not in known)
        if unused:
            ctx.step(f"Not used by this calculator: {', '.join(unused)}")
        value = self.formula(ctx)
        if self.output_type == "integer" and isinstance(value, float) and value.is_integer():
            value = int(value)
        elif self.output_type == "decimal":
            if not math.isfinite(float(value)):
                raise InputError(f"{self.name}: the inputs give a non-finite result")
            value = rounded(value)
        shown = value if not isinstance(value, float) else fmt(value)
        ctx.step(f"Result: {shown} {self.unit or ''}".rstrip())
        return Computation(
            value=value,
            unit=self.unit,
            steps=ctx.steps,
            inputs=ctx.inputs,
            assumptions=ctx.assumptions,
        )


# -- parameter constructors ---------------------------------------------------------------


def measure(
    name: str,
    unit: str,
    bounds: tuple[float | None, float | None] | None = None,
    *,
    analyte: str | None = None,
    required: bool = True,
    description: str = "",
    aliases: tuple[str, ...] = (),
) -> Param:
    """A measurement with a canonical unit (required unless said otherwise)."""
    return Param(
        name,
        "measurement",
        unit=unit,
        required=required,
        bounds=bounds,
        analyte=analyte,
        description=description,
        aliases=aliases,
    )


def number(
    name: str,
    bounds: tuple[float | None, float | None] | None = None,
    *,
    required: bool = True,
    description: str = "",
    aliases: tuple[str, ...] = (),
) -> Param:
    """A unitless number (pH, INR, a score)."""
    return Param(
        name, "number", required=required, bounds=bounds, description=description, aliases=aliases
    )


def flag(
    name: str,
    description: str = "",
    *,
    required: bool = False,
    aliases: tuple[str, ...] = (),
    default: bool = False,
) -> Param:
    """A yes/no finding; not mentioned -> `default` (absent unless the item says otherwise)."""
    return Param(
        name,
        "bool",
        required=required,
        default=default if not required else None,
        description=description,
        aliases=aliases,
    )


def choice(
    name: str,
    choices: tuple[str, ...],
    *,
    default: str | None = None,
    required: bool = False,
    description: str = "",
    aliases: tuple[str, ...] = (),
) -> Param:
    """A categorical input."""
    return Param(
        name,
        "choice",
        choices=choices,
        required=required,
        default=default,
        description=description,
        aliases=aliases,
    )


AGE = measure("age", "years", (0, 130), description="age in years")
SEX = choice("sex", ("Male", "Female"), required=True, description="biological sex")
WEIGHT = measure("weight", "kg", (0.3, 700), description="body weight")
HEIGHT = measure("height", "cm", (20, 275), description="body height")
CREATININE = measure(
    "creatinine", "mg/dL", (0.05, 40), analyte="creatinine", description="serum creatinine"
)
SODIUM = measure("Sodium", "mmol/L", (80, 220), analyte="sodium", description="serum sodium")
CHLORIDE = measure(
    "Chloride", "mmol/L", (40, 200), analyte="chloride", description="serum chloride"
)
BICARB = measure(
    "Bicarbonate", "mmol/L", (1, 80), analyte="bicarbonate", description="serum bicarbonate (HCO3-)"
)
ALBUMIN = measure("Albumin", "g/dL", (0.3, 10), analyte="albumin", description="serum albumin")
GLUCOSE = measure("Glucose", "mg/dL", (5, 5000), analyte="glucose", description="blood glucose")
BUN = measure(
    "Blood Urea Nitrogen (BUN)",
    "mg/dL",
    (0.5, 400),
    analyte="bun",
    description="blood urea nitrogen",
)
HR = measure("Heart Rate or Pulse", "/min", (0, 350), description="heart rate")
SBP = measure("Systolic Blood Pressure", "mmHg", (0, 350), description="systolic blood pressure")
DBP = measure("Diastolic Blood Pressure", "mmHg", (0, 300), description="diastolic blood pressure")
TEMP = measure("Temperature", "°C", (15, 47), description="body temperature")
RR = measure("respiratory rate", "/min", (0, 120), description="respiratory rate")
QT = measure(
    "QT interval", "ms", (100, 1000), description="measured QT interval", aliases=("QT Interval",)
)
BMI = measure("Body Mass Index (BMI)", "kg/m^2", (5, 150), description="body mass index")


def optional(p: Param, default: Any = None) -> Param:
    """The same parameter, optional (missing -> `default`, recorded as an assumption)."""
    return replace(p, required=False, default=default)

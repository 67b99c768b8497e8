"""A small, safe arithmetic evaluator and a finder for arithmetic claims in text. Never `eval`.

Grammar (recursive descent, floats only)::

    expr  := term (("+" | "-") term)*
    term  := unary (("*" | "/") unary)*          # also x, ×, ·, ÷
    unary := "-" unary | power
    power := atom ("^" unary)?                   # also **; |exponent| <= 1000
    atom  := NUMBER | "(" expr ")" | "[" expr "]"

>>> evaluate("(140 - 67) × 72 / (72 × 1.4)")
52.142857142857146
>>> claims = arithmetic_claims("so 3 + 2 = 6, and 72/1.8 = 40")
>>> [(c.expression, c.stated, c.correct) for c in claims]
[('3 + 2', '6', False), ('72/1.8', '40', True)]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from clinreason.verify.text import _MASK, NUMBER, normalize, parse_number
from clinreason.verify.units import match_unit

MAX_EXPONENT = 1000.0
MAX_TOKENS = 400
REL_TOL = 1e-4
"""Slack for operands written rounded (e.g. 183 cm = 72.0472 in): 0.01% of the value."""


class ArithmeticError_(ValueError):  # noqa: N801 - avoid shadowing the builtin
    """The text is not an expression we can evaluate (syntax, overflow, division by zero)."""


class Undefined(ArithmeticError_):
    """A well-formed expression without a finite value (overflow, division by zero)."""


_FUNCS = {"√": math.sqrt, "∛": math.cbrt, "⇑": math.exp, "⇓": math.log, "⇊": math.log10}
"""Functions, written in the text as sqrt, exp, ln, log and swapped for one character each."""
_FUNC_NAMES = {"sqrt": "√", "exp": "⇑", "ln": "⇓", "log": "⇊"}
_FUNC_WORD = re.compile(r"(?i)\b(sqrt|exp|ln|log)(?=\s*\()")
_TOKEN = re.compile(r"\s*(\*\*|\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+|[-+*/x×·÷^()\[\]√∛⇑⇓⇊])")
_OPS = {"x": "*", "×": "*", "·": "*", "÷": "/", "**": "^"}


def tokenize(text: str) -> list[str]:
    """Tokens of an arithmetic expression.

    Raises:
        ArithmeticError_: a character that is not part of an expression.
    """
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ArithmeticError_(f"unexpected {text[pos : pos + 10]!r}")
        tok = m.group(1)
        tokens.append(_OPS.get(tok, tok))
        pos = m.end()
        if len(tokens) > MAX_TOKENS:
            raise ArithmeticError_("expression too long")
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.i = 0
        self.ops = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise ArithmeticError_("unexpected end of expression")
        self.i += 1
        return tok

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            self.ops += 1
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        return value

    def term(self) -> float:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            self.ops += 1
            rhs = self.unary()
            if op == "*":
                value *= rhs
            elif rhs == 0:
                raise Undefined("division by zero")
            else:
                value /= rhs
        return value

    def unary(self) -> float:
        if self.peek() == "-":
            self.take()
            return -self.unary()
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            self.ops += 1
            exponent = self.unary()
            if abs(exponent) > MAX_EXPONENT:
                raise Undefined("exponent too large")
            try:
                result = math.pow(base, exponent)
            except (OverflowError, ValueError) as exc:
                raise Undefined(f"cannot raise {base} to {exponent}: {exc}") from None
            return result
        return base

    def atom(self) -> float:
        tok = self.take()
        if tok in ("(", "["):
            value = self.expr()
            close = self.take()
            if close not in (")", "]"):
                raise ArithmeticError_("unbalanced parentheses")
            return value
        if tok in _FUNCS:
            if self.take() != "(":
                raise ArithmeticError_("a function needs parentheses")
            arg = self.expr()
            if self.take() != ")":
                raise ArithmeticError_("unbalanced parentheses")
            self.ops += 1
            try:
                return _FUNCS[tok](arg)
            except (OverflowError, ValueError) as exc:
                raise Undefined(f"function of {arg}: {exc}") from None
        if tok[0].isdigit() or tok[0] == ".":
            if "," in tok and not re.fullmatch(
                r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][-+]?\d+)?", tok
            ):
                raise ArithmeticError_(f"not a number: {tok!r}")
            return parse_number(tok)[0]
        raise ArithmeticError_(f"unexpected {tok!r}")


def evaluate(text: str) -> float:
    """Value of an arithmetic expression.

    Raises:
        ArithmeticError_: not an expression, or not finite (overflow, division by zero).
    """
    value, _ = _evaluate(text)
    return value


def _evaluate(text: str) -> tuple[float, int]:
    parser = _Parser(tokenize(text))
    if not parser.tokens:
        raise ArithmeticError_("empty expression")
    value = parser.expr()
    if parser.peek() is not None:
        raise ArithmeticError_(f"unexpected {parser.peek()!r}")
    if not math.isfinite(value):
        raise Undefined("result is not finite")
    return value, parser.ops


@dataclass(frozen=True)
class ArithClaim:
    """`expression = stated` as written in a step, and whether it holds."""

    expression: str
    stated: str
    value: float | None
    """The expression's true value (None when it cannot be evaluated)."""
    stated_value: float | None
    correct: bool | None
    """None = could not be checked (overflow, division by zero, ...)."""
    kind: str = "arithmetic"
    """'arithmetic' or 'aggregation' (sum/mean of listed values)."""


_RUN = re.compile(r"[\d.,\s()\[\]+\-*/x×÷·^=≈√∛⇑⇓⇊]*[=≈][\d.,\s()\[\]+\-*/x×÷·^=≈√∛⇑⇓⇊]*")
_AGG = re.compile(
    r"(?i)\b(sum|total|mean|average)\s+of\s+((?:-?\d[\d.,]*\s*(?:,|and|\+)?\s*){2,20}?)"
    r"\s*(?:is|=|equals|gives|of|yields)\s+(-?\d[\d,]*(?:\.\d+)?)"
)


_REMARK = re.compile(r"\((?:in|as)\s+[^()\d=]{1,25}\)|\(\s*(?P<unit>[^()\d=\s][^()=]{0,14}?)\s*\)")
"""'(in inches)', or a unit alone in parentheses ('(mEq/L)') when it reads as one unit."""


def _blank_remark(m: re.Match[str]) -> str:
    unit = m.group("unit")
    if unit is not None:
        found = match_unit(unit, 0)
        if found is None or found[1] != len(unit):
            return m.group(0)
    return " " * len(m.group(0))


def _strip_units(text: str) -> str:
    """Blank out the unit after each number and unit remarks such as '(in inches)' (same
    length), so '70 kg / 1.75 m' and '2.3 * (67.3 (in inches) - 60)' parse."""
    text = _REMARK.sub(_blank_remark, text)
    text = _FUNC_WORD.sub(lambda m: _FUNC_NAMES[m.group(1).lower()].ljust(len(m.group(1))), text)
    chars = list(text)
    for m in NUMBER.finditer(text):
        unit = match_unit(text, m.end())
        if unit:
            for i in range(m.end(), unit[1]):
                chars[i] = " "
    return "".join(chars)


def _longest_suffix(text: str) -> tuple[str, float, int] | None:
    starts = [0, *(i + 1 for i, ch in enumerate(text) if ch in " ,(")]
    for start in starts:
        piece = text[start:].strip()
        if not piece or piece[0] in "*/x×÷·^+)":
            continue
        try:
            value, ops = _evaluate(piece)
        except Undefined:
            return piece, math.nan, 1
        except ArithmeticError_:
            continue
        return piece, value, ops
    return None


def _fragment(text: str, start: int) -> bool:
    """Whether an expression starting at `start` is part of a larger one we cannot read
    (`2 mL/kg/hr * (43 - 10)`, `ln(49) - 172`)."""
    if start > 0 and (text[start - 1].isalpha() or text[start - 1] in "√_"):
        return True
    before = text[:start].rstrip()
    if before.endswith("x") and len(before) > 1 and before[-2].isalpha():
        return False  # a word ending in x ('max'), not a multiplication sign
    return bool(before) and before[-1] in "+-*/x×÷·^(√"


def _longest_prefix(text: str) -> tuple[str, float, int] | None:
    ends = sorted({len(text), *(i for i, ch in enumerate(text) if ch in " ,")}, reverse=True)
    for end in ends:
        piece = text[:end].strip().rstrip(".,")
        if not piece:
            continue
        try:
            value, ops = _evaluate(piece)
        except ArithmeticError_:
            continue
        return piece, value, ops
    return None


def _matches(value: float, stated: str, stated_value: float, stated_is_number: bool) -> bool:
    if stated_is_number:
        decimals = len(stated.split(".", 1)[1]) if "." in stated else 0
        tol = 0.5 * 10.0**-decimals
        return abs(value - stated_value) <= tol * (1 + 1e-9) + REL_TOL * abs(value)
    return abs(value - stated_value) <= 0.01 * max(abs(value), abs(stated_value)) + 1e-12


def _is_number(piece: str) -> bool:
    return bool(re.fullmatch(r"-?(?:\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)", piece.strip()))


def _readable(expression: str) -> str:
    """The expression with function names back and single spaces."""
    for name, mark in _FUNC_NAMES.items():
        expression = re.sub(rf"{mark}\s*", name, expression)
    return " ".join(expression.split())


def _percent_after(
    raw: str, run: re.Match[str], parts: list[str], rhs: tuple[str, float, int]
) -> bool:
    """Whether the stated result of the run's last part is followed by '%' ('= 5.8 %')."""
    last = parts[-1]
    pos = run.start() + len(run.group(0)) - len(last) + last.find(rhs[0].strip())
    return raw[pos + len(rhs[0].strip()) :].lstrip().startswith(("%", "percent"))


def arithmetic_claims(text: str) -> list[ArithClaim]:
    """Every `expression = result` (chains `a = b = c` too) and sum/mean statement in `text`."""
    raw = _MASK.sub(lambda m: "#" * len(m.group(0)), normalize(text))
    norm = _strip_units(raw).replace(" equals ", " = ")
    claims: list[ArithClaim] = []
    for run in _RUN.finditer(norm):
        parts = re.split(r"[=≈]", run.group(0))
        lhs = _longest_suffix(parts[0])
        if lhs is not None and _fragment(norm, run.start() + parts[0].find(lhs[0])):
            lhs = None
        for k in range(1, len(parts)):
            last = k == len(parts) - 1
            rhs = _longest_prefix(parts[k]) if last else _longest_suffix(parts[k])
            if rhs is not None and not last and rhs[0] != parts[k].strip():
                rhs = None
            if lhs is not None and rhs is not None and lhs[2] > 0:
                is_num = _is_number(rhs[0])
                if is_num or rhs[2] > 0:
                    defined = math.isfinite(lhs[1]) and math.isfinite(rhs[1])
                    ok = _matches(lhs[1], rhs[0].strip(), rhs[1], is_num) if defined else None
                    if ok is False and is_num and last and _percent_after(raw, run, parts, rhs):
                        ok = _matches(100 * lhs[1], rhs[0].strip(), rhs[1], is_num)
                    claims.append(
                        ArithClaim(
                            _readable(lhs[0]),
                            rhs[0].strip(),
                            lhs[1] if math.isfinite(lhs[1]) else None,
                            rhs[1] if math.isfinite(rhs[1]) else None,
                            ok,
                        )
                    )
            lhs = rhs
            if rhs is None:
                break
    for m in _AGG.finditer(normalize(text)):
        nums = [parse_number(x)[0] for x in NUMBER.findall(m.group(2))]
        stated, _ = parse_number(m.group(3))
        if len(nums) < 2 or not all(math.isfinite(n) for n in nums):
            continue
        value = sum(nums) if m.group(1).lower() in ("sum", "total") else sum(nums) / len(nums)
        ok = _matches(value, m.group(3).replace(",", ""), stated, True)
        expr = f"{m.group(1).lower()} of {', '.join(f'{n:g}' for n in nums)}"
        claims.append(ArithClaim(expr, m.group(3), value, stated, ok, kind="aggregation"))
    return claims

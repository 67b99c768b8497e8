"""JSON Schema -> GBNF grammar for llama.cpp, guarded against the schemas that crash it.

llama-cpp-python 0.3.36 parses grammars in C++ and *kills the process* (segfault) when a
grammar does not parse or nests too deeply, instead of raising. Seen here:

- a `pattern` with a regex escape such as `\\.` (its converter copies `\\.` into a GBNF
  literal, where it is an unknown escape);
- a string `maxLength` (or array `maxItems`) of 1100 (the converter nests one optional
  group per allowed repetition; 1000 works);
- an `enum`/`const` string containing a double quote (the converter escapes `"` but not
  the backslash JSON puts before it).

So every schema goes through three steps before it reaches the library:

1. `sanitize_schema`: clamp `maxLength`/`maxItems` to `MAX_REPEAT` (this only tightens the
   constraint, so output still matches the original schema), anchor patterns and rewrite
   their escapes into character classes (`\\.` -> `[\\x2E]`, `\\d` -> `[0-9]`), and reject
   what cannot be made safe with a `ConfigError`;
2. conversion with a corrected literal escaper (failures raise `ConfigError`, where the
   library would silently fall back to unconstrained JSON);
3. `check_gbnf`: a parser that mirrors llama.cpp's grammar parser (escapes, brackets,
   repetition operators, undefined rules, nesting depth) and rejects anything it would
   choke on.

The library's converter ignores numeric bounds (`minimum`, `maximum`); validate numbers
after generation when they matter.
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import re
from typing import Any

from clinreason.errors import ConfigError, MissingDependencyError

logger = logging.getLogger(__name__)

MAX_REPEAT = 1000
"""Largest `maxLength`/`maxItems` handed to llama.cpp (1100 crashed it; 1000 works)."""
MAX_NESTING = 1000
"""Deepest parenthesis nesting accepted in a grammar."""

_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_CLASS_SHORTHANDS = {"d": "0-9", "w": "a-zA-Z0-9_", "s": " "}
_CONVERTER_ESCAPES = set("[]()|{}*+?")
_GBNF_SIMPLE_ESCAPES = set('tnr\\"[]')
_GBNF_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def sanitize_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` that llama.cpp's grammar code can handle safely.

    >>> sanitize_schema({"type": "string", "maxLength": 5000})
    {'type': 'string', 'maxLength': 1000}
    >>> sanitize_schema({"type": "string", "pattern": "[0-9]+\\\\.[0-9]"})["pattern"]
    '^[0-9]+[\\\\x2E][0-9]$'

    Raises:
        ConfigError: A constraint that cannot be made safe (e.g. `minLength` > 1000, an
            unsupported regex escape).
    """
    if not isinstance(schema, dict):
        raise ConfigError(f"a JSON schema must be an object, got {type(schema).__name__}")
    safe = copy.deepcopy(schema)
    _sanitize(safe, "#")
    return safe


def _sanitize(node: dict[str, Any], where: str) -> None:
    for low, high in (("minLength", "maxLength"), ("minItems", "maxItems")):
        _clamp(node, low, high, where)
    if "pattern" in node:
        node["pattern"] = safe_pattern(node["pattern"], where)
    for key in _SUBSCHEMA_LISTS:
        for i, sub in enumerate(node.get(key) or []):
            if isinstance(sub, dict):
                _sanitize(sub, f"{where}/{key}/{i}")
    for key in _SUBSCHEMA_MAPS:
        for name, sub in (node.get(key) or {}).items():
            if isinstance(sub, dict):
                _sanitize(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties", "not"):
        sub = node.get(key)
        if isinstance(sub, dict):
            _sanitize(sub, f"{where}/{key}")
        elif isinstance(sub, list):
            for i, item in enumerate(sub):
                if isinstance(item, dict):
                    _sanitize(item, f"{where}/{key}/{i}")


def _clamp(node: dict[str, Any], low_key: str, high_key: str, where: str) -> None:
    low, high = node.get(low_key), node.get(high_key)
    for key, value in ((low_key, low), (high_key, high)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ConfigError(f"schema {where}: {key} must be a non-negative integer")
    if low is not None and low > MAX_REPEAT:
        raise ConfigError(
            f"schema {where}: {low_key}={low} is more than the embedded backend can "
            f"constrain safely ({MAX_REPEAT})"
        )
    if high is not None and high > MAX_REPEAT:
        logger.warning("schema %s: %s=%d lowered to %d", where, high_key, high, MAX_REPEAT)
        node[high_key] = high = MAX_REPEAT
    if low is not None and high is not None and low > high:
        raise ConfigError(f"schema {where}: {low_key}={low} exceeds {high_key}={high}")


def safe_pattern(pattern: Any, where: str = "#") -> str:
    """An anchored regex without backslash escapes, meaning the same or less.

    >>> safe_pattern("^\\\\d{2}[\\\\-/]x$")
    '^[0-9]{2}[\\\\x2D/]x$'
    """
    if not isinstance(pattern, str):
        raise ConfigError(f"schema {where}: pattern must be a string")
    # JSON Schema patterns match anywhere; anchoring only narrows what is allowed.
    body = pattern[1:] if pattern.startswith("^") else pattern
    body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
    out: list[str] = []
    i, in_class = 0, False
    while i < len(body):
        c = body[i]
        if c == "\\":
            if i + 1 >= len(body):
                raise ConfigError(f"schema {where}: pattern ends with a lone backslash")
            out.append(_rewrite_escape(body[i + 1], in_class, where))
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "^" + "".join(out) + "$"


def _rewrite_escape(e: str, in_class: bool, where: str) -> str:
    if e in _CLASS_SHORTHANDS:
        inner = _CLASS_SHORTHANDS[e]
        return inner if in_class else f"[{inner}]"
    if e in ('"', "\\"):
        raise ConfigError(
            f"schema {where}: a pattern matching {e!r} cannot be constrained safely; drop it"
        )
    if e.isalnum() or e.isspace():
        raise ConfigError(
            f"schema {where}: regex escape \\{e} is not supported by the embedded backend; "
            "write a character class such as [0-9] or [.] instead"
        )
    if e in _CONVERTER_ESCAPES and not in_class:
        return "\\" + e  # the converter turns these into literal characters itself
    hexed = f"\\x{ord(e):02X}" if ord(e) < 0x100 else f"\\u{ord(e):04X}"
    return hexed if in_class else f"[{hexed}]"


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    """Sanitize `schema`, convert it to GBNF and check the grammar; `ConfigError` if unsafe.

    >>> print(schema_to_gbnf({"type": "string", "enum": ['say "hi"']}))
    root ::= "\\"say \\\\\\"hi\\\\\\"\\""
    space ::= " "?
    """
    safe = sanitize_schema(schema)
    try:
        lib: Any = importlib.import_module("llama_cpp.llama_grammar")
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MissingDependencyError(
            f"JSON-schema grammars need llama-cpp-python ({exc}); "
            "run: pip install 'clinreason[embedded]'"
        ) from None

    class _Converter(lib.SchemaConverter):  # type: ignore[misc]
        def _format_literal(self, literal: str) -> str:
            # The library escapes quotes and newlines but not backslashes, which breaks
            # every constant whose JSON form contains a backslash (e.g. an escaped quote).
            escaped = (
                literal.replace("\\", "\\\\")
                .replace('"', '\\"')
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
            return f'"{escaped}"'

        def _add_primitive(self, name: str, rule: Any) -> Any:
            if rule is lib.PRIMITIVE_RULES["char"]:
                # The library allows raw control characters (e.g. newlines) inside strings,
                # which strict JSON parsers reject.
                rule = lib.BuiltinRule(_JSON_CHAR_RULE, [])
            return super()._add_primitive(name, rule)

    converter = _Converter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
    try:
        resolved = converter.resolve_refs(json.loads(json.dumps(safe)), "input")
        converter.visit(resolved, "")
        grammar = str(converter.format_grammar())
    except Exception as exc:  # the converter raises AssertionError/ValueError/KeyError
        raise ConfigError(f"JSON schema not supported by the embedded backend: {exc}") from None
    check_gbnf(grammar)
    return grammar


_JSON_CHAR_RULE = (
    r'[^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F])'
)
_NAME_RE = re.compile(r"[a-zA-Z0-9-]+")


def check_gbnf(grammar: str, *, max_nesting: int = MAX_NESTING) -> None:
    """Reject a grammar llama.cpp's C++ parser would fail on (which crashes the process).

    >>> check_gbnf('root ::= "a" [0-9]+ item*\\nitem ::= ("," "b")?')
    >>> check_gbnf('root ::= "\\\\."')
    Traceback (most recent call last):
    clinreason.errors.ConfigError: invalid grammar: unknown escape \\. at offset 10
    """
    parser = _GbnfChecker(grammar, max_nesting)
    parser.run()


class _GbnfChecker:
    """Iterative scan mirroring llama.cpp's grammar-parser.cpp (no recursion limits)."""

    def __init__(self, text: str, max_nesting: int) -> None:
        self.text = text
        self.pos = 0
        self.max_nesting = max_nesting
        self.defined: set[str] = set()
        self.used: set[str] = set()

    def fail(self, message: str) -> None:
        raise ConfigError(f"invalid grammar: {message} at offset {self.pos}")

    def skip_space(self, newline_ok: bool) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "#":
                while self.pos < len(text) and text[self.pos] not in "\r\n":
                    self.pos += 1
            elif c in " \t" or (newline_ok and c in "\r\n"):
                self.pos += 1
            else:
                return

    def name(self) -> str:
        match = _NAME_RE.match(self.text, self.pos)
        if match is None:
            self.fail("expecting a rule name")
            raise AssertionError  # pragma: no cover - fail() raises
        self.pos = match.end()
        return match.group(0)

    def char(self) -> None:
        text = self.text
        if self.pos >= len(text):
            self.fail("unexpected end of input")
        if text[self.pos] != "\\":
            self.pos += 1
            return
        kind = text[self.pos + 1] if self.pos + 1 < len(text) else ""
        if kind in _GBNF_HEX_ESCAPES:
            digits = text[self.pos + 2 : self.pos + 2 + _GBNF_HEX_ESCAPES[kind]]
            if len(digits) != _GBNF_HEX_ESCAPES[kind] or not all(
                d in "0123456789abcdefABCDEF" for d in digits
            ):
                self.fail(f"bad \\{kind} escape")
            self.pos += 2 + len(digits)
        elif kind in _GBNF_SIMPLE_ESCAPES:
            self.pos += 2
        else:
            self.fail(f"unknown escape \\{kind}")

    def run(self) -> None:
        self.skip_space(True)
        while self.pos < len(self.text):
            self.defined.add(self.name())
            self.skip_space(False)
            if not self.text.startswith("::=", self.pos):
                self.fail("expecting ::=")
            self.pos += 3
            self.skip_space(True)
            self.rule_body()
            self.skip_space(True)
        if "root" not in self.defined:
            self.fail("no root rule")
        undefined = sorted(self.used - self.defined)
        if undefined:
            self.fail(f"undefined rule {undefined[0]}")

    def rule_body(self) -> None:
        """One right-hand side, up to the newline that ends it at nesting level 0."""
        text = self.text
        has_item = [False]  # per open group: does the current sequence have an item?
        while True:
            depth = len(has_item) - 1
            self.skip_space(depth > 0)
            if self.pos >= len(text):
                break
            c = text[self.pos]
            if c in "\r\n":
                break
            if c == '"':
                self.pos += 1
                while self.pos < len(text) and text[self.pos] != '"':
                    self.char()
                if self.pos >= len(text):
                    self.fail("unterminated literal")
                self.pos += 1
                has_item[-1] = True
            elif c == "[":
                self.char_class()
                has_item[-1] = True
            elif _NAME_RE.match(c):
                self.used.add(self.name())
                has_item[-1] = True
            elif c == "(":
                if depth + 1 > self.max_nesting:
                    self.fail(f"nesting deeper than {self.max_nesting}")
                self.pos += 1
                has_item.append(False)
            elif c == ")":
                if depth == 0:
                    self.fail("unbalanced )")
                self.pos += 1
                has_item.pop()
                has_item[-1] = True
            elif c == "|":
                self.pos += 1
                has_item[-1] = False
            elif c == ".":
                self.pos += 1
                has_item[-1] = True
            elif c in "*+?{":
                if not has_item[-1]:
                    self.fail(f"{c} without a preceding item")
                self.repetition()
            else:
                self.fail(f"unexpected {c!r}")
        if len(has_item) > 1:
            self.fail("unbalanced (")

    def char_class(self) -> None:
        text = self.text
        self.pos += 1
        if self.pos < len(text) and text[self.pos] == "^":
            self.pos += 1
        while self.pos < len(text) and text[self.pos] != "]":
            self.char()
            if text.startswith("-", self.pos) and text[self.pos + 1 : self.pos + 2] != "]":
                self.pos += 1
                self.char()
        if self.pos >= len(text):
            self.fail("unterminated character class")
        self.pos += 1

    def repetition(self) -> None:
        if self.text[self.pos] != "{":
            self.pos += 1
            return
        end = self.text.find("}", self.pos)
        body = self.text[self.pos + 1 : end] if end >= 0 else ""
        if end < 0 or not re.fullmatch(r"\s*\d+\s*(,\s*\d*\s*)?", body):
            self.fail("bad {m,n} repetition")
        self.pos = end + 1

"""Schema sanitizing and the GBNF checker that keep llama.cpp from crashing the process."""

from __future__ import annotations

import re

import pytest

from clinreason.backends.grammar import MAX_REPEAT, check_gbnf, safe_pattern, sanitize_schema
from clinreason.errors import ConfigError


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[0-9]+\\.[0-9]+$", "^[0-9]+[\\x2E][0-9]+$"),  # the escape that crashed llama.cpp
        ("[0-9\\.]+", "^[0-9\\x2E]+$"),  # inside a class; anchored since JSON Schema searches
        ("^\\d{3}-\\w+$", "^[0-9]{3}-[a-zA-Z0-9_]+$"),  # shorthands become classes
        ("^a\\(b\\)$", "^a\\(b\\)$"),  # escapes the converter handles itself stay
        ("^x$", "^x$"),
    ],
)
def test_patterns_are_rewritten_without_backslash_escapes(pattern, expected):
    assert safe_pattern(pattern) == expected


@pytest.mark.parametrize("pattern", ["^\\S+$", "^a\\1$", '^\\"$', "^a\\\\b$", "^a\\"])
def test_unsupported_escapes_are_config_errors(pattern):
    with pytest.raises(ConfigError):
        safe_pattern(pattern)


def test_long_strings_and_arrays_are_clamped_deep_inside_the_schema():
    schema = {
        "type": "object",
        "properties": {
            "notes": {
                "type": "array",
                "maxItems": 5000,
                "items": {"type": "string", "maxLength": 1100},
            },
            "alt": {"anyOf": [{"type": "string", "maxLength": 99999}, {"type": "null"}]},
        },
    }
    safe = sanitize_schema(schema)
    assert safe["properties"]["notes"]["maxItems"] == MAX_REPEAT
    assert safe["properties"]["notes"]["items"]["maxLength"] == MAX_REPEAT
    assert safe["properties"]["alt"]["anyOf"][0]["maxLength"] == MAX_REPEAT
    assert schema["properties"]["notes"]["maxItems"] == 5000  # the caller's schema is untouched


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "minLength": 1001},
        {"type": "string", "minLength": 5, "maxLength": 2},
        {"type": "string", "maxLength": -1},
        {"type": "array", "minItems": "3"},
    ],
)
def test_impossible_lengths_are_config_errors(schema):
    with pytest.raises(ConfigError):
        sanitize_schema(schema)


@pytest.mark.parametrize(
    ("grammar", "message"),
    [
        ('root ::= "\\."', "unknown escape"),
        ("root ::= [a-\\q]", "unknown escape"),
        ('root ::= "a" b', "undefined rule b"),
        ('item ::= "a"', "no root rule"),
        ('root ::= ("a"', "unbalanced ("),
        ('root ::= "a")', "unbalanced )"),
        ('root ::= * "a"', "without a preceding item"),
        ('root ::= "a" | +', "without a preceding item"),
        ('root ::= "a', "unterminated literal"),
        ('root ::= "a"{2,x}', "bad {m,n}"),
        ('root ::= "\\x4"', "bad \\x escape"),
        ('root "a"', "expecting ::="),
        ("root ::= " + "(" * 1001 + '"a"' + ")?" * 1001, "nesting deeper than 1000"),
    ],
)
def test_checker_rejects_what_llama_cpp_cannot_parse(grammar, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        check_gbnf(grammar)


def test_checker_accepts_real_grammars():
    check_gbnf(
        'root ::= "{" space ( key ":" value )? "}" # comment\n'
        'key ::= [^"\\\\\\x00-\\x1F]+ | "\\u00e9"\n'
        'value ::= ( "a"\n  | [0-9]{1,3} )*\n'
        'space ::= " "?\n'
        "\n"
    )
    check_gbnf("root ::= " + "(" * 1000 + '"a"' + ")?" * 1000)


def test_converted_schemas_pass_the_checker():
    pytest.importorskip("llama_cpp")
    from clinreason.backends.grammar import schema_to_gbnf

    grammar = schema_to_gbnf(
        {
            "type": "object",
            "properties": {
                'say "hi"': {"type": "string", "enum": ['q"x', "a\\b"]},
                "n": {"type": "integer"},
                "when": {"type": "string", "format": "date"},
                "v": {"type": "string", "pattern": "^[0-9]+\\.[0-9]$"},
            },
            "required": ['say "hi"', "n"],
        }
    )
    assert '"\\"q\\\\\\"x\\""' in grammar  # the quote inside the constant is escaped properly
    with pytest.raises(ConfigError, match="not supported"):
        schema_to_gbnf({"type": "string", "pattern": "^(?:a)$"})
    with pytest.raises(ConfigError, match="nesting deeper"):
        schema_to_gbnf({"type": "string", "pattern": "^a{0,1100}$"})


def test_properties_are_generated_in_schema_order():
    from clinreason.backends.grammar import schema_to_gbnf

    reasoning_first = {
        "type": "object",
        "properties": {"reasoning": {"type": "string"}, "answer": {"type": "string"}},
        "required": ["reasoning", "answer"],
    }
    root = next(
        line for line in schema_to_gbnf(reasoning_first).splitlines() if line.startswith("root")
    )
    assert root.index("reasoning") < root.index("answer")

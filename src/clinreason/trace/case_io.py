"""Reading cases given by a user: a JSON file, or a plain-text note and question."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from clinreason.errors import ConfigError
from clinreason.trace.case import Case

_OPTION = re.compile(r"^\s*\(?([A-J])[.):]\s+(.+?)\s*$")
_QUESTION = re.compile(r"^\s*question\s*:\s*", re.IGNORECASE | re.MULTILINE)


def case_from_dict(data: object, *, source: str = "case") -> Case:
    """Validate a decoded JSON object as a `Case`, with one readable error line."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a case must be a JSON object, got {type(data).__name__}")
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "case"
        raise ConfigError(f"{source}: invalid case: {where}: {first['msg']}") from None


def read_case(path: Path) -> Case:
    """Read a case JSON file.

    Raises:
        ConfigError: missing file, invalid JSON, or a case without a question.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"case file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read case file {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None
    return case_from_dict(data, source=str(path))


def case_from_text(text: str, *, case_id: str = "stdin") -> Case:
    """A case from plain text: the question follows `Question:`, or is the last line.

    Lines like `A. ...` after the question become options.

    >>> c = case_from_text("72-year-old man with fever.\\nQuestion: Next step?\\nA. CT\\nB. MRI")
    >>> c.context, c.question, c.options
    ('72-year-old man with fever.', 'Next step?', {'A': 'CT', 'B': 'MRI'})
    """
    if not text.strip():
        raise ConfigError("no input: give a patient note and a question on stdin")
    if "\x00" in text or any("\udc80" <= ch <= "\udcff" for ch in text):
        raise ConfigError("the input is not text (binary, or not UTF-8): give the note as text")
    marker = list(_QUESTION.finditer(text))
    if marker:
        context, rest = text[: marker[-1].start()], text[marker[-1].end() :]
    else:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        tail = len(lines)
        while tail > 0 and _OPTION.match(lines[tail - 1]):
            tail -= 1
        if tail == 0:
            raise ConfigError("no question found: put it on the last line or after 'Question:'")
        context = "\n".join(lines[: tail - 1])
        rest = "\n".join(lines[tail - 1 :])
    question_lines: list[str] = []
    options: dict[str, str] = {}
    for line in rest.strip().splitlines():
        option = _OPTION.match(line)
        if option and (options or question_lines):
            options[option.group(1)] = option.group(2)
        elif line.strip() and not options:
            question_lines.append(line.strip())
    question = " ".join(question_lines)
    if not question:
        raise ConfigError("no question found: put it on the last line or after 'Question:'")
    return Case(id=case_id, context=context.strip(), question=question, options=options)

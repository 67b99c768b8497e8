"""Clinical argumentation schemes and their critical questions, loaded from `schemes.toml`.

The schemes are data (see the comments in `schemes.toml`), so clinicians can review and
extend them without touching code. `load_schemes()` validates the file and returns a
`SchemeBook`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from clinreason.errors import ConfigError
from clinreason.trace import DataModel

_ID = r"^[a-z][a-z0-9_]*$"


class CriticalQuestion(DataModel, frozen=True):
    """A way to challenge an argument of a scheme."""

    id: str = Field(pattern=_ID)
    question: str
    answered_by: Literal["text_check", "verifier"]
    prompt: str = ""
    """One-line description shown to the verifier model."""


class Scheme(DataModel, frozen=True):
    """An argumentation scheme: a pattern of clinical argument about one option."""

    id: str = Field(pattern=_ID)
    name: str
    stance: Literal["for", "against"]
    priority: int = 1
    """For 'for' schemes: 1 = plain support; >= 2 = a comparison that attacks rival decisions."""
    template: str
    prompt: str
    aliases: tuple[str, ...] = ()
    """Other names a model may use for the scheme; output using them is repaired to `id`."""
    critical_questions: tuple[CriticalQuestion, ...] = ()

    def render(self, *, finding: str, option: str) -> str:
        """The claim of an instance of this scheme.

        >>> load_schemes()["clinical_evidence"].render(finding="fever", option="A")
        'The case states fever, which supports option A.'
        """
        return self.template.format(finding=finding, option=option)

    def question(self, cq_id: str) -> CriticalQuestion | None:
        """The critical question with this id, if the scheme has it."""
        return next((q for q in self.critical_questions if q.id == cq_id), None)


class SchemeBook(DataModel, frozen=True):
    """All schemes, by id."""

    schemes: tuple[Scheme, ...]

    @model_validator(mode="after")
    def _unique(self) -> SchemeBook:
        ids = [s.id for s in self.schemes]
        if len(set(ids)) != len(ids) or not ids:
            raise ValueError("scheme ids must be unique and at least one scheme is needed")
        return self

    def __getitem__(self, scheme_id: str) -> Scheme:
        for s in self.schemes:
            if s.id == scheme_id:
                return s
        raise KeyError(scheme_id)

    def get(self, scheme_id: str) -> Scheme | None:
        """The scheme with this id, or None."""
        return next((s for s in self.schemes if s.id == scheme_id), None)

    def resolve(self, name: str) -> Scheme | None:
        """The scheme named `name` by id or alias (case and punctuation ignored).

        >>> load_schemes().resolve("Contraindication").id
        'side_effect'
        """
        key = _norm(name)
        for s in self.schemes:
            if key == _norm(s.id) or key in {_norm(a) for a in s.aliases}:
                return s
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        """Scheme ids in file order."""
        return tuple(s.id for s in self.schemes)

    def verifier_questions(self) -> dict[str, CriticalQuestion]:
        """Critical questions the verifier model answers, by id (first definition wins)."""
        out: dict[str, CriticalQuestion] = {}
        for s in self.schemes:
            for q in s.critical_questions:
                if q.answered_by == "verifier":
                    out.setdefault(q.id, q)
        return out


def _norm(text: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def parse_schemes(text: str, *, source: str = "<string>") -> SchemeBook:
    """Parse and validate schemes from TOML text.

    Raises:
        ConfigError: the text is not valid TOML or does not describe valid schemes.
    """
    try:
        data = tomllib.loads(text)
        return SchemeBook(schemes=tuple(data.get("scheme", ())))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"invalid argumentation schemes in {source}: {exc}") from exc


@lru_cache(maxsize=8)
def load_schemes(path: str | Path | None = None) -> SchemeBook:
    """The schemes shipped with clinreason, or those in the TOML file at `path`.

    >>> load_schemes().ids
    ('clinical_evidence', 'side_effect', 'best_decision')
    """
    if path is None:
        text = (resources.files(__package__) / "schemes.toml").read_text(encoding="utf-8")
        return parse_schemes(text, source="clinreason/tools/argumentation/schemes.toml")
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"schemes file not found: {p}")
    return parse_schemes(p.read_text(encoding="utf-8"), source=str(p))

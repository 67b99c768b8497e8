"""Dung semantics solved with clingo, using the ASP encodings in `encodings/*.lp`.

Arguments are passed to clingo as integers (their position in the `Framework`), as the facts
`arg(0..n-1).` and `att(i,j).`; answer sets are mapped back to argument ids.

- grounded: grounded.lp, a positive program whose one answer set is the least fixed point;
- complete: complete.lp (guess and check);
- stable: stable.lp;
- preferred: complete.lp + preferred.lp (`#heuristic in(X) : arg(X). [1,true]`) solved with
  `--heuristic=Domain --enum-mode=domRec`, which yields exactly the subset-maximal models.

Credulous acceptance uses clingo's brave consequences, sceptical acceptance its cautious
consequences (stable), the grounded extension (grounded, complete) or the intersection of all
preferred extensions (preferred, bounded by `max_extensions`).
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from typing import Literal, get_args

import clingo

from clinreason.errors import ClinReasonError, ConfigError
from clinreason.tools.argumentation.framework import Framework

log = logging.getLogger(__name__)

Semantics = Literal["grounded", "complete", "preferred", "stable"]
SEMANTICS: tuple[str, ...] = get_args(Semantics)

_PROGRAMS: dict[str, tuple[str, ...]] = {
    "grounded": ("grounded.lp",),
    "complete": ("complete.lp",),
    "stable": ("stable.lp",),
    "preferred": ("complete.lp", "preferred.lp"),
}
_OPTIONS: dict[str, tuple[str, ...]] = {
    "preferred": ("--heuristic=Domain", "--enum-mode=domRec"),
}


class SolverLimitError(ClinReasonError):
    """More extensions exist than the caller allowed to enumerate."""


@cache
def encoding(name: str) -> str:
    """The text of one ASP encoding shipped with the package (e.g. 'complete.lp')."""
    return (resources.files(__package__) / "encodings" / name).read_text(encoding="utf-8")


def _check(semantics: str) -> None:
    if semantics not in SEMANTICS:
        raise ConfigError(f"unknown semantics {semantics!r}; choose one of {', '.join(SEMANTICS)}")


def _facts(fw: Framework) -> str:
    idx = fw.index
    parts = [f"arg(0..{len(fw) - 1}).\n"] if len(fw) else []
    parts.extend(f"att({idx[s]},{idx[t]})." for s, t in fw.attacks)
    return "".join(parts)


def _clingo_log(code: clingo.MessageCode, message: str) -> None:
    log.debug("clingo %s: %s", code, message)


def _solve(
    fw: Framework, semantics: str, *, limit: int = 0, mode: str | None = None
) -> list[frozenset[str]]:
    """Answer sets (as sets of argument ids) of `semantics` on `fw`; `limit` 0 = all."""
    options = [*_OPTIONS.get(semantics, ()), str(limit)]
    if mode is not None:
        options.append(f"--enum-mode={mode}")
    ctl = clingo.Control(options, logger=_clingo_log, message_limit=0)
    program = "\n".join(encoding(name) for name in _PROGRAMS[semantics])
    ctl.add("base", [], _facts(fw) + program)
    ctl.ground([("base", [])])
    names = fw.arguments
    found: list[frozenset[str]] = []

    def on_model(model: clingo.Model) -> None:
        found.append(frozenset(names[s.number] for s in model.symbols(shown=True)))

    ctl.solve(on_model=on_model)
    return found


def _order(extensions: list[frozenset[str]], fw: Framework) -> list[frozenset[str]]:
    idx = fw.index
    return sorted(extensions, key=lambda e: sorted(idx[a] for a in e))


def extensions(
    fw: Framework, semantics: Semantics, *, limit: int | None = None
) -> list[frozenset[str]]:
    """The extensions of `fw` under `semantics`, in a deterministic order.

    Args:
        fw: the framework.
        semantics: 'grounded', 'complete', 'preferred' or 'stable'.
        limit: return at most this many (None = all). Which ones are returned when the limit
            cuts the enumeration is up to the solver, but repeatable.

    Returns:
        A list of extensions (frozensets of argument ids). Grounded always has exactly one;
        stable may have none.

    >>> fw = Framework.of("ab", [("a", "b"), ("b", "a")])
    >>> [sorted(e) for e in extensions(fw, "preferred")]
    [['a'], ['b']]
    >>> [sorted(e) for e in extensions(fw, "complete")]
    [[], ['a'], ['b']]
    """
    _check(semantics)
    if limit is not None and limit < 1:
        raise ConfigError(f"limit must be at least 1 (got {limit})")
    found = _solve(fw, semantics, limit=limit or 0)
    return _order(found, fw)


def grounded(fw: Framework) -> frozenset[str]:
    """The grounded extension of `fw`, solved by clingo.

    >>> sorted(grounded(Framework.of("abc", [("a", "b"), ("b", "c")])))
    ['a', 'c']
    """
    return _solve(fw, "grounded", limit=1)[0]


def one_extension(fw: Framework, semantics: Semantics) -> frozenset[str] | None:
    """One extension under `semantics` (the cheapest query); None when there is none (stable)."""
    _check(semantics)
    found = _solve(fw, semantics, limit=1)
    return found[0] if found else None


def credulous(fw: Framework, semantics: Semantics) -> frozenset[str]:
    """Arguments in at least one extension (none for stable semantics without extensions).

    Credulous preferred = credulous complete (every admissible set extends to a preferred one).

    >>> fw = Framework.of("abc", [("a", "b"), ("b", "a"), ("b", "c")])
    >>> sorted(credulous(fw, "preferred"))
    ['a', 'b', 'c']
    """
    _check(semantics)
    if semantics == "grounded":
        return grounded(fw)
    base = "complete" if semantics == "preferred" else semantics
    found = _solve(fw, base, mode="brave")
    return found[-1] if found else frozenset()


def sceptical(
    fw: Framework, semantics: Semantics, *, max_extensions: int = 10_000
) -> frozenset[str]:
    """Arguments in every extension.

    Sceptical complete = grounded. Under stable semantics a framework without any stable
    extension accepts every argument sceptically (vacuous truth, as in ICCMA); check
    `one_extension(fw, "stable")` first when that matters.

    Raises:
        SolverLimitError: preferred semantics with more than `max_extensions` extensions.

    >>> fw = Framework.of("abcd", [("a", "b"), ("b", "a"), ("a", "c"), ("b", "c"), ("c", "d")])
    >>> sorted(sceptical(fw, "preferred")), sorted(sceptical(fw, "grounded"))
    (['d'], [])
    """
    _check(semantics)
    if semantics in ("grounded", "complete"):
        return grounded(fw)
    if semantics == "stable":
        found = _solve(fw, "stable", mode="cautious")
        return found[-1] if found else frozenset(fw.arguments)
    exts = _solve(fw, "preferred", limit=max_extensions + 1)
    if len(exts) > max_extensions:
        raise SolverLimitError(
            f"more than {max_extensions} preferred extensions; raise max_extensions "
            "or use grounded semantics"
        )
    return frozenset.intersection(*exts)

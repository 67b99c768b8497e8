"""Dung semantics: clingo encodings vs hand-solved textbook frameworks, brute force and the
pure-Python grounded labelling on seeded random frameworks."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from clinreason.errors import ConfigError
from clinreason.tools.argumentation import (
    Framework,
    SolverLimitError,
    credulous,
    extensions,
    grounded,
    grounded_extension,
    grounded_labelling,
    justify,
    one_extension,
    sceptical,
)

# ---------------------------------------------------------------- brute-force reference


def _defended(fw: Framework, s: frozenset[str], a: str) -> bool:
    return all(any((d, b) in set(fw.attacks) for d in s) for b in fw.attackers(a))


def _admissible(fw: Framework, s: frozenset[str]) -> bool:
    return fw.is_conflict_free(s) and all(_defended(fw, s, a) for a in s)


def _subsets(fw: Framework) -> list[frozenset[str]]:
    args = fw.arguments
    return [frozenset(c) for k in range(len(args) + 1) for c in combinations(args, k)]


def brute(fw: Framework, semantics: str) -> set[frozenset[str]]:
    """Extensions by enumerating every subset (small frameworks only)."""
    subsets = _subsets(fw)
    adm = [s for s in subsets if _admissible(fw, s)]
    complete = [s for s in adm if all(a in s for a in fw.arguments if _defended(fw, s, a))]
    if semantics == "complete":
        return set(complete)
    if semantics == "grounded":
        return {frozenset.intersection(*complete)}
    if semantics == "preferred":
        return {s for s in adm if not any(s < t for t in adm)}
    if semantics == "stable":
        return {
            s
            for s in subsets
            if fw.is_conflict_free(s) and fw.attacked_by(s) == set(fw.arguments) - s
        }
    raise AssertionError(semantics)


def random_framework(rng: random.Random, n: int, p: float) -> Framework:
    args = [f"a{i}" for i in range(n)]
    attacks = [(x, y) for x in args for y in args if rng.random() < p]
    return Framework.of(args, attacks)


def sets(exts: list[frozenset[str]]) -> set[frozenset[str]]:
    return set(exts)


def F(*names: str) -> frozenset[str]:  # noqa: N802 - reads like set notation in the tables
    return frozenset(names)


# ---------------------------------------------------------------- textbook frameworks

TEXTBOOK = {
    # name: (arguments, attacks, {semantics: expected extensions})
    "empty": ("", [], {"grounded": [F()], "complete": [F()], "preferred": [F()], "stable": [F()]}),
    "single": ("a", [], {"grounded": [F("a")], "preferred": [F("a")], "stable": [F("a")]}),
    # a self-attacking argument is never accepted and has no stable extension
    "self_attack": ("a", [("a", "a")], {"grounded": [F()], "preferred": [F()], "stable": []}),
    # reinstatement: a defends c against b
    "chain": (
        "abc",
        [("a", "b"), ("b", "c")],
        {"grounded": [F("a", "c")], "stable": [F("a", "c")]},
    ),
    # even cycle: two preferred/stable extensions, nothing sceptically accepted
    "even_cycle": (
        "ab",
        [("a", "b"), ("b", "a")],
        {
            "grounded": [F()],
            "complete": [F(), F("a"), F("b")],
            "preferred": [F("a"), F("b")],
            "stable": [F("a"), F("b")],
        },
    ),
    # odd cycle: only the empty set; no stable extension
    "odd_cycle": (
        "abc",
        [("a", "b"), ("b", "c"), ("c", "a")],
        {"grounded": [F()], "complete": [F()], "preferred": [F()], "stable": []},
    ),
    # an unattacked attacker breaks the odd cycle
    "broken_odd_cycle": (
        "abcd",
        [("d", "a"), ("a", "b"), ("b", "c"), ("c", "a")],
        {"grounded": [F("b", "d")], "preferred": [F("b", "d")], "stable": [F("b", "d")]},
    ),
    # floating acceptance: d is in every preferred extension but not in the grounded one
    "floating": (
        "abcd",
        [("a", "b"), ("b", "a"), ("a", "c"), ("b", "c"), ("c", "d")],
        {
            "grounded": [F()],
            "preferred": [F("a", "d"), F("b", "d")],
            "stable": [F("a", "d"), F("b", "d")],
        },
    ),
    # preferred but not stable: {a} cannot attack the self-attacking c
    "pref_not_stable": (
        "abc",
        [("a", "b"), ("b", "a"), ("b", "c"), ("c", "c")],
        {"grounded": [F()], "preferred": [F("a"), F("b")], "stable": [F("b")]},
    ),
}


@pytest.mark.parametrize("name", TEXTBOOK)
def test_textbook_frameworks(name):
    args, attacks, expected = TEXTBOOK[name]
    fw = Framework.of(list(args), attacks)
    for semantics, exts in expected.items():
        assert sets(extensions(fw, semantics)) == set(exts), semantics
        assert brute(fw, semantics) == set(exts), f"reference disagrees on {semantics}"
    assert grounded_extension(fw) == expected["grounded"][0]


def test_floating_acceptance_sceptical_vs_credulous():
    args, attacks, _ = TEXTBOOK["floating"]
    fw = Framework.of(list(args), attacks)
    assert sceptical(fw, "preferred") == F("d")
    assert sceptical(fw, "grounded") == F()
    assert sceptical(fw, "complete") == F()
    assert credulous(fw, "preferred") == F("a", "b", "d")
    assert credulous(fw, "stable") == F("a", "b", "d")
    assert credulous(fw, "grounded") == F()


def test_stable_without_extension_is_vacuously_sceptical():
    fw = Framework.of(list("abc"), [("a", "b"), ("b", "c"), ("c", "a")])
    assert one_extension(fw, "stable") is None
    assert sceptical(fw, "stable") == F("a", "b", "c")
    assert credulous(fw, "stable") == F()


# ---------------------------------------------------------------- random frameworks


@pytest.mark.parametrize("seed", range(60))
def test_every_semantics_matches_brute_force_on_random_frameworks(seed):
    rng = random.Random(seed)
    fw = random_framework(rng, rng.randint(0, 10), rng.choice([0.1, 0.15, 0.2, 0.35]))
    for semantics in ("grounded", "complete", "preferred", "stable"):
        expected = brute(fw, semantics)
        assert sets(extensions(fw, semantics)) == expected, semantics
        members = [e for e in expected]
        union = frozenset().union(*members) if members else F()
        assert credulous(fw, semantics) == union, f"credulous {semantics}"
        common = frozenset.intersection(*members) if members else frozenset(fw.arguments)
        assert sceptical(fw, semantics) == common, f"sceptical {semantics}"


@pytest.mark.parametrize("seed", range(30))
def test_clingo_grounded_equals_pure_python_on_random_frameworks(seed):
    rng = random.Random(1000 + seed)
    n = rng.choice([5, 20, 60, 150])
    fw = random_framework(rng, n, rng.choice([0.5, 1.0, 2.0, 3.0]) / n)
    assert grounded(fw) == grounded_extension(fw)
    assert extensions(fw, "grounded") == [grounded_extension(fw)]


def test_clingo_grounded_equals_pure_python_on_a_large_sparse_framework():
    rng = random.Random(7)
    n = 2000
    names = [str(i) for i in range(n)]
    attacks = [(names[rng.randrange(n)], names[rng.randrange(n)]) for _ in range(2 * n)]
    fw = Framework.of(names, attacks)
    g = grounded(fw)
    assert g == grounded_extension(fw)
    assert 0 < len(g) < n
    pref = one_extension(fw, "preferred")
    assert pref is not None and g <= pref and fw.is_conflict_free(pref)


# ---------------------------------------------------------------- labelling and justification


def test_grounded_labelling_ranks_and_undecided():
    fw = Framework.of(list("abcde"), [("a", "b"), ("b", "c"), ("d", "e"), ("e", "d")])
    lab = grounded_labelling(fw)
    assert lab.labels == {"a": "in", "b": "out", "c": "in", "d": "undec", "e": "undec"}
    assert lab.rank == {"a": 0, "b": 0, "c": 1}


def test_justification_names_defenders_and_undefeated_attackers():
    fw = Framework.of(list("abcde"), [("a", "b"), ("b", "c"), ("d", "e"), ("e", "d")])
    why = justify(fw, grounded(fw), rank=grounded_labelling(fw).rank)
    assert why["a"].text() == "accepted: no argument attacks it"
    assert why["c"].defenders == {"b": ("a",)}
    assert why["b"].status == "out" and why["b"].undefeated == ("a",)
    assert why["d"].status == "undec" and why["d"].undefeated == ("e",)
    assert "e" in why["d"].text()


def test_justification_does_not_name_an_argument_as_its_own_defender():
    fw = Framework.of(["A1", "B1", "T"], [("A1", "B1"), ("B1", "A1"), ("T", "B1")])
    why = justify(fw, {"A1", "T"})
    assert why["A1"].defenders == {"B1": ("T",)}


# ---------------------------------------------------------------- input validation


def test_framework_rejects_unknown_and_duplicate_arguments():
    with pytest.raises(ConfigError, match="unknown argument"):
        Framework.of(["a"], [("a", "b")])
    with pytest.raises(ConfigError, match="listed twice"):
        Framework(("a", "a"))
    with pytest.raises(ConfigError, match="unknown semantics"):
        extensions(Framework.of(["a"]), "ideal")  # type: ignore[arg-type]


def test_sceptical_preferred_respects_the_enumeration_bound():
    # 6 independent even cycles: 2**6 = 64 preferred extensions
    args = [f"{s}{i}" for i in range(6) for s in "xy"]
    attacks = [(f"x{i}", f"y{i}") for i in range(6)] + [(f"y{i}", f"x{i}") for i in range(6)]
    fw = Framework.of(args, attacks)
    assert len(extensions(fw, "preferred")) == 64
    assert len(extensions(fw, "preferred", limit=5)) == 5
    with pytest.raises(SolverLimitError):
        sceptical(fw, "preferred", max_extensions=10)
    assert sceptical(fw, "preferred") == F()

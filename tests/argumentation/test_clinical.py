"""Schemes, text check, validation of model proposals, graph building and the decision rule."""

from __future__ import annotations

import pytest

from clinreason.errors import ConfigError
from clinreason.tools.argumentation import (
    CaseText,
    Challenge,
    Framework,
    OptionNodes,
    Proposal,
    build_graph,
    decide,
    load_schemes,
    option_nodes,
    parse_schemes,
    validate_challenges,
    validate_proposals,
)

BOOK = load_schemes()
OPTIONS = {"A": "Bacterial meningitis", "B": "Migraine", "C": "Tension headache"}
NOTE = CaseText(
    "A 30-year-old man has fever and neck stiffness. CSF shows neutrophils. "
    "He denies headache aura. Temperature 39.2 C."
)

# ---------------------------------------------------------------- schemes


def test_shipped_schemes_have_critical_questions_for_every_role():
    assert BOOK.ids == ("clinical_evidence", "side_effect", "best_decision")
    for scheme in BOOK.schemes:
        kinds = {q.answered_by for q in scheme.critical_questions}
        assert kinds == {"text_check", "verifier"}, scheme.id
    assert set(BOOK.verifier_questions()) == {
        "weak_evidence",
        "contraindication",
        "better_option",
        "harm_outweighed",
    }
    assert BOOK["side_effect"].stance == "against"
    assert BOOK["best_decision"].priority > BOOK["clinical_evidence"].priority


def test_schemes_file_errors_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="invalid argumentation schemes"):
        parse_schemes("[[scheme]]\nid = 'x'\n")  # missing fields
    with pytest.raises(ConfigError, match="invalid argumentation schemes"):
        parse_schemes("not toml = = =")
    with pytest.raises(ConfigError, match="not found"):
        load_schemes(tmp_path / "missing.toml")


def test_a_clinician_can_add_a_scheme_in_toml(tmp_path):
    path = tmp_path / "schemes.toml"
    path.write_text(
        '[[scheme]]\nid = "guideline"\nname = "Argument from a guideline"\nstance = "for"\n'
        'template = "A guideline recommends {option} given {finding}."\nprompt = "a guideline"\n'
        '  [[scheme.critical_questions]]\n  id = "finding_present"\n'
        '  question = "Is it in the note?"\n  answered_by = "text_check"\n'
    )
    book = load_schemes(path)
    assert book.ids == ("guideline",)
    assert book["guideline"].render(finding="x", option="B") == "A guideline recommends B given x."


# ---------------------------------------------------------------- text check


@pytest.mark.parametrize(
    ("finding", "present"),
    [
        ("fever and neck stiffness", True),  # all content words
        ("neck stiff", True),  # prefix stems: stiff ~ stiffness
        ("Fevers", True),  # case and plural
        ("temperature 39.2", True),  # numbers match exactly
        ("temperature 38.5", False),  # 1 of 2 words
        ("photophobia", False),  # absent
        ("headache aura", False),  # negated in the note ("denies headache aura")
        ("no headache aura", True),  # the negation itself is stated
        ("the patient", False),  # no content words at all
        ("C", False),  # an option letter is no finding, even with "39.2 C" in the note
    ],
)
def test_text_check(finding, present):
    assert NOTE.check(finding).present is present


@pytest.mark.parametrize(
    ("note", "finding", "present"),
    [
        # the shared negation scope: a list after the trigger, beyond a 3-word window
        ("She denies chest pain, palpitations or dyspnea.", "dyspnea", False),
        ("She denies chest pain but reports dyspnea.", "dyspnea", True),  # "but" ends it
        ("Meningeal signs were absent.", "meningeal signs", False),  # post-negation
        ("No increase in seizure frequency.", "seizure frequency", True),  # pseudo-trigger
    ],
)
def test_text_check_uses_the_shared_negation_scope(note, finding, present):
    assert CaseText(note).check(finding).present is present


def test_text_check_reason_lists_missing_and_negated_words():
    match = NOTE.check("headache aura")
    assert match.negated == ("headache", "aura")
    assert "negated in the text" in match.reason()
    assert "missing: photophobia" in NOTE.check("photophobia").reason()


# ---------------------------------------------------------------- proposals


def _props(items, max_count=6):
    return validate_proposals(items, OPTIONS, BOOK, max_count=max_count)


def test_valid_proposals_pass_without_notes():
    items = [
        {"option": "A", "scheme": "clinical_evidence", "finding": "fever"},
        {"option": "B", "scheme": "side_effect", "finding": "fever"},
    ]
    props, notes = _props(items)
    assert [p.option for p in props] == ["A", "B"] and notes == []


@pytest.mark.parametrize(
    ("item", "expected", "note"),
    [
        ({"option": "(b)", "scheme": "clinical_evidence", "finding": "x"}, "B", "read as B"),
        ({"option": "Migraine", "scheme": "clinical_evidence", "finding": "x"}, "B", "mapped to B"),
        ({"option": "C. Tension headache", "scheme": "best", "finding": "x"}, "C", "best_decision"),
        ({"option": "A", "finding": "x"}, "A", "assumed clinical_evidence"),
        ({"option": "A", "scheme": "harm", "finding": "x"}, "A", "read as side_effect"),
        ({"option": "A", "scheme": "x", "finding": "y" * 300}, None, "unknown scheme"),
        ({"option": "A", "finding": "y" * 300}, "A", "cut to 160"),
    ],
)
def test_proposals_are_repaired_or_dropped_with_a_note(item, expected, note):
    props, notes = _props([item])
    assert [p.option for p in props] == ([expected] if expected else [])
    assert any(note in n for n in notes), notes


@pytest.mark.parametrize(
    ("items", "note"),
    [
        ([{"option": "F", "scheme": "clinical_evidence", "finding": "x"}], "unknown option 'F'"),
        ([{"option": "A", "scheme": "clinical_evidence"}], "missing finding"),
        ([{"option": "A", "scheme": "clinical_evidence", "finding": 3}], "missing finding"),
        (["A: fever"], "not a JSON object"),
        ([{"scheme": "clinical_evidence", "finding": "x"}], "missing option"),
    ],
)
def test_unusable_proposals_are_dropped(items, note):
    props, notes = _props(items)
    assert props == []
    assert any(note in n for n in notes), notes


def test_duplicate_and_excess_proposals_are_dropped():
    items = [
        {"option": "A", "scheme": "clinical_evidence", "finding": "Fever, neck stiffness"},
        {"option": "A", "scheme": "clinical_evidence", "finding": "neck stiffness and fever"},
        {"option": "B", "scheme": "clinical_evidence", "finding": "aura"},
        {"option": "C", "scheme": "clinical_evidence", "finding": "stress"},
    ]
    props, notes = _props(items, max_count=2)
    assert [p.option for p in props] == ["A", "B"]
    assert "argument 2 dropped: duplicate of argument 1" in notes
    assert "argument 4 dropped: more than 2 arguments" in notes


# ---------------------------------------------------------------- challenges

PROPS = [
    Proposal("A", "clinical_evidence", "fever and neck stiffness"),
    Proposal("B", "clinical_evidence", "headache"),
    Proposal("C", "side_effect", "fever"),
]


def _chals(items):
    return validate_challenges(items, PROPS, OPTIONS, BOOK, max_count=3)


@pytest.mark.parametrize(
    ("item", "note"),
    [
        ({"target": "G9", "question": "weak_evidence", "finding": "x"}, "dangling attack"),
        ({"target": "V1", "question": "weak_evidence", "finding": "x"}, "not a generator argument"),
        ({"target": "banana", "question": "weak_evidence", "finding": "x"}, "dangling attack"),
        ({"question": "weak_evidence", "finding": "x"}, "missing target"),
        ({"target": "G1", "question": "harm_outweighed", "finding": "x"}, "does not apply"),
        ({"target": "G3", "question": "weak_evidence", "finding": "x"}, "does not apply"),
        ({"target": "G1", "question": "finding_present", "finding": "x"}, "does not apply"),
        ({"target": "G1", "question": "weak_evidence"}, "missing finding"),
        (
            {"target": "G1", "question": "better_option", "finding": "x", "option": "A"},
            "own option",
        ),
        # restating (part of) the attacked argument's own finding is no evidence against it
        ({"target": "G1", "question": "weak_evidence", "finding": "Neck stiffness"}, "restates"),
        ({"target": "G2", "question": "weak_evidence", "finding": "headache."}, "restates"),
    ],
)
def test_unusable_challenges_are_dropped(item, note):
    chals, notes = _chals([item])
    assert chals == []
    assert any(note in n for n in notes), notes


def test_challenges_are_repaired():
    items = [
        {"target": "g2", "question": "weak_evidence", "finding": "fever"},
        {"target": 1, "question": "better_option", "finding": "aura", "option": "Z"},
        {"target": "G2", "question": "weak_evidence", "finding": "Fever"},  # duplicate
        {"target": "G3", "question": "harm_outweighed", "finding": "neck stiffness"},
        {"target": "G1", "question": "contraindication", "finding": "x"},  # over the bound
    ]
    chals, notes = _chals(items)
    assert chals == [
        Challenge("G2", "weak_evidence", "fever"),
        Challenge("G1", "better_option", "aura", None),
        Challenge("G3", "harm_outweighed", "neck stiffness"),
    ]
    assert "attack 1 repaired: target 'g2' read as G2" in notes
    assert any("unknown option 'Z'" in n and "kept without" in n for n in notes)
    assert "attack 3 dropped: duplicate of attack 1" in notes
    assert "attack 5 dropped: more than 3 attacks" in notes


# ---------------------------------------------------------------- graph and decision


def _decide(props, chals=(), **kw):
    graph = build_graph(NOTE, props, list(chals), BOOK)
    fw = Framework.from_graph(graph)
    return graph, decide(fw, option_nodes(graph, BOOK), list(OPTIONS), **kw)


def _edges(graph):
    return {(e.source, e.target) for e in graph.attacks}


def test_graph_structure_is_linear_with_decision_arguments():
    props = [
        Proposal("A", "clinical_evidence", "fever and neck stiffness"),
        Proposal("A", "clinical_evidence", "CSF shows neutrophils"),
        Proposal("B", "clinical_evidence", "photophobia"),
        Proposal("B", "side_effect", "fever"),
    ]
    graph, _ = _decide(props)
    assert _edges(graph) == {
        ("N_A", "D_A"),
        ("N_B", "D_B"),
        ("D_A", "D_B"),
        ("D_B", "D_A"),
        ("G1", "N_A"),
        ("G2", "N_A"),
        ("G3", "N_B"),
        ("G4", "D_B"),  # side effect attacks the decision for B
        ("T1", "G3"),  # photophobia is not in the note
    }
    assert {(e.source, e.target) for e in graph.supports} == {
        ("G1", "D_A"),
        ("G2", "D_A"),
        ("G3", "D_B"),
    }
    nodes = option_nodes(graph, BOOK)
    assert nodes["A"] == OptionNodes("A", "D_A", "N_A", ("G1", "G2"))
    assert nodes["B"].supporters == ("G3",)


def test_text_check_defeats_unsupported_rival_and_grounded_decides():
    props = [
        Proposal("A", "clinical_evidence", "fever and neck stiffness"),
        Proposal("B", "clinical_evidence", "photophobia"),
    ]
    _, d = _decide(props)
    assert d.option == "A" and d.status == "grounded" and d.semantics == "grounded"
    assert d.extension == {"G1", "T1", "D_A", "N_B"}
    # contest of A: D_B attacks D_A (defeated); 1 accepted supporter: c = 1/2 -> 1 - 1/4
    assert d.confidence == 0.75


def test_side_effect_attacks_its_option_and_verifier_can_reinstate():
    props = [
        Proposal("A", "clinical_evidence", "fever"),
        Proposal("A", "side_effect", "neck stiffness"),
    ]
    _, d = _decide(props)
    assert d.option is None and d.status == "none"
    chal = [Challenge("G2", "harm_outweighed", "CSF shows neutrophils")]
    _, d = _decide(props, chal)
    assert d.option == "A" and d.status == "grounded"


def test_verifier_attack_citing_an_absent_finding_is_itself_defeated():
    props = [Proposal("A", "clinical_evidence", "fever")]
    graph, d = _decide(props, [Challenge("G1", "weak_evidence", "rash on palms")])
    assert d.option == "A"
    assert {"T1", "G1", "D_A"} <= d.extension and "V1" not in d.extension
    assert any(a.id == "T1" and a.author == "text_check" for a in graph.arguments)


def test_comparison_outranks_a_single_finding():
    props = [
        Proposal("A", "clinical_evidence", "fever"),
        Proposal("B", "best_decision", "neck stiffness"),
    ]
    graph, d = _decide(props)
    assert ("G2", "D_A") in _edges(graph)
    assert d.option == "B" and d.status == "grounded"
    # two rival comparisons attack each other: no sceptical winner, the tie rule decides
    props.append(Proposal("A", "best_decision", "CSF shows neutrophils"))
    graph, d = _decide(props)
    assert {("G2", "G3"), ("G3", "G2")} <= _edges(graph)
    assert d.status == "credulous_preferred" and d.option == "A"  # 2 vs 1 supporters


def test_preferred_tie_rule_prefers_more_support_then_less_contest_then_order():
    # both options supported and unattacked: grounded accepts neither decision
    props = [
        Proposal("B", "clinical_evidence", "fever"),
        Proposal("A", "clinical_evidence", "neck stiffness"),
    ]
    _, d = _decide(props)
    assert d.option == "A" and d.status == "credulous_preferred"  # equal: option order
    assert "grounded accepts no option" in d.rule and "earlier option" in d.rule
    assert d.confidence == pytest.approx(0.6 * 0.75)
    _, strict = _decide(props, fallback=False)
    assert strict.option is None and strict.status == "none"
    props.append(Proposal("B", "clinical_evidence", "CSF shows neutrophils"))
    _, d = _decide(props, semantics="preferred")
    assert d.option == "B" and "2 vs 1 supporting arguments" in d.rule
    assert d.semantics == "preferred" and d.n_extensions == 2
    # less contested wins when support is equal
    props = [
        Proposal("A", "clinical_evidence", "neck stiffness"),
        Proposal("B", "clinical_evidence", "fever"),
    ]
    _, d = _decide(props, [Challenge("G1", "weak_evidence", "rash on palms")])
    assert d.option == "B" and "1 vs 2 contesting arguments" in d.rule


def test_floating_acceptance_of_an_option_is_sceptical_preferred():
    # x <-> y; A is supported by a1 (attacked by y) or a2 (attacked by x): every preferred
    # extension accepts A, through different arguments, while grounded accepts nothing.
    nodes = {"A": OptionNodes("A", "D_A", "N_A", ("a1", "a2"))}
    attacks = [("x", "y"), ("y", "x"), ("y", "a1"), ("x", "a2")]
    attacks += [("a1", "N_A"), ("a2", "N_A"), ("N_A", "D_A")]
    fw = Framework.of(["x", "y", "a1", "a2", "N_A", "D_A"], attacks)
    d = decide(fw, nodes, ["A", "B"], semantics="preferred")
    assert d.option == "A" and d.status == "sceptical_preferred" and d.n_extensions == 2
    assert d.candidates == {"A": 1}
    # contest of A: y and x (on a1, a2) = 2; 1 accepted supporter: c = 2/3
    assert d.confidence == pytest.approx(0.8 * (1 - (2 / 3) / 2), abs=1e-3)
    grounded_first = decide(fw, nodes, ["A", "B"], semantics="grounded")
    assert grounded_first.option == "A" and "grounded accepts no option" in grounded_first.rule

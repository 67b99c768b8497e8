"""The likelihood-ratio ranker and its explanations on a hand-made graph with known answers."""

from __future__ import annotations

import math

import pytest

from clinreason.errors import ConfigError, InputError
from clinreason.tools.kg import Annotation, Disease, HPOGraph, InMemoryGraph, Term
from clinreason.tools.kg.explain import explain_disease, render_differential
from clinreason.tools.kg.rank import DifferentialRanker, RankConfig, ranker_for
from clinreason.tools.kg.similarity import SetSimilarity

LABELS = {
    "R": "Phenotypic abnormality",
    "EYE": "Abnormality of the eye",
    "EL": "Ectopia lentis",
    "MY": "Myopia",
    "HMY": "High myopia",
    "HRT": "Abnormality of the heart",
    "AD": "Aortic dilatation",
    "ARD": "Aortic root dilatation",
    "SZ": "Seizure",
    "FSZ": "Focal seizure",
    "GSZ": "Generalized seizure",
    "SK": "Skeletal abnormality",
    "AR": "Arachnodactyly",
    "TS": "Tall stature",
}
PARENTS = {
    "EYE": ["R"],
    "EL": ["EYE"],
    "MY": ["EYE"],
    "HMY": ["MY"],
    "HRT": ["R"],
    "AD": ["HRT"],
    "ARD": ["AD"],
    "SZ": ["R"],
    "FSZ": ["SZ"],
    "GSZ": ["SZ"],
    "SK": ["R"],
    "AR": ["SK"],
    "TS": ["SK"],
}


def _d(did: str, label: str, **freqs: float) -> Disease:
    return Disease(did, label, tuple(Annotation(t, f) for t, f in freqs.items()))


@pytest.fixture(scope="module")
def graph() -> InMemoryGraph:
    """Four diseases: Marfan-like, homocystinuria-like, an epilepsy, isolated ectopia lentis."""
    diseases = [
        _d("D:MFS", "Marfan-like", EL=0.6, ARD=0.8, AR=0.9, TS=0.7),
        _d("D:HCY", "Homocystinuria-like", EL=0.9, HMY=0.5, SZ=0.3, AR=0.5),
        _d("D:EPI", "Focal epilepsy", FSZ=0.9, GSZ=0.4),
        _d("D:LENS", "Ectopia lentis, isolated", EL=1.0),
    ]
    terms = [Term(k, v) for k, v in LABELS.items()]
    return InMemoryGraph(terms, PARENTS, diseases, root="R", source="toy")


@pytest.fixture(scope="module")
def ranker(graph: InMemoryGraph) -> DifferentialRanker:
    """Absences weighed by their source frequency (the LR model as written in `rank`)."""
    return DifferentialRanker(graph, RankConfig(excluded_frequency_scale=1.0))


@pytest.mark.parametrize(
    ("observed", "excluded", "expected"),
    [
        (["EL", "ARD", "AR"], [], ["D:MFS", "D:HCY", "D:LENS", "D:EPI"]),
        # HCY explains the lens exactly and the focal seizure through its more general 'Seizure'
        (["EL", "FSZ"], [], ["D:HCY", "D:EPI", "D:LENS", "D:MFS"]),
        (["EL", "AR"], [], ["D:MFS", "D:HCY", "D:LENS", "D:EPI"]),
        # ... until aortic dilatation is excluded: MFS usually shows it (0.8), HCY never does
        (["EL", "AR"], ["AD"], ["D:HCY", "D:MFS", "D:LENS", "D:EPI"]),
        (["EL"], [], ["D:LENS", "D:HCY", "D:MFS", "D:EPI"]),
    ],
)
def test_known_rankings(
    ranker: DifferentialRanker, observed: list[str], excluded: list[str], expected: list[str]
) -> None:
    ranked = ranker.rank(observed, excluded, top_k=None)
    assert [r.disease for r in ranked] == expected
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert math.isclose(sum(r.posterior for r in ranked), 1.0)
    query = ranker.prepare(observed, excluded)
    assert ranker.rank_of(query, expected[-1]) == 4


def test_hand_computed_scores(ranker: DifferentialRanker) -> None:
    """LRs from the module docstring, worked out by hand (q = (n_with + 1) / (n + 1), n = 4)."""
    lrs = {r.disease: r.log_lr for r in ranker.rank(["EL", "FSZ"], top_k=None)}
    assert lrs["D:HCY"] == pytest.approx(math.log(0.9 / (0.5 * 0.8)) + math.log(0.3 / 0.3))
    assert lrs["D:EPI"] == pytest.approx(math.log(0.01) + math.log(0.9 / (0.5 * 0.4)))
    assert lrs["D:LENS"] == pytest.approx(math.log(1.0 / 0.4) + math.log(0.01))


def test_hand_computed_fused_score(ranker: DifferentialRanker) -> None:
    """score = log LR + λ · n_observed · funSimAvg, the similarity worked out by hand.

    IC = -log(fraction of the 4 diseases annotated with the term or below): EYE, EL log 4/3;
    SZ, SK, AR log 2; MY, HMY, FSZ log 4; R 0. For D:HCY (EL, HMY, SZ, AR) and the patient
    (EL, FSZ): patient → disease EL 1, FSZ ~ SZ = IC(SZ, R) / IC(R, SZ) = 1, mean 1; disease →
    patient EL 1, HMY ~ EL = log(4/3) / (log 4 + log(4/3)), SZ ~ FSZ 1, AR 0, mean of the four.
    """
    r = {x.disease: x for x in ranker.rank(["EL", "FSZ"], top_k=None)}["D:HCY"]
    hmy = math.log(4 / 3) / (math.log(4) + math.log(4 / 3))
    sim = (1 + (1 + hmy + 1 + 0) / 4) / 2
    assert r.similarity == pytest.approx(sim)
    lam = ranker.config.similarity_weight
    assert r.similarity_term == pytest.approx(lam * 2 * sim)
    assert r.score == pytest.approx(r.log_lr + lam * 2 * sim)


def _plain_graph() -> InMemoryGraph:
    """No frequencies (like hpo3): a compact and a sprawling disease sharing one finding."""
    terms = [Term(k, v) for k, v in LABELS.items()]
    diseases = [
        Disease("D:BIG", "Sprawling", tuple(Annotation(t) for t in ("EL", "ARD", "FSZ", "TS"))),
        Disease("D:SMALL", "Compact", (Annotation("EL"), Annotation("HMY"))),
        Disease("D:OTHER", "Other", (Annotation("AR"),)),
    ]
    return InMemoryGraph(terms, PARENTS, diseases, root="R", source="plain")


def test_similarity_separates_equal_likelihood_ratios() -> None:
    """Both diseases explain 'Ectopia lentis' exactly (equal LRs without frequencies); the set
    similarity prefers the one with fewer findings the patient lacks."""
    graph = _plain_graph()
    lr_only = DifferentialRanker(graph, RankConfig(similarity_weight=0))
    fused = DifferentialRanker(graph)
    a = {r.disease: r for r in lr_only.rank(["EL", "MY"], top_k=None)}
    assert a["D:BIG"].log_lr < a["D:SMALL"].log_lr  # MY ~ HMY: SMALL explains both findings
    b = lr_only.rank(["EL"], top_k=None)
    assert b[0].score == b[1].score and [r.disease for r in b[:2]] == ["D:BIG", "D:SMALL"]
    query = lr_only.prepare(["EL"])
    assert lr_only.rank_span(query, "D:SMALL") == (1, 1, 1)  # tied: rank 1 or 2, listed 2nd
    c = fused.rank(["EL"], top_k=None)
    assert [r.disease for r in c] == ["D:SMALL", "D:BIG", "D:OTHER"]
    assert c[0].log_lr == c[1].log_lr and c[0].similarity > c[1].similarity
    assert fused.rank_span(fused.prepare(["EL"]), "D:SMALL") == (1, 0, 0)


def test_excluded_terms_weigh_only_with_a_frequency(ranker: DifferentialRanker) -> None:
    """An absent finding counts against a disease in proportion to how often it shows it; when
    the source gives no frequency (hpo3) the absence is no evidence (`excluded_frequency` 0)."""
    with_f = {r.disease: r.log_lr for r in ranker.rank(["EL"], ["ARD"], top_k=None)}
    base = {r.disease: r.log_lr for r in ranker.rank(["EL"], top_k=None)}
    assert with_f["D:MFS"] - base["D:MFS"] < with_f["D:HCY"] - base["D:HCY"]
    plain = DifferentialRanker(_plain_graph())
    without = {r.disease: r.log_lr for r in plain.rank(["EL"], ["ARD"], top_k=None)}
    base = {r.disease: r.log_lr for r in plain.rank(["EL"], top_k=None)}
    shift = {d: without[d] - base[d] for d in base}
    assert shift["D:BIG"] == pytest.approx(shift["D:SMALL"])
    weighed = DifferentialRanker(_plain_graph(), RankConfig(excluded_frequency=0.3))
    w = {r.disease: r.log_lr for r in weighed.rank(["EL"], ["ARD"], top_k=None)}
    assert w["D:BIG"] - base["D:BIG"] == pytest.approx(shift["D:SMALL"] + math.log(0.7))


def test_set_similarity_matches_hpo3(hpo: HPOGraph) -> None:
    """The vectorised similarity reproduces hpo3's graphic IC term similarity and funSimAvg."""
    from pyhpo import HPOSet, Ontology

    sim = SetSimilarity(hpo, phenotype_only=False)
    pairs = [
        ("HP:0001250", "HP:0002069"),
        ("HP:0001166", "HP:0001083"),
        ("HP:0000369", "HP:0001250"),
        ("HP:0004322", "HP:0001510"),
    ]
    for a, b in pairs:
        want = Ontology.get_hpo_object(a).similarity_score(
            Ontology.get_hpo_object(b), kind="omim", method="graphic"
        )
        assert sim.term_similarity(a, b) == pytest.approx(want, abs=1e-5)
    patient = ["HP:0001166", "HP:0001083", "HP:0002616", "HP:0001250"]
    scores = sim.scores(patient)
    pset = HPOSet([Ontology.get_hpo_object(t) for t in patient])
    by_id = {f"OMIM:{d.id}": d for d in Ontology.omim_diseases}
    for did in ("OMIM:154700", "OMIM:236200", "OMIM:121050"):
        disease = by_id[did]
        want = pset.similarity(
            HPOSet.from_queries(list(disease.hpo)), kind="omim", method="graphic",
            combine="funSimAvg",
        )  # fmt: skip
        assert scores[sim.ids.index(did)] == pytest.approx(want, abs=1e-5)


def test_unknown_ids_are_listed(ranker: DifferentialRanker) -> None:
    with pytest.raises(InputError) as err:
        ranker.rank(["EL", "HP:9999998", "HP:9999999"], ["NOPE"])
    message = str(err.value)
    for bad in ("HP:9999998", "HP:9999999", "NOPE"):
        assert bad in message
    assert "EL," not in message


def test_no_observed_term_is_an_error(ranker: DifferentialRanker) -> None:
    with pytest.raises(InputError, match="no observed"):
        ranker.rank([], ["EL"])


def test_query_cleaning(ranker: DifferentialRanker) -> None:
    q = ranker.prepare(["MY", "HMY", "R"], ["EYE", "EL", "TS"])
    assert q.observed == ("HMY",)  # Myopia implied by High myopia; the root is no finding
    assert q.excluded == ("TS",)  # the eye cannot be absent when high myopia is present
    reasons = dict(q.dropped)
    assert "implied" in reasons["MY"] and "not a phenotypic" in reasons["R"]


def test_bad_graph_is_rejected() -> None:
    with pytest.raises(ConfigError, match="unknown"):
        InMemoryGraph([Term("R", "root")], {"X": ["R"]}, [], root="R")


@pytest.mark.parametrize(
    ("observed", "excluded"),
    [
        (["EL", "ARD", "AR"], []),
        (["EL", "FSZ"], []),
        (["EL", "AR"], ["AD"]),
        (["MY", "GSZ"], ["TS"]),
    ],
)
def test_explanation_adds_up_to_the_score(
    ranker: DifferentialRanker, observed: list[str], excluded: list[str]
) -> None:
    query = ranker.prepare(observed, excluded)
    for r in ranker.rank_query(query, top_k=None):
        e = explain_disease(ranker, query, r)
        assert e.log_lr_total == pytest.approx(r.log_lr)
        assert e.total == pytest.approx(r.score)
        assert len(e.explained) + len(e.unexplained) == len(query.observed)
        assert len(e.contradicted) + len(e.excluded_ok) == len(query.excluded)


def test_explanation_paths(ranker: DifferentialRanker, graph: InMemoryGraph) -> None:
    query = ranker.prepare(["AD", "FSZ", "MY"], ["TS"])
    by = {r.disease: r for r in ranker.rank_query(query, top_k=None)}
    mfs = explain_disease(ranker, query, by["D:MFS"])
    ad = next(m for m in mfs.explained if m.patient_term == "AD")
    assert (ad.relation, ad.annotated_term, ad.path) == (
        "annotated_more_specific",
        "ARD",
        ("AD", "ARD"),
    )
    my = next(m for m in mfs.explained if m.patient_term == "MY")
    assert (my.relation, my.via, my.path) == ("related", "EYE", ("MY", "EYE", "EL"))
    assert [t for t, _ in mfs.unexplained] == ["FSZ"]
    assert [m.patient_term for m in mfs.contradicted] == ["TS"]
    assert [t for t, _ in mfs.missing] == ["AR", "EL"]  # most frequent first; AD, TS reported
    hcy = explain_disease(ranker, query, by["D:HCY"])
    fsz = next(m for m in hcy.explained if m.patient_term == "FSZ")
    assert (fsz.relation, fsz.path) == ("patient_more_specific", ("FSZ", "SZ"))
    my = next(m for m in hcy.explained if m.patient_term == "MY")
    assert (my.relation, my.path) == ("annotated_more_specific", ("MY", "HMY"))
    lines = render_differential(
        {"graph": "toy", "differential": [mfs.to_json(graph), hcy.to_json(graph)]}
    )
    text = "\n".join(lines)
    assert "Myopia → Abnormality of the eye ← Ectopia lentis" in text
    assert "does not explain Focal seizure" in text
    assert "contradicted: Tall stature is absent" in text
    assert "Focal seizure → Seizure" in text


def test_explanations_are_faithful_on_hpo(hpo: HPOGraph) -> None:
    """On the real graph too, each explanation's log LRs add up to the ranker's score."""
    ranker = ranker_for(hpo)
    query = ranker.prepare(
        ["HP:0001166", "HP:0001083", "HP:0002616", "HP:0001250", "HP:0000369"],
        ["HP:0000098", "HP:0001382"],
    )
    for r in ranker.rank_query(query, top_k=8):
        e = explain_disease(ranker, query, r)
        assert e.log_lr_total == pytest.approx(r.log_lr)
        assert e.total == pytest.approx(r.score)
        for m in e.explained:
            assert m.path[0] == m.patient_term and m.path[-1] == m.annotated_term

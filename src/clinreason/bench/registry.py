"""Build benchmarks from names and parameters (CLI `-P key=value`, `run.json` specs)."""

from __future__ import annotations

import dataclasses
from typing import Any

from clinreason.errors import ConfigError
from clinreason.trace import ComponentSpec


def make_benchmark(name: str, params: dict[str, Any] | None = None) -> Any:
    """An instance of the registered benchmark `name` with constructor `params`.

    >>> make_benchmark("mirage", {"subsets": ["medqa"]}).subsets
    ('medqa',)

    Raises:
        ConfigError: unknown name or bad parameters.
    """
    from clinreason.bench import BENCHMARKS

    if name not in BENCHMARKS:
        raise ConfigError(
            f"unknown benchmark {name!r}; choose from {', '.join(sorted(BENCHMARKS))}"
        )
    cls = BENCHMARKS[name]
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in (params or {}).items()}
    if dataclasses.is_dataclass(cls):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ConfigError(
                f"benchmark {name!r} has no parameter {', '.join(unknown)}; "
                f"it takes: {', '.join(sorted(known)) or 'none'}"
            )
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"bad parameters for benchmark {name!r}: {exc}") from None


def benchmark_from_spec(spec: ComponentSpec) -> Any:
    """Re-create the benchmark a run recorded in `run.json`."""
    return make_benchmark(spec.name, dict(spec.params))

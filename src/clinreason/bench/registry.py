"""Build benchmarks from names and parameters (CLI `-P key=value`, `run.json` specs)."""

from __future__ import annotations

import dataclasses
from typing import Any

from clinreason.errors import ConfigError
from clinreason.trace import ComponentSpec


def build(what: str, name: str, registry: dict[str, Any], params: dict[str, Any] | None) -> Any:
    """An instance of `registry[name]` (a `what`: "benchmark", "probe kind") with `params`;
    JSON lists become tuples.

    Raises:
        ConfigError: unknown name, unknown parameter, or bad parameters.
    """
    if name not in registry:
        raise ConfigError(f"unknown {what} {name!r}; choose from {', '.join(sorted(registry))}")
    cls = registry[name]
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in (params or {}).items()}
    if dataclasses.is_dataclass(cls):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ConfigError(
                f"{what} {name!r} has no parameter {', '.join(unknown)}; "
                f"it takes: {', '.join(sorted(known)) or 'none'}"
            )
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"bad parameters for {what} {name!r}: {exc}") from None


def make_benchmark(name: str, params: dict[str, Any] | None = None) -> Any:
    """An instance of the registered benchmark `name` with constructor `params`.

    >>> make_benchmark("mirage", {"subsets": ["medqa"]}).subsets
    ('medqa',)

    Raises:
        ConfigError: unknown name or bad parameters.
    """
    from clinreason.bench import BENCHMARKS

    return build("benchmark", name, BENCHMARKS, params)


def benchmark_from_spec(spec: ComponentSpec) -> Any:
    """Re-create the benchmark a run recorded in `run.json`."""
    return make_benchmark(spec.name, dict(spec.params))

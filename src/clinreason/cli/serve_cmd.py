"""`clinreason serve` (HTTP API) and `clinreason mcp` (MCP server over stdio)."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

import click

from clinreason.cli._common import backend_from_options, backend_options
from clinreason.errors import ConfigError, MissingDependencyError

_EXTRA = "pip install 'clinreason[serve]'"


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (127.0.0.0/8, ::1, 'localhost').

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def read_token(token_env: str | None, host: str) -> str | None:
    """The access token from the environment variable `token_env` (never from the command line).

    Raises:
        ConfigError: the variable is named but empty or unset, or the host is not loopback
            and there is no token.
    """
    token = None
    if token_env:
        token = os.environ.get(token_env, "").strip()
        if not token:
            raise ConfigError(f"--token-env {token_env}: that environment variable is empty")
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host} without an access token: set one in an environment "
            "variable and name it with --token-env (or bind 127.0.0.1)"
        )
    return token


def _backend_factory(options: dict[str, Any]) -> Any:
    backend = backend_from_options(**options)  # fails now, in one line, on a bad option
    return lambda: backend


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port (0: any free).")
@click.option(
    "--token-env",
    default=None,
    metavar="NAME",
    help="Environment variable holding the access token clients send as 'Authorization: "
    "Bearer <token>'. Required unless the host is loopback.",
)
@click.option(
    "--max-body", type=int, default=1_048_576, show_default=True, help="Largest request (bytes)."
)
@click.option(
    "--queue", type=int, default=4, show_default=True, help="Requests that may wait for the model."
)
@click.option(
    "--runs",
    "runs_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Directory of run directories (from `clinreason eval`) to browse at /runs.",
)
@backend_options
def serve(
    host: str,
    port: int,
    token_env: str | None,
    max_body: int,
    queue: int,
    runs_root: Path | None,
    **backend_opts: Any,
) -> None:
    """Serve the web page and the HTTP API (explain, verify, calculate, differential) on
    HOST:PORT.

    Binds 127.0.0.1 by default. Any other address needs an access token (--token-env). The
    model runs one generation at a time; up to --queue requests wait, more get 503. Patient text
    is never written to the log. OpenAPI: http://HOST:PORT/openapi.json. With --runs DIR, the
    runs under DIR can be browsed, filtered and compared at /runs.

    \b
    Examples:
      clinreason serve
      clinreason serve --backend fake --port 8010
      clinreason serve --runs runs/
      CLINREASON_TOKEN=... clinreason serve --host 0.0.0.0 --token-env CLINREASON_TOKEN
    """
    try:
        import uvicorn

        from clinreason.api.app import Limits, create_app
    except ImportError as exc:
        raise MissingDependencyError(
            f"clinreason serve needs FastAPI and uvicorn: {_EXTRA}"
        ) from exc
    token = read_token(token_env, host)
    if max_body < 1 or queue < 0:
        raise ConfigError("--max-body must be >= 1 and --queue >= 0")
    factory = _backend_factory(backend_opts)
    spec = factory().spec  # built already; the model itself loads on the first request
    model = spec.params.get("model")
    app = create_app(
        factory,
        token=token,
        limits=Limits(max_body_bytes=max_body, queue=queue),
        backend_label=f"{spec.name} ({model})" if model else spec.name,
        runs_root=runs_root,
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"clinreason on http://{shown}:{port}/  (OpenAPI: /openapi.json)", err=True)
    click.echo("A research and decision-support tool, not a medical device.", err=True)
    # access_log off: request lines carry no body, but nothing about a patient belongs in a log
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@click.command()
@backend_options
def mcp(**backend_opts: Any) -> None:
    """Run the MCP server on stdin/stdout (tools: calculate, list_calculators, differential,
    explain, verify). Every calculator result carries its published reference.

    \b
    Example client configuration:
      {"command": "clinreason", "args": ["mcp", "--backend", "embedded"]}
    """
    try:
        from clinreason.api.mcp_server import serve_stdio
    except ImportError as exc:
        raise MissingDependencyError(f"clinreason mcp needs the mcp SDK: {_EXTRA}") from exc
    serve_stdio(_backend_factory(backend_opts))


COMMANDS = (serve, mcp)

"""`clinreason serve` as a child process on a free loopback port, for scripts, benchmarks and
tests: `with local_server("--backend", "fake") as url: ...`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

CLI = Path(sys.executable).with_name("clinreason")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_server(
    *options: str,
    log: Path | None = None,
    log_level: str = "WARNING",
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run `clinreason --log-level LOG_LEVEL serve --port PORT OPTIONS...` until the block ends;
    yields its URL once `/healthz` answers. Its stderr goes to `log` (else nowhere).

    Raises:
        RuntimeError: the server exited or did not answer within `timeout` seconds.
    """
    port = free_port()
    cmd = [str(CLI), "--log-level", log_level, "serve", "--port", str(port), *options]
    with log.open("w") if log else open(os.devnull, "w") as err:
        proc = subprocess.Popen(cmd, stderr=err, env=None if env is None else dict(env))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                said = log.read_text()[-2000:] if log else "(no log kept)"
                raise RuntimeError(f"clinreason serve exited early: {said}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"clinreason serve did not answer in {timeout} s") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

"""A scripted OpenAI-compatible server with a fixed latency, for fan-out tests and benchmarks.

`python -m clinreason.backends.scripted_server --port 8101 --latency 0.2` answers
`POST /v1/chat/completions` after `latency` seconds with the fake backend's schema-shaped reply
(`clinreason.backends.demo_reply`: the first allowed answer; no model is called) and
`GET /v1/models` at once. `--garbage` makes completions return a non-JSON body (an endpoint
the fan-out must quarantine). A request with `"stream": true` gets the reply as server-sent
events, word by word, `--token-delay` seconds apart (after the latency), as OpenAI's servers
stream, with a usage chunk when `stream_options.include_usage` asks (a plain reply takes as
long). One thread per connection, standard library only; it prints its URL on stdout once
listening. `scripted_servers` starts several for a test or benchmark; `scripted_server_thread`
starts one inside this process with replies of the caller's choosing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from clinreason.backends import demo_reply
from clinreason.backends.streaming import word_pieces
from clinreason.trace import GenerateRequest, Message


def reply_for(body: dict[str, Any]) -> str:
    """The scripted completion text for a chat-completions request body."""
    fmt = body.get("response_format") or {}
    schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
    messages = tuple(
        Message(role=m.get("role", "user"), content=str(m.get("content", "")))
        for m in body.get("messages") or [{"role": "user", "content": ""}]
    )
    return demo_reply(GenerateRequest(messages=messages, json_schema=schema))


def _logprobs(body: dict[str, Any], words: list[str]) -> dict[str, Any] | None:
    """Made-up log-probabilities of `words` when the request asks for them."""
    if not body.get("logprobs"):
        return None
    return {"content": [{"token": w, "logprob": -0.25, "top_logprobs": []} for w in words]}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers

    def _send(self, status: int, payload: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            data = {"object": "list", "data": [{"id": self.server.model, "object": "model"}]}
            self._send(200, json.dumps(data).encode())
        else:
            self._send(404, b'{"error": {"message": "not found"}}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length))
        except json.JSONDecodeError:
            self._send(400, b'{"error": {"message": "body is not JSON"}}')
            return
        time.sleep(self.server.latency)
        self.server.count += 1
        if self.server.garbage:
            self._send(200, b"<html>upstream hiccup</html>", "text/html")
            return
        if self.server.failing:
            self._send(500, b'{"error": {"message": "scripted failure"}}')
            return
        text = self.server.reply(body)
        if body.get("stream"):
            self._stream(body, text)
            return
        words = word_pieces(text)
        time.sleep(self.server.token_delay * max(0, len(words) - 1))  # as long as a stream
        data = {
            "id": f"scripted-{self.server.count}",
            "object": "chat.completion",
            "model": body.get("model", self.server.model),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text},
                 "finish_reason": "stop", "logprobs": _logprobs(body, words)}
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": len(words)},
        }  # fmt: skip
        self._send(200, json.dumps(data).encode())

    def _stream(self, body: dict[str, Any], text: str) -> None:
        """`text` as chat-completion chunks (chunked transfer encoding), word by word."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": f"scripted-{self.server.count}", "object": "chat.completion.chunk",
                "model": body.get("model", self.server.model)}  # fmt: skip
        words = word_pieces(text)
        self._event({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
        for index, word in enumerate(words):
            if index:
                time.sleep(self.server.token_delay)
            choice = {"index": 0, "delta": {"content": word}, "finish_reason": None,
                      "logprobs": _logprobs(body, [word])}  # fmt: skip
            self._event({**base, "choices": [choice]})
        self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": 10, "completion_tokens": len(words)}
            self._event({**base, "choices": [], "usage": usage})
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")

    def _event(self, data: dict[str, Any]) -> None:
        self._chunk(f"data: {json.dumps(data)}\n\n".encode())

    def _chunk(self, payload: bytes) -> None:
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    latency = 0.0
    token_delay = 0.0
    garbage = False
    failing = False
    model = "scripted"
    count = 0
    reply: Callable[[dict[str, Any]], str] = staticmethod(reply_for)
    """The completion text for a request body."""


def main(argv: list[str] | None = None) -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port.")
    parser.add_argument("--latency", type=float, default=0.0, help="Seconds per completion.")
    parser.add_argument(
        "--token-delay", type=float, default=0.0, help="Seconds between streamed words."
    )
    parser.add_argument("--garbage", action="store_true", help="Return non-JSON completions.")
    parser.add_argument("--failing", action="store_true", help="Answer completions with 500.")
    parser.add_argument("--model", default="scripted")
    args = parser.parse_args(argv)
    server = _Server(("127.0.0.1", args.port), _Handler)
    server.latency, server.garbage, server.model = args.latency, args.garbage, args.model
    server.failing, server.token_delay = args.failing, args.token_delay
    print(f"http://127.0.0.1:{server.server_address[1]}/v1", flush=True)  # read by `start`
    server.serve_forever()


@dataclass
class ScriptedServer:
    """A running scripted server process."""

    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL the server (an endpoint dying mid-run) and reap it."""
        self.process.kill()
        self.process.wait()


@contextmanager
def scripted_servers(
    count: int, *, latency: float = 0.0, garbage: Sequence[int] = (), failing: Sequence[int] = ()
) -> Iterator[list[ScriptedServer]]:
    """Start `count` servers on free loopback ports (those at indexes `garbage` return
    garbage, those at `failing` answer 500); kill them all on exit."""
    servers: list[ScriptedServer] = []
    try:
        for index in range(count):
            cmd = [sys.executable, "-m", __name__, "--latency", str(latency)]
            cmd += ["--garbage"] * (index in garbage) + ["--failing"] * (index in failing)
            process = subprocess.Popen(cmd, stdout=subprocess.PIPE)
            assert process.stdout is not None
            url = process.stdout.readline().decode().strip()
            if not url.startswith("http://"):
                process.kill()
                raise RuntimeError(f"scripted server did not start (said {url!r})")
            servers.append(ScriptedServer(url, process))
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.kill()


@contextmanager
def scripted_server_thread(
    reply: Callable[[dict[str, Any]], str] = reply_for,
    *,
    latency: float = 0.0,
    token_delay: float = 0.0,
) -> Iterator[str]:
    """One scripted server on a free loopback port, in a thread of this process, answering
    completions with `reply(request body)` after `latency` seconds (streamed ones word by word,
    `token_delay` seconds apart); yields its URL (ending in `/v1`)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.reply = reply  # type: ignore[method-assign]
    server.latency, server.token_delay = latency, token_delay
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()

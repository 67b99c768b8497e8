"""Layer 4: the HTTP API and web page (`clinreason serve`) and the MCP server (`clinreason mcp`).

Both expose the same operations (`clinreason.api.service`) and return the same pydantic models
the CLI prints: a trace in the trace schema, verdicts, claims and trust. FastAPI and the `mcp`
SDK are imported only by `app.py`, `stream.py`, `web.py` and `mcp_server.py` (extra `[serve]`,
which also brings Jinja2 for the page's templates).
"""

"""Write docs/schema/trace.schema.json: `python -m clinreason.trace.export_schema [PATH]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from clinreason.trace.io import trace_json_schema


def main(argv: list[str]) -> None:
    """Write the Trace JSON Schema to the given path (default docs/schema/trace.schema.json)."""
    path = Path(argv[0]) if argv else Path("docs/schema/trace.schema.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(trace_json_schema(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])

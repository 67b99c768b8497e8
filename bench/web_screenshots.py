"""Screenshots of the web page for the docs: a real `clinreason serve --backend fake` on a free
loopback port, driven by Debian's chromium through Playwright.

Usage:
    .venv/bin/python bench/web_screenshots.py            # writes docs/screenshots/web-*.png
    .venv/bin/python bench/web_screenshots.py --out /tmp/shots
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int) -> subprocess.Popen[str]:
    cmd = [str(Path(sys.executable).with_name("clinreason")), "serve", "--backend", "fake"]
    proc = subprocess.Popen([*cmd, "--port", str(port)], stderr=subprocess.PIPE, text=True)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = _serve(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(f"http://127.0.0.1:{port}/")
            case = json.loads((ROOT / "examples" / "crcl_case.json").read_text())
            page.fill("#case-json", json.dumps(case, indent=1))
            page.click("#run")
            page.wait_for_selector("#answer")
            page.click("#note-view a.hl >> nth=3")  # lands on its step
            page.locator("#result").screenshot(path=str(out / "web-explain.png"))
            page.goto(f"http://127.0.0.1:{port}/")
            page.set_viewport_size({"width": 1100, "height": 1300})
            page.fill("#note", (ROOT / "examples" / "note.txt").read_text())
            page.select_option("#strategy", "self_consistency")
            page.click("#run")
            page.wait_for_selector("#answer")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(out / "web-form.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print("wrote", *sorted(p.name for p in out.glob("web-*.png")))


if __name__ == "__main__":
    main()

"""`clinreason report` draws each case's argument graph and differential with the web page's
macros (`clinreason.render`), with ids unique per case and model text escaped."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from clinreason.bench import MirageBenchmark
from clinreason.bench.base import Dataset
from clinreason.bench.report import build_report
from clinreason.bench.runner import run_eval
from clinreason.render.html import figures_css, figures_html
from clinreason.strategies.argumentation import Argumentation
from clinreason.trace import Case, ToolCall, Trace
from tests.api.test_figures import CASE, HOSTILE, VER, generator_reply, scripted


def test_each_case_of_a_report_gets_its_own_argument_graph(tmp_path: Path) -> None:
    cases = tuple(
        Case.model_validate({**CASE, "id": f"mcq/{i}", "gold": "A", "metadata": {"dataset": "x"}})
        for i in range(2)
    )
    dataset = Dataset("synthetic", "1", cases, "memory", "0" * 64)
    backend = scripted(generator_reply({"fever and neck stiffness": "A", HOSTILE: "B"}), VER)
    out = tmp_path / "run"
    asyncio.run(
        run_eval(MirageBenchmark(), dataset, Argumentation(), backend, out_dir=out, progress=False)
    )
    page = build_report([out])
    assert page.count('<svg class="ag-svg"') == 2 and figures_css() in page
    for c in (0, 1):
        found = re.search(rf'<figure class="ag" id="r0-c{c}-graph-s(\d+)"', page)
        assert found, f"case {c} has no drawing"
        n = found.group(1)  # links go to the report's own step items
        assert f'href="#r0-c{c}-s{n}">step {n}</a>' in page and f'id="r0-c{c}-s{n}"' in page
        assert f'id="r0-c{c}-arg-s{n}-G1"' in page  # the table rows, namespaced per case
    assert "<script>window.x" not in page and "&lt;script&gt;window.x=1" in page


def test_the_differential_renders_with_the_report_anchors() -> None:
    result = {
        "graph": "hpo@test",
        "differential": [{"rank": 1, "disease": "OMIM:1", "label": "Noonan syndrome 1",
                          "score": 3.0, "posterior": 0.7, "explained": []}],
    }  # fmt: skip
    call = ToolCall(id="s2", tool="kg.diagnose", arguments={}, result=result)
    trace = Trace(case=Case(id="p", question="q?"), strategy={"name": "diagnose"}, steps=[call])
    html = figures_html(trace, ns="r1-c4-", step_anchor="r1-c4-")
    assert 'id="r1-c4-differential"' in html and 'href="#r1-c4-s2">step 1</a>' in html
    assert 'id="r1-c4-ddx-1"' in html and "Noonan syndrome 1" in html
    assert figures_html(Trace(case=Case(id="p", question="q?"), strategy={"name": "cot"})) == ""

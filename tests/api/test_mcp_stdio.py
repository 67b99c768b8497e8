"""The real `mcp` client talks to a real `clinreason mcp` process over stdio."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, get_default_environment

CLI = Path(sys.executable).with_name("clinreason")
TOOLS = {"calculate", "list_calculators", "whatif", "differential", "explain", "verify", "why"}


def _server() -> StdioServerParameters:
    # the SDK passes the child only a few variables; PYTHONPATH too, so that the server runs
    # the code under test (a worktree run with PYTHONPATH=src) rather than the installed copy
    env = get_default_environment()
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return StdioServerParameters(command=str(CLI), args=["mcp", "--backend", "fake"], env=env)


def _data(result) -> dict:
    """A tool result's JSON: the structured content, or the JSON text block."""
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


async def test_mcp_lists_tools_and_calculators_carry_references():
    async with Client(_server(), read_timeout_seconds=120) as client:
        tools = await client.list_tools()
        assert {t.name for t in tools.tools} >= TOOLS

        listed = _data(await client.call_tool("list_calculators", {}))["calculators"]
        assert len(listed) == 55
        assert all(c["reference"]["citation"] for c in listed)
        cg = next(c for c in listed if c["slug"] == "creatinine_clearance_cockcroft_gault")
        assert cg["reference"]["doi"] == "10.1159/000180580"
        assert {i["name"] for i in cg["inputs"]} >= {"age", "weight", "creatinine", "sex"}

        result = await client.call_tool(
            "calculate",
            {
                "calculator": "creatinine_clearance_cockcroft_gault",
                "inputs": {
                    "age": [72, "years"],
                    "weight": [80, "kg"],
                    "creatinine": [1.4, "mg/dL"],
                    "sex": "Male",
                },
            },
        )
        assert not result.is_error
        data = _data(result)
        # (140 - 72) x 80 / (72 x 1.4) = 53.968...; no height, so actual body weight is used
        assert data["value"] == pytest.approx(53.968, abs=1e-3)
        assert data["unit"] == "mL/min"
        assert data["reference"]["url"] == "https://doi.org/10.1159/000180580"
        assert any("actual body weight" in a for a in data["assumptions"])


async def test_mcp_whatif_recomputes_with_a_changed_input():
    inputs = {
        "age": [72, "years"],
        "weight": [80, "kg"],
        "creatinine": [1.4, "mg/dL"],
        "sex": "Male",
    }
    async with Client(_server(), read_timeout_seconds=120) as client:
        result = await client.call_tool(
            "whatif",
            {
                "calculator": "creatinine_clearance_cockcroft_gault",
                "inputs": inputs,
                "changes": {"sex": "Female"},
            },
        )
        assert not result.is_error, result.content[0].text
        data = _data(result)
        # 53.968 mL/min x 0.85 for a woman
        assert data["before"]["value"] == pytest.approx(53.968, abs=1e-3)
        assert data["after"]["value"] == pytest.approx(45.873, abs=1e-3)
        assert [r["name"] for r in data["inputs"] if r["changed"]] == ["sex"]
        assert data["reference"]["doi"] == "10.1159/000180580"
        bad = await client.call_tool(
            "whatif", {"calculator": "bmi", "inputs": {}, "changes": {"weight": "heavy"}}
        )
        assert bad.is_error and "weight" in bad.content[0].text


async def test_mcp_bad_input_is_a_tool_error_not_an_answer():
    async with Client(_server(), read_timeout_seconds=120) as client:
        result = await client.call_tool("calculate", {"calculator": "nosuch", "inputs": {}})
        assert result.is_error
        assert "unknown calculator 'nosuch'" in result.content[0].text

        result = await client.call_tool(
            "calculate", {"calculator": "bmi", "inputs": {"weight": [70, "kg"]}}
        )
        assert result.is_error
        assert "height" in result.content[0].text


async def test_mcp_differential_explain_and_verify():
    async with Client(_server(), read_timeout_seconds=180) as client:
        result = await client.call_tool(
            "differential", {"text": "Focal seizures and microcephaly. No fever.", "top_k": 3}
        )
        assert not result.is_error, result.content[0].text
        data = _data(result)
        assert len(data["differential"]) == 3
        assert [d["rank"] for d in data["differential"]] == [1, 2, 3]
        assert "explained" in data["differential"][0]  # findings with their is-a paths
        fever = next(f for f in data["findings"] if f["entity"] == "HP:0001945")
        assert fever["negated"] is True

        case = json.loads((Path(__file__).parents[2] / "examples" / "crcl_case.json").read_text())
        result = await client.call_tool("explain", {"case": case})
        assert not result.is_error, result.content[0].text
        trace = _data(result)
        assert trace["strategy"]["name"] == "calculator"
        assert trace["answer"]["unit"] == "mL/min"
        assert trace["trust"]["summary"]

        checked = _data(await client.call_tool("verify", {"trace": trace}))
        assert checked["summary"]["contradicted"] == 0
        assert checked["trust"]["level"] == trace["trust"]["level"]

        # "why?" on the calculation: the fake backend's reply, each sentence marked unchecked
        step = trace["answer"]["support"][0]
        asked = _data(await client.call_tool("why", {"trace": trace, "step": step}))
        assert asked["step"] == step and asked["said_by"] == "fake"
        assert "no language model was called" in asked["sentences"][0]["text"]
        assert {s["status"] for s in asked["sentences"]} == {"unverifiable"}
        bad = await client.call_tool("why", {"trace": trace, "step": "s99"})
        assert bad.is_error and "no step 's99'" in bad.content[0].text


async def test_mcp_unexpected_error_is_a_tool_error_naming_only_its_type():
    from clinreason.api.mcp_server import build_server

    marker = "Ferrand-Oakes-2210"

    def broken():
        raise RuntimeError(f"crashed on {marker}")

    case = {"id": "c", "question": "Which?", "context": marker, "options": {"A": "x", "B": "y"}}
    async with Client(build_server(broken)) as client:  # in-process
        result = await client.call_tool("explain", {"case": case, "strategy": "direct"})
        assert result.is_error
        assert result.content[0].text.endswith("internal error (RuntimeError)")
        assert marker not in result.content[0].text
        listed = await client.call_tool("calculate", {"calculator": 10, "inputs": {}})
        assert listed.is_error and "Ideal Body Weight" in listed.content[0].text

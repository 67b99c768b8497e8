"""Fuzzing the HTTP API with hypothesis: malformed and odd bodies never give a 5xx."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinreason.api.app import Limits, create_app
from clinreason.backends import make_backend
from clinreason.tools.kg import demo_graph

TOKEN = "fuzz-token"
APP = create_app(
    lambda: make_backend("fake"),
    token=TOKEN,
    graph=demo_graph(),
    limits=Limits(max_body_bytes=4096),
)
CLIENT = TestClient(
    APP, headers={"Authorization": f"Bearer {TOKEN}"}, raise_server_exceptions=False
)
STREAM = "/v1/explain/stream"
WHATIF = "/v1/whatif"
WHY = "/v1/why"
POSTS = ["/v1/explain", "/v1/verify", "/v1/calculate", "/v1/differential", WHATIF, WHY, STREAM]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
words = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
cases = st.fixed_dictionaries(
    {"id": words, "question": words},
    optional={
        "context": words,
        "options": st.dictionaries(words, words, max_size=3),
        "metadata": st.dictionaries(st.sampled_from(["observed", "excluded", "x"]), json_values),
    },
)
explain_bodies = st.fixed_dictionaries(
    {"case": cases},
    optional={
        "strategy": st.sampled_from(
            ["auto", "direct", "cot", "calculator", "diagnose", "self_consistency", "nosuch", ""]
        ),
        "params": st.dictionaries(
            st.sampled_from(["k", "top_k", "use_llm", "recheck", "zz"]), json_values
        ),
    },
)
calculate_bodies = st.fixed_dictionaries(
    {},
    optional={
        "calculator": st.sampled_from(["bmi", "egfr_ckd_epi_2021", "3", "-1", "sofa", "nosuch"])
        | st.integers(),
        "inputs": st.dictionaries(
            st.sampled_from(
                ["age", "weight", "height", "creatinine", "sex", "Heart Rate or Pulse"]
            ),
            json_values,
        ),
        "note": words,
        "question": words,
    },
)
differential_bodies = st.fixed_dictionaries(
    {},
    optional={
        "hpo_ids": st.lists(st.sampled_from(["HP:1", "HP:4", "HP:x"]) | words, max_size=4),
        "excluded": json_values,
        "text": words,
        "top_k": st.integers(),
    },
)


def _post(path: str, body: object):
    """POST `body` as JSON; NaN and Infinity are sent as the tokens Python's parser accepts."""
    raw = json.dumps(body, allow_nan=True).encode()
    return CLIENT.post(path, content=raw, headers={"Content-Type": "application/json"})


def _no_5xx(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text)
    assert response.status_code in (200, 400, 401, 404, 405, 413, 422), response.status_code
    if response.status_code != 200:
        error = response.json()["error"]
        assert isinstance(error, str) and "\n" not in error and "Traceback" not in error
    elif response.headers["content-type"].startswith("text/event-stream"):
        # a stream ends with `done` or `error`, whose status is no 5xx either
        name, data = response.text.rstrip().rsplit("\n\n", 1)[-1].splitlines()
        final = json.loads(data.removeprefix("data: "))
        assert name in ("event: done", "event: error") and final["status"] < 500, final
        if name == "event: error":
            assert "\n" not in final["error"] and "Traceback" not in final["error"]


@SETTINGS
@given(path=st.sampled_from(POSTS), body=json_values)
def test_any_json_body(path, body):
    _no_5xx(_post(path, body))


@SETTINGS
@given(path=st.sampled_from(POSTS), raw=st.binary(max_size=5000))
def test_any_bytes(path, raw):
    _no_5xx(CLIENT.post(path, content=raw, headers={"Content-Type": "application/json"}))


@SETTINGS
@given(body=explain_bodies)
def test_explain_shaped_bodies(body):
    _no_5xx(_post("/v1/explain", body))


@SETTINGS
@given(body=explain_bodies, text=st.none() | words)
def test_stream_shaped_bodies(body, text):
    if text is not None:
        body = {**{k: v for k, v in body.items() if k != "case"}, "text": text}
    _no_5xx(_post(STREAM, body))


@SETTINGS
@given(body=calculate_bodies)
def test_calculate_shaped_bodies(body):
    _no_5xx(_post("/v1/calculate", body))


@SETTINGS
@given(body=differential_bodies)
def test_differential_shaped_bodies(body):
    _no_5xx(_post("/v1/differential", body))


BASE_TRACE = CLIENT.post(
    "/v1/explain",
    json={
        "case": {
            "id": "c",
            "question": "What is the BMI?",
            "context": "Weight 70 kg, height 170 cm.",
        }
    },
).json()


@SETTINGS
@given(trace=json_values, mutate=st.sampled_from(["steps", "answer", "case", "schema_version"]))
def test_verify_mutated_traces(trace, mutate):
    _no_5xx(_post("/v1/verify", {**BASE_TRACE, mutate: trace}))


CHECKS = ("verdicts", "claims", "trust")


@SETTINGS
@given(
    changes=st.dictionaries(
        st.sampled_from(["weight", "height", "age", "sex", "zz", ""]), json_values, max_size=3
    ),
    source=st.sampled_from(["trace", "inputs", "both"]),
)
def test_whatif_shaped_bodies(changes, source):
    body: dict[str, object] = {"changes": changes}
    if source in ("trace", "both"):  # without its verdicts: within this app's 4 KiB limit
        body["trace"] = {k: v for k, v in BASE_TRACE.items() if k not in CHECKS}
    if source in ("inputs", "both"):
        body |= {"calculator": "bmi", "inputs": {"weight": [70, "kg"], "height": [170, "cm"]}}
    response = _post(WHATIF, body)
    _no_5xx(response)
    assert response.status_code != 413
    if response.status_code == 200:  # a result is the calculator's, with the change recorded
        data = response.json()
        assert data["calculator"]["slug"] == "bmi"
        changed = [row["name"] for row in data["inputs"] if row["changed"]]
        assert set(changed) <= set(changes)


@SETTINGS
@given(
    step=st.sampled_from(["s1", "s2", "s99", ""]) | words | st.integers() | st.none(),
    question=st.none() | words | st.integers() | st.text(max_size=600),
    mutate=st.none() | st.sampled_from(["steps", "case", "schema_version"]),
    value=json_values,
)
def test_why_shaped_bodies(step, question, mutate, value):
    trace = {k: v for k, v in BASE_TRACE.items() if k not in CHECKS}  # within the 4 KiB limit
    if mutate is not None:
        trace[mutate] = value
    body: dict[str, object] = {"trace": trace, "step": step}
    if question is not None:
        body["question"] = question
    response = _post(WHY, body)
    _no_5xx(response)
    assert response.status_code != 413
    if response.status_code == 200:  # every sentence carries a status, never an unchecked pass
        sentences = response.json()["sentences"]
        assert sentences and all(
            s["status"] in ("supported", "contradicted", "unverifiable") for s in sentences
        )


@SETTINGS
@given(
    token=st.binary(max_size=20).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F)),
    path=st.sampled_from(POSTS),
)
def test_wrong_tokens_are_401(token, path):
    # any header bytes (latin-1 beyond ASCII too): 401, never a crash in the comparison
    r = CLIENT.post(path, json={}, headers={"Authorization": b"Bearer " + token + b"\xe9"})
    assert r.status_code == 401


@SETTINGS
@given(path=st.sampled_from(POSTS), extra=st.integers(min_value=1, max_value=50_000))
def test_oversized_bodies_are_413(path, extra):
    r = CLIENT.post(path, content=b"x" * (4096 + extra))
    assert r.status_code == 413

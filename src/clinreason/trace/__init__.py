"""Layer 0: the data model. Imports only pydantic and the standard library."""

from clinreason.trace._base import DataModel, utcnow
from clinreason.trace.case import AnswerType, Case
from clinreason.trace.case_io import case_from_dict, case_from_text, read_case
from clinreason.trace.claims import CLAIM_STATUSES, Claim, ClaimKind, ClaimStatus, Trust
from clinreason.trace.evidence import Argument, ArgumentGraph, Attack, Document, Span, Triple
from clinreason.trace.explain import DISCLAIMER, explain
from clinreason.trace.io import (
    check_schema_version,
    read_trace,
    trace_from_dict,
    trace_json_schema,
    write_trace,
)
from clinreason.trace.messages import (
    GenerateRequest,
    Generation,
    Message,
    TokenLogprob,
    Usage,
    parse_openai_logprobs,
)
from clinreason.trace.steps import (
    ArgumentStep,
    Candidate,
    Check,
    Citation,
    Extraction,
    KGLink,
    LLMCall,
    Retrieval,
    Step,
    Thought,
    ToolCall,
    Vote,
)
from clinreason.trace.trace import (
    SCHEMA_VERSION,
    Answer,
    ComponentSpec,
    ErrorInfo,
    Trace,
    TraceBuilder,
    component_spec,
)
from clinreason.trace.verdict import Verdict, VerdictStatus

__all__ = [
    "CLAIM_STATUSES",
    "DISCLAIMER",
    "SCHEMA_VERSION",
    "Answer",
    "AnswerType",
    "Argument",
    "ArgumentGraph",
    "ArgumentStep",
    "Attack",
    "Candidate",
    "Case",
    "Check",
    "Citation",
    "Claim",
    "ClaimKind",
    "ClaimStatus",
    "ComponentSpec",
    "DataModel",
    "Document",
    "ErrorInfo",
    "Extraction",
    "GenerateRequest",
    "Generation",
    "KGLink",
    "LLMCall",
    "Message",
    "Retrieval",
    "Span",
    "Step",
    "Thought",
    "TokenLogprob",
    "ToolCall",
    "Trace",
    "TraceBuilder",
    "Triple",
    "Trust",
    "Usage",
    "Verdict",
    "VerdictStatus",
    "Vote",
    "case_from_dict",
    "case_from_text",
    "check_schema_version",
    "component_spec",
    "explain",
    "parse_openai_logprobs",
    "read_case",
    "read_trace",
    "trace_from_dict",
    "trace_json_schema",
    "utcnow",
    "write_trace",
]

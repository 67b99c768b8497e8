"""Abstract argumentation (Dung frameworks) solved with clingo, plus clinical schemes.

- `Framework`: arguments and attacks; `Framework.from_graph(ArgumentGraph)`.
- `extensions`, `grounded`, `one_extension`, `credulous`, `sceptical`: clingo semantics
  (grounded, complete, preferred, stable) with the ASP encodings in `encodings/`.
- `grounded_labelling`, `grounded_extension`: pure-Python grounded semantics (cross-check).
- `justify`: why each argument is in or out of an extension.
- `load_schemes`: the clinical argumentation schemes and critical questions (`schemes.toml`).
- `CaseText`: does the case text state a finding (word overlap with negation)?
- `validate_proposals`, `validate_challenges`, `build_graph`, `decide`: the clinical pipeline
  used by the `argumentation` strategy.
- `explain_lines`, `export_graph`, `to_dot`, `to_json`: explanation and export.
"""

from clinreason.tools.argumentation.clinical import (
    OptionNodes,
    build_graph,
    option_nodes,
    solved_step,
)
from clinreason.tools.argumentation.decision import Decision, DecisionSemantics, contest, decide
from clinreason.tools.argumentation.framework import Framework
from clinreason.tools.argumentation.grounded import (
    GroundedLabelling,
    grounded_extension,
    grounded_labelling,
)
from clinreason.tools.argumentation.justify import Justification, justify
from clinreason.tools.argumentation.proposals import (
    Challenge,
    Proposal,
    validate_challenges,
    validate_proposals,
)
from clinreason.tools.argumentation.render import (
    explain_lines,
    export_graph,
    statuses,
    to_dot,
    to_json,
    winner_of,
)
from clinreason.tools.argumentation.schemes import (
    CriticalQuestion,
    Scheme,
    SchemeBook,
    load_schemes,
    parse_schemes,
)
from clinreason.tools.argumentation.solver import (
    SEMANTICS,
    Semantics,
    SolverLimitError,
    credulous,
    encoding,
    extensions,
    grounded,
    one_extension,
    sceptical,
)
from clinreason.tools.argumentation.textcheck import CaseText, TextMatch, content_words

__all__ = [
    "SEMANTICS",
    "CaseText",
    "Challenge",
    "CriticalQuestion",
    "Decision",
    "DecisionSemantics",
    "Framework",
    "GroundedLabelling",
    "Justification",
    "OptionNodes",
    "Proposal",
    "Scheme",
    "SchemeBook",
    "Semantics",
    "SolverLimitError",
    "TextMatch",
    "build_graph",
    "content_words",
    "contest",
    "credulous",
    "decide",
    "encoding",
    "explain_lines",
    "export_graph",
    "extensions",
    "grounded",
    "grounded_extension",
    "grounded_labelling",
    "justify",
    "load_schemes",
    "one_extension",
    "option_nodes",
    "parse_schemes",
    "sceptical",
    "solved_step",
    "statuses",
    "to_dot",
    "to_json",
    "validate_challenges",
    "validate_proposals",
    "winner_of",
]

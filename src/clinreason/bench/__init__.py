"""Layer 3: the benchmark harness.

`BENCHMARKS` maps names (as in `clinreason eval NAME`) to benchmark classes.

Other benchmark modules register with one line each in `BENCHMARKS` below.
"""

from typing import Any

from clinreason.bench.base import Benchmark, CaseResult, CaseScore, Dataset
from clinreason.bench.choice import (
    CasiMedicosBenchmark,
    MedMCQABenchmark,
    MedQABenchmark,
    MirageBenchmark,
    MMLUBenchmark,
    MultipleChoiceBenchmark,
    PubMedQABenchmark,
)
from clinreason.bench.medcalc import MedCalcBenchmark
from clinreason.bench.numeracy import NumeracyBenchmark
from clinreason.bench.phenopackets import PhenopacketsBenchmark

BENCHMARKS: dict[str, Any] = {
    "mirage": MirageBenchmark,
    "medqa": MedQABenchmark,
    "medmcqa": MedMCQABenchmark,
    "pubmedqa": PubMedQABenchmark,
    "mmlu": MMLUBenchmark,
    "casimedicos": CasiMedicosBenchmark,
    "medcalc": MedCalcBenchmark,
    "numeracy": NumeracyBenchmark,
    "phenopackets": PhenopacketsBenchmark,
}

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "CaseResult",
    "CaseScore",
    "CasiMedicosBenchmark",
    "Dataset",
    "MMLUBenchmark",
    "MedMCQABenchmark",
    "MedQABenchmark",
    "MirageBenchmark",
    "MultipleChoiceBenchmark",
    "PubMedQABenchmark",
]

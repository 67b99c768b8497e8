"""Dataset loaders: pure record mapping (`record_to_case`) plus local file reading (`load`)."""

from clinreason.bench.datasets import casimedicos, medmcqa, medqa, mirage, mmlu, pubmedqa

__all__ = ["casimedicos", "medmcqa", "medqa", "mirage", "mmlu", "pubmedqa"]

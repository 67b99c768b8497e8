"""clinreason: explainable, verifiable clinical reasoning with language models.

A research and decision-support tool, not a medical device.
"""

__version__ = "0.1.0"

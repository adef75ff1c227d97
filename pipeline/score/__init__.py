"""Score: translations against references, corpus level and per link."""

from pipeline.score.base import Scorer, scorable_pairs

__all__ = ["Scorer", "scorable_pairs"]

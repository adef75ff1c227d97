"""Score: translations against references, corpus level and per link."""

from pipeline.score.base import ScorablePair, Scorer, scorable_pairs

__all__ = ["ScorablePair", "Scorer", "scorable_pairs"]

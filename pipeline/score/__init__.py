"""Score: translations against references, corpus level and per link."""

from pipeline.score.base import Scorer

__all__ = ["Scorer"]

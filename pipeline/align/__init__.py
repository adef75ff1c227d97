"""Align: link source sentences (through their translations) to reference sentences."""

from pipeline.align.base import Aligner, Bead, align_document

__all__ = ["Aligner", "Bead", "align_document"]

"""Export: the aligned TSV people review, parallel corpora, and the run report."""

from pipeline.export.base import Exporter

__all__ = ["Exporter"]

"""Ingest: read documents (Chinese paragraphs and optional English references) into ``Document`` records."""

from pipeline.ingest.base import Reader, paragraphs_from_text

__all__ = ["Reader", "paragraphs_from_text"]

"""Segment: split paragraphs into sentences that keep their document id, paragraph and offsets."""

from pipeline.segment.base import Segmenter, segment_document

__all__ = ["Segmenter", "segment_document"]

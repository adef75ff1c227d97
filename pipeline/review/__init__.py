"""The review round trip: ``review.html`` (a page to review every link of a run) and ``pipeline apply``
(a reviewed TSV checked against its run and applied to its corpus files)."""

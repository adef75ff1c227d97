"""The run report: ``report.json``, ``report.html`` and its plots, written by a run and again by
``pipeline report RUN_DIR``."""

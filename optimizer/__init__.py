"""Alaskan antimony ore allocation optimizer.

Pipeline: read workbook → validate → apply scenario → build model → solve → results → report.
"""

__version__ = "0.1.0"

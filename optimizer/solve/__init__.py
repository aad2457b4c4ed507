"""Solve with HiGHS: the one model → highspy hand-off, statuses, and the plain Results
(solution tables and marginal values) that every later stage reads.
"""

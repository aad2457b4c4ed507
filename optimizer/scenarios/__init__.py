"""Many solves of one case: every what-if of the Scenarios sheet, sweeps, and the comparison
workbook.
"""

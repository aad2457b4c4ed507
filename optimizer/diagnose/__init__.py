"""Explain an infeasible case: pre-solve screens, the irreducible infeasible subset mapped back
to input cells, and verified smallest fixes.
"""

"""Build the Pyomo model from a validated Case: index sets, one function per constraint family,
the objective, and in-place data updates for re-solves.
"""

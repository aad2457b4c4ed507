"""Benchmarks: a seeded synthetic case generator, a direct highspy baseline, the timing table.

Not part of the installed package and not part of the test suite's timings; the tests only
use the generator and the baseline as an independent check of the Pyomo model.
"""

"""Benchmarks of ownergraph: synthetic ownership graphs and the measurements run on them.

Speed and memory targets live here, never in the tests; results are written to BENCHMARKS.md.
"""

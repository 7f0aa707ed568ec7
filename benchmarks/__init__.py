"""Benchmarks for the directory reader and the scoring engine.

Run them all with `python -m benchmarks` (or `make bench`). Synthetic directories are built
here rather than shipped, so sizes from a thousand to a million clinics cost no disk space.
"""

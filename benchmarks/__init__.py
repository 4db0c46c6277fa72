"""Reproducible measurements (not collected by pytest): ``python -m benchmarks.<name>``."""

"""Benchmarks against a national-scale data set (`make bench`); not part of the test suite."""

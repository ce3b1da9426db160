"""Benchmark of the phones list against the Django admin over the same data."""

"""Benchmarks: each prints measurements as ratios against a baseline measured in the same run."""

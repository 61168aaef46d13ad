"""Scale benchmarks: a synthetic data set (bench.data), query shapes timed on it (bench.run)."""

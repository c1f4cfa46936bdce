//! Benchmarks of govm.

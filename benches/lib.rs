//! Benchmarks of govm. Each bench measures a baseline in the same run, so that results are
//! read as ratios: absolute times drift on noisy machines.

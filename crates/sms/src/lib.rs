//! One-shot SMS allocations (R9).

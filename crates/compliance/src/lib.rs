//! End-user document requirements and review (R3).

use chrono::{DateTime, Utc};

/// The current instant. Only adapters read the real clock; tests drive a controllable one.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

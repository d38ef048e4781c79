//! The law the fuzz target of the service name checks, shared with the corpus test that
//! runs the seeds on stable Rust. It panics when the law is broken, which is how a fuzzer
//! reports a bug.

use crate::Service;

/// A service name reads back what it writes: trimmed, lower case, not blank, the same
/// service.
pub fn service(text: &str) {
    if let Ok(service) = Service::new(text) {
        let written = service.to_string();
        assert!(
            !written.is_empty() && written.trim() == written,
            "{text:?} -> {written:?}"
        );
        assert_eq!(written.to_lowercase(), written, "{text:?}");
        assert_eq!(
            Service::new(&written).as_ref(),
            Ok(&service),
            "{text:?} -> {written:?}"
        );
    }
}

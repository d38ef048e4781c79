//! The laws the fuzz targets check, shared with the corpus tests that run them on stable
//! Rust. Each function panics when a law is broken, which is how a fuzzer reports a bug.

use vnum_core::PhoneNumber;

use crate::{ForwardingTarget, ServerAddress, SipLogin, SipUri, check_wav, wav_fixtures};

/// The greeting check never panics, accepts only what it can account for, and accepts the
/// canonical file of the same length that it reports.
pub fn wav(bytes: &[u8]) {
    if let Ok(info) = check_wav(bytes) {
        let data = usize::try_from(info.data_bytes).expect("u32 fits usize");
        assert!(
            data >= 2 && data <= bytes.len(),
            "{info:?} from {} bytes",
            bytes.len()
        );
        let canonical = wav_fixtures::wav(1, 1, 8000, 16, &[], data);
        assert_eq!(check_wav(&canonical), Ok(info));
    }
}

/// Forwarding targets, SIP URIs and server addresses read back what they write.
pub fn forwarding_target(text: &str) {
    if let Ok(target) = ForwardingTarget::parse(text) {
        let written = target.to_string();
        let reread = ForwardingTarget::parse(&written).expect("a written target parses");
        assert_eq!(reread, target, "{text:?} -> {written:?}");
        assert_eq!(reread.to_string(), written);
    }
    if let Ok(uri) = SipUri::parse(text) {
        let written = uri.to_string();
        assert_eq!(
            SipUri::parse(&written).as_ref(),
            Ok(&uri),
            "{text:?} -> {written:?}"
        );
    }
    if let Ok(server) = ServerAddress::parse(text) {
        let written = server.to_string();
        assert_eq!(
            ServerAddress::parse(&written),
            Ok(server),
            "{text:?} -> {written:?}"
        );
    }
}

/// An E.164 number reads back what it writes, and what it writes is `+` and 8 to 15 digits.
pub fn e164(text: &str) {
    if let Ok(number) = PhoneNumber::parse(text) {
        let written = number.as_str();
        assert!(written.starts_with('+'), "{written:?}");
        let digits = number.digits();
        assert!((8..=15).contains(&digits.len()), "{written:?}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{written:?}");
        assert_eq!(
            PhoneNumber::parse(written).as_ref(),
            Ok(&number),
            "{text:?} -> {written:?}"
        );
    }
}

/// A SIP login reads back what it writes, and what it writes keeps the login's invariant:
/// 3 to 32 lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit,
/// so it fits a SIP URI's user part unescaped.
pub fn sip_login(text: &str) {
    if let Ok(login) = SipLogin::parse(text) {
        let written = login.to_string();
        let bytes = written.as_bytes();
        assert!((3..=32).contains(&bytes.len()), "{written:?}");
        assert!(
            bytes
                .iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
            "{written:?}"
        );
        assert!(bytes[0].is_ascii_alphanumeric(), "{written:?}");
        assert_eq!(SipLogin::parse(&written).as_ref(), Ok(&login), "{text:?}");
        let uri = format!("sip:{written}@example.com");
        assert!(SipUri::parse(&uri).is_ok(), "{uri:?}");
    }
}

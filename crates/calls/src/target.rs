//! Where a forwarded call can go (R5.2) and whether it costs extra (R4.2).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{PhoneNumber, PhoneNumberError};

use crate::CallsError;

/// The login of one of the provider's SIP accounts (R5.1).
///
/// Invariant: 3 to 32 characters, lower-case ASCII letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit; safe to put in a SIP URI user part unescaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SipLogin(String);

impl SipLogin {
    /// Parses a login.
    ///
    /// # Errors
    /// [`CallsError::InvalidSipLogin`] when the text breaks the invariant.
    pub fn parse(text: &str) -> Result<Self, CallsError> {
        let ok_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b);
        let bytes = text.as_bytes();
        let valid = (3..=32).contains(&bytes.len())
            && bytes.iter().all(|&b| ok_char(b))
            && bytes[0].is_ascii_alphanumeric();
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(CallsError::InvalidSipLogin(text.to_owned()))
        }
    }

    /// The login text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SipLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SipLogin {
    type Error = CallsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SipLogin> for String {
    fn from(value: SipLogin) -> Self {
        value.0
    }
}

/// The host part of a SIP URI: a domain name, an IPv4 address or a bracketed IPv6 address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Host {
    /// A domain name such as `sip.example.com`, stored in lower case.
    Domain(String),
    /// A dotted IPv4 address.
    V4(Ipv4Addr),
    /// An IPv6 address, written in brackets in a URI.
    V6(Ipv6Addr),
}

impl Host {
    fn parse(text: &str) -> Result<Self, &'static str> {
        if let Some(inner) = text.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or("an IPv6 host must be closed with ']'")?;
            return inner
                .parse::<Ipv6Addr>()
                .map(Self::V6)
                .map_err(|_| "the bracketed host is not an IPv6 address");
        }
        if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return text
                .parse::<Ipv4Addr>()
                .map(Self::V4)
                .map_err(|_| "the host looks like an IPv4 address but is not one");
        }
        if is_domain_name(text) {
            Ok(Self::Domain(text.to_ascii_lowercase()))
        } else {
            Err("the host is not a domain name, an IPv4 address or a bracketed IPv6 address")
        }
    }
}

/// A domain name by RFC 1123: dot-separated labels of letters, digits and inner hyphens,
/// each 1 to 63 characters, 253 in all, the last label not all digits.
fn is_domain_name(text: &str) -> bool {
    let text = text.strip_suffix('.').unwrap_or(text);
    if text.is_empty() || text.len() > 253 {
        return false;
    }
    let label_ok = |label: &str| {
        let b = label.as_bytes();
        (1..=63).contains(&b.len())
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    let top_ok = text
        .rsplit('.')
        .next()
        .is_some_and(|top| !top.bytes().all(|c| c.is_ascii_digit()));
    text.split('.').all(label_ok) && top_ok
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Domain(name) => f.write_str(name),
            Self::V4(ip) => write!(f, "{ip}"),
            Self::V6(ip) => write!(f, "[{ip}]"),
        }
    }
}

/// A SIP address at another provider, `sip:alice@example.com` or
/// `sips:alice@[2001:db8::1]:5061` (R5.2).
///
/// Invariant: the scheme is `sip` or `sips`, the user part is non-empty and made of
/// RFC 3261 unreserved characters or `%`-escapes, the host is valid and the port, when
/// given, is 1 to 65535. URI parameters and headers are not accepted: a forwarding target
/// names a destination, it does not configure a transport.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SipUri {
    secure: bool,
    user: String,
    host: Host,
    port: Option<u16>,
}

impl SipUri {
    /// Parses a SIP URI.
    ///
    /// # Errors
    /// [`CallsError::InvalidSipUri`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, CallsError> {
        let fail = |why: &'static str| CallsError::InvalidSipUri {
            text: text.to_owned(),
            why,
        };
        let (secure, rest) = if let Some(rest) = strip_prefix_ci(text, "sips:") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ci(text, "sip:") {
            (false, rest)
        } else {
            return Err(fail("a SIP URI starts with sip: or sips:"));
        };
        if rest.contains([';', '?']) {
            return Err(fail("URI parameters and headers are not accepted"));
        }
        let (user, hostport) = rest
            .split_once('@')
            .ok_or(fail("a SIP URI needs a user and a host: sip:user@host"))?;
        if user.is_empty() {
            return Err(fail("the user part before '@' is empty"));
        }
        if !is_sip_user(user) {
            return Err(fail(
                "the user part may hold letters, digits, -_.!~*'()&=+$,/ and %-escapes only",
            ));
        }
        let (host, port) = split_host_port(hostport).map_err(fail)?;
        let host = Host::parse(host).map_err(fail)?;
        Ok(Self {
            secure,
            user: user.to_owned(),
            host,
            port,
        })
    }

    /// True for `sips:` (TLS to the end).
    #[must_use]
    pub const fn is_secure(&self) -> bool {
        self.secure
    }

    /// The user part, as written.
    #[must_use]
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The host.
    #[must_use]
    pub const fn host(&self) -> &Host {
        &self.host
    }

    /// The port, when one was given.
    #[must_use]
    pub const fn port(&self) -> Option<u16> {
        self.port
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The user part by RFC 3261 (unreserved, user-unreserved and escaped characters).
fn is_sip_user(user: &str) -> bool {
    let b = user.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return false;
                }
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,/".contains(&c) => i += 1,
            _ => return false,
        }
    }
    true
}

/// Splits `host[:port]`, where an IPv6 host is bracketed.
fn split_host_port(text: &str) -> Result<(&str, Option<u16>), &'static str> {
    let (host, port) = if text.starts_with('[') {
        match text.find(']') {
            Some(end) => {
                let (host, tail) = text.split_at(end + 1);
                match tail {
                    "" => (host, None),
                    _ => (
                        host,
                        Some(
                            tail.strip_prefix(':')
                                .ok_or("only ':port' may follow a bracketed IPv6 host")?,
                        ),
                    ),
                }
            }
            None => return Err("an IPv6 host must be closed with ']'"),
        }
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return Err("the host is empty");
    }
    let port = port.map(parse_port).transpose()?;
    Ok((host, port))
}

fn parse_port(text: &str) -> Result<u16, &'static str> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the port must be a number from 1 to 65535");
    }
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err("the port must be a number from 1 to 65535"),
    }
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.secure { "sips" } else { "sip" };
        write!(f, "{scheme}:{}@{}", self.user, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

impl FromStr for SipUri {
    type Err = CallsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for SipUri {
    type Error = CallsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SipUri> for String {
    fn from(value: SipUri) -> Self {
        value.to_string()
    }
}

/// The IP address of the customer's own SIP server, with an optional port (R5.2):
/// `203.0.113.5`, `203.0.113.5:5060`, `2001:db8::1`, `[2001:db8::1]:5070`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServerAddress {
    ip: IpAddr,
    port: Option<u16>,
}

impl ServerAddress {
    /// A server address; the port, when given, must be 1 to 65535.
    ///
    /// # Errors
    /// [`CallsError::InvalidServerAddress`] for port 0.
    pub fn new(ip: IpAddr, port: Option<u16>) -> Result<Self, CallsError> {
        if port == Some(0) {
            return Err(CallsError::InvalidServerAddress {
                text: format!("{ip}:0"),
                why: "the port must be a number from 1 to 65535",
            });
        }
        Ok(Self { ip, port })
    }

    /// Parses `ip`, `ipv4:port`, a bare IPv6 address or `[ipv6]:port`.
    ///
    /// # Errors
    /// [`CallsError::InvalidServerAddress`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, CallsError> {
        let fail = |why: &'static str| CallsError::InvalidServerAddress {
            text: text.to_owned(),
            why,
        };
        if let Ok(v6) = text.parse::<Ipv6Addr>() {
            return Ok(Self {
                ip: IpAddr::V6(v6),
                port: None,
            });
        }
        let (host, port) = split_host_port(text).map_err(fail)?;
        let ip = match Host::parse(host).map_err(fail)? {
            Host::V4(ip) => IpAddr::V4(ip),
            Host::V6(ip) => IpAddr::V6(ip),
            Host::Domain(_) => return Err(fail("a server is given by its IP address")),
        };
        Ok(Self { ip, port })
    }

    /// The IP address.
    #[must_use]
    pub const fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The port, when one was given (5060 is the SIP default).
    #[must_use]
    pub const fn port(&self) -> Option<u16> {
        self.port
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.ip, self.port) {
            (IpAddr::V4(ip), None) => write!(f, "{ip}"),
            (IpAddr::V4(ip), Some(port)) => write!(f, "{ip}:{port}"),
            (IpAddr::V6(ip), None) => write!(f, "[{ip}]"),
            (IpAddr::V6(ip), Some(port)) => write!(f, "[{ip}]:{port}"),
        }
    }
}

/// One destination of a forwarding plan (R5.2).
///
/// The text form, which [`FromStr`] reads and [`Display`](fmt::Display) writes so that
/// the two round-trip, is:
///
/// | target | text |
/// |---|---|
/// | the provider's SIP account | `account:alice` |
/// | a SIP account elsewhere | `sip:alice@example.com`, `sips:…` |
/// | the customer's server | `203.0.113.5:5060`, `[2001:db8::1]:5070` |
/// | a phone number | `+4930123456` |
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ForwardingTarget {
    /// One of the provider's own SIP accounts, by login.
    SipAccount(SipLogin),
    /// A SIP account at another provider.
    SipUri(SipUri),
    /// The IP address of the customer's own server.
    Server(ServerAddress),
    /// A phone number, reached over the telephone network.
    Phone(PhoneNumber),
}

/// Whether forwarding to a target costs extra on top of the monthly fee (R4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ForwardingCharge {
    /// Included in the monthly fee.
    Included {
        /// The rule that made it free.
        rule: RuleId,
    },
    /// Billed per minute of the forwarded leg.
    PerMinute {
        /// The rule that made it billed.
        rule: RuleId,
    },
}

impl ForwardingTarget {
    /// Parses the text form described on the type.
    ///
    /// # Errors
    /// The error of the kind of target the text looks like: [`CallsError::InvalidSipLogin`],
    /// [`CallsError::InvalidSipUri`], [`CallsError::InvalidServerAddress`],
    /// [`CallsError::InvalidPhoneNumber`]; [`CallsError::UnrecognisedTarget`] for text that
    /// looks like none of them.
    pub fn parse(text: &str) -> Result<Self, CallsError> {
        let text = text.trim();
        if let Some(login) = strip_prefix_ci(text, "account:") {
            return SipLogin::parse(login).map(Self::SipAccount);
        }
        if strip_prefix_ci(text, "sip:").is_some() || strip_prefix_ci(text, "sips:").is_some() {
            return SipUri::parse(text).map(Self::SipUri);
        }
        if text.starts_with('+') {
            return PhoneNumber::parse(text)
                .map(Self::Phone)
                .map_err(CallsError::InvalidPhoneNumber);
        }
        let looks_like_ip = text.starts_with('[')
            || text.contains("::")
            || text.bytes().next().is_some_and(|b| b.is_ascii_digit())
                && text
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b":.".contains(&b));
        if looks_like_ip {
            return ServerAddress::parse(text).map(Self::Server);
        }
        Err(CallsError::UnrecognisedTarget(text.to_owned()))
    }

    /// Whether forwarding to this target costs extra (R4.2): forwarding over SIP (to the
    /// provider's account, another provider's URI or the customer's server) is included
    /// unless the number's offer says otherwise; forwarding to a phone number crosses the
    /// telephone network and is billed per minute.
    #[must_use]
    pub const fn charge(&self, offer_includes_sip_forwarding: bool) -> ForwardingCharge {
        match self {
            Self::Phone(_) => ForwardingCharge::PerMinute { rule: rule::R4_2 },
            _ if offer_includes_sip_forwarding => ForwardingCharge::Included { rule: rule::R4_2 },
            _ => ForwardingCharge::PerMinute { rule: rule::R4_2 },
        }
    }

    /// The SIP request URI a call to this target is sent to. `domain` is the provider's SIP
    /// domain (for its own accounts); `gateway` is the host of the telephone-network gateway
    /// (for phone numbers).
    #[must_use]
    pub fn request_uri(&self, domain: &str, gateway: &str) -> String {
        match self {
            Self::SipAccount(login) => format!("sip:{login}@{domain}"),
            Self::SipUri(uri) => uri.to_string(),
            Self::Server(server) => format!("sip:{server}"),
            Self::Phone(number) => format!("sip:{number}@{gateway};user=phone"),
        }
    }
}

/// Where forwarding may not lead (R5 Decision): back to the provider's own SIP domain or
/// gateway (a loop, or calls to the phone network that skip rating), or to a loopback,
/// private, link-local or other non-public address unless the operator allows those (for
/// providers whose customers share one network with them). Whether a phone number or a
/// SIP account is the provider's own is a fact of the store; the application checks those
/// and reports [`CallsError::LoopToProvider`] and [`CallsError::NotYourAccount`].
#[derive(Clone, Copy, Debug)]
pub struct ForwardingLimits<'a> {
    /// The provider's SIP domain, `host` or `host:port`.
    pub sip_domain: &'a str,
    /// The telephone-network gateway, `host` or `host:port`.
    pub gateway: &'a str,
    /// Whether targets at non-public addresses are allowed.
    pub private_allowed: bool,
}

impl ForwardingLimits<'_> {
    /// Checks `target` against the limits.
    ///
    /// # Errors
    /// [`CallsError::LoopToProvider`] for the provider's own domain or gateway;
    /// [`CallsError::PrivateAddress`] for a non-public address the provider does not allow.
    pub fn check(&self, target: &ForwardingTarget) -> Result<(), CallsError> {
        let (host, port) = match target {
            ForwardingTarget::SipUri(uri) => (uri.host.clone(), uri.port),
            ForwardingTarget::Server(server) => (
                match server.ip {
                    IpAddr::V4(ip) => Host::V4(ip),
                    IpAddr::V6(ip) => Host::V6(ip),
                },
                server.port,
            ),
            ForwardingTarget::SipAccount(_) | ForwardingTarget::Phone(_) => return Ok(()),
        };
        let own = [self.sip_domain, self.gateway]
            .into_iter()
            .filter_map(provider_host)
            .any(|(own_host, own_port)| {
                own_host == host && port.unwrap_or(SIP_PORT) == own_port.unwrap_or(SIP_PORT)
            });
        if own {
            return Err(CallsError::LoopToProvider(target.to_string()));
        }
        let public = match host {
            Host::Domain(name) => !is_local_name(&name),
            Host::V4(ip) => is_public_v4(ip),
            Host::V6(ip) => is_public_v6(ip),
        };
        if public || self.private_allowed {
            Ok(())
        } else {
            Err(CallsError::PrivateAddress(target.to_string()))
        }
    }
}

/// The port a SIP address without one is reached on.
const SIP_PORT: u16 = 5060;

/// The host and port of a configured provider address, `host` or `host:port`.
fn provider_host(text: &str) -> Option<(Host, Option<u16>)> {
    let (host, port) = split_host_port(text.trim()).ok()?;
    Some((Host::parse(host).ok()?, port))
}

/// Whether `hostport` (`host[:port]`, as in a SIP URI) is the configured address
/// `configured` (`host[:port]`): the same host, and the same port where both name one.
pub(crate) fn same_host(hostport: &str, configured: &str) -> bool {
    let parse = |text: &str| {
        let (host, port) = split_host_port(text.trim()).ok()?;
        Some((Host::parse(host).ok()?, port))
    };
    match (parse(hostport), parse(configured)) {
        (Some((host, port)), Some((own, own_port))) => {
            host == own && (port.is_none() || own_port.is_none() || port == own_port)
        }
        _ => false,
    }
}

/// Whether `ip` is a public address: not loopback, private (RFC 1918), shared (RFC 6598),
/// link-local, unique-local, unspecified, broadcast, multicast or reserved. The one check
/// of the addresses forwarding targets (R5 Decision) and outgoing webhooks may reach
/// unless the provider allows private ones.
#[must_use]
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

/// Names that resolve to this machine or the local network only (`localhost`, `.local`,
/// `.internal`, `.lan`, `.home.arpa`), ignoring case.
#[must_use]
pub fn is_local_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.as_str();
    let name = name.strip_suffix('.').unwrap_or(name);
    name == "localhost"
        || name.ends_with(".localhost")
        || name.ends_with(".local")
        || name.ends_with(".internal")
        || name.ends_with(".lan")
        || name.ends_with(".home.arpa")
}

/// False for loopback, private (RFC 1918), shared (RFC 6598), link-local, unspecified,
/// broadcast, multicast and reserved addresses.
fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)))
}

/// False for loopback, unspecified, multicast, unique-local (fc00::/7), link-local
/// (fe80::/10) addresses, and IPv4-mapped addresses that are not public.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80)
}

impl fmt::Display for ForwardingTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SipAccount(login) => write!(f, "account:{login}"),
            Self::SipUri(uri) => uri.fmt(f),
            Self::Server(server) => server.fmt(f),
            Self::Phone(number) => number.fmt(f),
        }
    }
}

impl FromStr for ForwardingTarget {
    type Err = CallsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ForwardingTarget {
    type Error = CallsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ForwardingTarget> for String {
    fn from(value: ForwardingTarget) -> Self {
        value.to_string()
    }
}

impl From<PhoneNumberError> for CallsError {
    fn from(value: PhoneNumberError) -> Self {
        Self::InvalidPhoneNumber(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> ForwardingTarget {
        ForwardingTarget::parse(text).unwrap()
    }

    const LIMITS: ForwardingLimits<'static> = ForwardingLimits {
        sip_domain: "sip.vnum.example",
        gateway: "10.0.0.7:5080",
        private_allowed: false,
    };

    #[test]
    fn r5_d1_a_target_never_leads_back_to_the_providers_domain_or_gateway() {
        for text in [
            "sip:+4930123456@sip.vnum.example",
            "sip:4930123456@SIP.VNUM.EXAMPLE",
            "sips:alice@sip.vnum.example:5060",
            "sip:+19005550199@10.0.0.7:5080",
        ] {
            let refused = LIMITS.check(&target(text)).unwrap_err();
            assert_eq!(
                refused,
                CallsError::LoopToProvider(target(text).to_string())
            );
            assert_eq!(vnum_core::rule::RuleError::rule(&refused), rule::R5_D1);
        }
        // The same host on another port is another service.
        assert_eq!(
            LIMITS.check(&target("sip:alice@sip.vnum.example:5070")),
            Ok(())
        );
        let open = ForwardingLimits {
            private_allowed: true,
            ..LIMITS
        };
        assert!(matches!(
            open.check(&target("10.0.0.7:5080")),
            Err(CallsError::LoopToProvider(_))
        ));
        assert_eq!(open.check(&target("10.0.0.7:5060")), Ok(()));
    }

    #[test]
    fn r5_d1_non_public_addresses_are_refused_unless_the_operator_allows_them() {
        let private = [
            "127.0.0.1",
            "127.0.0.1:5070",
            "10.1.2.3",
            "172.16.0.1:5060",
            "192.168.1.10",
            "169.254.0.1",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "[fe80::1]:5060",
            "fd00::1",
            "::ffff:192.168.0.1",
            "sip:alice@127.0.0.1",
            "sip:alice@[::1]:5070",
            "sip:alice@localhost",
            "sip:alice@pbx.internal",
        ];
        let open = ForwardingLimits {
            private_allowed: true,
            ..LIMITS
        };
        for text in private {
            assert_eq!(
                LIMITS.check(&target(text)),
                Err(CallsError::PrivateAddress(target(text).to_string())),
                "{text}"
            );
            assert_eq!(open.check(&target(text)), Ok(()), "{text}");
        }
        for text in [
            "203.0.113.5:5060",
            "8.8.8.8",
            "2001:db8::1",
            "sip:alice@example.com",
            "sip:alice@100.128.0.1",
            "account:alice",
            "+4930123456",
        ] {
            assert_eq!(LIMITS.check(&target(text)), Ok(()), "{text}");
        }
    }

    #[test]
    fn r5_2_every_kind_of_target_parses_and_round_trips() {
        for text in [
            "account:alice",
            "sip:alice@example.com",
            "sips:bob.smith@sip.example.org:5061",
            "sip:+4930123456@203.0.113.7",
            "sip:alice@[2001:db8::1]:5070",
            "203.0.113.5",
            "203.0.113.5:5060",
            "[2001:db8::1]:5070",
            "[2001:db8::1]",
            "+4930123456",
        ] {
            let parsed = target(text);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(target(&parsed.to_string()), parsed);
        }
        assert!(matches!(target("2001:db8::1"), ForwardingTarget::Server(_)));
        assert!(matches!(
            target("+49 30 123456"),
            ForwardingTarget::Phone(n) if n.as_str() == "+4930123456"
        ));
        assert_eq!(
            target("SIP:Alice@Example.COM").to_string(),
            "sip:Alice@example.com"
        );
    }

    #[test]
    fn r5_2_junk_is_refused_with_a_reason() {
        let cases = [
            ("sip:@example.com", "user part"),
            ("sip:alice", "user and a host"),
            ("sip:alice@", "host is empty"),
            ("sip:alice@exa mple.com", "not a domain name"),
            ("sip:alice@example.com:0", "1 to 65535"),
            ("sip:alice@example.com:65536", "1 to 65535"),
            ("sip:alice@example.com:", "1 to 65535"),
            ("sip:alice@[2001:db8::1", "closed"),
            ("sip:alice@[not-v6]", "IPv6"),
            ("sip:alice@999.1.1.1", "IPv4"),
            ("sip:alice@example.com;transport=tcp", "parameters"),
            ("sip:al ice@example.com", "user part"),
            ("sip:a%zzb@example.com", "user part"),
            ("sip:alice@-bad-.com", "not a domain name"),
            ("203.0.113.5:70000", "1 to 65535"),
            ("203.0.113", "IPv4"),
            ("account:A", "login"),
            ("+12", "E.164"),
            ("mailto:alice@example.com", "not a forwarding target"),
            ("", "not a forwarding target"),
        ];
        for (text, why) in cases {
            let err = ForwardingTarget::parse(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn r4_2_sip_forwarding_is_free_unless_the_offer_says_otherwise_phones_are_billed() {
        let sip = target("account:alice");
        let uri = target("sip:alice@example.com");
        let server = target("203.0.113.5:5060");
        let phone = target("+4930123456");
        for t in [&sip, &uri, &server] {
            assert_eq!(
                t.charge(true),
                ForwardingCharge::Included { rule: rule::R4_2 }
            );
            assert_eq!(
                t.charge(false),
                ForwardingCharge::PerMinute { rule: rule::R4_2 }
            );
        }
        assert_eq!(
            phone.charge(true),
            ForwardingCharge::PerMinute { rule: rule::R4_2 }
        );
    }

    #[test]
    fn request_uris_are_sip_uris() {
        assert_eq!(
            target("account:alice").request_uri("sip.vnum.test", "gw.vnum.test"),
            "sip:alice@sip.vnum.test"
        );
        assert_eq!(
            target("+4930123456").request_uri("sip.vnum.test", "gw.vnum.test"),
            "sip:+4930123456@gw.vnum.test;user=phone"
        );
        assert_eq!(
            target("[2001:db8::1]:5070").request_uri("d", "g"),
            "sip:[2001:db8::1]:5070"
        );
    }

    #[test]
    fn serde_uses_the_text_form() {
        let t = target("sip:alice@example.com:5080");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"sip:alice@example.com:5080\"");
        assert_eq!(serde_json::from_str::<ForwardingTarget>(&json).unwrap(), t);
    }
}

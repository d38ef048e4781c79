//! What happens to calls on a rented number.
//!
//! `vnum-calls` owns forwarding plans and their targets (R4.4, R5.2, R5.3, R5.D1), the
//! decision for each inbound call ([`route_inbound`]: ring, voicemail or a SIP rejection
//! naming its rule), the provider's SIP accounts with their digest secrets (R5.1), the
//! CallerID policy of outgoing calls (R6), the rating of calls out to the phone network and
//! of forwarding to phone numbers ([`RateTable`], [`authorize_call_out`], R6.D2, R5.D1), the greeting format check and greeting settings
//! (R13), and call detail records with per-number statistics (R4.6).
//!
//! It does not own a number's lifecycle or its owner's balance: `vnum-lifecycle` derives a
//! [`RoutingState`] from those, and the application passes it in. It does no I/O, reads
//! no clock and no randomness source (password generation takes the caller's RNG), and
//! never names a SIP engine: it answers in SIP terms (request URIs, status codes) that any
//! engine can apply.

mod caller_id;
mod cdr;
#[doc(hidden)]
pub mod fuzz_checks;
mod greeting;
mod plan;
mod rating;
mod recording;
mod routing;
mod sip_account;
mod target;

pub use caller_id::{CallerId, caller_id};
pub use cdr::{
    CallLine, CallRecord, CallRecordFields, CallStats, Direction, Disposition, Reconciled,
    call_stats,
};
pub use greeting::{
    AudioFormat, Encoding, GreetingFile, GreetingSettings, Voice, VoiceRecordingOrder,
    VoiceRecordingPrices, WavError, WavInfo, check_wav, wav_fixtures,
};
pub use plan::{ForwardingPlan, RingTime, Strategy};
pub use rating::{
    CallAllowance, CallOutError, DialPrefix, Increments, MAX_CALL_SECONDS, Rate, RateError,
    RateTable, authorize_call_out, rated_leg,
};
pub use recording::{RecordingError, RecordingOrder, RecordingStatus};
pub use routing::{
    Branch, InboundNumber, Rejection, RoutingDecision, RoutingState, SipHosts, VoicemailFallback,
    route_inbound,
};
pub use sip_account::{Ha1, OneTimePassword, SipAccount};
pub use target::{
    ForwardingCharge, ForwardingLimits, ForwardingTarget, Host, ServerAddress, SipLogin, SipUri,
    is_local_name, is_public_ip,
};

use vnum_core::{CallId, Currency, CustomerId, Decimal, GreetingId, Money, PhoneNumberError};

/// What went wrong in a calls operation, in words the customer can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallsError {
    /// A SIP login breaks the login rules.
    #[error(
        "invalid SIP login {0:?}: expected 3 to 32 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
    )]
    InvalidSipLogin(String),
    /// A SIP URI could not be parsed.
    #[error("invalid SIP URI {text:?}: {why}")]
    InvalidSipUri {
        /// The text given.
        text: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A server address could not be parsed.
    #[error(
        "invalid server address {text:?}: {why}; expected an IP address with an optional port such as 203.0.113.5:5060 or [2001:db8::1]:5070"
    )]
    InvalidServerAddress {
        /// The text given.
        text: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A phone-number target is not a valid number.
    #[error(transparent)]
    InvalidPhoneNumber(PhoneNumberError),
    /// Text that is no kind of target.
    #[error(
        "{0:?} is not a forwarding target: expected account:<login>, a sip: or sips: URI, a server IP address such as 203.0.113.5:5060, or a phone number such as +4930123456"
    )]
    UnrecognisedTarget(String),
    /// A target that leads back to the provider: its SIP domain, its gateway, or one of its
    /// own numbers (R5 Decision).
    #[error(
        "{0} leads back to this provider: forward to your own SIP account (account:<login>), \
         another provider's SIP URI, your server's public address or a phone number of another \
         provider"
    )]
    LoopToProvider(String),
    /// A target at a loopback, private, link-local or otherwise non-public address, which
    /// the provider does not allow (R5 Decision).
    #[error(
        "{0} is not a public address (loopback, private, link-local, shared or multicast): \
         forward to an address reachable on the internet"
    )]
    PrivateAddress(String),
    /// A SIP account of another customer, or no account at all (R5 Decision).
    #[error("account:{0} is not one of your SIP accounts: request one first")]
    NotYourAccount(String),
    /// A ring time out of bounds.
    #[error("a ring time of {0} s is not allowed: expected 5 to 120 seconds")]
    RingTimeOutOfRange(u32),
    /// A simultaneous or sequential plan with fewer than two targets.
    #[error(
        "simultaneous and sequential forwarding need at least 2 targets, {0} given: use single forwarding for one"
    )]
    TooFewTargets(usize),
    /// A plan with more targets than allowed.
    #[error("{given} forwarding targets given: at most {max} are allowed")]
    TooManyTargets {
        /// How many were given.
        given: usize,
        /// The limit.
        max: usize,
    },
    /// A target named twice in one plan.
    #[error("the forwarding target {0} appears twice: name each target once")]
    DuplicateTarget(String),
    /// A voicemail-only plan with voicemail off.
    #[error("a plan without forwarding targets needs voicemail switched on")]
    VoicemailOnlyWithoutVoicemail,
    /// A SIP account asked for by a customer with no number.
    #[error("customer {0} owns no number: buy a number first, then ask for a SIP account")]
    NoNumberOwned(CustomerId),
    /// A realm that cannot go into a digest.
    #[error("invalid SIP realm {0:?}: expected a domain name without ':' or spaces")]
    InvalidRealm(String),
    /// An uploaded greeting of the wrong format (R13.D1); the message offers the
    /// conversion (R13.D2).
    #[error(
        "{0}. MP3, Ogg/Vorbis, FLAC and WAV of another rate or width can be converted: upload \
         the file again asking for conversion"
    )]
    GreetingRejected(#[from] WavError),
    /// A greeting the customer asked to convert could not be (R13.D2).
    #[error(
        "the file could not be converted to a greeting: {0}. Conversion takes MP3, Ogg/Vorbis, \
         FLAC and WAV audio"
    )]
    ConversionFailed(String),
    /// A greeting id uploaded twice.
    #[error("greeting {0} is already uploaded")]
    DuplicateGreeting(GreetingId),
    /// A selection of a greeting that was not uploaded.
    #[error("greeting {0} was not uploaded for this number: upload it first, then select it")]
    GreetingNotFound(GreetingId),
    /// A recording order without text.
    #[error("the text to record is empty: write what the greeting should say")]
    RecordingTextEmpty,
    /// A recording order with too much text.
    #[error("the text to record has {chars} characters: at most {max} are accepted")]
    RecordingTextTooLong {
        /// Characters given.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A recording order at no price.
    #[error("a professional recording is a paid service: the price {0} must be above zero")]
    RecordingNotPaid(Money),
    /// A recording ordered in a currency the provider has no price in.
    #[error(
        "professional recordings have no price in {currency}: the provider prices them in {offered}"
    )]
    RecordingNotOffered {
        /// The customer's currency.
        currency: Currency,
        /// The currencies with a price, comma-separated.
        offered: String,
    },
    /// A price of the recording price list that is not an amount of its currency.
    #[error("the price of a professional recording in {currency} is {price}: {why}")]
    RecordingPriceInvalid {
        /// The currency.
        currency: Currency,
        /// The price given.
        price: Decimal,
        /// What is expected.
        why: String,
    },
    /// A call record whose times contradict each other.
    #[error("call record {id} is inconsistent: {why}")]
    InconsistentCallRecord {
        /// The call.
        id: CallId,
        /// What is wrong.
        why: &'static str,
    },
}

/// The rule each refusal enforces.
impl vnum_core::rule::RuleError for CallsError {
    fn rule(&self) -> vnum_core::RuleId {
        use vnum_core::rule;
        match self {
            Self::InvalidSipLogin(_) | Self::NoNumberOwned(_) | Self::InvalidRealm(_) => rule::R5_1,
            Self::InvalidSipUri { .. }
            | Self::InvalidServerAddress { .. }
            | Self::InvalidPhoneNumber(_)
            | Self::UnrecognisedTarget(_) => rule::R5_2,
            Self::LoopToProvider(_) | Self::PrivateAddress(_) | Self::NotYourAccount(_) => {
                rule::R5_D1
            }
            Self::RingTimeOutOfRange(_) => rule::R5_D2,
            Self::TooFewTargets(_)
            | Self::TooManyTargets { .. }
            | Self::DuplicateTarget(_)
            | Self::VoicemailOnlyWithoutVoicemail => rule::R4_4,
            Self::GreetingRejected(_) => rule::R13_D1,
            Self::ConversionFailed(_) => rule::R13_D2,
            Self::DuplicateGreeting(_) | Self::GreetingNotFound(_) => rule::R13_1,
            Self::RecordingTextEmpty
            | Self::RecordingTextTooLong { .. }
            | Self::RecordingNotPaid(_)
            | Self::RecordingNotOffered { .. }
            | Self::RecordingPriceInvalid { .. } => rule::R13_3,
            Self::InconsistentCallRecord { .. } => rule::R4_6,
        }
    }
}

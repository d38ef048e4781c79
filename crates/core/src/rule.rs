//! Ids of the business rules in `spec/RULES.md`.
//!
//! Every decision a vnum crate makes carries the [`RuleId`] of the rule that made it, so
//! support can explain any charge, refusal or route. The constants below are the rules'
//! own ids; a **Decision** line of RULES.md (a gap the FAQ leaves open, filled on purpose)
//! has the id of its group with a `D` and its order in the group: `R10.D1` is the first
//! Decision under R10.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The id of one business rule, such as `R10.4`.
///
/// Invariant: one of [`ALL`]; reading an id back (serde, [`RuleId::find`]) refuses others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RuleId(&'static str);

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Self::try_from(id).map_err(serde::de::Error::custom)
    }
}

impl From<RuleId> for &'static str {
    fn from(rule: RuleId) -> Self {
        rule.0
    }
}

/// The text is not the id of a rule in RULES.md.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule id {0:?}: expected an id of spec/RULES.md such as R10.4")]
pub struct UnknownRule(pub String);

impl TryFrom<String> for RuleId {
    type Error = UnknownRule;
    fn try_from(id: String) -> Result<Self, Self::Error> {
        Self::find(&id).ok_or(UnknownRule(id))
    }
}

impl RuleId {
    /// The id as written in RULES.md.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

/// An error of a domain crate that names the business rule that refused, so that callers
/// report the rule without choosing it by hand.
pub trait RuleError: std::error::Error {
    /// The rule behind the refusal.
    fn rule(&self) -> RuleId;
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

// R1 Ordering

/// A customer registers, tops up the balance, buys a number ("Buy number"), and uploads
pub const R1_1: RuleId = RuleId("R1.1");
/// Automatic mode: the customer picks only the country (mobile numbers) or the
pub const R1_2: RuleId = RuleId("R1.2");
/// Manual mode: on request the provider may offer a list of concrete numbers to choose
pub const R1_3: RuleId = RuleId("R1.3");
/// Payment is strictly in advance: an order is accepted only when the balance covers the
pub const R1_4: RuleId = RuleId("R1.4");
/// Decision: A balance is credited only by a confirmed payment: the operator recording a …
pub const R1_D1: RuleId = RuleId("R1.D1");
/// Decision: Checking the balance and debiting it is one atomic step: concurrent purchases …
pub const R1_D2: RuleId = RuleId("R1.D2");
/// Decision: A paid number the carrier cannot provide ends as failed and its money goes back …
pub const R1_D3: RuleId = RuleId("R1.D3");

// R2 Provisioning time

/// Most numbers connect instantly and automatically.
pub const R2_1: RuleId = RuleId("R2.1");
/// Numbers that need documents connect within 1–2 days after the documents are accepted.
pub const R2_2: RuleId = RuleId("R2.2");
/// Some numbers take 5–15 business days. The expected time is a property of the offer
pub const R2_3: RuleId = RuleId("R2.3");
/// Decision: Business days skip Saturdays, Sundays and the carrier country's public …
pub const R2_D1: RuleId = RuleId("R2.D1");

// R3 End-user documents

/// Some numbers need end-user documents. The local carrier sets the requirement, not the
pub const R3_1: RuleId = RuleId("R3.1");
/// The provider works with many carriers: requirements for the same country or city can
pub const R3_2: RuleId = RuleId("R3.2");
/// A customer who cannot provide documents can be offered alternatives (another carrier
pub const R3_3: RuleId = RuleId("R3.3");
/// Decision: Documents are reviewed (pending → accepted / rejected with a reason); a
pub const R3_D1: RuleId = RuleId("R3.D1");

// R4 What the monthly fee includes

/// One month of rental.
pub const R4_1: RuleId = RuleId("R4.1");
/// Free forwarding to a SIP account, unless the offer says otherwise.
pub const R4_2: RuleId = RuleId("R4.2");
/// SIP accounts.
pub const R4_3: RuleId = RuleId("R4.3");
/// Forwarding to two destinations at once (simultaneous) or one after the other
pub const R4_4: RuleId = RuleId("R4.4");
/// Voicemail and a greeting.
pub const R4_5: RuleId = RuleId("R4.5");
/// Statistics of calls and of balance transactions.
pub const R4_6: RuleId = RuleId("R4.6");

// R5 SIP accounts and forwarding

/// SIP accounts are free, issued on request after a number is bought. A SIP account is a
pub const R5_1: RuleId = RuleId("R5.1");
/// Forwarding targets: the provider's SIP account, a SIP account at another provider
pub const R5_2: RuleId = RuleId("R5.2");
/// Forwarding is configured per number, in the number's settings.
pub const R5_3: RuleId = RuleId("R5.3");
/// Decision: Forwarding to a phone number is rated like a call out (R6 Decision) and charged …
pub const R5_D1: RuleId = RuleId("R5.D1");
/// Decision: Sequential forwarding rings the first target for a configurable time
pub const R5_D2: RuleId = RuleId("R5.D2");

// R6 Outgoing calls and CallerID

/// Outgoing calls can be made from a SIP account.
pub const R6_1: RuleId = RuleId("R6.1");
/// By default the rented number is not presented; CallerID is a paid add-on.
pub const R6_2: RuleId = RuleId("R6.2");
/// Decision: The add-on is prepaid like every service (R10.1): enabling it charges its …
pub const R6_D1: RuleId = RuleId("R6.D1");
/// With the add-on, the rented number is presented only on calls to numbers of the
pub const R6_3: RuleId = RuleId("R6.3");
/// Decision: Calls out to the phone network are rated per minute by the destination's …
pub const R6_D2: RuleId = RuleId("R6.D2");

// R7 Stock and waitlist

/// A customer may ask for a country or city that is out of stock; they are notified when
pub const R7_1: RuleId = RuleId("R7.1");
/// Some countries or cities are in stock only at times and are then not listed for sale.
pub const R7_2: RuleId = RuleId("R7.2");

// R8 Free test

/// A number in stock can be given free for a test for 1 hour.
pub const R8_1: RuleId = RuleId("R8.1");
/// If the wanted country cannot be tested now (purchase only), a number of another
pub const R8_2: RuleId = RuleId("R8.2");
/// SMS numbers are never given for tests.
pub const R8_3: RuleId = RuleId("R8.3");
/// Decision: One free test per customer at a time; the number returns to stock when the
pub const R8_D1: RuleId = RuleId("R8.D1");
/// Decision: During its hour a test number is forwarded like a rented one: the customer sets …
pub const R8_D2: RuleId = RuleId("R8.D2");

// R9 One-shot SMS numbers

/// An SMS number receives exactly one message: the verification code for registering on
pub const R9_1: RuleId = RuleId("R9.1");
/// A number that was used is never issued again (for that service).
pub const R9_2: RuleId = RuleId("R9.2");
/// A customer who needs more than one SMS buys a monthly number instead.
pub const R9_3: RuleId = RuleId("R9.3");
/// Decision: An allocation is for (number, service); it ends at the first SMS received or
pub const R9_D1: RuleId = RuleId("R9.D1");

// R10 Billing

/// Minimum rental is 1 month. All services are prepaid.
pub const R10_1: RuleId = RuleId("R10.1");
/// The monthly fee is charged every month on the connection day: a number connected
pub const R10_2: RuleId = RuleId("R10.2");
/// If the balance is short, the fee is charged anyway and the balance goes negative.
pub const R10_3: RuleId = RuleId("R10.3");
/// While the balance is negative the number still belongs to the customer, but it
pub const R10_4: RuleId = RuleId("R10.4");
/// When the debt is paid, the paid period still runs from the connection day, not from
pub const R10_5: RuleId = RuleId("R10.5");
/// Cancelling before the end of a paid period refunds nothing.
pub const R10_6: RuleId = RuleId("R10.6");
/// To avoid a charge (and debt), a number must be deleted at least one day before the
pub const R10_7: RuleId = RuleId("R10.7");
/// Decision: Connection day 29, 30 or 31 in a shorter month: charge on that month's last
pub const R10_D1: RuleId = RuleId("R10.D1");
/// Decision: "Day" is the calendar day in the provider's billing time zone (configurable,
pub const R10_D2: RuleId = RuleId("R10.D2");
/// Decision: Suspension belongs to the account, not to one number: while the account's
pub const R10_D3: RuleId = RuleId("R10.D3");
/// Decision: A renewal run is idempotent: running it twice for the same day, or again after
pub const R10_D4: RuleId = RuleId("R10.D4");
/// Decision: Money is exact decimal in the account's currency, never floating point.
pub const R10_D5: RuleId = RuleId("R10.D5");
/// Decision: Every amount has bounds: no more decimals than the currency's minor unit, no …
pub const R10_D6: RuleId = RuleId("R10.D6");

// R11 Discounts

/// Paying 3, 6 or 12 months in advance gives a discount.
pub const R11_1: RuleId = RuleId("R11.1");
/// Buying 5 or more numbers at once can give a discount, negotiated per customer and
pub const R11_2: RuleId = RuleId("R11.2");
/// Decision: Tier percentages live in configuration, not in code; when both discounts
pub const R11_D1: RuleId = RuleId("R11.D1");

// R12 Companies

/// Companies can sign a contract and pay by bank transfer.
pub const R12_1: RuleId = RuleId("R12.1");
/// On request: the contract, invoices, acts of services rendered, and reconciliation
pub const R12_2: RuleId = RuleId("R12.2");
/// A contract needs the company name and address, bank details, and the signatory's
pub const R12_3: RuleId = RuleId("R12.3");

// R13 Greetings and voicemail

/// In the number's settings the customer enables the greeting, uploads a file, then
pub const R13_1: RuleId = RuleId("R13.1");
/// The file must be WAV, PCM, 8 kHz, 16-bit, mono; any other file would not play.
pub const R13_2: RuleId = RuleId("R13.2");
/// A professional voice recording can be ordered for an extra fee.
pub const R13_3: RuleId = RuleId("R13.3");
/// Decision: A file of another format is rejected at upload with a message that says what
pub const R13_D1: RuleId = RuleId("R13.D1");
/// Decision: When the customer asks for it explicitly, a file in another common audio …
pub const R13_D2: RuleId = RuleId("R13.D2");
/// Decision: A professional recording is an order with a status (ordered → delivered); when …
pub const R13_D3: RuleId = RuleId("R13.D3");

/// Every rule, group by group as in RULES.md: the numbered rules, then the Decisions.
pub const ALL: &[RuleId] = &[
    R1_1, R1_2, R1_3, R1_4, R1_D1, R1_D2, R1_D3, R2_1, R2_2, R2_3, R2_D1, R3_1, R3_2, R3_3, R3_D1,
    R4_1, R4_2, R4_3, R4_4, R4_5, R4_6, R5_1, R5_2, R5_3, R5_D1, R5_D2, R6_1, R6_2, R6_3, R6_D1,
    R6_D2, R7_1, R7_2, R8_1, R8_2, R8_3, R8_D1, R8_D2, R9_1, R9_2, R9_3, R9_D1, R10_1, R10_2,
    R10_3, R10_4, R10_5, R10_6, R10_7, R10_D1, R10_D2, R10_D3, R10_D4, R10_D5, R10_D6, R11_1,
    R11_2, R11_D1, R12_1, R12_2, R12_3, R13_1, R13_2, R13_3, R13_D1, R13_D2, R13_D3,
];

impl RuleId {
    /// Looks an id up among [`ALL`], e.g. to read a stored decision back.
    #[must_use]
    pub fn find(id: &str) -> Option<Self> {
        ALL.iter().copied().find(|rule| rule.0 == id)
    }
}

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vnum_accounts::Issuer;
use vnum_calls::VoiceRecordingPrices;
use vnum_core::CountryCode;
use vnum_discounts::TermTiers;
use vnum_lifecycle::HolidayCalendar;

/// How a provider runs vnum.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    /// The billing time zone: calendar days, connection days and charge days are days here
    /// (R10.D2).
    pub billing_time_zone: Tz,
    /// The SIP domain (and digest realm) of the provider's SIP accounts (R5.1).
    pub sip_domain: String,
    /// The SIP host that calls to phone numbers go through (forwarding to E.164, R5.2).
    pub sip_gateway: String,
    /// What a professional voice recording of a greeting costs in each currency (R13.3).
    pub voice_recording_prices: VoiceRecordingPrices,
    /// The CallerID add-on's monthly fee for offers created without one of their own, per
    /// currency (R6.2); an offer in a currency the list leaves out sells no add-on unless
    /// it names a fee.
    #[serde(default)]
    pub caller_id_prices: vnum_core::PriceList,
    /// Numbers charged in one renewal unit of work.
    pub renewal_batch_size: u64,
    /// The discounts for paying 3, 6 or 12 months in advance (R11.1, R11.D1).
    pub term_tiers: TermTiers,
    /// Public holidays per carrier country, skipped by provisioning ETAs (R2.D1).
    pub holidays: BTreeMap<CountryCode, Vec<NaiveDate>>,
    /// How long a one-shot SMS allocation waits for its message before it expires and is
    /// refunded, in minutes (R9.D1).
    pub sms_allocation_lifetime_minutes: u32,
    /// The provider's legal name, address and tax id, printed on closing documents as their
    /// issuer (R12.2).
    pub issuer: Issuer,
    /// The largest single payment credited to a balance, in the major unit of the
    /// account's currency (R10.D6).
    pub max_payment: rust_decimal::Decimal,
    /// Whether forwarding targets may be loopback, private or link-local addresses (R5
    /// Decision): off by default; on for providers whose customers' servers share one
    /// network with the SIP engine.
    #[serde(default)]
    pub private_forwarding_allowed: bool,
    /// How many media files (greetings, document scans) and bytes each customer may keep.
    #[serde(default)]
    pub media_quota: MediaQuota,
    /// How webhooks are retried, when failing endpoints are disabled, and where they may
    /// point.
    #[serde(default)]
    pub webhooks: WebhookPolicy,
    /// How long a worker holds the events and webhook deliveries it claimed, in seconds:
    /// longer than one attempt may take (an SMTP conversation, an HTTP POST), short enough
    /// that a crashed worker's claims are taken up again soon.
    #[serde(default = "default_lease_seconds")]
    pub outbox_lease_seconds: u64,
    /// How long picking a number from an offer's list holds it for the customer, in
    /// minutes (R1.3): 1 to [`vnum_lifecycle::MAX_HOLD_MINUTES`], 15 by default.
    #[serde(default = "default_hold_minutes")]
    pub hold_minutes: u32,
}

const fn default_hold_minutes() -> u32 {
    vnum_lifecycle::DEFAULT_HOLD_MINUTES
}

const fn default_lease_seconds() -> u64 {
    30
}

/// How webhook deliveries are retried and bounded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookPolicy {
    /// The pause before the first retry, in milliseconds; each next one doubles (at most an
    /// hour), less a random part of up to half (jitter).
    pub first_retry_ms: u64,
    /// How long after its event a delivery is retried, in seconds; it fails for good after.
    pub retry_for_seconds: u64,
    /// How long an endpoint may fail without one success before it is disabled (with a
    /// `webhook.disabled` event), in seconds.
    pub disable_after_seconds: u64,
    /// Whether endpoints may be on loopback, private or link-local addresses and local
    /// names (SSRF): off unless the receivers share the provider's network.
    pub private_targets_allowed: bool,
    /// How many endpoints one customer (or the operators together) may register.
    pub max_endpoints: u32,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self {
            first_retry_ms: 10_000,
            retry_for_seconds: 24 * 3600,
            disable_after_seconds: 72 * 3600,
            private_targets_allowed: false,
            max_endpoints: 20,
        }
    }
}

/// How many media files, and how many bytes, one customer may keep: greetings of all its
/// numbers and document scans together. The defaults hold hundreds of greetings (at most
/// 5 MiB each) and scans (at most 10 MiB each).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaQuota {
    /// Files.
    pub files: u64,
    /// Bytes, all files added up.
    pub bytes: u64,
}

impl Default for MediaQuota {
    fn default() -> Self {
        Self {
            files: 500,
            bytes: 1 << 30,
        }
    }
}

impl MediaQuota {
    /// Whether one more file of `adding` bytes fits beside `usage`; the message says what
    /// the quota is and what the customer holds when it does not.
    ///
    /// # Errors
    /// A sentence for the customer: what the limit is, what is stored, what was sent.
    pub fn admits(self, usage: crate::ports::MediaUsage, adding: u64) -> Result<(), String> {
        if usage.files >= self.files {
            return Err(format!(
                "the media quota is {} files per customer and {} are stored: \
                 no more files can be uploaded",
                self.files, usage.files
            ));
        }
        if usage.bytes.saturating_add(adding) > self.bytes {
            return Err(format!(
                "the media quota is {} bytes per customer: {} are stored and the file has {}, \
                 {} bytes over",
                self.bytes,
                usage.bytes,
                adding,
                usage.bytes.saturating_add(adding) - self.bytes
            ));
        }
        Ok(())
    }
}

impl Config {
    /// How long a worker holds what it claimed from the outbox.
    #[must_use]
    pub fn outbox_lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.outbox_lease_seconds).unwrap_or(3600))
    }

    /// Where this provider's forwarding targets may not lead (R5 Decision).
    #[must_use]
    pub fn forwarding_limits(&self) -> vnum_calls::ForwardingLimits<'_> {
        vnum_calls::ForwardingLimits {
            sip_domain: &self.sip_domain,
            gateway: &self.sip_gateway,
            private_allowed: self.private_forwarding_allowed,
        }
    }

    /// The business-day calendar of a country: weekends and the loaded holidays (R2.D1).
    #[must_use]
    pub fn calendar(&self, country: CountryCode) -> HolidayCalendar {
        match self.holidays.get(&country) {
            Some(days) => HolidayCalendar::new(country, days.iter().copied()),
            None => HolidayCalendar::weekends_only(country),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            billing_time_zone: chrono_tz::Europe::Moscow,
            sip_domain: "sip.vnum.example".to_owned(),
            sip_gateway: "gateway.vnum.example".to_owned(),
            voice_recording_prices: VoiceRecordingPrices::default(),
            caller_id_prices: vnum_core::PriceList::default(),
            renewal_batch_size: 10_000,
            term_tiers: TermTiers::default(),
            holidays: BTreeMap::new(),
            sms_allocation_lifetime_minutes: 20,
            issuer: Issuer::named("vnum"),
            max_payment: rust_decimal::Decimal::new(1_000_000, 0),
            private_forwarding_allowed: false,
            media_quota: MediaQuota::default(),
            webhooks: WebhookPolicy::default(),
            outbox_lease_seconds: default_lease_seconds(),
            hold_minutes: default_hold_minutes(),
        }
    }
}

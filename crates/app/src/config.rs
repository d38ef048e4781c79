use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How a provider runs vnum.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    /// The billing time zone: calendar days, connection days and charge days are days here
    /// (R10.D2).
    pub billing_time_zone: Tz,
    /// The SIP domain (and digest realm) of the provider's SIP accounts (R5.1).
    pub sip_domain: String,
    /// Numbers charged in one renewal unit of work.
    pub renewal_batch_size: u64,
    /// How long a one-shot SMS allocation waits for its message before it expires and is
    /// refunded, in minutes (R9.D1).
    pub sms_allocation_lifetime_minutes: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            billing_time_zone: chrono_tz::Europe::Moscow,
            sip_domain: "sip.vnum.example".to_owned(),
            renewal_batch_size: 10_000,
            sms_allocation_lifetime_minutes: 20,
        }
    }
}

//! The operator's rate table for calls out and forwarding to phone numbers (R6.D2, R5.D1),
//! and the rating of a reported call.

use chrono::{DateTime, Utc};
use vnum_calls::{CallRecord, Direction, Disposition, Rate, RateTable};
use vnum_core::{Money, PhoneNumber, RuleId, rule};

use crate::ports::{Invariant, StoreError, Transaction};
use crate::{Error, Vnum};

impl Vnum {
    /// Adds a rate to the operator's table (R6.D2). A new price for a prefix is a new rate
    /// effective from a later instant; a rate is never changed, so calls rated before keep
    /// their price.
    ///
    /// # Errors
    /// [`Error::Conflict`] when a rate of the same prefix and currency is effective from the
    /// same instant already.
    pub async fn add_rate(&self, rate: Rate) -> Result<Rate, Error> {
        let mut tx = self.ports.store.begin().await?;
        let stored = match tx.insert_rate(rate.clone()).await {
            Ok(stored) => stored,
            Err(StoreError::Conflict {
                what: Invariant::RateEffective,
            }) => {
                return Err(Error::Conflict(format!(
                    "a rate for {} in {} effective from {} exists already: add one effective \
                     from another instant",
                    rate.prefix(),
                    rate.currency(),
                    rate.effective_from()
                )));
            }
            Err(other) => return Err(other.into()),
        };
        tx.commit().await?;
        Ok(stored)
    }

    /// Every rate of the operator's table, by prefix, currency and effective instant.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn rates(&self) -> Result<Vec<Rate>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.rates().await?)
    }

    /// What a reported call costs its number's owner, if anything: an answered call out
    /// to a phone number (R6.D2), or an inbound call answered by a phone number through
    /// the gateway (R5.D1), with the destination and the rule. Calls between SIP
    /// endpoints, unanswered calls and voicemail cost nothing (R4.2).
    pub(crate) fn rated_leg(&self, call: &CallRecord) -> Option<(PhoneNumber, RuleId)> {
        if call.disposition() != Disposition::Answered {
            return None;
        }
        match call.direction() {
            Direction::Outbound => phone_of(call.to(), None).map(|to| (to, rule::R6_D2)),
            Direction::Inbound => call
                .answered_by()
                .and_then(|uri| phone_of(uri, Some(&self.config.sip_gateway)))
                .map(|to| (to, rule::R5_D1)),
        }
    }
}

/// The rate of a call to `destination` starting at `start`, in `currency`, from the
/// rates the store holds for the destination's prefixes.
pub(crate) async fn rate_table_for(
    tx: &mut (dyn Transaction + '_),
    destination: &PhoneNumber,
    currency: vnum_core::Currency,
) -> Result<RateTable, StoreError> {
    Ok(RateTable::new(
        tx.rates_matching(destination, currency).await?,
    ))
}

/// The cost of a rated (answered) call: its answered time at the rate effective when it
/// started, at least the first increment (`Rate::answered_cost`).
pub(crate) fn cost_of(
    table: &RateTable,
    destination: &PhoneNumber,
    currency: vnum_core::Currency,
    start: DateTime<Utc>,
    talk_seconds: i64,
) -> Result<Money, vnum_calls::CallOutError> {
    let rate = table.rate_for(destination, currency, start)?;
    let seconds = u32::try_from(talk_seconds.max(0)).unwrap_or(u32::MAX);
    Ok(rate.answered_cost(seconds))
}

/// The phone number a call went to: plain E.164 (`+4930123456`), or the user part of a SIP
/// URI (`sip:+4930123456@gateway;user=phone`), whose host must be `gateway` when given.
fn phone_of(text: &str, gateway: Option<&str>) -> Option<PhoneNumber> {
    let text = text.trim();
    let Some(uri) = text
        .strip_prefix("sip:")
        .or_else(|| text.strip_prefix("sips:"))
    else {
        if gateway.is_some() {
            return None;
        }
        return PhoneNumber::parse(text).ok();
    };
    let uri = uri.split(';').next().unwrap_or(uri);
    let (user, host) = uri.split_once('@')?;
    if let Some(gateway) = gateway {
        // host[:port] on both sides: the hosts must match, and the ports where both say.
        let split = |text: &str| match text.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                (host.to_owned(), Some(port.to_owned()))
            }
            _ => (text.to_owned(), None),
        };
        let ((host, port), (gateway_host, gateway_port)) = (split(host), split(gateway.trim()));
        let ports_differ = matches!((&port, &gateway_port), (Some(a), Some(b)) if a != b);
        if !host.eq_ignore_ascii_case(&gateway_host) || ports_differ {
            return None;
        }
    }
    PhoneNumber::parse(user).ok()
}

#[cfg(test)]
mod tests {
    use super::phone_of;

    #[test]
    fn r5_d1_only_phone_numbers_through_the_gateway_are_rated() {
        let gw = Some("gateway.vnum.example");
        let rated = |text, gateway| phone_of(text, gateway).map(|p| p.to_string());
        assert_eq!(
            rated("sip:+4930123456@gateway.vnum.example;user=phone", gw).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(
            rated("sip:+4930123456@GATEWAY.vnum.example:5060", gw).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(rated("sip:+4930123456@pbx.example.com", gw), None);
        // A gateway configured with its port: that port, or none, is the gateway.
        let gw_port = Some("10.0.0.7:5080");
        assert_eq!(
            rated("sip:+4930123456@10.0.0.7:5080;user=phone", gw_port).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(
            rated("sip:+4930123456@10.0.0.7", gw_port).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(rated("sip:+4930123456@10.0.0.7:5060", gw_port), None);
        assert_eq!(rated("sip:ada@sip.vnum.example", gw), None);
        assert_eq!(rated("+4930123456", gw), None);
        assert_eq!(rated("+4930123456", None).as_deref(), Some("+4930123456"));
        assert_eq!(
            rated("sip:+4930123456@sip.vnum.example", None).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(rated("sip:ada@sip.vnum.example", None), None);
    }
}

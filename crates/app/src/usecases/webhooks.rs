//! Webhooks: endpoints customers and operators register, and the delivery of events to
//! them with retries, a delivery log, redelivery and the disabling of endpoints that keep
//! failing.
//!
//! A customer's endpoint receives that customer's events; an operator's (no owner)
//! receives every event. Each event is queued once per endpoint that wants it by
//! [`Vnum::deliver_events`]; [`Vnum::deliver_webhooks`] posts the due deliveries through
//! the [`WebhookClient`] port, under a lease like the outbox's.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, RngCore};
use vnum_core::CustomerId;

use crate::model::{DeliveryStatus, Notice, WebhookDelivery, WebhookEndpoint, WebhookId};
use crate::ports::{WebhookClient, WebhookError};
use crate::usecases::events::{WEBHOOK_BATCH, record};
use crate::{Error, Vnum};

/// The longest URL an endpoint may have.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2000;

/// Who acts on webhooks: a customer on its own endpoints, or an operator (`None`) on every
/// endpoint; an operator registers endpoints that receive every customer's events.
pub type WebhookOwner = Option<CustomerId>;

/// A new endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterWebhook {
    /// Who registers it: its owner.
    pub owner: WebhookOwner,
    /// `https://` (or `http://`) URL deliveries are posted to.
    pub url: String,
    /// The event types it wants ([`Notice::TYPES`]); empty for all.
    pub event_types: Vec<String>,
}

/// A registered endpoint and its signing secret, which is shown this once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredWebhook {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The secret deliveries are signed with.
    pub secret: String,
}

/// What one run of [`Vnum::deliver_webhooks`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookRun {
    /// Deliveries the endpoints accepted.
    pub delivered: u32,
    /// Deliveries that failed and will be tried again.
    pub retried: u32,
    /// Deliveries that failed for good.
    pub failed: u32,
    /// Endpoints disabled for failing too long.
    pub disabled: Vec<WebhookId>,
}

/// Checks an endpoint URL: `http` or `https`, a host and no user info, at most
/// [`MAX_WEBHOOK_URL_CHARS`]; unless `private_allowed`, not a loopback, private or
/// link-local address nor a local name (SSRF). Names are checked again when the adapter
/// resolves them.
///
/// # Errors
/// [`Error::Invalid`] saying what is wrong.
pub fn check_webhook_url(url: &str, private_allowed: bool) -> Result<(), Error> {
    let invalid = |why: &str| Err(Error::Invalid(format!("the webhook URL {why}")));
    if url.chars().count() > MAX_WEBHOOK_URL_CHARS {
        return invalid(&format!(
            "is longer than {MAX_WEBHOOK_URL_CHARS} characters"
        ));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return invalid("contains spaces or control characters");
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return invalid("must start with https:// or http://");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return invalid("must not carry a user name or password");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, port)) if port.is_empty() || port.starts_with(':') => host,
            _ => return invalid("has an unreadable IPv6 host"),
        },
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let port = authority.rsplit_once("]:").map_or_else(
        || {
            if authority.starts_with('[') {
                None
            } else {
                authority.rsplit_once(':').map(|(_, p)| p)
            }
        },
        |(_, p)| Some(p),
    );
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
        return invalid("has a port that is not 1 to 65535");
    }
    if host.is_empty() {
        return invalid("has no host");
    }
    let public = match host.parse::<IpAddr>() {
        Ok(ip) => vnum_calls::is_public_ip(ip),
        Err(_) => {
            if !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return invalid("has a host that is not a domain name or an IP address");
            }
            !vnum_calls::is_local_name(host)
        }
    };
    if public || private_allowed {
        Ok(())
    } else {
        invalid(
            "points at a loopback, private or local address, which this provider does not \
             allow",
        )
    }
}

/// The pause before the retry that follows attempt `attempts`: `first`, doubling, at most
/// an hour, less a random part of up to half (jitter, so that endpoints that failed
/// together are not retried together). `random` is in `[0, 1)`.
#[must_use]
pub fn webhook_retry_delay(first: Duration, attempts: u32, random: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).min(20);
    let full = first
        .checked_mul(1_i32 << exponent)
        .unwrap_or(Duration::hours(1))
        .min(Duration::hours(1));
    let millis = full.num_milliseconds();
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    // A random fraction of at most an hour in milliseconds fits every type on the way.
    let jitter = (millis as f64 * random.clamp(0.0, 1.0) / 2.0) as i64;
    Duration::milliseconds(millis - jitter)
}

fn endpoint_not_found(id: WebhookId) -> Error {
    Error::not_found("webhook", id)
}

impl Vnum {
    /// Registers an endpoint for `request.owner` (a customer's receives its own events, an
    /// operator's every event) and answers its signing secret, once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a URL [`check_webhook_url`] refuses, an unknown event type,
    /// or more than [`crate::WebhookPolicy::max_endpoints`] endpoints;
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn register_webhook(
        &self,
        request: RegisterWebhook,
    ) -> Result<RegisteredWebhook, Error> {
        let policy = &self.config.webhooks;
        let url = request.url.trim().to_owned();
        check_webhook_url(&url, policy.private_targets_allowed)?;
        let mut event_types = request.event_types;
        event_types.sort();
        event_types.dedup();
        if let Some(unknown) = event_types
            .iter()
            .find(|t| !Notice::TYPES.contains(&t.as_str()))
        {
            return Err(Error::Invalid(format!(
                "{unknown} is not an event type; the types are {}",
                Notice::TYPES.join(", ")
            )));
        }
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        if let Some(customer) = request.owner {
            tx.customer(customer)
                .await?
                .ok_or_else(|| Error::not_found("customer", customer))?;
        }
        let owned = tx
            .webhooks()
            .await?
            .iter()
            .filter(|e| e.owner == request.owner)
            .count();
        if owned >= policy.max_endpoints as usize {
            return Err(Error::Invalid(format!(
                "at most {} webhook endpoints may be registered; delete one first",
                policy.max_endpoints
            )));
        }
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret: String = std::iter::once("whsec_".to_owned())
            .chain(bytes.iter().map(|b| format!("{b:02x}")))
            .collect();
        let endpoint = tx
            .insert_webhook(WebhookEndpoint {
                id: WebhookId(0),
                owner: request.owner,
                url,
                event_types,
                secret: secret.clone(),
                created_at: now,
                failing_since: None,
                disabled_at: None,
            })
            .await?;
        tx.commit().await?;
        Ok(RegisteredWebhook { endpoint, secret })
    }

    /// The endpoints `owner` sees: a customer its own, an operator every one.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn webhooks(&self, owner: WebhookOwner) -> Result<Vec<WebhookEndpoint>, Error> {
        let mut tx = self.ports.store.read().await?;
        let mut all = tx.webhooks().await?;
        if owner.is_some() {
            all.retain(|e| e.owner == owner);
        }
        Ok(all)
    }

    /// One endpoint `owner` sees.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown endpoint or another customer's.
    pub async fn webhook(
        &self,
        owner: WebhookOwner,
        id: WebhookId,
    ) -> Result<WebhookEndpoint, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.webhook(id)
            .await?
            .filter(|e| owner.is_none() || e.owner == owner)
            .ok_or_else(|| endpoint_not_found(id))
    }

    /// Deletes an endpoint and its delivery log; nothing more is posted to it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown endpoint or another customer's.
    pub async fn delete_webhook(&self, owner: WebhookOwner, id: WebhookId) -> Result<(), Error> {
        let mut tx = self.ports.store.begin().await?;
        tx.webhook(id)
            .await?
            .filter(|e| owner.is_none() || e.owner == owner)
            .ok_or_else(|| endpoint_not_found(id))?;
        tx.delete_webhook(id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The endpoint's deliveries, newest first, at most `limit` (1 to 500).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown endpoint or another customer's;
    /// [`Error::Invalid`] for a limit out of range.
    pub async fn webhook_deliveries(
        &self,
        owner: WebhookOwner,
        id: WebhookId,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, Error> {
        if !(1..=500).contains(&limit) {
            return Err(Error::Invalid("limit is 1 to 500".into()));
        }
        self.webhook(owner, id).await?;
        let mut tx = self.ports.store.read().await?;
        Ok(tx.deliveries(id, limit).await?)
    }

    /// Delivers one delivery again, now, whatever became of it: the same event, under the
    /// same id. A disabled endpoint is enabled again by it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown endpoint, another customer's, or a delivery that
    /// is not the endpoint's.
    pub async fn redeliver_webhook(
        &self,
        owner: WebhookOwner,
        id: WebhookId,
        delivery: i64,
    ) -> Result<WebhookDelivery, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let endpoint = tx
            .webhook(id)
            .await?
            .filter(|e| owner.is_none() || e.owner == owner)
            .ok_or_else(|| endpoint_not_found(id))?;
        tx.delivery(delivery)
            .await?
            .filter(|d| d.endpoint == id)
            .ok_or_else(|| Error::not_found("webhook delivery", delivery))?;
        if endpoint.disabled_at.is_some() {
            tx.update_webhook(&WebhookEndpoint {
                disabled_at: None,
                failing_since: None,
                ..endpoint
            })
            .await?;
        }
        tx.requeue_delivery(delivery, now).await?;
        let requeued = tx
            .delivery(delivery)
            .await?
            .ok_or_else(|| Error::not_found("webhook delivery", delivery))?;
        tx.commit().await?;
        Ok(requeued)
    }

    /// Posts the webhook deliveries due now through `client`: claims them under a lease
    /// ([`crate::Config::outbox_lease_seconds`]), posts each, and records how it went. A delivery that fails is
    /// retried after [`webhook_retry_delay`] for as long as its event is younger than
    /// [`crate::WebhookPolicy::retry_for_seconds`], then fails for good; an endpoint that
    /// fails without one success for [`crate::WebhookPolicy::disable_after_seconds`] is
    /// disabled, its pending deliveries failed, and a `webhook.disabled` event written in
    /// the same unit of work. When nothing is due it only reads.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails; what was recorded stays recorded.
    pub async fn deliver_webhooks(&self, client: &dyn WebhookClient) -> Result<WebhookRun, Error> {
        let mut run = WebhookRun::default();
        loop {
            let now = self.ports.clock.now();
            let due = {
                let mut tx = self.ports.store.read().await?;
                tx.deliveries_due(now).await?
            };
            if !due {
                return Ok(run);
            }
            let mut tx = self.ports.store.begin().await?;
            let claimed = tx
                .claim_deliveries(now, now + self.config.outbox_lease(), WEBHOOK_BATCH)
                .await?;
            tx.commit().await?;
            if claimed.is_empty() {
                return Ok(run);
            }
            for delivery in claimed {
                if !self.lease_holds(now) {
                    // What is left is due again when the lease ends.
                    break;
                }
                self.deliver_one(client, delivery, &mut run).await?;
            }
        }
    }

    async fn deliver_one(
        &self,
        client: &dyn WebhookClient,
        delivery: WebhookDelivery,
        run: &mut WebhookRun,
    ) -> Result<(), Error> {
        let endpoint = {
            let mut tx = self.ports.store.read().await?;
            tx.webhook(delivery.endpoint).await?
        };
        let posted = match &endpoint {
            Some(endpoint) if endpoint.disabled_at.is_none() => {
                client
                    .post(endpoint, &delivery.event, self.ports.clock.now())
                    .await
            }
            Some(_) => Err(WebhookError {
                status: None,
                reason: "the endpoint is disabled".into(),
            }),
            None => Err(WebhookError {
                status: None,
                reason: "the endpoint was deleted".into(),
            }),
        };
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let Some(mut endpoint) = tx.webhook(delivery.endpoint).await? else {
            // Deleted meanwhile, with its deliveries.
            return Ok(());
        };
        let policy = &self.config.webhooks;
        let mut settled = WebhookDelivery {
            next_attempt_at: None,
            ..delivery
        };
        match posted {
            Ok(status) => {
                settled.status = DeliveryStatus::Delivered;
                settled.last_status = Some(status);
                settled.last_error = None;
                settled.delivered_at = Some(now);
                run.delivered += 1;
                if endpoint.failing_since.is_some() {
                    endpoint.failing_since = None;
                    tx.update_webhook(&endpoint).await?;
                }
                tx.settle_delivery(&settled).await?;
            }
            Err(error) => {
                settled.last_status = error.status;
                settled.last_error = Some(error.reason.clone());
                let age = now - settled.event.created_at;
                let retry_for = Duration::seconds(
                    i64::try_from(policy.retry_for_seconds).unwrap_or(i64::MAX / 1000),
                );
                if age < retry_for && endpoint.disabled_at.is_none() {
                    let first = Duration::milliseconds(
                        i64::try_from(policy.first_retry_ms).unwrap_or(3_600_000),
                    );
                    let random: f64 = rand::rng().random();
                    settled.status = DeliveryStatus::Pending;
                    settled.next_attempt_at =
                        Some(now + webhook_retry_delay(first, settled.attempts, random));
                    run.retried += 1;
                } else {
                    settled.status = DeliveryStatus::Failed;
                    run.failed += 1;
                }
                tx.settle_delivery(&settled).await?;
                if endpoint.disabled_at.is_none() {
                    self.count_failure(&mut *tx, &mut endpoint, &error, now, run)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks the endpoint failing since `now` if it was not, and disables it once it has
    /// failed for longer than the policy allows.
    async fn count_failure(
        &self,
        tx: &mut dyn crate::ports::Transaction,
        endpoint: &mut WebhookEndpoint,
        error: &WebhookError,
        now: DateTime<Utc>,
        run: &mut WebhookRun,
    ) -> Result<(), Error> {
        let Some(since) = endpoint.failing_since else {
            endpoint.failing_since = Some(now);
            tx.update_webhook(endpoint).await?;
            return Ok(());
        };
        let limit = Duration::seconds(
            i64::try_from(self.config.webhooks.disable_after_seconds).unwrap_or(i64::MAX / 1000),
        );
        if now - since < limit {
            return Ok(());
        }
        endpoint.disabled_at = Some(now);
        tx.update_webhook(endpoint).await?;
        tx.fail_pending_deliveries(endpoint.id, "the endpoint was disabled")
            .await?;
        let email = match endpoint.owner {
            Some(customer) => tx.customer(customer).await?.map(|c| c.email),
            None => None,
        };
        let notice = Notice::WebhookDisabled {
            customer: endpoint.owner,
            endpoint_id: endpoint.id.0,
            url: endpoint.url.clone(),
            last_error: error.reason.clone(),
        };
        record(tx, now, email, notice).await?;
        tracing::warn!(endpoint = %endpoint.id, url = %endpoint.url, "a webhook endpoint \
            failed for too long and is disabled");
        run.disabled.push(endpoint.id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_on_loopback_private_or_local_hosts_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.10/hook",
            "https://[::1]:8443/hook",
            "https://[fe80::1]/hook",
            "https://receiver.internal/hook",
            "https://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/",
        ] {
            assert!(check_webhook_url(url, false).is_err(), "{url}");
            assert!(check_webhook_url(url, true).is_ok(), "{url} when allowed");
        }
        for url in [
            "https://hooks.example.com/vnum",
            "http://93.184.216.34:8080/x?y=1",
            "https://[2001:db8::1]/hook",
        ] {
            assert!(check_webhook_url(url, false).is_ok(), "{url}");
        }
        for url in [
            "ftp://hooks.example.com/",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com:0/",
            "https://hooks.example.com:99999/",
            "https:///path",
            "https://hooks example.com/",
            "https://hooks.example.com/\r\nX: y",
        ] {
            assert!(check_webhook_url(url, true).is_err(), "{url}");
        }
    }

    #[test]
    fn retries_double_up_to_an_hour_with_at_most_half_taken_off() {
        let first = Duration::seconds(10);
        assert_eq!(webhook_retry_delay(first, 1, 0.0), Duration::seconds(10));
        assert_eq!(webhook_retry_delay(first, 2, 0.0), Duration::seconds(20));
        assert_eq!(webhook_retry_delay(first, 30, 0.0), Duration::hours(1));
        for attempts in 1..40 {
            for random in [0.0, 0.25, 0.5, 0.75, 0.999] {
                let delay = webhook_retry_delay(first, attempts, random);
                let full = webhook_retry_delay(first, attempts, 0.0);
                assert!(delay <= full && delay * 2 >= full, "{attempts} {random}");
            }
        }
    }
}

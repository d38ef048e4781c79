//! The outbox's worker: delivers events after the commit that wrote them.
//!
//! Woken by the store's commit hook (every committed unit of work from `Store::begin`; the
//! SIP engine's call logs do not wake it) and otherwise every [`POLL`], it runs
//! [`Vnum::deliver_events`] (emails, and fan-out to webhook endpoints) and then
//! [`Vnum::deliver_webhooks`] (the webhook deliveries that are due). Each pass starts with reads only; a unit of work that writes
//! is begun only when something is due, so an idle server does not take SQLite's writer
//! every few seconds. Passes are at least [`MIN_GAP`] apart: a burst of commits is one pass.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use vnum_app::Vnum;
use vnum_app::ports::WebhookClient;

/// How often the worker looks for due events without being woken, by default: retries
/// whose backoff ended, and claims a crashed worker's lease gave up (`outbox_poll_seconds`).
pub const POLL: Duration = Duration::from_secs(5);

/// The shortest time between two passes.
pub const MIN_GAP: Duration = Duration::from_millis(250);

/// What wakes the worker: the commit hook notifies it.
#[derive(Clone, Debug, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    /// A new wake.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Wakes the worker (or makes its next wait end at once).
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn woken(&self) {
        self.0.notified().await;
    }
}

/// Runs the worker for ever; abort the task to stop it. Whatever it was doing is redone by
/// the next start: claims are leases.
pub async fn run(vnum: Vnum, wake: Wake, webhooks: Arc<dyn WebhookClient>, poll: Duration) {
    loop {
        pass(&vnum, webhooks.as_ref()).await;
        tokio::time::sleep(MIN_GAP).await;
        tokio::select! {
            () = wake.woken() => {}
            () = tokio::time::sleep(poll.max(MIN_GAP)) => {}
        }
    }
}

/// One pass: the events due, then the webhook deliveries due.
pub async fn pass(vnum: &Vnum, webhooks: &dyn WebhookClient) {
    match vnum.deliver_events().await {
        Ok(report) if !report.delivered.is_empty() || !report.retried.is_empty() => {
            tracing::debug!(
                delivered = report.delivered.len(),
                retried = report.retried.len(),
                "events delivered"
            );
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "event delivery failed; tried again later"),
    }
    match vnum.deliver_webhooks(webhooks).await {
        Ok(run) if run.delivered + run.retried + run.failed > 0 => {
            tracing::debug!(
                delivered = run.delivered,
                retried = run.retried,
                failed = run.failed,
                "webhooks posted"
            );
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "webhook delivery failed; tried again later"),
    }
}

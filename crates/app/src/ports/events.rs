//! Storage of the outbox (events written with the change they report) and of webhook
//! endpoints and their deliveries.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_core::CustomerId;

use super::StoreError;
use crate::model::{
    Event, EventId, OutboxEntry, Settlement, WebhookDelivery, WebhookEndpoint, WebhookId,
};

/// The transactional outbox: an event appended in a unit of work exists exactly when the
/// change it reports was committed; a worker delivers it after the commit.
#[async_trait]
pub trait Outbox: Send {
    /// Appends an event, due at once.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; an id stored already is
    /// [`StoreError::Conflict`] ([`Invariant::EventId`](crate::ports::Invariant::EventId)).
    async fn append_event(&mut self, event: Event) -> Result<(), StoreError>;

    /// Events in the order they were appended, after the event `after` (from the
    /// start without it), at most `limit`; only those concerning `customer` when given.
    /// An unknown cursor gives an empty list.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn events(
        &mut self,
        customer: Option<CustomerId>,
        after: Option<&EventId>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;

    /// The event with this id and its delivery state, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn outbox_entry(&mut self, id: &EventId) -> Result<Option<OutboxEntry>, StoreError>;

    /// Whether an undelivered event is due at `now` (its next attempt has come and no
    /// lease holds it): a read a worker makes before it opens a unit of work that writes.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn events_due(&mut self, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Claims up to `limit` due events, oldest first, for one attempt each: leases them
    /// until `lease_until` (no other worker claims them before) and counts the attempt.
    /// A worker that dies holding a lease loses nothing: the event is due again when the
    /// lease ends.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn claim_events(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError>;

    /// Ends an attempt: delivered for good, or due again later with its error.
    ///
    /// # Errors
    /// [`StoreError::Stale`] for an unknown event; [`StoreError::Unavailable`].
    async fn settle_event(
        &mut self,
        id: &EventId,
        settlement: Settlement,
    ) -> Result<(), StoreError>;
}

/// Webhook endpoints and their deliveries.
#[async_trait]
pub trait Webhooks: Send {
    /// Stores an endpoint under a new id and returns it as stored.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn insert_webhook(
        &mut self,
        endpoint: WebhookEndpoint,
    ) -> Result<WebhookEndpoint, StoreError>;

    /// The endpoint with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn webhook(&mut self, id: WebhookId) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Every endpoint, by id.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn webhooks(&mut self) -> Result<Vec<WebhookEndpoint>, StoreError>;

    /// Replaces the endpoint's failure state (`failing_since`, `disabled_at`).
    ///
    /// # Errors
    /// [`StoreError::Stale`] for an unknown endpoint.
    async fn update_webhook(&mut self, endpoint: &WebhookEndpoint) -> Result<(), StoreError>;

    /// Removes the endpoint and its deliveries.
    ///
    /// # Errors
    /// [`StoreError::Stale`] for an unknown endpoint.
    async fn delete_webhook(&mut self, id: WebhookId) -> Result<(), StoreError>;

    /// Queues the event for the endpoint, due at `due`; an event queued for it already is
    /// left as it is (a fan-out repeated after a crash queues nothing twice).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn queue_delivery(
        &mut self,
        endpoint: WebhookId,
        event: &Event,
        due: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The endpoint's deliveries, newest first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn deliveries(
        &mut self,
        endpoint: WebhookId,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError>;

    /// One delivery, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn delivery(&mut self, id: i64) -> Result<Option<WebhookDelivery>, StoreError>;

    /// Whether a pending delivery is due at `now` and not leased.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn deliveries_due(&mut self, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Claims up to `limit` due pending deliveries, oldest first, leasing them until
    /// `lease_until` and counting the attempt, as [`Outbox::claim_events`] does.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn claim_deliveries(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError>;

    /// Records how an attempt ended: the status, the next attempt while pending, the
    /// last answer and error, the delivery instant; the lease ends.
    ///
    /// # Errors
    /// [`StoreError::Stale`] for an unknown delivery.
    async fn settle_delivery(&mut self, delivery: &WebhookDelivery) -> Result<(), StoreError>;

    /// Makes the delivery pending and due at `due` again, whatever its status (an
    /// operator's or customer's redelivery); its attempts count on.
    ///
    /// # Errors
    /// [`StoreError::Stale`] for an unknown delivery.
    async fn requeue_delivery(&mut self, id: i64, due: DateTime<Utc>) -> Result<(), StoreError>;

    /// Marks every pending delivery of the endpoint failed with `error` (a disabled
    /// endpoint).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn fail_pending_deliveries(
        &mut self,
        endpoint: WebhookId,
        error: &str,
    ) -> Result<(), StoreError>;
}

/// A delivery attempt that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct WebhookError {
    /// The HTTP status the endpoint answered, if it answered.
    pub status: Option<u16>,
    /// What went wrong, for the delivery log.
    pub reason: String,
}

/// Posts events to webhook endpoints: the body, its signature and the HTTP request are the
/// adapter's.
#[async_trait]
pub trait WebhookClient: Send + Sync {
    /// Posts `event` to `endpoint`, signed with its secret at `now`, and answers the 2xx
    /// status it got.
    ///
    /// # Errors
    /// [`WebhookError`] for any other answer, a refused target (a private address the
    /// provider does not allow), a timeout or a connection failure.
    async fn post(
        &self,
        endpoint: &WebhookEndpoint,
        event: &Event,
        now: DateTime<Utc>,
    ) -> Result<u16, WebhookError>;
}

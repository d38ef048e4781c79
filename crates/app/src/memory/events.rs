//! In-memory [`Outbox`] and [`Webhooks`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_core::CustomerId;

use super::store::InMemoryTransaction;
use crate::model::{
    DeliveryStatus, Event, EventId, OutboxEntry, Settlement, WebhookDelivery, WebhookEndpoint,
    WebhookId,
};
use crate::ports::store::{Outbox, Webhooks};
use crate::ports::{Invariant, StoreError};

/// An outbox row: the entry, when it is due and the lease on it.
#[derive(Clone, Debug)]
pub(super) struct OutboxRow {
    entry: OutboxEntry,
    next_attempt_at: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
}

impl OutboxRow {
    fn due(&self, now: DateTime<Utc>) -> bool {
        self.entry.delivered_at.is_none()
            && self.next_attempt_at <= now
            && self.lease_until.is_none_or(|l| l <= now)
    }
}

/// A delivery row and the lease on it.
#[derive(Clone, Debug)]
pub(super) struct DeliveryRow {
    delivery: WebhookDelivery,
    lease_until: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    fn due(&self, now: DateTime<Utc>) -> bool {
        self.delivery.status == DeliveryStatus::Pending
            && self.delivery.next_attempt_at.is_some_and(|at| at <= now)
            && self.lease_until.is_none_or(|l| l <= now)
    }
}

#[async_trait]
impl Outbox for InMemoryTransaction<'_> {
    async fn append_event(&mut self, event: Event) -> Result<(), StoreError> {
        if self
            .state
            .outbox
            .iter()
            .any(|r| r.entry.event.id == event.id)
        {
            return Err(StoreError::Conflict {
                what: Invariant::EventId,
            });
        }
        self.state.outbox.push(OutboxRow {
            next_attempt_at: event.created_at,
            entry: OutboxEntry {
                event,
                attempts: 0,
                delivered_at: None,
                last_error: None,
            },
            lease_until: None,
        });
        Ok(())
    }

    async fn events(
        &mut self,
        customer: Option<CustomerId>,
        after: Option<&EventId>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let start = match after {
            None => 0,
            Some(id) => match self
                .state
                .outbox
                .iter()
                .position(|r| &r.entry.event.id == id)
            {
                Some(p) => p + 1,
                None => return Ok(Vec::new()),
            },
        };
        Ok(self.state.outbox[start..]
            .iter()
            .map(|r| &r.entry.event)
            .filter(|e| customer.is_none() || e.notice.customer() == customer)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn outbox_entry(&mut self, id: &EventId) -> Result<Option<OutboxEntry>, StoreError> {
        Ok(self
            .state
            .outbox
            .iter()
            .find(|r| &r.entry.event.id == id)
            .map(|r| r.entry.clone()))
    }

    async fn events_due(&mut self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.state.outbox.iter().any(|r| r.due(now)))
    }

    async fn claim_events(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut claimed = Vec::new();
        for row in &mut self.state.outbox {
            if claimed.len() >= limit as usize {
                break;
            }
            if row.due(now) {
                row.lease_until = Some(lease_until);
                row.entry.attempts += 1;
                claimed.push(row.entry.clone());
            }
        }
        Ok(claimed)
    }

    async fn settle_event(
        &mut self,
        id: &EventId,
        settlement: Settlement,
    ) -> Result<(), StoreError> {
        let row = self
            .state
            .outbox
            .iter_mut()
            .find(|r| &r.entry.event.id == id)
            .ok_or(StoreError::Stale {
                what: "event",
                id: 0,
            })?;
        row.lease_until = None;
        match settlement {
            Settlement::Delivered { at } => row.entry.delivered_at = Some(at),
            Settlement::Retry { retry_at, error } => {
                row.next_attempt_at = retry_at;
                row.entry.last_error = Some(error);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Webhooks for InMemoryTransaction<'_> {
    async fn insert_webhook(
        &mut self,
        endpoint: WebhookEndpoint,
    ) -> Result<WebhookEndpoint, StoreError> {
        let id = WebhookId(self.state.next_id());
        let stored = WebhookEndpoint { id, ..endpoint };
        self.state.webhooks.insert(id, stored.clone());
        Ok(stored)
    }

    async fn webhook(&mut self, id: WebhookId) -> Result<Option<WebhookEndpoint>, StoreError> {
        Ok(self.state.webhooks.get(&id).cloned())
    }

    async fn webhooks(&mut self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        Ok(self.state.webhooks.values().cloned().collect())
    }

    async fn update_webhook(&mut self, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
        let stored = self
            .state
            .webhooks
            .get_mut(&endpoint.id)
            .ok_or_else(|| StoreError::stale_webhook(endpoint.id))?;
        stored.failing_since = endpoint.failing_since;
        stored.disabled_at = endpoint.disabled_at;
        Ok(())
    }

    async fn delete_webhook(&mut self, id: WebhookId) -> Result<(), StoreError> {
        self.state
            .webhooks
            .remove(&id)
            .ok_or_else(|| StoreError::stale_webhook(id))?;
        self.state.deliveries.retain(|d| d.delivery.endpoint != id);
        Ok(())
    }

    async fn queue_delivery(
        &mut self,
        endpoint: WebhookId,
        event: &Event,
        due: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if self
            .state
            .deliveries
            .iter()
            .any(|d| d.delivery.endpoint == endpoint && d.delivery.event.id == event.id)
        {
            return Ok(());
        }
        let id = self.state.next_id();
        self.state.deliveries.push(DeliveryRow {
            delivery: WebhookDelivery {
                id,
                endpoint,
                event: event.clone(),
                status: DeliveryStatus::Pending,
                attempts: 0,
                next_attempt_at: Some(due),
                last_status: None,
                last_error: None,
                delivered_at: None,
            },
            lease_until: None,
        });
        Ok(())
    }

    async fn deliveries(
        &mut self,
        endpoint: WebhookId,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        Ok(self
            .state
            .deliveries
            .iter()
            .rev()
            .filter(|d| d.delivery.endpoint == endpoint)
            .take(limit as usize)
            .map(|d| d.delivery.clone())
            .collect())
    }

    async fn delivery(&mut self, id: i64) -> Result<Option<WebhookDelivery>, StoreError> {
        Ok(self
            .state
            .deliveries
            .iter()
            .find(|d| d.delivery.id == id)
            .map(|d| d.delivery.clone()))
    }

    async fn deliveries_due(&mut self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.state.deliveries.iter().any(|d| d.due(now)))
    }

    async fn claim_deliveries(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let mut claimed = Vec::new();
        for row in &mut self.state.deliveries {
            if claimed.len() >= limit as usize {
                break;
            }
            if row.due(now) {
                row.lease_until = Some(lease_until);
                row.delivery.attempts += 1;
                claimed.push(row.delivery.clone());
            }
        }
        Ok(claimed)
    }

    async fn settle_delivery(&mut self, delivery: &WebhookDelivery) -> Result<(), StoreError> {
        let row = self
            .state
            .deliveries
            .iter_mut()
            .find(|d| d.delivery.id == delivery.id)
            .ok_or_else(|| StoreError::stale_delivery(delivery.id))?;
        row.lease_until = None;
        row.delivery.status = delivery.status;
        row.delivery.next_attempt_at = delivery.next_attempt_at;
        row.delivery.last_status = delivery.last_status;
        row.delivery.last_error.clone_from(&delivery.last_error);
        row.delivery.delivered_at = delivery.delivered_at;
        Ok(())
    }

    async fn requeue_delivery(&mut self, id: i64, due: DateTime<Utc>) -> Result<(), StoreError> {
        let row = self
            .state
            .deliveries
            .iter_mut()
            .find(|d| d.delivery.id == id)
            .ok_or_else(|| StoreError::stale_delivery(id))?;
        row.lease_until = None;
        row.delivery.status = DeliveryStatus::Pending;
        row.delivery.next_attempt_at = Some(due);
        Ok(())
    }

    async fn fail_pending_deliveries(
        &mut self,
        endpoint: WebhookId,
        error: &str,
    ) -> Result<(), StoreError> {
        for row in &mut self.state.deliveries {
            if row.delivery.endpoint == endpoint && row.delivery.status == DeliveryStatus::Pending {
                row.delivery.status = DeliveryStatus::Failed;
                row.delivery.next_attempt_at = None;
                row.delivery.last_error = Some(error.to_owned());
                row.lease_until = None;
            }
        }
        Ok(())
    }
}

//! [`Outbox`] on the `outbox` table and [`Webhooks`] on `webhook_endpoints` and
//! `webhook_deliveries` (migration `m0008`).
//!
//! An event is stored as the JSON of [`Event`] in `payload`, beside the columns its
//! delivery is selected by. A claim is a select of due rows and, for each, an update that
//! takes the lease only if the row is still due: of two workers (two servers on one
//! PostgreSQL database) one takes it, the other's update changes no row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{QueryResult, Value};
use vnum_app::model::{
    DeliveryStatus, Event, EventId, OutboxEntry, Settlement, WebhookDelivery, WebhookEndpoint,
    WebhookId,
};
use vnum_app::ports::store::{Outbox, Webhooks};
use vnum_app::ports::{Invariant, StoreError};
use vnum_core::CustomerId;

use super::column;
use crate::error::corrupt;
use crate::store::SeaOrmTransaction;

const ENTRY: &str = "SELECT seq, payload, attempts, delivered_at, last_error FROM outbox";

fn event_of(payload: &str) -> Result<Event, StoreError> {
    serde_json::from_str(payload).map_err(|e| corrupt("outbox event", e))
}

fn count(value: i32) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

fn entry(row: &QueryResult) -> Result<(i64, OutboxEntry), StoreError> {
    Ok((
        column(row, 0)?,
        OutboxEntry {
            event: event_of(&column::<String>(row, 1)?)?,
            attempts: count(column(row, 2)?),
            delivered_at: column(row, 3)?,
            last_error: column(row, 4)?,
        },
    ))
}

#[async_trait]
impl Outbox for SeaOrmTransaction<'_> {
    async fn append_event(&mut self, event: Event) -> Result<(), StoreError> {
        let payload = serde_json::to_string(&event).map_err(|e| corrupt("outbox event", e))?;
        let written = self
            .execute(
                "INSERT INTO outbox (event_id, event_type, customer_id, payload, created_at, \
                 attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 0, $5) \
                 ON CONFLICT (event_id) DO NOTHING",
                vec![
                    event.id.0.clone().into(),
                    event.notice.type_name().into(),
                    event.notice.customer().map(CustomerId::get).into(),
                    payload.into(),
                    event.created_at.into(),
                ],
            )
            .await?;
        if written == 0 {
            return Err(StoreError::Conflict {
                what: Invariant::EventId,
            });
        }
        Ok(())
    }

    async fn events(
        &mut self,
        customer: Option<CustomerId>,
        after: Option<&EventId>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let mut sql = String::from("SELECT payload FROM outbox WHERE 1 = 1");
        let mut values: Vec<Value> = Vec::new();
        if let Some(customer) = customer {
            values.push(customer.get().into());
            sql.push_str(&format!(" AND customer_id = ${}", values.len()));
        }
        if let Some(after) = after {
            values.push(after.0.clone().into());
            sql.push_str(&format!(
                " AND seq > (SELECT seq FROM outbox WHERE event_id = ${})",
                values.len()
            ));
        }
        values.push(i64::from(limit).into());
        sql.push_str(&format!(" ORDER BY seq LIMIT ${}", values.len()));
        self.query_all(&sql, values)
            .await?
            .iter()
            .map(|row| event_of(&column::<String>(row, 0)?))
            .collect()
    }

    async fn outbox_entry(&mut self, id: &EventId) -> Result<Option<OutboxEntry>, StoreError> {
        self.query_one(
            &format!("{ENTRY} WHERE event_id = $1"),
            vec![id.0.clone().into()],
        )
        .await?
        .map(|row| entry(&row).map(|(_, e)| e))
        .transpose()
    }

    async fn events_due(&mut self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self
            .query_one(
                "SELECT 1 FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 \
                 AND (lease_until IS NULL OR lease_until <= $1) LIMIT 1",
                vec![now.into()],
            )
            .await?
            .is_some())
    }

    async fn claim_events(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let due = self
            .query_all(
                &format!(
                    "{ENTRY} WHERE delivered_at IS NULL AND next_attempt_at <= $1 \
                     AND (lease_until IS NULL OR lease_until <= $1) ORDER BY seq LIMIT $2"
                ),
                vec![now.into(), i64::from(limit).into()],
            )
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for row in &due {
            let (seq, mut entry) = entry(row)?;
            let taken = self
                .execute(
                    "UPDATE outbox SET lease_until = $2, attempts = attempts + 1 \
                     WHERE seq = $1 AND delivered_at IS NULL \
                     AND (lease_until IS NULL OR lease_until <= $3)",
                    vec![seq.into(), lease_until.into(), now.into()],
                )
                .await?;
            if taken == 1 {
                entry.attempts += 1;
                claimed.push(entry);
            }
        }
        Ok(claimed)
    }

    async fn settle_event(
        &mut self,
        id: &EventId,
        settlement: Settlement,
    ) -> Result<(), StoreError> {
        let changed = match settlement {
            Settlement::Delivered { at } => {
                self.execute(
                    "UPDATE outbox SET delivered_at = $2, lease_until = NULL, last_error = NULL \
                     WHERE event_id = $1",
                    vec![id.0.clone().into(), at.into()],
                )
                .await?
            }
            Settlement::Retry { retry_at, error } => {
                self.execute(
                    "UPDATE outbox SET next_attempt_at = $2, lease_until = NULL, \
                     last_error = $3 WHERE event_id = $1",
                    vec![id.0.clone().into(), retry_at.into(), error.into()],
                )
                .await?
            }
        };
        if changed == 0 {
            return Err(StoreError::Stale {
                what: "event",
                id: 0,
            });
        }
        Ok(())
    }
}

const ENDPOINT: &str = "SELECT id, customer_id, url, event_types, secret, created_at, \
                        failing_since, disabled_at FROM webhook_endpoints";

fn endpoint(row: &QueryResult) -> Result<WebhookEndpoint, StoreError> {
    let id: i64 = column(row, 0)?;
    let types: String = column(row, 3)?;
    Ok(WebhookEndpoint {
        id: WebhookId(id),
        owner: column::<Option<i64>>(row, 1)?.map(CustomerId),
        url: column(row, 2)?,
        event_types: serde_json::from_str(&types)
            .map_err(|e| corrupt(&format!("webhook {id}"), e))?,
        secret: column(row, 4)?,
        created_at: column(row, 5)?,
        failing_since: column(row, 6)?,
        disabled_at: column(row, 7)?,
    })
}

const DELIVERY: &str = "SELECT d.id, d.endpoint_id, o.payload, d.status, d.attempts, \
                        d.next_attempt_at, d.last_status, d.last_error, d.delivered_at \
                        FROM webhook_deliveries d JOIN outbox o ON o.event_id = d.event_id";

fn delivery(row: &QueryResult) -> Result<WebhookDelivery, StoreError> {
    let id: i64 = column(row, 0)?;
    let status: String = column(row, 3)?;
    Ok(WebhookDelivery {
        id,
        endpoint: WebhookId(column(row, 1)?),
        event: event_of(&column::<String>(row, 2)?)?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| {
            corrupt(
                &format!("webhook delivery {id}"),
                format!("unknown status {status}"),
            )
        })?,
        attempts: count(column(row, 4)?),
        next_attempt_at: column(row, 5)?,
        last_status: column::<Option<i32>>(row, 6)?.and_then(|s| u16::try_from(s).ok()),
        last_error: column(row, 7)?,
        delivered_at: column(row, 8)?,
    })
}

#[async_trait]
impl Webhooks for SeaOrmTransaction<'_> {
    async fn insert_webhook(
        &mut self,
        endpoint: WebhookEndpoint,
    ) -> Result<WebhookEndpoint, StoreError> {
        let types = serde_json::to_string(&endpoint.event_types)
            .map_err(|e| corrupt("webhook event types", e))?;
        let row = self
            .query_one(
                "INSERT INTO webhook_endpoints (customer_id, url, event_types, secret, \
                 created_at, failing_since, disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 RETURNING id",
                vec![
                    endpoint.owner.map(CustomerId::get).into(),
                    endpoint.url.clone().into(),
                    types.into(),
                    endpoint.secret.clone().into(),
                    endpoint.created_at.into(),
                    endpoint.failing_since.into(),
                    endpoint.disabled_at.into(),
                ],
            )
            .await?
            .ok_or_else(|| corrupt("webhook", "the insert returned no id"))?;
        Ok(WebhookEndpoint {
            id: WebhookId(column(&row, 0)?),
            ..endpoint
        })
    }

    async fn webhook(&mut self, id: WebhookId) -> Result<Option<WebhookEndpoint>, StoreError> {
        self.query_one(&format!("{ENDPOINT} WHERE id = $1"), vec![id.0.into()])
            .await?
            .map(|row| endpoint(&row))
            .transpose()
    }

    async fn webhooks(&mut self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.query_all(&format!("{ENDPOINT} ORDER BY id"), Vec::new())
            .await?
            .iter()
            .map(endpoint)
            .collect()
    }

    async fn update_webhook(&mut self, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
        let changed = self
            .execute(
                "UPDATE webhook_endpoints SET failing_since = $2, disabled_at = $3 WHERE id = $1",
                vec![
                    endpoint.id.0.into(),
                    endpoint.failing_since.into(),
                    endpoint.disabled_at.into(),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::stale_webhook(endpoint.id));
        }
        Ok(())
    }

    async fn delete_webhook(&mut self, id: WebhookId) -> Result<(), StoreError> {
        let changed = self
            .execute(
                "DELETE FROM webhook_endpoints WHERE id = $1",
                vec![id.0.into()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::stale_webhook(id));
        }
        self.execute(
            "DELETE FROM webhook_deliveries WHERE endpoint_id = $1",
            vec![id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn queue_delivery(
        &mut self,
        endpoint: WebhookId,
        event: &Event,
        due: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, \
             next_attempt_at) VALUES ($1, $2, 'pending', 0, $3) \
             ON CONFLICT (endpoint_id, event_id) DO NOTHING",
            vec![endpoint.0.into(), event.id.0.clone().into(), due.into()],
        )
        .await?;
        Ok(())
    }

    async fn deliveries(
        &mut self,
        endpoint: WebhookId,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        self.query_all(
            &format!("{DELIVERY} WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2"),
            vec![endpoint.0.into(), i64::from(limit).into()],
        )
        .await?
        .iter()
        .map(delivery)
        .collect()
    }

    async fn delivery(&mut self, id: i64) -> Result<Option<WebhookDelivery>, StoreError> {
        self.query_one(&format!("{DELIVERY} WHERE d.id = $1"), vec![id.into()])
            .await?
            .map(|row| delivery(&row))
            .transpose()
    }

    async fn deliveries_due(&mut self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self
            .query_one(
                "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' \
                 AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
                 LIMIT 1",
                vec![now.into()],
            )
            .await?
            .is_some())
    }

    async fn claim_deliveries(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let due = self
            .query_all(
                &format!(
                    "{DELIVERY} WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
                     AND (d.lease_until IS NULL OR d.lease_until <= $1) ORDER BY d.id LIMIT $2"
                ),
                vec![now.into(), i64::from(limit).into()],
            )
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for row in &due {
            let mut found = delivery(row)?;
            let taken = self
                .execute(
                    "UPDATE webhook_deliveries SET lease_until = $2, attempts = attempts + 1 \
                     WHERE id = $1 AND status = 'pending' \
                     AND (lease_until IS NULL OR lease_until <= $3)",
                    vec![found.id.into(), lease_until.into(), now.into()],
                )
                .await?;
            if taken == 1 {
                found.attempts += 1;
                claimed.push(found);
            }
        }
        Ok(claimed)
    }

    async fn settle_delivery(&mut self, settled: &WebhookDelivery) -> Result<(), StoreError> {
        let changed = self
            .execute(
                "UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, \
                 last_status = $4, last_error = $5, delivered_at = $6, lease_until = NULL \
                 WHERE id = $1",
                vec![
                    settled.id.into(),
                    settled.status.name().into(),
                    settled.next_attempt_at.into(),
                    settled.last_status.map(i32::from).into(),
                    settled.last_error.clone().into(),
                    settled.delivered_at.into(),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::stale_delivery(settled.id));
        }
        Ok(())
    }

    async fn requeue_delivery(&mut self, id: i64, due: DateTime<Utc>) -> Result<(), StoreError> {
        let changed = self
            .execute(
                "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, \
                 lease_until = NULL WHERE id = $1",
                vec![id.into(), due.into()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::stale_delivery(id));
        }
        Ok(())
    }

    async fn fail_pending_deliveries(
        &mut self,
        endpoint: WebhookId,
        error: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
             lease_until = NULL, last_error = $2 WHERE endpoint_id = $1 AND status = 'pending'",
            vec![endpoint.0.into(), error.to_owned().into()],
        )
        .await?;
        Ok(())
    }
}

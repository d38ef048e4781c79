//! Webhooks and events: customers and operators register endpoints that receive events
//! as signed POSTs, read their delivery logs and redeliver; `GET /v1/events` lists the
//! events themselves. A customer's endpoint receives its own events, an operator's every
//! customer's.

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use vnum_app::model::{
    DeliveryStatus, Event, EventId, WebhookDelivery, WebhookEndpoint, WebhookId,
};
use vnum_app::{RegisterWebhook, Vnum, WebhookOwner};

use crate::Tag;
use crate::auth::Caller;
use crate::page::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::problem::{ApiResult, Problem};

/// Webhook endpoints and events.
pub(crate) struct WebhooksApi {
    pub(crate) vnum: Vnum,
}

/// Whose endpoints the caller manages: a customer its own, an operator every one.
fn owner(caller: &Caller) -> ApiResult<WebhookOwner> {
    match caller.principal() {
        vnum_app::model::Principal::Customer(id) => Ok(Some(id)),
        vnum_app::model::Principal::Operator => Ok(None),
        vnum_app::model::Principal::Engine => Err(Problem::engine_only()),
    }
}

/// An event.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Event")]
pub(crate) struct EventBody {
    /// Its id: the same on every delivery, so a receiver recognises a redelivery.
    id: String,
    /// Its type (`number.connected`, `payment.credited`, …).
    #[oai(rename = "type")]
    kind: String,
    /// When the change it reports was committed.
    created_at: DateTime<Utc>,
    /// What happened: the fields of its type (see the server README).
    data: serde_json::Value,
}

impl From<Event> for EventBody {
    fn from(event: Event) -> Self {
        Self {
            id: event.id.0,
            kind: event.notice.type_name().to_owned(),
            created_at: event.created_at,
            data: event.notice.data(),
        }
    }
}

/// A page of events, oldest first.
#[derive(Clone, Debug, Object)]
#[oai(rename = "EventPage")]
pub(crate) struct EventPage {
    /// The events of this page.
    items: Vec<EventBody>,
    /// The cursor of the next page (`?after=`), while this page is full; absent otherwise.
    #[oai(skip_serializing_if_is_none)]
    next: Option<String>,
}

/// An endpoint, never with its secret (shown once, at registration).
#[derive(Clone, Debug, Object)]
#[oai(rename = "Webhook")]
pub(crate) struct WebhookBody {
    /// The id.
    id: i64,
    /// The customer whose events it receives; absent for an operator's, which receives
    /// every customer's.
    #[oai(skip_serializing_if_is_none)]
    customer: Option<i64>,
    /// Where deliveries are posted.
    url: String,
    /// The event types it receives; empty for all.
    event_types: Vec<String>,
    /// When it was registered.
    created_at: DateTime<Utc>,
    /// Since when its deliveries fail without a success in between; absent while they
    /// succeed.
    #[oai(skip_serializing_if_is_none)]
    failing_since: Option<DateTime<Utc>>,
    /// When it was disabled for failing too long (a `webhook.disabled` event); absent
    /// while it is enabled. A redelivery enables it again.
    #[oai(skip_serializing_if_is_none)]
    disabled_at: Option<DateTime<Utc>>,
}

impl From<WebhookEndpoint> for WebhookBody {
    fn from(endpoint: WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id.0,
            customer: endpoint.owner.map(vnum_core::CustomerId::get),
            url: endpoint.url,
            event_types: endpoint.event_types,
            created_at: endpoint.created_at,
            failing_since: endpoint.failing_since,
            disabled_at: endpoint.disabled_at,
        }
    }
}

/// An endpoint to register.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewWebhook")]
pub(crate) struct NewWebhookBody {
    /// `https://` (or `http://`) URL to post deliveries to. Loopback, private and
    /// link-local addresses and local names are refused unless the provider allows them.
    #[oai(validator(min_length = 1, max_length = 2000))]
    url: String,
    /// The event types to receive; all when left out or empty.
    #[oai(default)]
    event_types: Vec<String>,
}

/// An endpoint just registered, with its signing secret.
#[derive(Clone, Debug, Object)]
#[oai(rename = "RegisteredWebhook")]
pub(crate) struct RegisteredBody {
    /// The endpoint.
    #[oai(flatten)]
    endpoint: WebhookBody,
    /// The secret deliveries are signed with (`Vnum-Signature`). Shown only in this
    /// answer.
    secret: String,
}

#[derive(ApiResponse)]
enum Registered {
    /// The endpoint is registered; its secret is in this answer only.
    #[oai(status = 201)]
    Created(Json<RegisteredBody>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The endpoint and its delivery log are gone.
    #[oai(status = 204)]
    Gone,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "DeliveryStatus", rename_all = "snake_case")]
pub(crate) enum StatusBody {
    /// Not delivered yet; tried again at `next_attempt_at`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Retries ran out, or the endpoint was disabled.
    Failed,
}

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, Object)]
#[oai(rename = "WebhookDelivery")]
pub(crate) struct DeliveryBody {
    /// The id, to redeliver it by.
    id: i64,
    /// The event's id.
    event_id: String,
    /// The event's type.
    event_type: String,
    /// Where it stands.
    status: StatusBody,
    /// Attempts made so far.
    attempts: u32,
    /// When it is tried next, while pending.
    #[oai(skip_serializing_if_is_none)]
    next_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer, if one came.
    #[oai(skip_serializing_if_is_none)]
    last_status: Option<u16>,
    /// Why the last attempt failed, if it did.
    #[oai(skip_serializing_if_is_none)]
    last_error: Option<String>,
    /// When it was delivered.
    #[oai(skip_serializing_if_is_none)]
    delivered_at: Option<DateTime<Utc>>,
}

impl From<WebhookDelivery> for DeliveryBody {
    fn from(delivery: WebhookDelivery) -> Self {
        Self {
            id: delivery.id,
            event_type: delivery.event.notice.type_name().to_owned(),
            event_id: delivery.event.id.0,
            status: match delivery.status {
                DeliveryStatus::Pending => StatusBody::Pending,
                DeliveryStatus::Delivered => StatusBody::Delivered,
                DeliveryStatus::Failed => StatusBody::Failed,
            },
            attempts: delivery.attempts,
            next_attempt_at: delivery.next_attempt_at,
            last_status: delivery.last_status,
            last_error: delivery.last_error,
            delivered_at: delivery.delivered_at,
        }
    }
}

fn page_limit(asked: Option<u32>) -> ApiResult<u32> {
    let limit = asked.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`limit` is {limit}: expected 1 to {MAX_LIMIT} items a page"),
        ))
    }
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Webhooks")]
impl WebhooksApi {
    /// List events
    ///
    /// The caller's events (every customer's for an operator), oldest first, a page at a
    /// time: `next` is the id of the page's last event while the page is full. Types and
    /// their fields are in the server README.
    #[oai(path = "/events", method = "get", operation_id = "list_events")]
    async fn events(
        &self,
        caller: Caller,
        /// At most this many events (1 to 500, 100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` of the previous page: events after this one.
        after: Query<Option<String>>,
    ) -> ApiResult<Json<EventPage>> {
        let owner = owner(&caller)?;
        let limit = page_limit(limit.0)?;
        let after = after.0.map(EventId);
        let events = self.vnum.events(owner, after.as_ref(), limit).await?;
        let next = (events.len() == limit as usize)
            .then(|| events.last().map(|e| e.id.0.clone()))
            .flatten();
        Ok(Json(EventPage {
            items: events.into_iter().map(EventBody::from).collect(),
            next,
        }))
    }

    /// Register a webhook endpoint
    ///
    /// Events of the chosen types (all when none are named) are posted to `url` as JSON
    /// `{id, type, created_at, data}` with the headers `Vnum-Event-Id`, `Vnum-Event-Type`
    /// and `Vnum-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
    /// The secret is in this answer only. A customer's endpoint receives its own events, an
    /// operator's every customer's. 422 for a URL on a private address the provider does
    /// not allow, an unknown event type, or too many endpoints.
    #[oai(path = "/webhooks", method = "post", operation_id = "register_webhook")]
    async fn register(&self, caller: Caller, body: Json<NewWebhookBody>) -> ApiResult<Registered> {
        let owner = owner(&caller)?;
        let registered = self
            .vnum
            .register_webhook(RegisterWebhook {
                owner,
                url: body.0.url,
                event_types: body.0.event_types,
            })
            .await?;
        Ok(Registered::Created(Json(RegisteredBody {
            endpoint: registered.endpoint.into(),
            secret: registered.secret,
        })))
    }

    /// List webhook endpoints
    ///
    /// A customer's own endpoints; every endpoint for an operator. Never a secret.
    #[oai(path = "/webhooks", method = "get", operation_id = "list_webhooks")]
    async fn list(&self, caller: Caller) -> ApiResult<Json<Vec<WebhookBody>>> {
        let owner = owner(&caller)?;
        let endpoints = self.vnum.webhooks(owner).await?;
        Ok(Json(endpoints.into_iter().map(WebhookBody::from).collect()))
    }

    /// Get a webhook endpoint
    ///
    /// 404 for another customer's.
    #[oai(path = "/webhooks/:id", method = "get", operation_id = "get_webhook")]
    async fn get(&self, caller: Caller, id: Path<i64>) -> ApiResult<Json<WebhookBody>> {
        let owner = owner(&caller)?;
        let endpoint = self.vnum.webhook(owner, WebhookId(id.0)).await?;
        Ok(Json(endpoint.into()))
    }

    /// Delete a webhook endpoint
    ///
    /// Nothing more is posted to it, and its delivery log goes with it. 404 for another
    /// customer's.
    #[oai(
        path = "/webhooks/:id",
        method = "delete",
        operation_id = "delete_webhook"
    )]
    async fn delete(&self, caller: Caller, id: Path<i64>) -> ApiResult<Deleted> {
        let owner = owner(&caller)?;
        self.vnum.delete_webhook(owner, WebhookId(id.0)).await?;
        Ok(Deleted::Gone)
    }

    /// List an endpoint's deliveries
    ///
    /// Newest first: status, attempts, the last answer and error.
    #[oai(
        path = "/webhooks/:id/deliveries",
        method = "get",
        operation_id = "list_webhook_deliveries"
    )]
    async fn deliveries(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// At most this many deliveries (1 to 500, 100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> ApiResult<Json<Vec<DeliveryBody>>> {
        let owner = owner(&caller)?;
        let limit = page_limit(limit.0)?;
        let deliveries = self
            .vnum
            .webhook_deliveries(owner, WebhookId(id.0), limit)
            .await?;
        Ok(Json(
            deliveries.into_iter().map(DeliveryBody::from).collect(),
        ))
    }

    /// Redeliver
    ///
    /// Posts the delivery's event again, now, under the same event id, whatever became of
    /// it; a disabled endpoint is enabled again.
    #[oai(
        path = "/webhooks/:id/deliveries/:delivery/redeliver",
        method = "post",
        operation_id = "redeliver_webhook"
    )]
    async fn redeliver(
        &self,
        caller: Caller,
        id: Path<i64>,
        delivery: Path<i64>,
    ) -> ApiResult<Json<DeliveryBody>> {
        let owner = owner(&caller)?;
        let requeued = self
            .vnum
            .redeliver_webhook(owner, WebhookId(id.0), delivery.0)
            .await?;
        Ok(Json(requeued.into()))
    }
}

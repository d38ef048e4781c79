//! Payments a customer starts, and the payment provider's signed notifications that confirm
//! them (R1.D1).

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ParseFromJSON;
use poem_openapi::{ApiResponse, Enum};
use poem_openapi::{Object, OpenApi};
use vnum_app::model::PaymentRecord;
use vnum_app::{ProviderNotification, StartPayment, StartedPayment, Vnum};
use vnum_billing::{PaymentOutcome, PaymentStatus};
use vnum_core::{CustomerId, Money, PaymentId, rule};

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::page;
use crate::problem::{ApiResult, Problem};
use crate::signature::{self, SignedBody, WebhookSecret};

/// Payments and the provider's notifications.
pub(crate) struct PaymentsApi {
    pub(crate) vnum: Vnum,
    /// The secret that signs notifications; without it they are refused.
    pub(crate) webhook_secret: Option<WebhookSecret>,
}

/// Where a payment stands (R1.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "PaymentStatus", rename_all = "snake_case")]
pub(crate) enum Status {
    /// Started, not confirmed: the balance is not credited.
    Pending,
    /// The payment provider confirmed it: the balance was credited once.
    Confirmed,
    /// The payment provider reported it failed: nothing was credited.
    Failed,
}

impl From<PaymentStatus> for Status {
    fn from(status: PaymentStatus) -> Self {
        match status {
            PaymentStatus::Pending => Self::Pending,
            PaymentStatus::Confirmed => Self::Confirmed,
            PaymentStatus::Failed => Self::Failed,
        }
    }
}

/// A payment a customer started. It credits the balance only once the payment provider
/// confirms it (R1.D1).
#[derive(Clone, Debug, Object)]
#[oai(rename = "Payment")]
pub(crate) struct PaymentBody {
    /// The id: the `payment_id` the provider's notification names.
    id: i64,
    /// Whose balance it credits once confirmed.
    customer: i64,
    /// How much.
    amount: MoneyBody,
    /// Pending, confirmed or failed.
    status: Status,
    /// When it was started.
    created_at: DateTime<Utc>,
    /// When the provider's confirmation credited the balance.
    #[oai(skip_serializing_if_is_none)]
    confirmed_at: Option<DateTime<Utc>>,
    /// When the provider reported it failed.
    #[oai(skip_serializing_if_is_none)]
    failed_at: Option<DateTime<Utc>>,
    /// The id of the provider's event that confirmed or failed it.
    #[oai(skip_serializing_if_is_none)]
    provider_event_id: Option<String>,
}

impl From<PaymentRecord> for PaymentBody {
    fn from(payment: PaymentRecord) -> Self {
        Self {
            id: payment.id.get(),
            customer: payment.customer.get(),
            amount: payment.amount.into(),
            status: payment.status.into(),
            created_at: payment.created_at,
            confirmed_at: payment.confirmed_at,
            failed_at: payment.failed_at,
            provider_event_id: payment.provider_event,
        }
    }
}

/// The answer to starting a payment.
#[derive(ApiResponse)]
pub(crate) enum Started {
    /// The payment was started, pending: nothing is credited until the provider confirms it.
    #[oai(status = 201)]
    Created(Json<PaymentBody>),
    /// The idempotency key was seen before: the payment it started.
    #[oai(status = 200)]
    Replayed(Json<PaymentBody>),
}

impl From<StartedPayment> for Started {
    fn from(started: StartedPayment) -> Self {
        let body = Json(started.payment.into());
        if started.replayed {
            Self::Replayed(body)
        } else {
            Self::Created(body)
        }
    }
}

/// What the provider's event says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "NotificationType")]
pub(crate) enum NotificationType {
    /// The money was received: the payment is confirmed and the balance credited.
    #[oai(rename = "payment.succeeded")]
    Succeeded,
    /// The payment did not go through: it is marked failed and nothing is credited.
    #[oai(rename = "payment.failed")]
    Failed,
}

/// The payment provider's notification about one payment.
#[derive(Clone, Debug, Object)]
#[oai(rename = "PaymentNotification")]
pub(crate) struct NotificationBody {
    /// The provider's id of the event, 1 to 200 characters: the same event is applied once.
    #[oai(validator(min_length = 1, max_length = 200))]
    event_id: String,
    /// `payment.succeeded` or `payment.failed`.
    #[oai(rename = "type")]
    kind: NotificationType,
    /// The id of the pending payment, as vnum answered when it was started.
    payment_id: i64,
    /// What was received: required for `payment.succeeded`, and equal to the payment's
    /// amount and currency.
    amount: Option<MoneyBody>,
}

/// What a notification did.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NotificationReceipt")]
pub(crate) struct NotificationAnswer {
    /// The payment, settled.
    payment: PaymentBody,
    /// The id of the ledger entry that credited the balance, for a confirmed payment.
    #[oai(skip_serializing_if_is_none)]
    ledger_entry_id: Option<i64>,
    /// True when the event was applied before and nothing changed this time.
    replayed: bool,
}

/// The notification in `bytes`, read once its signature holds.
fn notification(bytes: &[u8]) -> ApiResult<ProviderNotification> {
    const EXPECTED: &str = "expected {\"event_id\": \"…\", \"type\": \"payment.succeeded\" or \
                            \"payment.failed\", \"payment_id\": <id>, \"amount\": {\"amount\": \
                            \"10.00\", \"currency\": \"EUR\"}}";
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON ({e}): {EXPECTED}"),
        )
    })?;
    let body = NotificationBody::parse_from_json(Some(value)).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the notification is invalid ({}): {EXPECTED}", e.message()),
        )
    })?;
    let outcome = match (body.kind, body.amount) {
        (NotificationType::Succeeded, Some(amount)) => {
            PaymentOutcome::Succeeded(Money::try_from(amount)?)
        }
        (NotificationType::Succeeded, None) => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("a payment.succeeded notification names the amount received: {EXPECTED}"),
            ));
        }
        (NotificationType::Failed, _) => PaymentOutcome::Failed,
    };
    Ok(ProviderNotification {
        event_id: body.event_id,
        payment: PaymentId(body.payment_id),
        outcome,
    })
}

page::page_of!(
    /// A page of a customer's payments, oldest first.
    PaymentPage,
    PaymentBody
);

#[OpenApi(prefix_path = "/v1", tag = "Tag::Payments")]
impl PaymentsApi {
    /// Start a payment
    ///
    /// The customer (or an operator for it) starts a payment of `amount`; it is pending
    /// and credits nothing until the payment provider confirms it with a signed
    /// notification (R1.D1). Give the answer's `id` to the provider as the payment's
    /// reference: its notification names it as `payment_id`.
    ///
    /// Once per `Idempotency-Key`: the same key again answers 200 with the payment it
    /// started; the same key with another amount answers 409. The amount is positive, in
    /// the balance's currency, has no more decimals than the currency, and is at most the
    /// configured maximum per payment (1,000,000.00 by default, R10.D6).
    #[oai(
        path = "/customers/:id/payments",
        method = "post",
        operation_id = "start_payment"
    )]
    async fn start(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// A key of the caller's choosing, 1 to 200 characters, unique per payment.
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 200))]
        idempotency_key: Header<String>,
        body: Json<MoneyBody>,
    ) -> ApiResult<Started> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let started = self
            .vnum
            .start_payment(StartPayment {
                customer: id,
                amount: body.0.try_into()?,
                idempotency_key: idempotency_key.0,
            })
            .await?;
        Ok(started.into())
    }

    /// List payments
    ///
    /// The customer's payments, oldest first: pending, confirmed and failed.
    #[oai(
        path = "/customers/:id/payments",
        method = "get",
        operation_id = "list_payments"
    )]
    async fn list(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<PaymentPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let payments = self.vnum.payments(id).await?;
        let payments = payments.into_iter().map(PaymentBody::from).collect();
        Ok(Json(page::slice(payments, page, |item| item.id).into()))
    }

    /// Read a payment
    ///
    /// One payment of the customer; another customer's answers 404.
    #[oai(
        path = "/customers/:id/payments/:payment_id",
        method = "get",
        operation_id = "get_payment"
    )]
    async fn get(
        &self,
        caller: Caller,
        id: Path<i64>,
        payment_id: Path<i64>,
    ) -> ApiResult<Json<PaymentBody>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let payment = self.vnum.payment(id, PaymentId(payment_id.0)).await?;
        Ok(Json(payment.into()))
    }

    /// Notify a payment's outcome (the payment provider)
    ///
    /// The payment provider (or a bridge in front of it) tells vnum that a pending payment
    /// succeeded or failed. No API key: the request is authenticated by its signature,
    /// `Vnum-Signature: t=<unix seconds>,v1=<hex>`, the lower-case hex HMAC-SHA256 under
    /// the shared secret (`payment_webhook_secret`) of the bytes `"<t>." + raw body`. A
    /// missing or wrong signature, or a `t` more than 300 s from the server's clock,
    /// answers 401 and changes nothing.
    ///
    /// `payment.succeeded` credits the payment's customer with one ledger entry (rule
    /// R1.D1, reference `provider:<event_id>`) and confirms the payment, in one step; the
    /// amount must equal the payment's amount and currency, or 422 and nothing is
    /// credited. `payment.failed` marks the payment failed and credits nothing. The same
    /// `event_id` again answers 200 with `replayed` and credits nothing; another event for
    /// a payment settled already answers 409. Without a configured secret, 503.
    #[oai(
        path = "/payments/notifications",
        method = "post",
        operation_id = "notify_payment"
    )]
    async fn notify(
        &self,
        /// `t=<unix seconds>,v1=<lower-case hex HMAC-SHA256 of "<t>." + body>`.
        #[oai(name = "Vnum-Signature")]
        signature: Header<Option<String>>,
        body: SignedBody<NotificationBody>,
    ) -> ApiResult<Json<NotificationAnswer>> {
        let Some(secret) = &self.webhook_secret else {
            return Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "payment notifications are not configured on this server: set \
                 payment_webhook_secret (VNUM_PAYMENT_WEBHOOK_SECRET)",
            )
            .with_rule(rule::R1_D1.as_str()));
        };
        signature::verify(signature.0.as_deref(), &body.0, secret, self.vnum.now())
            .map_err(|e| signature::unauthorized(&e))?;
        let receipt = self
            .vnum
            .apply_payment_notification(notification(&body.0)?)
            .await?;
        Ok(Json(NotificationAnswer {
            payment: receipt.payment.into(),
            ledger_entry_id: receipt.entry.map(|e| e.id.get()),
            replayed: receipt.replayed,
        }))
    }
}

//! The prepaid balance: reading it, idempotent top-ups and the ledger (R10).

use chrono::{DateTime, NaiveDate, Utc};
use poem::http::StatusCode;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Serialize;
use vnum_app::model::Principal;
use vnum_app::{BalanceView, PaymentMethod, ServiceState, TopUp, TopUpReceipt, Vnum};
use vnum_core::{CustomerId, rule};

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::page;
use crate::payload::Serialized;
use crate::problem::{ApiResult, Problem};
use crate::wire::ledger::Entry;

/// The balance and its ledger.
pub(crate) struct BalanceApi {
    pub(crate) vnum: Vnum,
}

/// Whether the account's numbers work: derived from the balance (R10.4, R10.D3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[oai(rename = "ServiceState", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum Service {
    /// The balance is zero or above: calls and SMS are delivered.
    Active,
    /// The balance is below zero: the numbers receive no calls and no SMS (R10.4).
    Suspended,
}

/// A balance and what it implies.
#[derive(Clone, Debug, Object, Serialize)]
pub(crate) struct Balance {
    /// The customer.
    customer: i64,
    /// The sum of the ledger.
    balance: MoneyBody,
    /// Whether the numbers work.
    service: Service,
    /// The rule that decided it: R10.4 when the account is suspended, R10.D3 otherwise.
    rule: String,
    /// Why, in words.
    reason: String,
}

impl From<BalanceView> for Balance {
    fn from(view: BalanceView) -> Self {
        Self {
            customer: view.customer.get(),
            balance: view.balance.into(),
            rule: view.service.rule().as_str().to_owned(),
            reason: view.service.reason().to_owned(),
            service: match view.service {
                ServiceState::Active => Service::Active,
                ServiceState::Suspended => Service::Suspended,
            },
        }
    }
}

page::page_of!(
    /// A page of the ledger, oldest first.
    LedgerPage,
    Entry
);

/// What a top-up did.
#[derive(Clone, Debug, Object)]
pub(crate) struct Receipt {
    /// The ledger entry of the top-up (the first one, when the key was seen before).
    entry: Entry,
    /// The balance now.
    balance: MoneyBody,
    /// True when the key was seen before and nothing was credited this time.
    replayed: bool,
}

impl From<TopUpReceipt> for Receipt {
    fn from(receipt: TopUpReceipt) -> Self {
        Self {
            entry: receipt.entry.into(),
            balance: receipt.balance.into(),
            replayed: receipt.replayed,
        }
    }
}

/// How an operator received a payment (R1.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "PaymentMethod", rename_all = "snake_case")]
pub(crate) enum Method {
    /// Money received on the provider's bank account.
    BankTransfer,
    /// Cash received by the provider.
    Cash,
    /// A correction of the balance.
    Correction,
}

impl From<Method> for PaymentMethod {
    fn from(method: Method) -> Self {
        match method {
            Method::BankTransfer => Self::BankTransfer,
            Method::Cash => Self::Cash,
            Method::Correction => Self::Correction,
        }
    }
}

/// A payment an operator received: the amount, and how it was received.
#[derive(Clone, Debug, Object)]
#[oai(rename = "OperatorPayment")]
pub(crate) struct OperatorPayment {
    /// The amount and currency, as in `Money`.
    #[oai(flatten)]
    money: MoneyBody,
    /// How it was received; the ledger line names it. Left out, the line says only that
    /// an operator recorded it.
    method: Option<Method>,
}

/// The answer to a top-up.
#[derive(ApiResponse)]
pub(crate) enum ToppedUp {
    /// The balance was credited.
    #[oai(status = 201)]
    Credited(Json<Receipt>),
    /// The idempotency key was seen before: nothing was credited; the first receipt.
    #[oai(status = 200)]
    Replayed(Json<Receipt>),
}

/// The earliest and latest instants a ledger query may name.
fn default_range() -> (DateTime<Utc>, DateTime<Utc>) {
    (DateTime::<Utc>::UNIX_EPOCH, far_future())
}

fn far_future() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::Balance")]
impl BalanceApi {
    /// Read the balance
    ///
    /// The balance and whether the numbers work (R10.4): below zero they are suspended.
    #[oai(path = "/:id/balance", method = "get", operation_id = "get_balance")]
    async fn balance(&self, caller: Caller, id: Path<i64>) -> ApiResult<Serialized<Balance>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        Ok(Serialized(self.vnum.balance(id).await?.into()))
    }

    /// Record a payment (operators)
    ///
    /// An operator records a payment the provider received and the balance is credited
    /// (R1.D1); `method` (`bank_transfer`, `cash` or `correction`, optional) is named in the
    /// ledger line. A customer key gets 403: a balance is credited only by a confirmed
    /// payment, never by its own customer, who starts a payment with
    /// `POST /v1/customers/{id}/payments` instead.
    ///
    /// Credits the balance once per `Idempotency-Key`: the same key again answers 200 with
    /// the first receipt and credits nothing; the same key with another amount answers 409.
    /// The amount is positive, has no more decimals than the currency, and is at most the
    /// configured maximum per payment (1,000,000.00 by default, R10.D6). A payment that
    /// clears a debt makes every number work again at once (R10.4).
    #[oai(path = "/:id/top-ups", method = "post", operation_id = "top_up")]
    async fn top_up(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// A key of the caller's choosing, 1 to 200 characters, unique per payment.
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 200))]
        idempotency_key: Header<String>,
        body: Json<OperatorPayment>,
    ) -> ApiResult<ToppedUp> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        if caller.principal() != Principal::Operator {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "a customer cannot credit its own balance: the balance is credited when the \
                 payment provider confirms a payment, or when an operator records one",
            )
            .with_rule(rule::R1_D1.as_str()));
        }
        let OperatorPayment { money, method } = body.0;
        let receipt = self
            .vnum
            .record_payment(
                TopUp {
                    customer: id,
                    amount: money.try_into()?,
                    idempotency_key: idempotency_key.0,
                },
                method.map(PaymentMethod::from),
            )
            .await?;
        Ok(if receipt.replayed {
            ToppedUp::Replayed(Json(receipt.into()))
        } else {
            ToppedUp::Credited(Json(receipt.into()))
        })
    }

    /// Read the ledger
    ///
    /// The entries from `from` (inclusive) to `to` (exclusive), oldest first (R4.6);
    /// without bounds, the whole ledger. One page at a time: `limit` entries (100 unless
    /// asked, at most 500) after the cursor `after`; `next` is the cursor of the next page
    /// while more follow.
    #[oai(path = "/:id/ledger", method = "get", operation_id = "get_ledger")]
    async fn ledger(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// The first instant, RFC 3339 (`2026-01-01T00:00:00Z`).
        from: Query<Option<DateTime<Utc>>>,
        /// The instant after the last, RFC 3339.
        to: Query<Option<DateTime<Utc>>>,
        /// Entries a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<LedgerPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let (earliest, latest) = default_range();
        // Without `to`, the range runs to the last day of year 9999 (or ends where it
        // starts, past that); without `from`, it starts at the epoch, or at `to` when that
        // is earlier: any day a client can write names a range, empty or not.
        let to =
            to.0.unwrap_or_else(|| from.0.map_or(latest, |from| from.max(latest)));
        let from = from.0.unwrap_or_else(|| earliest.min(to));
        if from > to {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("`from` ({from}) is after `to` ({to}): expected from <= to"),
            ));
        }
        let entries = self.vnum.ledger(id, from, to, page).await?;
        Ok(Json(LedgerPage {
            next: page::cursor(entries.next),
            items: entries.items.into_iter().map(Entry::from).collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Amount;
    use crate::payload::assert_written_alike;

    #[test]
    fn a_balance_is_written_alike_by_serde_and_by_poem_openapi() {
        for (cents, service) in [(-1, Service::Suspended), (10_000, Service::Active)] {
            assert_written_alike(&Balance {
                customer: 4,
                balance: MoneyBody {
                    amount: Amount(rust_decimal::Decimal::new(cents, 2)),
                    currency: crate::codes::CurrencyCode(vnum_core::Currency::EUR),
                },
                service,
                rule: "R10.4".to_owned(),
                reason: "the balance is below zero".to_owned(),
            });
        }
    }
}

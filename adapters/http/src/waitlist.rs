//! The waitlist for numbers out of stock, and restocking (R7).

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use vnum_app::{RestockOutcome, Vnum};
use vnum_core::{CustomerId, OfferId, WaitlistEntryId};
use vnum_lifecycle::{City, WaitlistEntry, WaitlistState};

use crate::Tag;
use crate::auth::Caller;
use crate::codes::{Country, E164};
use crate::page;
use crate::params::invalid;
use crate::problem::ApiResult;
use crate::wire::offer::Kind;

/// The waitlist.
pub(crate) struct WaitlistApi {
    pub(crate) vnum: Vnum,
}

/// A wish to be told when numbers go on sale (R7.1).
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewWaitlistEntry")]
pub(crate) struct NewEntry {
    /// The country, ISO 3166-1 alpha-2.
    country: Country,
    /// A city; without one, any city.
    #[oai(
        validator(min_length = 1, max_length = 100),
        skip_serializing_if_is_none
    )]
    city: Option<String>,
    /// A kind; without one, any kind.
    #[oai(skip_serializing_if_is_none)]
    kind: Option<Kind>,
}

/// Where an entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "WaitlistEntryState", rename_all = "snake_case")]
pub(crate) enum State {
    /// Waiting to be told.
    Waiting,
    /// Told: the numbers went on sale.
    Fulfilled,
    /// Withdrawn.
    Cancelled,
}

/// A customer's wish on the waitlist (R7.1).
#[derive(Clone, Debug, Object)]
#[oai(rename = "WaitlistEntry")]
pub(crate) struct Entry {
    /// The id.
    id: i64,
    /// The customer.
    customer: i64,
    /// The country.
    country: String,
    /// The city, if one was named.
    #[oai(skip_serializing_if_is_none)]
    city: Option<String>,
    /// The kind, if one was named.
    #[oai(skip_serializing_if_is_none)]
    kind: Option<Kind>,
    /// When the customer joined.
    requested_at: DateTime<Utc>,
    /// Waiting, fulfilled or cancelled.
    state: State,
    /// When it was fulfilled or cancelled.
    #[oai(skip_serializing_if_is_none)]
    closed_at: Option<DateTime<Utc>>,
}

impl From<WaitlistEntry> for Entry {
    fn from(entry: WaitlistEntry) -> Self {
        let (state, closed_at) = match entry.state() {
            WaitlistState::Waiting => (State::Waiting, None),
            WaitlistState::Fulfilled { at } => (State::Fulfilled, Some(at)),
            WaitlistState::Cancelled { at } => (State::Cancelled, Some(at)),
        };
        let wanted = entry.wanted();
        Self {
            id: entry.id().get(),
            customer: entry.customer().get(),
            country: wanted.country.to_string(),
            city: wanted.city.as_ref().map(|c| c.as_str().to_owned()),
            kind: wanted.kind.map(Kind::from),
            requested_at: entry.requested_at(),
            state,
            closed_at,
        }
    }
}

/// The answer to joining the waitlist.
#[derive(ApiResponse)]
pub(crate) enum Joined {
    /// The customer waits; an email follows when such numbers go on sale.
    #[oai(status = 201)]
    Created(Json<Entry>),
}

/// Numbers to add to an offer's stock.
#[derive(Clone, Debug, Object)]
#[oai(rename = "RestockRequest")]
pub(crate) struct Restock {
    /// E.164 numbers of the offer's country.
    #[oai(validator(min_items = 1, max_items = 10000))]
    numbers: Vec<E164>,
}

/// What a restock did (R7.1, R7.2).
#[derive(Clone, Debug, Object)]
#[oai(rename = "RestockReport")]
pub(crate) struct Restocked {
    /// The offer.
    offer: i64,
    /// The numbers added to its stock.
    added: Vec<String>,
    /// True when the offer went on sale with this restock (R7.2).
    listed_now: bool,
    /// The entries fulfilled, oldest wish first: their customers are emailed (R7.1) by the
    /// outbox, a `waitlist.restocked` event each.
    notified: Vec<Entry>,
}

impl From<RestockOutcome> for Restocked {
    fn from(outcome: RestockOutcome) -> Self {
        Self {
            offer: outcome.offer.id().get(),
            added: outcome.added.iter().map(ToString::to_string).collect(),
            listed_now: outcome.listed_now,
            notified: outcome.fulfilled.into_iter().map(Entry::from).collect(),
        }
    }
}

page::page_of!(
    /// A page of a customer's waitlist entries, oldest first.
    WaitlistPage,
    Entry
);

#[OpenApi(prefix_path = "/v1", tag = "Tag::Waitlist")]
impl WaitlistApi {
    /// Join the waitlist
    ///
    /// Asks to be emailed when numbers of the country (and city, and kind) go on sale
    /// (R7.1). 422 with R7.1 when such numbers are on sale already; 409 when the customer
    /// waits for the same already.
    #[oai(
        path = "/customers/:id/waitlist",
        method = "post",
        operation_id = "join_waitlist"
    )]
    async fn join(&self, caller: Caller, id: Path<i64>, body: Json<NewEntry>) -> ApiResult<Joined> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let body = body.0;
        let country = body.country.0;
        let city = body
            .city
            .as_deref()
            .map(City::new)
            .transpose()
            .map_err(|e| invalid("city", e))?;
        let entry = self
            .vnum
            .join_waitlist(id, country, city, body.kind.map(Into::into))
            .await?;
        Ok(Joined::Created(Json(entry.into())))
    }

    /// List waitlist entries
    ///
    /// The customer's entries, waiting and closed, oldest first.
    #[oai(
        path = "/customers/:id/waitlist",
        method = "get",
        operation_id = "list_waitlist"
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
    ) -> ApiResult<Json<WaitlistPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let entries = self.vnum.waitlist_of(id).await?;
        let entries = entries.into_iter().map(Entry::from).collect();
        Ok(Json(page::slice(entries, page, |item| item.id).into()))
    }

    /// Leave the waitlist
    ///
    /// Cancels one of the customer's entries; 409 when it was fulfilled or cancelled
    /// already.
    #[oai(
        path = "/customers/:id/waitlist/:entry_id",
        method = "delete",
        operation_id = "cancel_waitlist_entry"
    )]
    async fn cancel(
        &self,
        caller: Caller,
        id: Path<i64>,
        entry_id: Path<i64>,
    ) -> ApiResult<Json<Entry>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let entry = self
            .vnum
            .cancel_waitlist_entry(id, WaitlistEntryId(entry_id.0))
            .await?;
        Ok(Json(entry.into()))
    }

    /// Restock an offer
    ///
    /// For operators. Adds numbers to the offer's stock, puts it on sale if it was not
    /// (R7.2) and emails everyone waiting for such numbers, oldest wish first (R7.1); the
    /// answer names who was notified.
    #[oai(
        path = "/offers/:offer_id/restock",
        method = "post",
        operation_id = "restock_offer"
    )]
    async fn restock(
        &self,
        caller: Caller,
        offer_id: Path<i64>,
        body: Json<Restock>,
    ) -> ApiResult<Json<Restocked>> {
        caller.operator()?;
        let numbers = body
            .0
            .numbers
            .iter()
            .map(|n| n.parse("numbers"))
            .collect::<ApiResult<Vec<_>>>()?;
        let outcome = self.vnum.restock(OfferId(offer_id.0), numbers).await?;
        Ok(Json(outcome.into()))
    }
}

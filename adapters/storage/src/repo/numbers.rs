//! [`Numbers`] on the `numbers` table.

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use vnum_app::model::{Billing, CustomerKind, NumberRecord, NumberSettings};
use vnum_app::ports::store::Numbers;
use vnum_app::ports::{Invariant, StoreError};
use vnum_billing::ConnectionDay;
use vnum_compliance::EndUser;
use vnum_core::{CountryCode, CustomerId, NumberId, OfferId, PhoneNumber, PrepaidTerm};
use vnum_lifecycle::NumberState;

use super::column;
use crate::cache::Key;
use crate::codec::{customer_kind, from_minor, to_minor};
use crate::entity::number;
use crate::error::{corrupt, store_error};
use crate::record;
use crate::store::SeaOrmTransaction;

#[async_trait]
impl Numbers for SeaOrmTransaction<'_> {
    async fn insert_number(&mut self, record: NumberRecord) -> Result<NumberRecord, StoreError> {
        let mut row = to_row(&record)?;
        row.id = NotSet;
        row.version = Set(1);
        match self.insert_unless_taken(row).await? {
            Some(row) => self.to_record(row).await,
            None => Err(StoreError::Conflict {
                what: Invariant::NumberE164,
            }),
        }
    }

    async fn number(&mut self, id: NumberId) -> Result<Option<NumberRecord>, StoreError> {
        cached!(self, Key::Number(id.get()), {
            let row = number::Entity::find_by_id(id.get())
                .one(&self.txn)
                .await
                .map_err(store_error)?;
            match row {
                Some(row) => self.to_record(row).await.map(Some),
                None => Ok(None),
            }
        })
    }

    async fn number_by_e164(
        &mut self,
        e164: &PhoneNumber,
    ) -> Result<Option<NumberRecord>, StoreError> {
        cached!(self, Key::LiveNumber(e164.as_str().to_owned()), {
            let row = number::Entity::find()
                .filter(number::Column::E164.eq(e164.as_str()))
                .filter(number::Column::DeletedOn.is_null())
                .one(&self.txn)
                .await
                .map_err(store_error)?;
            match row {
                Some(row) => self.to_record(row).await.map(Some),
                None => Ok(None),
            }
        })
    }

    async fn numbers_of(&mut self, customer: CustomerId) -> Result<Vec<NumberRecord>, StoreError> {
        cached!(self, Key::NumbersOf(customer.get()), {
            let rows = number::Entity::find()
                .filter(number::Column::CustomerId.eq(customer.get()))
                .order_by_asc(number::Column::Id)
                .all(&self.txn)
                .await
                .map_err(store_error)?;
            let mut records = Vec::with_capacity(rows.len());
            for row in rows {
                records.push(self.to_record(row).await?);
            }
            Ok(records)
        })
    }

    async fn update_number(&mut self, record: NumberRecord) -> Result<NumberRecord, StoreError> {
        let id = record.id.get();
        let version = record.version;
        let mut row = to_row(&record)?;
        row.id = NotSet;
        row.version = Set(version + 1);
        let update = number::Entity::update_many()
            .set(row)
            .filter(number::Column::Id.eq(id))
            .filter(number::Column::Version.eq(version));
        // Only a live number with an E.164 can break `number_e164`; then the update runs in
        // a savepoint so that the conflict leaves the transaction usable.
        let updated = if record.e164().is_some() && record.is_live() {
            let savepoint = self.txn.begin().await.map_err(store_error)?;
            match update.exec(&savepoint).await {
                Ok(result) => {
                    savepoint.commit().await.map_err(store_error)?;
                    result.rows_affected
                }
                Err(error) => {
                    savepoint.rollback().await.map_err(store_error)?;
                    return Err(store_error(error));
                }
            }
        } else {
            update
                .exec(&self.txn)
                .await
                .map_err(store_error)?
                .rows_affected
        };
        if updated == 0 {
            return Err(StoreError::Stale { what: "number", id });
        }
        Ok(NumberRecord {
            version: version + 1,
            ..record
        })
    }
}

fn to_row(record: &NumberRecord) -> Result<number::ActiveModel, StoreError> {
    let billing = record.billing.as_ref();
    let json = record::encode(record)?;
    Ok(number::ActiveModel {
        id: Set(record.id.get()),
        customer_id: Set(record.customer.get()),
        offer_id: Set(record.offer.get()),
        country: Set(record.country.as_str().to_owned()),
        e164: Set(record.e164().map(|e| e.as_str().to_owned())),
        // 1 to 31: always an i32.
        anchor_day: Set(billing.map(|b| b.anchor_day.get() as i32)),
        connected_on: Set(billing.map(|b| b.connected_on)),
        paid_through: Set(billing.map(|b| b.paid_through)),
        fee_minor: Set(billing.map(|b| to_minor(b.monthly_fee)).transpose()?),
        fee_currency: Set(billing.map(|b| b.monthly_fee.currency().code().to_owned())),
        deleted_on: Set(record.deleted_on()),
        renewal_stopped_on: Set(billing.and_then(|b| b.renewal_stopped_on)),
        version: Set(record.version),
        record: Set(Some(json)),
    })
}

impl SeaOrmTransaction<'_> {
    /// The record of a row: from its JSON, with the id, the version and the billing from the
    /// columns (the renewal run moves `paid_through` and `version` there without rewriting
    /// the JSON); or, for a number written by the first schema (`m0001`), which kept no
    /// JSON, from the columns alone (see [`columns_only`]).
    pub(super) async fn to_record(&self, row: number::Model) -> Result<NumberRecord, StoreError> {
        let billing = billing(&row)?;
        let record = match &row.record {
            Some(json) => record::decode::<NumberRecord>(json)?,
            None => {
                let kind = self
                    .query_one(
                        "SELECT kind FROM customers WHERE id = $1",
                        vec![row.customer_id.into()],
                    )
                    .await?
                    .map(|row| column::<String>(&row, 0))
                    .transpose()?
                    .ok_or_else(|| {
                        corrupt(
                            "number record",
                            format!("number {} has no customer {}", row.id, row.customer_id),
                        )
                    })?;
                columns_only(&row, billing.as_ref(), customer_kind(&kind)?)?
            }
        };
        Ok(NumberRecord {
            id: NumberId(row.id),
            billing,
            version: row.version,
            ..record
        })
    }
}

/// The billing of a row, from its columns: all of them or none.
fn billing(row: &number::Model) -> Result<Option<Billing>, StoreError> {
    match (
        row.anchor_day,
        row.connected_on,
        row.paid_through,
        row.fee_minor,
        &row.fee_currency,
    ) {
        (Some(anchor), Some(connected_on), Some(paid_through), Some(fee), Some(currency)) => {
            Ok(Some(Billing {
                anchor_day: u32::try_from(anchor)
                    .ok()
                    .and_then(|day| ConnectionDay::new(day).ok())
                    .ok_or_else(|| corrupt("anchor day", anchor))?,
                connected_on,
                paid_through,
                monthly_fee: from_minor(fee, currency)?,
                renewal_stopped_on: row.renewal_stopped_on,
            }))
        }
        (None, None, None, None, None) => Ok(None),
        _ => Err(corrupt(
            "number billing",
            format!("number {} is half billed", row.id),
        )),
    }
}

/// A number as the first schema (`m0001`) kept it: columns only, with no lifecycle state,
/// prepaid term, end user or settings, which later records hold. Read, it becomes the
/// record those columns describe, and it is written whole on its next update:
///
/// - deleted on a day: `Deleted`, with its E.164 number if it had one;
/// - billed (connected): `Active` on its E.164 number since its connection day;
/// - otherwise `Ordered`, its E.164 number (then only a number picked in a manual order,
///   R1.3) the one it wants;
/// - the prepaid term of one month, the minimum rental (the first payment was made
///   already: the term is not read again once a number is connected);
/// - the end user of its customer's kind: a company's numbers are for a business, a
///   person's for a person (R3.1);
/// - no add-ons, forwarding or greetings, which that schema did not have.
fn columns_only(
    row: &number::Model,
    billing: Option<&Billing>,
    kind: CustomerKind,
) -> Result<NumberRecord, StoreError> {
    let e164 = row
        .e164
        .as_deref()
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(|e| corrupt("E.164 number", e))?;
    let (state, wanted) = match (row.deleted_on, billing, e164) {
        (Some(deleted_on), _, number) => (NumberState::Deleted { number, deleted_on }, None),
        (None, Some(billing), Some(number)) => (
            NumberState::Active {
                number,
                connected_on: billing.connected_on,
            },
            None,
        ),
        (None, Some(_), None) => {
            return Err(corrupt(
                "number record",
                format!("number {} is billed without an E.164 number", row.id),
            ));
        }
        (None, None, wanted) => (NumberState::Ordered, wanted),
    };
    Ok(NumberRecord {
        id: NumberId(row.id),
        customer: CustomerId(row.customer_id),
        offer: OfferId(row.offer_id),
        country: CountryCode::parse(&row.country).map_err(|e| corrupt("country", e))?,
        state,
        wanted,
        first_term: PrepaidTerm::OneMonth,
        end_user: match kind {
            CustomerKind::Person => EndUser::Personal,
            CustomerKind::Company => EndUser::Business,
        },
        billing: billing.cloned(),
        settings: NumberSettings::default(),
        first_charge: None,
        version: row.version,
    })
}

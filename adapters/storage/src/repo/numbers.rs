//! [`Numbers`] on the `numbers` table.

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use vnum_app::model::{Billing, NumberRecord};
use vnum_app::ports::store::Numbers;
use vnum_app::ports::{Invariant, StoreError};
use vnum_billing::ConnectionDay;
use vnum_core::{CustomerId, NumberId, PhoneNumber};

use crate::cache::Key;
use crate::codec::{from_minor, to_minor};
use crate::entity::number;
use crate::error::{corrupt, store_error};
use crate::store::SeaOrmTransaction;

#[async_trait]
impl Numbers for SeaOrmTransaction<'_> {
    async fn insert_number(&mut self, record: NumberRecord) -> Result<NumberRecord, StoreError> {
        let mut row = to_row(&record)?;
        row.id = NotSet;
        row.version = Set(1);
        match self.insert_unless_taken(row).await? {
            Some(row) => to_record(row),
            None => Err(StoreError::Conflict {
                what: Invariant::NumberE164,
            }),
        }
    }

    async fn number(&mut self, id: NumberId) -> Result<Option<NumberRecord>, StoreError> {
        cached!(
            self,
            Key::Number(id.get()),
            number::Entity::find_by_id(id.get())
                .one(&self.txn)
                .await
                .map_err(store_error)?
                .map(to_record)
                .transpose()
        )
    }

    async fn number_by_e164(
        &mut self,
        e164: &PhoneNumber,
    ) -> Result<Option<NumberRecord>, StoreError> {
        cached!(
            self,
            Key::LiveNumber(e164.as_str().to_owned()),
            number::Entity::find()
                .filter(number::Column::E164.eq(e164.as_str()))
                .filter(number::Column::DeletedOn.is_null())
                .one(&self.txn)
                .await
                .map_err(store_error)?
                .map(to_record)
                .transpose()
        )
    }

    async fn numbers_of(&mut self, customer: CustomerId) -> Result<Vec<NumberRecord>, StoreError> {
        cached!(
            self,
            Key::NumbersOf(customer.get()),
            number::Entity::find()
                .filter(number::Column::CustomerId.eq(customer.get()))
                .order_by_asc(number::Column::Id)
                .all(&self.txn)
                .await
                .map_err(store_error)?
                .into_iter()
                .map(to_record)
                .collect()
        )
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
    let json = serde_json::to_string(record).map_err(|e| corrupt("number record", e))?;
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
        version: Set(record.version),
        record: Set(Some(json)),
    })
}

/// The record from its JSON, with the id, the version and the billing from the columns:
/// the renewal run moves `paid_through` and `version` there without rewriting the JSON.
fn to_record(row: number::Model) -> Result<NumberRecord, StoreError> {
    let billing = match (
        row.anchor_day,
        row.connected_on,
        row.paid_through,
        row.fee_minor,
        row.fee_currency,
    ) {
        (Some(anchor), Some(connected_on), Some(paid_through), Some(fee), Some(currency)) => {
            Some(Billing {
                anchor_day: u32::try_from(anchor)
                    .ok()
                    .and_then(|day| ConnectionDay::new(day).ok())
                    .ok_or_else(|| corrupt("anchor day", anchor))?,
                connected_on,
                paid_through,
                monthly_fee: from_minor(fee, &currency)?,
            })
        }
        (None, None, None, None, None) => None,
        _ => {
            return Err(corrupt(
                "number billing",
                format!("number {} is half billed", row.id),
            ));
        }
    };
    let json = row.record.ok_or_else(|| {
        corrupt(
            "number record",
            format!(
                "number {} was stored before records were kept whole",
                row.id
            ),
        )
    })?;
    let record: NumberRecord =
        serde_json::from_str(&json).map_err(|e| corrupt("number record", e))?;
    Ok(NumberRecord {
        id: NumberId(row.id),
        billing,
        version: row.version,
        ..record
    })
}

//! [`Rates`] on the `rates` table (R6.D2): one row per rate, the price per minute as an
//! exact integer of ten-thousandths of its currency unit.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::QueryResult;
use vnum_app::ports::store::Rates;
use vnum_app::ports::{Invariant, StoreError};
use vnum_calls::{DialPrefix, Increments, Rate};
use vnum_core::{Currency, Money, PhoneNumber};

use super::column;
use crate::error::corrupt;
use crate::store::SeaOrmTransaction;

const COLUMNS: &str =
    "prefix, currency, price_per_minute_e4, first_seconds, next_seconds, effective_from";

#[async_trait]
impl Rates for SeaOrmTransaction<'_> {
    /// One rate per prefix, currency and instant is the unique index `rate_effective`.
    async fn insert_rate(&mut self, rate: Rate) -> Result<Rate, StoreError> {
        let written = self
            .write(
                &format!(
                    "INSERT INTO rates ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (prefix, currency, effective_from) DO NOTHING"
                ),
                vec![
                    rate.prefix().digits().into(),
                    rate.currency().code().into(),
                    rate.price_ten_thousandths().into(),
                    i32::try_from(rate.increments().first())
                        .unwrap_or(i32::MAX)
                        .into(),
                    i32::try_from(rate.increments().next())
                        .unwrap_or(i32::MAX)
                        .into(),
                    rate.effective_from().into(),
                ],
            )
            .await?;
        if written == 0 {
            return Err(StoreError::Conflict {
                what: Invariant::RateEffective,
            });
        }
        Ok(rate)
    }

    async fn rates(&mut self) -> Result<Vec<Rate>, StoreError> {
        self.query_all(
            &format!("SELECT {COLUMNS} FROM rates ORDER BY prefix, currency, effective_from"),
            Vec::new(),
        )
        .await?
        .iter()
        .map(rate)
        .collect()
    }

    /// The prefixes a destination starts with are its first 1 to 15 digits: one indexed
    /// lookup of at most fifteen keys.
    async fn rates_matching(
        &mut self,
        destination: &PhoneNumber,
        currency: Currency,
    ) -> Result<Vec<Rate>, StoreError> {
        let digits = destination.digits();
        let prefixes: Vec<String> = (1..=digits.len().min(15))
            .map(|n| digits[..n].to_owned())
            .collect();
        let placeholders: Vec<String> =
            (0..prefixes.len()).map(|i| format!("${}", i + 2)).collect();
        let mut values = vec![currency.code().into()];
        values.extend(prefixes.into_iter().map(Into::into));
        self.query_all(
            &format!(
                "SELECT {COLUMNS} FROM rates WHERE currency = $1 AND prefix IN ({}) \
                 ORDER BY prefix, currency, effective_from",
                placeholders.join(", ")
            ),
            values,
        )
        .await?
        .iter()
        .map(rate)
        .collect()
    }
}

/// A row back as a [`Rate`]; a row the domain refuses is corrupt.
fn rate(row: &QueryResult) -> Result<Rate, StoreError> {
    let prefix = column::<String>(row, 0)?;
    let currency = column::<String>(row, 1)?;
    let price = column::<i64>(row, 2)?;
    let first = column::<i32>(row, 3)?;
    let next = column::<i32>(row, 4)?;
    let effective_from = column::<DateTime<Utc>>(row, 5)?;
    let what = format!("rate {prefix} {currency} from {effective_from}");
    let seconds = |s: i32| u32::try_from(s).map_err(|e| corrupt(&what, e));
    let increments =
        Increments::new(seconds(first)?, seconds(next)?).map_err(|e| corrupt(&what, e))?;
    let currency = Currency::parse(&currency).map_err(|e| corrupt(&what, e))?;
    Rate::new(
        DialPrefix::parse(&prefix).map_err(|e| corrupt(&what, e))?,
        Money::new(Decimal::new(price, 4), currency),
        increments,
        effective_from,
    )
    .map_err(|e| corrupt(&what, e))
}

//! [`Catalogue`] on the `offers` and `stock_numbers` tables.

use async_trait::async_trait;
use vnum_app::model::{StockNumber, StockState};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Catalogue;
use vnum_core::{OfferId, PhoneNumber};
use vnum_lifecycle::{Offer, OfferTerms};

use super::{Sequence, column, to_json};
use crate::cache::Key;
use crate::codec::{stock_state, stock_state_name};
use crate::error::corrupt;
use crate::store::SeaOrmTransaction;

#[async_trait]
impl Catalogue for SeaOrmTransaction<'_> {
    async fn insert_offer(&mut self, mut terms: OfferTerms) -> Result<Offer, StoreError> {
        terms.id = OfferId(self.next_id(Sequence::Offers).await?);
        let offer = Offer::new(terms).map_err(|e| corrupt("offer", e))?;
        self.write(
            "INSERT INTO offers (id, record) VALUES ($1, $2)",
            vec![offer.id().get().into(), to_json(&offer)?],
        )
        .await?;
        Ok(offer)
    }

    async fn update_offer(&mut self, offer: Offer) -> Result<(), StoreError> {
        let updated = self
            .write(
                "UPDATE offers SET record = $2 WHERE id = $1",
                vec![offer.id().get().into(), to_json(&offer)?],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Stale {
                what: "offer",
                id: offer.id().get(),
            });
        }
        Ok(())
    }

    async fn offer(&mut self, id: OfferId) -> Result<Option<Offer>, StoreError> {
        cached!(
            self,
            Key::Offer(id.get()),
            self.record(
                "SELECT record FROM offers WHERE id = $1",
                vec![id.get().into()],
            )
            .await
        )
    }

    async fn offers(&mut self) -> Result<Vec<Offer>, StoreError> {
        cached!(
            self,
            Key::Offers,
            self.records("SELECT record FROM offers ORDER BY id", Vec::new())
                .await
        )
    }

    async fn add_stock(
        &mut self,
        offer: OfferId,
        numbers: &[PhoneNumber],
    ) -> Result<(), StoreError> {
        for e164 in numbers {
            self.write(
                "INSERT INTO stock_numbers (e164, offer_id, state) VALUES ($1, $2, $3)",
                vec![
                    e164.as_str().into(),
                    offer.get().into(),
                    stock_state_name(StockState::Available).into(),
                ],
            )
            .await?;
        }
        Ok(())
    }

    async fn stock(&mut self, offer: OfferId) -> Result<Vec<StockNumber>, StoreError> {
        let mut stock = self
            .stock_where("offer_id = $1", vec![offer.get().into()])
            .await?;
        // By number as the port says, in Rust: database collations order text differently.
        stock.sort_by(|a, b| a.e164.cmp(&b.e164));
        Ok(stock)
    }

    async fn stock_number(
        &mut self,
        e164: &PhoneNumber,
    ) -> Result<Option<StockNumber>, StoreError> {
        Ok(self
            .stock_where("e164 = $1", vec![e164.as_str().into()])
            .await?
            .pop())
    }

    async fn move_stock(
        &mut self,
        e164: &PhoneNumber,
        from: StockState,
        to: StockState,
    ) -> Result<(), StoreError> {
        // The state in the WHERE clause decides who took the number first.
        let moved = self
            .execute(
                "UPDATE stock_numbers SET state = $3 WHERE e164 = $1 AND state = $2",
                vec![
                    e164.as_str().into(),
                    stock_state_name(from).into(),
                    stock_state_name(to).into(),
                ],
            )
            .await?;
        if moved == 0 {
            return Err(StoreError::Stale {
                what: "stock number",
                id: 0,
            });
        }
        Ok(())
    }
}

impl SeaOrmTransaction<'_> {
    async fn stock_where(
        &self,
        condition: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<Vec<StockNumber>, StoreError> {
        let sql = format!("SELECT e164, offer_id, state FROM stock_numbers WHERE {condition}");
        self.query_all(&sql, values)
            .await?
            .iter()
            .map(|row| {
                Ok(StockNumber {
                    e164: PhoneNumber::parse(&column::<String>(row, 0)?)
                        .map_err(|e| corrupt("E.164 number", e))?,
                    offer: OfferId(column(row, 1)?),
                    state: stock_state(&column::<String>(row, 2)?)?,
                })
            })
            .collect()
    }
}

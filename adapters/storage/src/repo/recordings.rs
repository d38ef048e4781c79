//! [`RecordingOrders`] on the `recording_orders` table (R13.3, R13.D3).

use async_trait::async_trait;
use vnum_app::model::{Page, PageRequest, RecordingOrderRecord};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::RecordingOrders;
use vnum_core::NumberId;

use super::{Sequence, to_json};
use crate::store::SeaOrmTransaction;

#[async_trait]
impl RecordingOrders for SeaOrmTransaction<'_> {
    async fn insert_recording_order(
        &mut self,
        order: RecordingOrderRecord,
    ) -> Result<RecordingOrderRecord, StoreError> {
        let order = RecordingOrderRecord {
            id: self.next_id(Sequence::RecordingOrders).await?,
            ..order
        };
        self.write(
            "INSERT INTO recording_orders (id, customer_id, number_id, open, ordered_at, record) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                order.id.into(),
                order.customer.get().into(),
                order.number.get().into(),
                order.order.is_open().into(),
                order.order.ordered_at.into(),
                to_json(&order)?,
            ],
        )
        .await?;
        Ok(order)
    }

    async fn recording_order(
        &mut self,
        id: i64,
    ) -> Result<Option<RecordingOrderRecord>, StoreError> {
        self.record(
            "SELECT record FROM recording_orders WHERE id = $1",
            vec![id.into()],
        )
        .await
    }

    /// `open` in the update decides: an order ends once (R13.D3).
    async fn end_recording_order(
        &mut self,
        order: &RecordingOrderRecord,
    ) -> Result<(), StoreError> {
        let stale = StoreError::Stale {
            what: "recording order",
            id: order.id,
        };
        if order.order.is_open() {
            return Err(stale);
        }
        let ended = self
            .execute(
                "UPDATE recording_orders SET open = $2, record = $3 WHERE id = $1 AND open",
                vec![order.id.into(), false.into(), to_json(order)?],
            )
            .await?;
        if ended == 0 {
            return Err(stale);
        }
        Ok(())
    }

    async fn recording_orders_of_number(
        &mut self,
        number: NumberId,
    ) -> Result<Vec<RecordingOrderRecord>, StoreError> {
        self.records(
            "SELECT record FROM recording_orders WHERE number_id = $1 ORDER BY id",
            vec![number.get().into()],
        )
        .await
    }

    async fn open_recording_orders(
        &mut self,
        page: PageRequest,
    ) -> Result<Page<RecordingOrderRecord>, StoreError> {
        let rows = i64::try_from(page.rows()).unwrap_or(i64::MAX);
        let orders = self
            .records(
                "SELECT record FROM recording_orders WHERE open AND id > $1 ORDER BY id LIMIT $2",
                vec![page.after.unwrap_or(0).into(), rows.into()],
            )
            .await?;
        Ok(Page::of_rows(orders, page, |o: &RecordingOrderRecord| o.id))
    }
}

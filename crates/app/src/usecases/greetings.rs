//! Greetings and voicemail (R13): uploads checked for format (R13.2, R13.D1), the
//! selected greeting, and professional recordings (R13.3).

use vnum_calls::{
    CallsError, GreetingSettings, RecordingError, RecordingOrder, RecordingStatus, Voice,
    VoiceRecordingOrder, WavInfo, check_wav,
};
use vnum_core::rule;
use vnum_core::{CustomerId, GreetingId, NumberId};
use vnum_lifecycle::NumberState;

use super::media::greeting_key;
use super::numbers::owned_number;
use crate::model::{
    EntryKind, NewLedgerEntry, Notice, NumberRecord, Page, PageRequest, RecordingOrderRecord,
};
use crate::ports::{StoreError, Transaction};
use crate::{Error, Vnum};

/// The largest greeting file accepted: about 5 minutes of 8 kHz 16-bit mono.
pub const MAX_GREETING_BYTES: usize = 5 * 1024 * 1024;

/// A greeting just uploaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedGreeting {
    /// Its id among the number's greetings.
    pub id: GreetingId,
    /// What the check learnt of the stored file.
    pub info: WavInfo,
    /// What the file was before it was converted, when it was (R13.D2).
    pub converted_from: Option<String>,
}

impl Vnum {
    /// Uploads a greeting for a number (R13.1). The file must be WAV, PCM, 8 kHz, 16-bit,
    /// mono (R13.2); any other file is refused with what it is and what it must be, and
    /// the offer to convert it (R13.D1). With `convert`, a file of another common format is
    /// converted first and the answer says what it was (R13.D2); a file that is a greeting
    /// already is stored as it is.
    ///
    /// # Errors
    /// [`Error::Refused`] (R13.D1) for a file of another format, (R13.D2) for one that
    /// cannot be converted; [`Error::Invalid`] for an empty name, a file over
    /// [`MAX_GREETING_BYTES`] or one past the customer's media quota; [`Error::NotFound`].
    pub async fn upload_greeting(
        &self,
        customer: CustomerId,
        number: NumberId,
        name: &str,
        bytes: Vec<u8>,
        convert: bool,
    ) -> Result<UploadedGreeting, Error> {
        if name.trim().is_empty() || name.chars().count() > 100 {
            return Err(Error::Invalid(
                "a greeting needs a name of 1 to 100 characters".into(),
            ));
        }
        owned_number(&mut *self.ports.store.read().await?, customer, number).await?;
        let (bytes, converted_from) = self.greeting_audio("greeting", bytes, convert).await?;
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        let (id, info) = add_greeting(&mut record.settings.greetings, name, &bytes)?;
        self.put_media(customer, &greeting_key(customer, number, id), bytes)
            .await?;
        self.save_settings(tx, record).await?;
        Ok(UploadedGreeting {
            id,
            info,
            converted_from,
        })
    }

    /// Selects one of the uploaded greetings and turns the greeting on or off (R13.1).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's or no greeting has `id`.
    pub async fn set_greeting(
        &self,
        customer: CustomerId,
        number: NumberId,
        selected: Option<GreetingId>,
        enabled: bool,
    ) -> Result<NumberRecord, Error> {
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        if let Some(id) = selected {
            record
                .settings
                .greetings
                .select(id)
                .map_err(|_| Error::not_found("greeting", id))?;
        }
        record.settings.greetings.set_enabled(enabled);
        self.save_settings(tx, record).await
    }

    /// The bytes of an uploaded greeting, for playback.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's or has no such greeting.
    pub async fn greeting_file(
        &self,
        customer: CustomerId,
        number: NumberId,
        id: GreetingId,
    ) -> Result<Vec<u8>, Error> {
        let record = self.number(customer, number).await?;
        if !record
            .settings
            .greetings
            .uploaded()
            .iter()
            .any(|g| g.id() == id)
        {
            return Err(Error::not_found("greeting", id));
        }
        self.ports
            .media
            .get(&greeting_key(customer, number, id))
            .await
            .map_err(Error::from)
    }

    /// The audio of a greeting (a customer's upload or a delivered recording, `what`) as it
    /// is stored: at most [`MAX_GREETING_BYTES`], and with `convert` a file that is not a
    /// greeting already converted to one (R13.D2); what it was converted from, if it was.
    async fn greeting_audio(
        &self,
        what: &str,
        bytes: Vec<u8>,
        convert: bool,
    ) -> Result<(Vec<u8>, Option<String>), Error> {
        if bytes.len() > MAX_GREETING_BYTES {
            return Err(Error::Invalid(format!(
                "the {what} has {} bytes: at most {MAX_GREETING_BYTES} bytes are accepted",
                bytes.len()
            )));
        }
        if !convert || check_wav(&bytes).is_ok() {
            return Ok((bytes, None));
        }
        let converted = self
            .ports
            .audio
            .to_greeting(bytes)
            .await
            .map_err(|e| CallsError::ConversionFailed(e.to_string()))?;
        Ok((converted.wav, Some(converted.from)))
    }

    /// Orders a professional voice recording of a greeting, an extra paid service (R13.3):
    /// charged in advance at the configured price, and stored as an open order (R13.D3)
    /// until the provider delivers the recording or cancels the order.
    ///
    /// # Errors
    /// [`Error::InsufficientBalance`] when the balance does not cover it (R1.4);
    /// [`Error::Refused`] (R13.3) for an empty or overlong text, or a currency without a
    /// price; [`Error::NotFound`].
    pub async fn order_voice_recording(
        &self,
        customer: CustomerId,
        number: NumberId,
        text: &str,
        voice: Voice,
    ) -> Result<RecordingOrderRecord, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        owned_number(&mut *tx, customer, number).await?;
        let currency = tx
            .customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?
            .currency;
        let price = self.config.voice_recording_prices.price(currency)?;
        let order = VoiceRecordingOrder::new(text, voice, price)?;
        let stored = tx
            .insert_recording_order(RecordingOrderRecord {
                id: 0,
                customer,
                number,
                order: RecordingOrder::new(order, now),
            })
            .await?;
        super::balance::pay(
            &mut *tx,
            NewLedgerEntry {
                number: Some(number),
                reference: Some(format!("recording:{}", stored.id)),
                ..NewLedgerEntry::purchase(
                    customer,
                    price,
                    rule::R13_3,
                    format!("Professional voice recording {} of a greeting", stored.id),
                    now,
                )
            },
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The recording orders of the customer's number, oldest first (R13.D3).
    ///
    /// # Errors
    /// [`Error::NotFound`] for a number that is not the customer's.
    pub async fn recording_orders(
        &self,
        customer: CustomerId,
        number: NumberId,
    ) -> Result<Vec<RecordingOrderRecord>, Error> {
        let mut tx = self.ports.store.read().await?;
        owned_number(&mut *tx, customer, number).await?;
        Ok(tx.recording_orders_of_number(number).await?)
    }

    /// One page of the orders waiting for their recording, oldest first: the provider's
    /// work list (R13.D3).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn open_recording_orders(
        &self,
        page: PageRequest,
    ) -> Result<Page<RecordingOrderRecord>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.open_recording_orders(page).await?)
    }

    /// Delivers the recording of order `id`: the file becomes one of the number's greetings
    /// (R13.D3), checked as any greeting (R13.2) or converted first when `convert` is set
    /// (R13.D2), and the customer is told. It does not count against the customer's media
    /// quota: the customer paid for it. The greeting is not selected or turned on: that
    /// stays the customer's choice (R13.1).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown order; [`Error::Refused`] (R13.D3) for an order
    /// delivered or cancelled before, or whose number was deleted (cancel it instead),
    /// (R13.D1) for a file that is not a greeting, (R13.D2) for one that cannot be
    /// converted; [`Error::Invalid`] for a file over [`MAX_GREETING_BYTES`].
    pub async fn deliver_recording(
        &self,
        id: i64,
        bytes: Vec<u8>,
        convert: bool,
    ) -> Result<(RecordingOrderRecord, UploadedGreeting), Error> {
        let (bytes, converted_from) = self.greeting_audio("recording", bytes, convert).await?;
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let stored = tx
            .recording_order(id)
            .await?
            .ok_or_else(|| Error::not_found("recording order", id))?;
        let (customer, number) = (stored.customer, stored.number);
        let mut record = owned_number(&mut *tx, customer, number).await?;
        if matches!(record.state, NumberState::Deleted { .. }) {
            return Err(RecordingError::NumberDeleted.into());
        }
        let name = format!("Professional recording {id}");
        let (greeting, info) = add_greeting(&mut record.settings.greetings, &name, &bytes)?;
        let delivered = RecordingOrderRecord {
            order: stored.order.deliver(greeting, now)?,
            ..stored
        };
        end_order(&mut *tx, &delivered).await?;
        let email = tx.customer(customer).await?.map(|c| c.email);
        super::events::record(
            &mut *tx,
            now,
            email,
            Notice::RecordingDelivered {
                customer,
                number_id: number.get(),
                order_id: id,
                greeting_id: greeting.get(),
            },
        )
        .await?;
        self.ports
            .media
            .put(&greeting_key(customer, number, greeting), bytes)
            .await?;
        self.save_settings(tx, record).await?;
        Ok((
            delivered,
            UploadedGreeting {
                id: greeting,
                info,
                converted_from,
            },
        ))
    }

    /// Cancels order `id` for `reason`: its whole price goes back to the balance as a
    /// refund, once, and the customer is told why (R13.D3).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown order; [`Error::Refused`] (R13.D3) for an order
    /// delivered or cancelled before, or a blank or overlong reason.
    pub async fn cancel_recording(
        &self,
        id: i64,
        reason: &str,
    ) -> Result<RecordingOrderRecord, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let stored = tx
            .recording_order(id)
            .await?
            .ok_or_else(|| Error::not_found("recording order", id))?;
        let cancelled = RecordingOrderRecord {
            order: stored.order.cancel(reason, now)?,
            ..stored
        };
        let RecordingStatus::Cancelled { reason, refund, .. } = &cancelled.order.status else {
            return Err(Error::Invalid(
                "the cancelled order is not cancelled".into(),
            ));
        };
        end_order(&mut *tx, &cancelled).await?;
        let entry = tx
            .append(NewLedgerEntry {
                customer: cancelled.customer,
                kind: EntryKind::Refund,
                amount: *refund,
                number: Some(cancelled.number),
                period: None,
                rule: Some(rule::R13_D3),
                reference: Some(format!("recording-refund:{id}")),
                description: format!("Refund: professional recording {id} was cancelled"),
                at: now,
            })
            .await?;
        let email = tx.customer(cancelled.customer).await?.map(|c| c.email);
        super::events::record(
            &mut *tx,
            now,
            email,
            Notice::RecordingCancelled {
                customer: cancelled.customer,
                number_id: cancelled.number.get(),
                order_id: id,
                reason: reason.clone(),
                refund: entry.amount.into(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(cancelled)
    }
}

/// Adds `bytes` to `greetings` as a new greeting called `name`, with the next free id.
fn add_greeting(
    greetings: &mut GreetingSettings,
    name: &str,
    bytes: &[u8],
) -> Result<(GreetingId, WavInfo), Error> {
    let id = GreetingId(
        greetings
            .uploaded()
            .iter()
            .map(|g| g.id().get())
            .max()
            .unwrap_or(0)
            + 1,
    );
    let info = greetings.upload(id, name, bytes)?;
    Ok((id, info))
}

/// Stores the end of an order; one that ended meanwhile is the order's error, not a
/// storage failure.
async fn end_order(tx: &mut dyn Transaction, order: &RecordingOrderRecord) -> Result<(), Error> {
    tx.end_recording_order(order).await.map_err(|e| match e {
        StoreError::Stale { .. } => RecordingError::Ended { status: "ended" }.into(),
        other => other.into(),
    })
}

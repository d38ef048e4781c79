//! Greetings and voicemail (R13): uploads checked for format (R13.2, R13.D1), the
//! selected greeting, and professional recordings (R13.3).

use vnum_calls::{CallsError, GreetingSettings, Voice, VoiceRecordingOrder, WavInfo, check_wav};
use vnum_core::{CustomerId, GreetingId, NumberId};

use super::media::greeting_key;
use super::numbers::owned_number;
use crate::model::{NewLedgerEntry, NumberRecord};
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
        if bytes.len() > MAX_GREETING_BYTES {
            return Err(Error::Invalid(format!(
                "the greeting has {} bytes: at most {MAX_GREETING_BYTES} bytes are accepted",
                bytes.len()
            )));
        }
        owned_number(&mut *self.ports.store.read().await?, customer, number).await?;
        let (bytes, converted_from) = if convert && check_wav(&bytes).is_err() {
            let converted = self
                .ports
                .audio
                .to_greeting(bytes)
                .await
                .map_err(|e| CallsError::ConversionFailed(e.to_string()))?;
            (converted.wav, Some(converted.from))
        } else {
            (bytes, None)
        };
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        let greetings: &mut GreetingSettings = &mut record.settings.greetings;
        let id = GreetingId(
            greetings
                .uploaded()
                .iter()
                .map(|g| g.id().get())
                .max()
                .unwrap_or(0)
                + 1,
        );
        let info = greetings.upload(id, name, &bytes)?;
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

    /// Orders a professional voice recording of a greeting, an extra paid service (R13.3):
    /// charged in advance at the configured price.
    ///
    /// # Errors
    /// [`Error::InsufficientBalance`] when the balance does not cover it (R1.4);
    /// [`Error::Invalid`] for an empty or overlong text; [`Error::NotFound`].
    pub async fn order_voice_recording(
        &self,
        customer: CustomerId,
        number: NumberId,
        text: &str,
        voice: Voice,
    ) -> Result<VoiceRecordingOrder, Error> {
        let mut tx = self.ports.store.begin().await?;
        owned_number(&mut *tx, customer, number).await?;
        let currency = tx
            .customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?
            .currency;
        let price = self.config.voice_recording_prices.price(currency)?;
        let order = VoiceRecordingOrder::new(text, voice, price)?;
        super::balance::pay(
            &mut *tx,
            NewLedgerEntry {
                number: Some(number),
                ..NewLedgerEntry::purchase(
                    customer,
                    price,
                    vnum_core::rule::R13_3,
                    "Professional voice recording of a greeting".into(),
                    self.ports.clock.now(),
                )
            },
        )
        .await?;
        tx.commit().await?;
        Ok(order)
    }
}

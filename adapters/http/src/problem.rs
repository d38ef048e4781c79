//! RFC 7807 problem details: every error the API answers, in one shape.

use poem::error::ResponseError;
use poem::http::StatusCode;
use poem::http::header::WWW_AUTHENTICATE;
use poem::{IntoResponse, Response};
use poem_openapi::error::ParsePathError;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, Object};
use vnum_app::Error;
use vnum_app::ports::{MediaError, StoreError};

/// The media type of a problem body (RFC 7807, section 3).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What went wrong, as RFC 7807 `application/problem+json`.
///
/// `type` is a URN naming the kind of problem (`urn:vnum:problem:not-found`), stable for
/// clients to match on; `detail` is the sentence for people; `rule` is the id of the
/// business rule that refused the request, where one did (`R1.4`).
#[derive(Clone, Debug, PartialEq, Eq, Object, thiserror::Error)]
#[oai(rename = "Problem")]
#[error("{status} {title}: {detail}")]
pub struct Problem {
    /// A URN naming the kind of problem.
    #[oai(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong here and what is expected instead.
    pub detail: String,
    /// The business rule that refused the request (`R1.4`), where one did.
    #[oai(skip_serializing_if_is_none)]
    pub rule: Option<String>,
}

impl Problem {
    /// A problem of `status`, with a type and title derived from it.
    #[must_use]
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        let title = status.canonical_reason().unwrap_or("Error");
        let slug: String = title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        Self {
            kind: format!("urn:vnum:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            rule: None,
        }
    }

    /// 404: also the answer for another customer's resource, so that a customer cannot
    /// learn which ids exist.
    #[must_use]
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} {id} not found"))
    }

    /// 403: the caller is known but the operation is for operators.
    #[must_use]
    pub fn operators_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "this operation is for operators; a customer API key cannot do it",
        )
    }

    /// 403: the caller is the SIP engine, whose key opens `/v1/engine/*` only.
    #[must_use]
    pub fn engine_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "an engine API key may call the SIP engine's operations (/v1/engine/*) only",
        )
    }

    /// The same problem, naming the rule that refused.
    #[must_use]
    pub fn with_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// The status as a [`StatusCode`].
    #[must_use]
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Any error poem raised (a body that is not JSON, a missing parameter, an unknown
    /// route, a body over the limit, a missing token) as a problem with its reason.
    /// A [`Problem`] raised by a handler passes through unchanged.
    #[must_use]
    pub fn from_poem(err: poem::Error) -> Self {
        if err.is::<Self>() {
            if let Ok(problem) = err.downcast::<Self>() {
                return problem;
            }
            // `is` said it is one; this is unreachable in practice and still answers.
            return Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
        let status = err.status();
        if status == StatusCode::UNAUTHORIZED {
            return Self::new(
                status,
                "an API key is required: send Authorization: Bearer vnum_…",
            );
        }
        if let Some(path) = err.downcast_ref::<ParsePathError>() {
            // poem-openapi renames path variables in its routes (`param0`), so its message
            // would name a variable the caller never saw.
            return Self::new(
                status,
                format!("a path segment is invalid: {}", path.reason),
            );
        }
        if status.is_server_error() {
            tracing::error!(error = %err, "request failed");
            return Self::new(status, "internal error");
        }
        Self::new(status, err.to_string())
    }
}

/// `result` of an operation whose body names a `what` by its id (an order's `offer`, a
/// presented `number`): that one missing is a 422 naming `field`, since 404 is for the
/// resource of the path (a client, or a test, that just created the customer of the path
/// must not read "not found" as the customer gone).
///
/// # Errors
/// The error of `result`, as [`Problem`]: a missing `what` as 422.
pub(crate) fn named_in_body<T>(result: Result<T, Error>, what: &str, field: &str) -> ApiResult<T> {
    result.map_err(|error| match error {
        Error::NotFound { what: missing, id } if missing == what => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`{field}` names {what} {id}, which does not exist"),
        ),
        other => other.into(),
    })
}

/// How each application error answers:
///
/// | error | status |
/// |---|---|
/// | `NotFound` | 404 |
/// | `Invalid` | 422 |
/// | `InsufficientBalance` | 402 Payment Required, with rule R1.4: the caller must top up |
/// | `Conflict` | 409 |
/// | `Refused` | 422, with the rule |
/// | `Store(BalanceLimit)` | 422 (use cases report it as `Refused` with R10.D6) |
/// | `Store(Conflict)`, `Store(Stale)` | 409: a concurrent change won; retry |
/// | `Store(Unavailable)`, `Media(Unavailable)` | 503 |
/// | `Media(NotFound)` | 404: the file is not there |
/// | `Store(Corrupt)` | 500, details only in the log |
impl From<Error> for Problem {
    fn from(err: Error) -> Self {
        let status = match &err {
            Error::NotFound { .. } => StatusCode::NOT_FOUND,
            Error::Invalid(_)
            | Error::Refused { .. }
            | Error::Store(StoreError::BalanceLimit { .. }) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::InsufficientBalance { .. } => StatusCode::PAYMENT_REQUIRED,
            Error::Conflict(_)
            | Error::Store(StoreError::Conflict { .. } | StoreError::Stale { .. }) => {
                StatusCode::CONFLICT
            }
            Error::Store(StoreError::Unavailable(_)) | Error::Media(MediaError::Unavailable(_)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Media(MediaError::NotFound(_)) => StatusCode::NOT_FOUND,
            Error::Store(StoreError::Corrupt(_)) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let detail = if status.is_server_error() {
            tracing::error!(error = %err, "use case failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => "storage is unavailable; retry later".to_owned(),
                _ => "internal error".to_owned(),
            }
        } else {
            err.to_string()
        };
        let problem = Self::new(status, detail);
        match err.rule() {
            Some(rule) => problem.with_rule(rule.as_str()),
            None => problem,
        }
    }
}

impl ResponseError for Problem {
    fn status(&self) -> StatusCode {
        self.status_code()
    }

    fn as_response(&self) -> Response {
        let status = self.status_code();
        let response = Response::builder()
            .status(status)
            .content_type(PROBLEM_JSON);
        // RFC 9110, section 11.6.1: a 401 names the scheme to authenticate with.
        let response = if status == StatusCode::UNAUTHORIZED {
            response.header(WWW_AUTHENTICATE, "Bearer")
        } else {
            response
        };
        response.body(self.to_json_string())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

/// In the OpenAPI document every operation lists a `default` response: a problem.
impl ApiResponse for Problem {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "A problem (RFC 7807): what went wrong and what is expected",
                status: None,
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: PROBLEM_JSON,
                    schema: <Self as Type>::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <Self as Type>::register(registry);
    }
}

/// A 422 problem about one field of the request: what it was and what is expected.
pub(crate) fn field_problem(field: &str, detail: impl std::fmt::Display) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("`{field}`: {detail}"),
    )
}

/// The result of an operation: its answer, or a problem.
pub type ApiResult<T> = Result<T, Problem>;

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use vnum_core::{Currency, Money};

    use super::*;

    fn problem(err: Error) -> Problem {
        Problem::from(err)
    }

    #[test]
    fn not_found_is_404_and_names_the_thing() {
        let p = problem(Error::NotFound {
            what: "customer",
            id: "7".to_owned(),
        });
        assert_eq!(p.status, 404);
        assert_eq!(p.kind, "urn:vnum:problem:not-found");
        assert_eq!(p.detail, "customer 7 not found");
        assert_eq!(p.rule, None);
    }

    #[test]
    fn r1_4_insufficient_balance_is_402_naming_the_rule() {
        let eur = |cents| Money::new(Decimal::new(cents, 2), Currency::EUR);
        let p = problem(Error::InsufficientBalance {
            needed: eur(3000),
            available: eur(1000),
        });
        assert_eq!(p.status, 402);
        assert_eq!(p.rule.as_deref(), Some("R1.4"));
        assert!(p.detail.contains("30.00 EUR"), "{}", p.detail);
    }

    #[test]
    fn a_refusal_is_422_naming_its_rule() {
        let p = problem(Error::Refused {
            rule: vnum_core::rule::R3_1,
            message: "a passport is required for this number".to_owned(),
        });
        assert_eq!(p.status, 422);
        assert_eq!(p.rule.as_deref(), Some("R3.1"));
        assert_eq!(p.detail, "a passport is required for this number");
    }

    #[test]
    fn invalid_is_422_and_conflicts_are_409() {
        assert_eq!(problem(Error::Invalid("bad".to_owned())).status, 422);
        assert_eq!(problem(Error::Conflict("taken".to_owned())).status, 409);
        let stale = Error::Store(StoreError::Stale {
            what: "number",
            id: 1,
        });
        assert_eq!(problem(stale).status, 409);
    }

    #[test]
    fn media_failures_keep_their_meaning() {
        let missing = problem(Error::Media(MediaError::NotFound(
            "greetings/7/1".to_owned(),
        )));
        let down = problem(Error::Media(MediaError::Unavailable(
            "disk /srv/media is read-only".to_owned(),
        )));
        assert_eq!(missing.status, 404);
        assert_eq!(down.status, 503);
        assert!(!down.detail.contains("/srv"), "{}", down.detail);
    }

    #[test]
    fn storage_failures_are_5xx_without_internals() {
        let unavailable = problem(Error::Store(StoreError::Unavailable(
            "connection refused to db-7.internal".to_owned(),
        )));
        let corrupt = problem(Error::Store(StoreError::Corrupt(
            "ledger row 9: bad currency".to_owned(),
        )));
        assert_eq!(unavailable.status, 503);
        assert!(
            !unavailable.detail.contains("db-7"),
            "{}",
            unavailable.detail
        );
        assert_eq!(corrupt.status, 500);
        assert_eq!(corrupt.detail, "internal error");
    }

    #[test]
    fn the_response_is_problem_json_and_a_401_names_the_scheme() {
        let response = Problem::new(StatusCode::UNAUTHORIZED, "no key").as_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.content_type(), Some(PROBLEM_JSON));
        assert_eq!(
            response
                .headers()
                .get(WWW_AUTHENTICATE)
                .map(|v| v.as_bytes()),
            Some(&b"Bearer"[..])
        );
    }

    #[test]
    fn a_problem_raised_by_a_handler_passes_the_catch_all_unchanged() {
        let original = Problem::operators_only();
        let through = Problem::from_poem(original.clone().into());
        assert_eq!(through, original);
    }
}

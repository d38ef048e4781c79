//! API-key authentication and the tenant rules every endpoint applies.

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{Basic, Bearer};
use vnum_app::Vnum;
use vnum_app::model::Principal;
use vnum_core::CustomerId;

use crate::problem::{ApiResult, Problem};

/// The caller, authenticated by an API key: `Authorization: Bearer vnum_…`, or as the
/// password of HTTP Basic authentication (any user name) for clients that can only put
/// credentials in a URL, such as Kamailio's `http_client` connections.
///
/// A customer sees and changes only its own resources: another customer's answers 404, the
/// same as an id that does not exist, so ids of other tenants cannot be probed. Operations
/// for operators answer 403 to a customer. An engine key opens `/v1/engine/*` and nothing
/// else: 403 everywhere else. A missing or unknown key answers 401.
#[derive(SecurityScheme)]
pub enum Caller {
    /// The key as the Basic password.
    Basic(BasicKey),
    /// The key as a bearer token. Tried last, so that its answer to a wrong key is the one
    /// a caller sees.
    Bearer(BearerKey),
}

/// An API key sent as `Authorization: Bearer vnum_…`.
#[derive(SecurityScheme)]
#[oai(
    rename = "ApiKey",
    ty = "bearer",
    bearer_format = "vnum_<64 hex digits>",
    checker = "authenticate_bearer"
)]
pub struct BearerKey(Principal);

/// An API key sent as the password of HTTP Basic authentication; the user name is not read.
#[derive(SecurityScheme)]
#[oai(
    rename = "ApiKeyAsBasicPassword",
    ty = "basic",
    checker = "authenticate_basic"
)]
pub struct BasicKey(Principal);

async fn authenticate_bearer(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    authenticate(req, &bearer.token, "the bearer token").await
}

async fn authenticate_basic(req: &Request, basic: Basic) -> poem::Result<Principal> {
    authenticate(req, &basic.password, "the Basic password").await
}

/// The paths an engine key may call: the SIP engine's own operations.
const ENGINE_PATHS: &str = "/v1/engine/";

async fn authenticate(req: &Request, key: &str, sent_as: &str) -> poem::Result<Principal> {
    let Some(vnum) = req.data::<Vnum>() else {
        return Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the API was mounted without its application",
        )
        .into());
    };
    match vnum.authenticate(key).await {
        // Checked here, once for every operation, rather than in each: an operation that
        // forgot to would otherwise be open to the engine's key.
        Ok(Some(Principal::Engine)) if !req.uri().path().starts_with(ENGINE_PATHS) => {
            Err(Problem::engine_only().into())
        }
        Ok(Some(principal)) => Ok(principal),
        Ok(None) => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            format!("{sent_as} is not a valid API key"),
        )
        .into()),
        Err(err) => Err(Problem::from(err).into()),
    }
}

impl Caller {
    /// Who is calling.
    #[must_use]
    pub fn principal(&self) -> Principal {
        match self {
            Self::Basic(BasicKey(principal)) | Self::Bearer(BearerKey(principal)) => *principal,
        }
    }

    /// Passes an operator; refuses a customer or the engine with 403.
    ///
    /// # Errors
    /// A 403 problem for a customer or the engine.
    pub fn operator(&self) -> ApiResult<()> {
        match self.principal() {
            Principal::Operator => Ok(()),
            Principal::Customer(_) => Err(Problem::operators_only()),
            Principal::Engine => Err(Problem::engine_only()),
        }
    }

    /// Passes the SIP engine and an operator; refuses a customer with 403.
    ///
    /// # Errors
    /// A 403 problem for a customer.
    pub fn engine(&self) -> ApiResult<()> {
        match self.principal() {
            Principal::Engine | Principal::Operator => Ok(()),
            Principal::Customer(_) => Err(Problem::new(
                StatusCode::FORBIDDEN,
                "this operation is for the SIP engine; a customer API key cannot do it",
            )),
        }
    }

    /// Passes an operator and the customer `id` itself; any other customer gets the 404 that
    /// an unknown customer gets, the engine a 403.
    ///
    /// # Errors
    /// A 404 problem naming the customer when the caller is another customer; a 403 for the
    /// engine.
    pub fn may_access(&self, id: CustomerId) -> ApiResult<()> {
        match self.principal() {
            Principal::Operator => Ok(()),
            Principal::Customer(own) if own == id => Ok(()),
            Principal::Customer(_) => Err(Problem::not_found("customer", id)),
            Principal::Engine => Err(Problem::engine_only()),
        }
    }
}

//! Bearer-token authentication and the tenant rules every endpoint applies.

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use vnum_app::Vnum;
use vnum_app::model::Principal;
use vnum_core::CustomerId;

use crate::problem::{ApiResult, Problem};

/// The caller, authenticated by an API key sent as `Authorization: Bearer vnum_…`.
///
/// A customer sees and changes only its own resources: another customer's answers 404, the
/// same as an id that does not exist, so ids of other tenants cannot be probed. Operations
/// for operators answer 403 to a customer. A missing or unknown token answers 401.
#[derive(SecurityScheme)]
#[oai(
    rename = "ApiKey",
    ty = "bearer",
    bearer_format = "vnum_<64 hex digits>",
    checker = "authenticate"
)]
pub struct Caller(Principal);

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let Some(vnum) = req.data::<Vnum>() else {
        return Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the API was mounted without its application",
        )
        .into());
    };
    match vnum.authenticate(&bearer.token).await {
        Ok(Some(principal)) => Ok(principal),
        Ok(None) => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "the bearer token is not a valid API key",
        )
        .into()),
        Err(err) => Err(Problem::from(err).into()),
    }
}

impl Caller {
    /// Who is calling.
    #[must_use]
    pub fn principal(&self) -> Principal {
        self.0
    }

    /// Passes an operator; refuses a customer with 403.
    ///
    /// # Errors
    /// A 403 problem for a customer.
    pub fn operator(&self) -> ApiResult<()> {
        match self.0 {
            Principal::Operator => Ok(()),
            Principal::Customer(_) => Err(Problem::operators_only()),
        }
    }

    /// Passes an operator and the customer `id` itself; any other customer gets the 404 that
    /// an unknown customer gets.
    ///
    /// # Errors
    /// A 404 problem naming the customer when the caller is another customer.
    pub fn may_access(&self, id: CustomerId) -> ApiResult<()> {
        match self.0 {
            Principal::Operator => Ok(()),
            Principal::Customer(own) if own == id => Ok(()),
            Principal::Customer(_) => Err(Problem::not_found("customer", id)),
        }
    }
}

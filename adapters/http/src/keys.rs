//! API keys: create, list and revoke. A customer manages its own keys; an operator any.

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use vnum_app::model::{ApiKey, Principal};
use vnum_app::{NewApiKey, Vnum};
use vnum_core::{ApiKeyId, CustomerId};

use crate::Tag;
use crate::auth::Caller;
use crate::page;
use crate::problem::{ApiResult, Problem, field_problem};

/// API keys.
pub(crate) struct KeysApi {
    pub(crate) vnum: Vnum,
}

/// Whom a key authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "KeyRole", rename_all = "snake_case")]
pub(crate) enum Role {
    /// Staff of the provider.
    Operator,
    /// One customer, who sees and changes only its own resources.
    Customer,
    /// The SIP engine: `/v1/engine/*` and nothing else.
    Engine,
}

/// An API key as it is stored: never its token, which is shown once, at creation.
#[derive(Clone, Debug, Object)]
#[oai(rename = "ApiKey")]
pub(crate) struct KeyBody {
    /// The id, to revoke it by.
    id: i64,
    /// The name people gave it.
    name: String,
    /// Whom it authenticates.
    role: Role,
    /// The customer, for a customer's key.
    #[oai(skip_serializing_if_is_none)]
    customer: Option<i64>,
    /// When it was created.
    created_at: DateTime<Utc>,
    /// When it stops working by itself; left out for a key that does not expire.
    #[oai(skip_serializing_if_is_none)]
    expires_at: Option<DateTime<Utc>>,
    /// When it was revoked; left out for a key that was not.
    #[oai(skip_serializing_if_is_none)]
    revoked_at: Option<DateTime<Utc>>,
    /// Whether it opens the API now: neither revoked nor expired.
    active: bool,
}

impl KeyBody {
    fn new(key: ApiKey, now: DateTime<Utc>) -> Self {
        let (role, customer) = match key.principal {
            Principal::Operator => (Role::Operator, None),
            Principal::Customer(id) => (Role::Customer, Some(id.get())),
            Principal::Engine => (Role::Engine, None),
        };
        Self {
            id: key.id.get(),
            active: key.works_at(now),
            name: key.name,
            role,
            customer,
            created_at: key.created_at,
            expires_at: key.expires_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// A key to create.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewApiKey")]
pub(crate) struct NewKeyBody {
    /// A name for people ("ops laptop", "billing export"), 1 to 100 characters.
    #[oai(validator(min_length = 1, max_length = 100))]
    name: String,
    /// Whom it authenticates; a customer's key when left out. Only an operator creates an
    /// operator or engine key.
    role: Option<Role>,
    /// The customer of a customer's key: required when an operator creates one; a
    /// customer's own id, or left out, when a customer does.
    customer: Option<i64>,
    /// When it stops working by itself, in the future; never when left out.
    expires_at: Option<DateTime<Utc>>,
}

/// A key just created, with its token.
#[derive(Clone, Debug, Object)]
#[oai(rename = "CreatedApiKey")]
pub(crate) struct CreatedBody {
    /// The key.
    #[oai(flatten)]
    key: KeyBody,
    /// The bearer token: `Authorization: Bearer <token>`. Shown only in this answer: vnum
    /// keeps its SHA-256, so a lost token cannot be shown again, only replaced.
    token: String,
}

#[derive(ApiResponse)]
enum Created {
    /// The key is stored; its token is in this answer only.
    #[oai(status = 201)]
    Created(Json<CreatedBody>),
}

/// Whom the caller may create `body`'s key for: a customer its own customer keys, an
/// operator any key.
fn principal_for(caller: &Caller, body: &NewKeyBody) -> ApiResult<Principal> {
    let role = body.role.unwrap_or(Role::Customer);
    match (caller.principal(), role, body.customer) {
        (Principal::Customer(own), Role::Customer, customer) => {
            let id = CustomerId(customer.unwrap_or(own.get()));
            caller.may_access(id)?;
            Ok(Principal::Customer(id))
        }
        (Principal::Customer(_), Role::Operator | Role::Engine, _) => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "a customer creates keys for itself only (role customer); \
             operator and engine keys are created by operators",
        )),
        (Principal::Engine, ..) => Err(Problem::engine_only()),
        (Principal::Operator, Role::Customer, Some(id)) => Ok(Principal::Customer(CustomerId(id))),
        (Principal::Operator, Role::Customer, None) => Err(field_problem(
            "customer",
            "a customer's key names its customer: give `customer`, the customer's id",
        )),
        (Principal::Operator, Role::Operator | Role::Engine, Some(_)) => Err(field_problem(
            "customer",
            "only a customer's key names a customer: leave `customer` out for an operator \
             or engine key",
        )),
        (Principal::Operator, Role::Operator, None) => Ok(Principal::Operator),
        (Principal::Operator, Role::Engine, None) => Ok(Principal::Engine),
    }
}

/// The customer whose keys the caller sees: a customer only its own; an operator those of
/// `customer`, or every key.
fn owner(caller: &Caller, customer: Option<i64>) -> ApiResult<Option<CustomerId>> {
    match (caller.principal(), customer) {
        (Principal::Operator, customer) => Ok(customer.map(CustomerId)),
        (Principal::Customer(own), None) => Ok(Some(own)),
        (Principal::Customer(_), Some(id)) => {
            caller.may_access(CustomerId(id))?;
            Ok(Some(CustomerId(id)))
        }
        (Principal::Engine, _) => Err(Problem::engine_only()),
    }
}

page::page_of!(
    /// A page of API keys, oldest first.
    KeyPage,
    KeyBody
);

#[OpenApi(prefix_path = "/v1/keys", tag = "Tag::Keys")]
impl KeysApi {
    /// Create an API key
    ///
    /// A customer creates keys for itself only; an operator creates any key: an operator's,
    /// the SIP engine's, or a customer's (naming `customer`). The token is in this answer
    /// only: vnum stores its SHA-256. 403 when a customer asks for an operator or engine
    /// key; 404 for another customer or an unknown one; 422 for an expiry that is not in
    /// the future.
    #[oai(path = "/", method = "post", operation_id = "create_api_key")]
    async fn create(&self, caller: Caller, body: Json<NewKeyBody>) -> ApiResult<Created> {
        let principal = principal_for(&caller, &body.0)?;
        let issued = self
            .vnum
            .create_api_key(NewApiKey {
                principal,
                name: body.0.name,
                expires_at: body.0.expires_at,
            })
            .await?;
        Ok(Created::Created(Json(CreatedBody {
            key: KeyBody::new(issued.key, self.vnum.now()),
            token: issued.token,
        })))
    }

    /// List API keys
    ///
    /// A customer's own keys; for an operator every key, or those of `customer`. Revoked and
    /// expired keys are listed too (`active` is false), oldest first; never a token.
    #[oai(path = "/", method = "get", operation_id = "list_api_keys")]
    async fn list(
        &self,
        caller: Caller,
        /// Only this customer's keys (operators; a customer sees its own anyway).
        customer: Query<Option<i64>>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<KeyPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let owner = owner(&caller, customer.0)?;
        let now = self.vnum.now();
        let keys = self.vnum.api_keys(owner).await?;
        let keys = keys.into_iter().map(|key| KeyBody::new(key, now)).collect();
        Ok(Json(page::slice(keys, page, |k| k.id).into()))
    }

    /// Revoke an API key
    ///
    /// The key stops working at once: the very next request with it answers 401. A customer
    /// revokes its own keys (another's answers 404), an operator any. Revoking a revoked
    /// key changes nothing.
    #[oai(path = "/:id", method = "delete", operation_id = "revoke_api_key")]
    async fn revoke(&self, caller: Caller, id: Path<i64>) -> ApiResult<Json<KeyBody>> {
        let owner = owner(&caller, None)?;
        let key = self.vnum.revoke_api_key(ApiKeyId(id.0), owner).await?;
        Ok(Json(KeyBody::new(key, self.vnum.now())))
    }
}

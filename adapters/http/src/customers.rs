//! Customers: registration by an operator, reading a customer, and who am I (R1.1).

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Serialize;
use vnum_app::model::{self, Principal};
use vnum_app::{RegisterCustomer, Vnum};
use vnum_core::CustomerId;

use crate::Tag;
use crate::auth::Caller;
use crate::codes::CurrencyCode;
use crate::payload::Serialized;
use crate::problem::{ApiResult, Problem};
use crate::text::{Email, Text};

/// Customers.
pub(crate) struct CustomersApi {
    pub(crate) vnum: Vnum,
    /// Whether `POST /v1/signup` registers anyone who asks.
    pub(crate) self_registration: bool,
}

impl CustomersApi {
    /// Registers a customer (R1.1) and issues its first API key.
    async fn register_with_key(&self, body: NewCustomer, label: &str) -> ApiResult<Registered> {
        let currency = body.currency.0;
        let customer = self
            .vnum
            .register_customer(RegisterCustomer {
                name: body.name.into_string(),
                email: body.email.0,
                kind: body.kind.into(),
                currency,
            })
            .await?;
        let api_key = self
            .vnum
            .issue_api_key(Principal::Customer(customer.id), label)
            .await?;
        Ok(Registered::Created(Json(Registration {
            customer: customer.into(),
            api_key,
        })))
    }
}

/// Whether a customer is a person or a company (R12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[oai(rename = "CustomerKind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    /// A private person, paying by top-up.
    Person,
    /// A company, which may sign a contract and pay by bank transfer (R12.1).
    Company,
}

impl From<Kind> for model::CustomerKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Person => Self::Person,
            Kind::Company => Self::Company,
        }
    }
}

impl From<model::CustomerKind> for Kind {
    fn from(kind: model::CustomerKind) -> Self {
        match kind {
            model::CustomerKind::Person => Self::Person,
            model::CustomerKind::Company => Self::Company,
        }
    }
}

/// A registration.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewCustomer")]
pub(crate) struct NewCustomer {
    /// The person's full name or the company's name.
    name: Text<1, 200>,
    /// Where notifications go; unique among customers.
    email: Email,
    /// Person or company.
    kind: Kind,
    /// The ISO 4217 currency of the balance, such as `EUR`.
    currency: CurrencyCode,
}

/// A customer with one prepaid balance in one currency.
#[derive(Clone, Debug, Object, Serialize)]
pub(crate) struct Customer {
    /// The id.
    id: i64,
    /// The person's full name or the company's name.
    name: String,
    /// Where notifications go.
    email: String,
    /// Person or company.
    kind: Kind,
    /// The currency of the balance and of every price quoted to this customer.
    currency: String,
    /// When the customer registered.
    #[serde(serialize_with = "crate::payload::rfc3339")]
    registered_at: DateTime<Utc>,
}

impl From<model::Customer> for Customer {
    fn from(customer: model::Customer) -> Self {
        Self {
            id: customer.id.get(),
            name: customer.name,
            email: customer.email,
            kind: customer.kind.into(),
            currency: customer.currency.code().to_owned(),
            registered_at: customer.registered_at,
        }
    }
}

/// A registered customer and its first API key.
#[derive(Clone, Debug, Object)]
pub(crate) struct Registration {
    /// The customer.
    customer: Customer,
    /// The customer's API key, shown only here: vnum keeps only its SHA-256.
    api_key: String,
}

/// The answer to a registration.
#[derive(ApiResponse)]
pub(crate) enum Registered {
    /// The customer was registered.
    #[oai(status = 201)]
    Created(Json<Registration>),
}

/// Who the API key belongs to.
#[derive(Clone, Debug, Object)]
pub(crate) struct Me {
    /// `operator` or `customer`.
    role: String,
    /// The customer id, for a customer.
    #[oai(skip_serializing_if_is_none)]
    customer: Option<i64>,
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Customers")]
impl CustomersApi {
    /// Register a customer
    ///
    /// For operators. The customer starts with a zero balance (R1.1); the answer carries
    /// the customer's API key, which is shown only once.
    #[oai(
        path = "/customers",
        method = "post",
        operation_id = "register_customer"
    )]
    async fn register(&self, caller: Caller, body: Json<NewCustomer>) -> ApiResult<Registered> {
        caller.operator()?;
        self.register_with_key(body.0, "registered by an operator")
            .await
    }

    /// Sign up
    ///
    /// Self-registration, where the provider enabled it: registers the caller as a customer
    /// with a zero balance (R1.1) and answers its API key, shown only once. Needs no API
    /// key; where self-registration is disabled it answers 403.
    #[oai(path = "/signup", method = "post", operation_id = "sign_up")]
    async fn sign_up(&self, body: Json<NewCustomer>) -> ApiResult<Registered> {
        if !self.self_registration {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "self-registration is disabled: an operator registers customers",
            ));
        }
        self.register_with_key(body.0, "self-registration").await
    }

    /// Read a customer
    ///
    /// A customer reads only itself; another customer's id answers 404.
    #[oai(path = "/customers/:id", method = "get", operation_id = "get_customer")]
    async fn customer(&self, caller: Caller, id: Path<i64>) -> ApiResult<Serialized<Customer>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        Ok(Serialized(self.vnum.customer(id).await?.into()))
    }

    /// Who am I
    ///
    /// The principal the API key belongs to: an operator, or a customer and its id.
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, caller: Caller) -> ApiResult<Json<Me>> {
        Ok(Json(match caller.principal() {
            Principal::Operator => Me {
                role: "operator".to_owned(),
                customer: None,
            },
            Principal::Customer(id) => Me {
                role: "customer".to_owned(),
                customer: Some(id.get()),
            },
            Principal::Engine => return Err(Problem::engine_only()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::assert_written_alike;

    #[test]
    fn a_customer_is_written_alike_by_serde_and_by_poem_openapi() {
        for (kind, nanos) in [(Kind::Person, 0), (Kind::Company, 123_456_789)] {
            assert_written_alike(&Customer {
                id: 9,
                name: "Ada \"Countess\" Lovelace".to_owned(),
                email: "ada@example.com".to_owned(),
                kind,
                currency: "EUR".to_owned(),
                registered_at: DateTime::from_timestamp(1_764_000_000, nanos).unwrap_or_default(),
            });
        }
    }
}

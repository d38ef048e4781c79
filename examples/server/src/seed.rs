//! Demo data for a first start: an operator key and a customer with money on its balance.

use rust_decimal::Decimal;
use vnum_app::model::{CustomerKind, Principal};
use vnum_app::{Error, RegisterCustomer, TopUp, Vnum};
use vnum_core::{Currency, CustomerId, Money};

/// The email of the demo customer; finding it registered means the demo was seeded before.
pub const DEMO_EMAIL: &str = "demo@vnum.example";

/// The keys of a freshly seeded demo, shown once.
#[derive(Clone, Debug)]
pub struct Demo {
    /// An operator API key.
    pub operator_key: String,
    /// The demo customer.
    pub customer: CustomerId,
    /// The demo customer's API key.
    pub customer_key: String,
}

/// Seeds the demo on first start: `None` when it was seeded before (its keys were printed
/// then; vnum keeps only their hashes).
///
/// # Errors
/// When a use case fails.
pub async fn seed_demo(vnum: &Vnum) -> Result<Option<Demo>, Error> {
    let registered = vnum
        .register_customer(RegisterCustomer {
            name: "Demo Customer".to_owned(),
            email: DEMO_EMAIL.to_owned(),
            kind: CustomerKind::Person,
            currency: Currency::EUR,
        })
        .await;
    let customer = match registered {
        Ok(customer) => customer,
        Err(Error::Conflict(_)) => return Ok(None),
        Err(err) => return Err(err),
    };
    vnum.top_up(TopUp {
        customer: customer.id,
        amount: Money::new(Decimal::new(10_000, 2), Currency::EUR),
        idempotency_key: "demo-seed".to_owned(),
    })
    .await?;
    let customer_key = vnum
        .issue_api_key(Principal::Customer(customer.id), "demo customer")
        .await?;
    let operator_key = vnum
        .issue_api_key(Principal::Operator, "demo operator")
        .await?;
    Ok(Some(Demo {
        operator_key,
        customer: customer.id,
        customer_key,
    }))
}

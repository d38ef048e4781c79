use serde::{Deserialize, Serialize};
use vnum_core::{Currency, CustomerId};

use crate::model::{Customer, CustomerKind, NewCustomer};
use crate::ports::StoreError;
use crate::{Error, Vnum};

/// A registration (R1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCustomer {
    /// The person's full name or the company's name.
    pub name: String,
    /// Where notifications go; unique among customers.
    pub email: String,
    /// Person or company.
    pub kind: CustomerKind,
    /// The currency of the balance.
    pub currency: Currency,
}

impl Vnum {
    /// Registers a customer with a zero balance (R1.1).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty name or an email without `@`; [`Error::Conflict`]
    /// when the email is registered already.
    pub async fn register_customer(&self, request: RegisterCustomer) -> Result<Customer, Error> {
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Error::Invalid(
                "a name is required: 1 to 200 characters".into(),
            ));
        }
        let email = request.email.trim();
        let valid_email = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
            });
        if !valid_email {
            return Err(Error::Invalid(format!(
                "{email:?} is not an email address: expected name@example.com"
            )));
        }
        let mut tx = self.ports.store.begin().await?;
        let customer = tx
            .insert_customer(NewCustomer {
                name: name.to_owned(),
                email: email.to_owned(),
                kind: request.kind,
                currency: request.currency,
                registered_at: self.ports.clock.now(),
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => Error::Conflict(format!(
                    "a customer with email {email} is registered already"
                )),
                other => other.into(),
            })?;
        tx.commit().await?;
        Ok(customer)
    }

    /// The customer with this id.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none.
    pub async fn customer(&self, id: CustomerId) -> Result<Customer, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.customer(id)
            .await?
            .ok_or_else(|| Error::not_found("customer", id))
    }
}

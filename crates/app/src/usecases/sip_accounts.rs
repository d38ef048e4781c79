//! SIP accounts: issued free to customers who own a number (R5.1), their passwords, and
//! the number each presents on calls out (R6).

use serde::Serialize;
use vnum_calls::{SipAccount, SipLogin};
use vnum_core::{CustomerId, NumberId, SipAccountId};

use super::numbers::owned_number;
use crate::model::{NumberRecord, SipAccountRecord};
use crate::ports::{StoreError, Transaction};
use crate::{Error, Vnum};

/// A SIP account with its password, shown this once (R5.1).
#[derive(Clone, Debug, Serialize)]
pub struct IssuedSipAccount {
    /// The account as stored (digest HA1 only).
    pub record: SipAccountRecord,
    /// The domain to configure on the device.
    pub domain: String,
    /// The password, in clear text, never stored and never shown again.
    pub password: String,
}

impl Vnum {
    /// Issues a SIP account to a customer who owns at least one number (R5.1): a login
    /// (`login`, or one made from the customer id), a strong random password returned once,
    /// and the provider's domain. Only the digest HA1 is stored, and the SIP engine is
    /// given the account.
    ///
    /// # Errors
    /// [`Error::Refused`] (R5.1) when the customer owns no live number; [`Error::Invalid`]
    /// for a login that breaks the login rules; [`Error::Conflict`] when it is taken.
    pub async fn request_sip_account(
        &self,
        customer: CustomerId,
        login: Option<&str>,
    ) -> Result<IssuedSipAccount, Error> {
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let numbers: Vec<NumberRecord> = tx
            .numbers_of(customer)
            .await?
            .into_iter()
            .filter(NumberRecord::is_live)
            .collect();
        let existing = tx.sip_accounts_of(customer).await?.len();
        let login = match login {
            Some(login) => login.to_owned(),
            None => format!("c{customer}-{}", existing + 1),
        };
        let login = SipLogin::parse(&login)?;
        let ids: Vec<NumberId> = numbers.iter().map(|n| n.id).collect();
        let (account, password) = SipAccount::issue(
            customer,
            &ids,
            login,
            &self.config.sip_domain,
            &mut rand::rng(),
        )?;
        let presents = numbers.iter().find(|n| n.e164().is_some()).map(|n| n.id);
        let record = tx
            .insert_sip_account(SipAccountRecord {
                id: SipAccountId(0),
                account,
                presents,
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => Error::Conflict("the SIP login is taken".into()),
                other => other.into(),
            })?;
        tx.commit().await?;
        Ok(self.hand_out(record, &password).await)
    }

    /// Gives a SIP account a new random password, returned once (R5.1).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the account is not the customer's.
    pub async fn reset_sip_password(
        &self,
        customer: CustomerId,
        id: SipAccountId,
    ) -> Result<IssuedSipAccount, Error> {
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_account(&mut *tx, customer, id).await?;
        let password = record.account.reset_password(&mut rand::rng());
        tx.update_sip_account(&record).await?;
        tx.commit().await?;
        Ok(self.hand_out(record, &password).await)
    }

    /// Removes a SIP account: its login no longer authenticates, the engine drops its
    /// registrations (so its phones stop ringing at once) and the login may be issued
    /// again. An account that a forwarding plan rings (a number's, or a running free
    /// test's) is kept: the plan would otherwise ring whoever takes the login next.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the account is not the customer's; [`Error::Conflict`]
    /// naming the numbers whose forwarding rings it.
    pub async fn remove_sip_account(
        &self,
        customer: CustomerId,
        id: SipAccountId,
    ) -> Result<SipAccountRecord, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let record = owned_account(&mut *tx, customer, id).await?;
        let login = record.account.login();
        let mut ringing: Vec<String> = tx
            .numbers_of(customer)
            .await?
            .into_iter()
            .filter(|n| {
                n.settings
                    .forwarding
                    .as_ref()
                    .is_some_and(|plan| plan.rings_account(login))
            })
            .map(|n| {
                n.e164()
                    .map_or_else(|| format!("number {}", n.id), ToString::to_string)
            })
            .collect();
        ringing.extend(
            tx.trials_of(customer)
                .await?
                .into_iter()
                .filter(|t| {
                    t.trial.is_running(now)
                        && t.trial
                            .forwarding()
                            .is_some_and(|plan| plan.rings_account(login))
                })
                .map(|t| format!("the free test of {}", t.trial.number())),
        );
        if !ringing.is_empty() {
            return Err(Error::Conflict(format!(
                "the SIP account {login} is rung by the forwarding of {}: forward those \
                 elsewhere first",
                ringing.join(", ")
            )));
        }
        tx.delete_sip_account(id).await?;
        tx.commit().await?;
        // Removed here; an engine that missed it asks vnum at the next registration and
        // finds no account.
        super::logged(
            self.ports
                .sip
                .remove_account(login.as_str(), record.account.realm())
                .await,
            "removing the SIP account from the engine",
        );
        Ok(record)
    }

    /// A customer's SIP accounts.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn sip_accounts_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<SipAccountRecord>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.sip_accounts_of(customer).await?)
    }

    /// The account behind a login, for the SIP engine's digest authentication.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown login.
    pub async fn sip_account_by_login(&self, login: &str) -> Result<SipAccountRecord, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.sip_account_by_login(login)
            .await?
            .ok_or_else(|| Error::not_found("SIP account", login))
    }

    /// Chooses which of the customer's numbers an account presents on outgoing calls (R6).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the account or the number is not the customer's.
    pub async fn set_presented_number(
        &self,
        customer: CustomerId,
        id: SipAccountId,
        number: Option<NumberId>,
    ) -> Result<SipAccountRecord, Error> {
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_account(&mut *tx, customer, id).await?;
        if let Some(number) = number {
            owned_number(&mut *tx, customer, number).await?;
        }
        record.presents = number;
        tx.update_sip_account(&record).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Gives the SIP engine the account and the customer its password, once (R5.1).
    async fn hand_out(
        &self,
        record: SipAccountRecord,
        password: &vnum_calls::OneTimePassword,
    ) -> IssuedSipAccount {
        self.push_account(&record).await;
        IssuedSipAccount {
            domain: self.config.sip_domain.clone(),
            password: password.expose().to_owned(),
            record,
        }
    }

    async fn push_account(&self, record: &SipAccountRecord) {
        // The account is stored; an engine that missed it asks vnum when the device
        // registers.
        super::logged(
            self.ports
                .sip
                .upsert_account(
                    record.account.login().as_str(),
                    record.account.realm(),
                    record.account.ha1().as_str(),
                )
                .await,
            "pushing the SIP account to the engine",
        );
    }
}

async fn owned_account(
    tx: &mut dyn Transaction,
    customer: CustomerId,
    id: SipAccountId,
) -> Result<SipAccountRecord, Error> {
    match tx.sip_account(id).await? {
        Some(record) if record.account.owner() == customer => Ok(record),
        _ => Err(Error::not_found("SIP account", id)),
    }
}

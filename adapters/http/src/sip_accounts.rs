//! SIP accounts: requesting one, listing them, resetting a password, choosing the number
//! outgoing calls present (R5.1, R6).

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use vnum_app::model::SipAccountRecord;
use vnum_app::{IssuedSipAccount, Vnum};
use vnum_core::{CustomerId, NumberId, SipAccountId};

use crate::Tag;
use crate::auth::Caller;
use crate::page;
use crate::problem::{ApiResult, named_in_body};

/// SIP accounts.
pub(crate) struct SipAccountsApi {
    pub(crate) vnum: Vnum,
}

/// A request for a SIP account.
#[derive(Clone, Debug, Default, Object)]
#[oai(rename = "NewSipAccount")]
pub(crate) struct NewSipAccount {
    /// The login wanted: 3 to 32 lower-case letters, digits, `.`, `_` or `-`, starting
    /// with a letter or digit (R5.1); without one, vnum makes one from the customer id.
    #[oai(
        validator(pattern = r"^[a-z0-9][a-z0-9._-]{2,31}$"),
        skip_serializing_if_is_none
    )]
    login: Option<String>,
}

/// A SIP account. The password is never part of it: vnum keeps only the digest HA1.
#[derive(Clone, Debug, Object)]
pub(crate) struct SipAccount {
    /// The id.
    id: i64,
    /// The login, the user part of the account's SIP URI.
    login: String,
    /// The SIP domain to register at, also the digest realm.
    domain: String,
    /// The rented number outgoing calls present, where the CallerID add-on allows (R6).
    #[oai(skip_serializing_if_is_none)]
    presented_number: Option<i64>,
}

impl From<SipAccountRecord> for SipAccount {
    fn from(record: SipAccountRecord) -> Self {
        Self {
            id: record.id.get(),
            login: record.account.login().as_str().to_owned(),
            domain: record.account.realm().to_owned(),
            presented_number: record.presents.map(NumberId::get),
        }
    }
}

/// A SIP account with its password, shown this once (R5.1).
#[derive(Clone, Debug, Object)]
pub(crate) struct SipCredentials {
    /// The account.
    account: SipAccount,
    /// The password in clear text: vnum does not keep it and cannot show it again.
    password: String,
}

impl From<IssuedSipAccount> for SipCredentials {
    fn from(issued: IssuedSipAccount) -> Self {
        Self {
            account: issued.record.into(),
            password: issued.password,
        }
    }
}

/// The answer to a request for a SIP account.
#[derive(ApiResponse)]
pub(crate) enum Issued {
    /// The account was issued; the password is in the answer, once.
    #[oai(status = 201)]
    Created(Json<SipCredentials>),
}

/// Which number outgoing calls present.
#[derive(Clone, Debug, Object)]
#[oai(rename = "SipPresentedNumber")]
pub(crate) struct PresentedNumber {
    /// One of the customer's numbers; left out, the account presents none.
    #[oai(skip_serializing_if_is_none)]
    number: Option<i64>,
}

page::page_of!(
    /// A page of a customer's SIP accounts, oldest first.
    SipAccountPage,
    SipAccount
);

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::SipAccounts")]
impl SipAccountsApi {
    /// Request a SIP account
    ///
    /// Issues a SIP account to a customer who owns a number (R5.1; 422 with rule R5.1
    /// otherwise). The answer carries the password, shown only this once.
    #[oai(
        path = "/:id/sip-accounts",
        method = "post",
        operation_id = "request_sip_account"
    )]
    async fn request(
        &self,
        caller: Caller,
        id: Path<i64>,
        body: Json<NewSipAccount>,
    ) -> ApiResult<Issued> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let issued = self
            .vnum
            .request_sip_account(id, body.0.login.as_deref())
            .await?;
        Ok(Issued::Created(Json(issued.into())))
    }

    /// List SIP accounts
    ///
    /// The customer's SIP accounts, without passwords: vnum does not keep them.
    #[oai(
        path = "/:id/sip-accounts",
        method = "get",
        operation_id = "list_sip_accounts"
    )]
    async fn list(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<SipAccountPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let accounts = self.vnum.sip_accounts_of(id).await?;
        let accounts = accounts.into_iter().map(SipAccount::from).collect();
        Ok(Json(page::slice(accounts, page, |item| item.id).into()))
    }

    /// Remove a SIP account
    ///
    /// The login stops authenticating at once and the SIP engine drops its registrations;
    /// the login may be issued again. 409 while a forwarding plan (a number's, or a running
    /// free test's) rings the account: forward those elsewhere first. Answers the removed
    /// account.
    #[oai(
        path = "/:id/sip-accounts/:account_id",
        method = "delete",
        operation_id = "remove_sip_account"
    )]
    async fn remove(
        &self,
        caller: Caller,
        id: Path<i64>,
        account_id: Path<i64>,
    ) -> ApiResult<Json<SipAccount>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let removed = self
            .vnum
            .remove_sip_account(id, SipAccountId(account_id.0))
            .await?;
        Ok(Json(removed.into()))
    }

    /// Reset a SIP password
    ///
    /// Gives the account a new random password, shown only in this answer (R5.1); the old
    /// one stops working.
    #[oai(
        path = "/:id/sip-accounts/:account_id/password",
        method = "post",
        operation_id = "reset_sip_password"
    )]
    async fn reset_password(
        &self,
        caller: Caller,
        id: Path<i64>,
        account_id: Path<i64>,
    ) -> ApiResult<Json<SipCredentials>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let issued = self
            .vnum
            .reset_sip_password(id, SipAccountId(account_id.0))
            .await?;
        Ok(Json(issued.into()))
    }

    /// Choose the presented number
    ///
    /// Which of the customer's numbers outgoing calls from the account present (R6). It is
    /// shown only with the CallerID add-on and only on calls to its own country (R6.2,
    /// R6.3).
    #[oai(
        path = "/:id/sip-accounts/:account_id/presented-number",
        method = "put",
        operation_id = "set_presented_number"
    )]
    async fn set_presented_number(
        &self,
        caller: Caller,
        id: Path<i64>,
        account_id: Path<i64>,
        body: Json<PresentedNumber>,
    ) -> ApiResult<Json<SipAccount>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let record = named_in_body(
            self.vnum
                .set_presented_number(id, SipAccountId(account_id.0), body.0.number.map(NumberId))
                .await,
            "number",
            "number",
        )?;
        Ok(Json(record.into()))
    }
}

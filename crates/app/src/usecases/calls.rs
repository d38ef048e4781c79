use serde::Serialize;
use vnum_billing::ServiceState;
use vnum_calls::{
    CallerId, ForwardingPlan, ForwardingTarget, GreetingSettings, RoutingDecision, RoutingState,
    SipAccount, SipHosts, SipLogin, Voice, VoiceRecordingOrder, WavInfo, route_inbound,
};
use vnum_core::{CustomerId, GreetingId, Money, NumberId, PhoneNumber, SipAccountId};
use vnum_lifecycle::NumberStatus;

use super::orders::owned_number;
use crate::model::{NewLedgerEntry, NumberRecord, SipAccountRecord};
use crate::ports::{StoreError, Transaction};
use crate::{Error, Vnum};

/// The largest greeting file accepted: about 5 minutes of 8 kHz 16-bit mono.
pub const MAX_GREETING_BYTES: usize = 5 * 1024 * 1024;

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

/// What an outgoing call from a SIP account presents (R6).
#[derive(Clone, Debug, Serialize)]
pub struct OutboundDecision {
    /// The account that calls.
    pub login: String,
    /// The rented number the call is recorded against (R4.6): the one the account
    /// presents, whether this call shows it or not; none when the account has no live one.
    pub number: Option<NumberId>,
    /// The number presented, or withheld, and the rule that decided.
    pub caller_id: CallerId,
}

/// How to route one inbound call, and which rented number it is for.
#[derive(Clone, Debug, Serialize)]
pub struct InboundRoute {
    /// The rented number dialled, when it is one: call records name it (R4.6). A free
    /// test's number (R8) or an unknown number has none.
    pub number: Option<NumberId>,
    /// Ring, voicemail or reject, and the rule that decided.
    pub decision: RoutingDecision,
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

    /// Saves a number's forwarding plan (R5.3). A SIP account target must be one of the
    /// customer's own accounts (R5.2).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's; [`Error::Invalid`] when a
    /// target names an account the customer does not have.
    pub async fn set_forwarding(
        &self,
        customer: CustomerId,
        number: NumberId,
        plan: Option<ForwardingPlan>,
    ) -> Result<NumberRecord, Error> {
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        if let Some(plan) = &plan {
            for target in plan.targets() {
                if let ForwardingTarget::SipAccount(login) = target {
                    let owned = tx
                        .sip_account_by_login(login.as_str())
                        .await?
                        .is_some_and(|a| a.account.owner() == customer);
                    if !owned {
                        return Err(Error::Invalid(format!(
                            "account:{login} is not one of your SIP accounts: request one first"
                        )));
                    }
                }
            }
        }
        record.settings.forwarding = plan;
        self.save_settings(tx, record).await
    }

    /// Turns the CallerID add-on on or off (R6.2). It is prepaid like every service
    /// (R6.D1): turning it on charges its monthly fee at once for the periods the number is
    /// paid for from today on (one for a monthly number), as a ledger line of its own, unless
    /// they were paid for it before; from the next charge day it is part of the monthly fee.
    /// Turning it off refunds nothing (R10.6) and takes it out of the next charges.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's; [`Error::Refused`] (R6.2)
    /// when the offer has no CallerID add-on, (R6.D1) before the number is connected;
    /// [`Error::InsufficientBalance`] when the balance does not cover the add-on (R1.4).
    pub async fn set_caller_id(
        &self,
        customer: CustomerId,
        number: NumberId,
        enabled: bool,
    ) -> Result<NumberRecord, Error> {
        let now = self.ports.clock.now();
        let today = self.billing_day(now);
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        let offer = tx
            .offer(record.offer)
            .await?
            .ok_or_else(|| Error::not_found("offer", record.offer))?;
        let addon = vnum_billing::caller_id_fee(offer.caller_id_monthly())?;
        if record.settings.caller_id == enabled {
            return self.save_settings(tx, record).await;
        }
        let active = matches!(record.state, vnum_lifecycle::NumberState::Active { .. });
        let billing = record
            .billing
            .as_mut()
            .filter(|_| active)
            .ok_or(vnum_billing::AddOnError::NotConnected)?;
        if enabled {
            let due = vnum_billing::add_on_due(
                &vnum_billing::BillingAnchor::new(billing.connected_on),
                today,
                billing.paid_through,
                record.settings.caller_id_paid_through,
                addon,
            )?;
            if let Some(due) = due {
                super::balance::pay(
                    &mut *tx,
                    NewLedgerEntry {
                        number: Some(number),
                        // One add-on charge per number and period start, whatever races.
                        reference: Some(format!("caller-id:{number}:{}", due.period.start())),
                        ..NewLedgerEntry::purchase(
                            customer,
                            due.amount,
                            vnum_core::rule::R6_D1,
                            format!("CallerID add-on {}", due.period),
                            now,
                        )
                    },
                )
                .await?;
            }
            record.settings.caller_id_paid_through = None;
        } else {
            // Paid with the number up to its paid-through day; nothing is refunded (R10.6).
            record.settings.caller_id_paid_through = Some(billing.paid_through);
        }
        billing.monthly_fee = vnum_billing::monthly_fee_with(billing.monthly_fee, addon, enabled)?;
        record.settings.caller_id = enabled;
        self.save_settings(tx, record).await
    }

    /// Uploads a greeting for a number (R13.1). The file must be WAV, PCM, 8 kHz, 16-bit,
    /// mono (R13.2); any other file is refused with what it is and what it must be (R13.D1).
    ///
    /// # Errors
    /// [`Error::Refused`] (R13.D1) for a file of another format; [`Error::Invalid`] for an
    /// empty name or a file over [`MAX_GREETING_BYTES`]; [`Error::NotFound`].
    pub async fn upload_greeting(
        &self,
        customer: CustomerId,
        number: NumberId,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<(GreetingId, WavInfo), Error> {
        if name.trim().is_empty() || name.len() > 100 {
            return Err(Error::Invalid(
                "a greeting needs a name of 1 to 100 characters".into(),
            ));
        }
        if bytes.len() > MAX_GREETING_BYTES {
            return Err(Error::Invalid(format!(
                "the greeting has {} bytes: at most {MAX_GREETING_BYTES} bytes are accepted",
                bytes.len()
            )));
        }
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        let greetings: &mut GreetingSettings = &mut record.settings.greetings;
        let id = GreetingId(
            greetings
                .uploaded()
                .iter()
                .map(|g| g.id().get())
                .max()
                .unwrap_or(0)
                + 1,
        );
        let info = greetings.upload(id, name, &bytes)?;
        self.ports
            .media
            .put(&format!("greetings/{number}/{id}"), bytes)
            .await?;
        self.save_settings(tx, record).await?;
        Ok((id, info))
    }

    /// Selects one of the uploaded greetings and turns the greeting on or off (R13.1).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's or no greeting has `id`.
    pub async fn set_greeting(
        &self,
        customer: CustomerId,
        number: NumberId,
        selected: Option<GreetingId>,
        enabled: bool,
    ) -> Result<NumberRecord, Error> {
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        if let Some(id) = selected {
            record
                .settings
                .greetings
                .select(id)
                .map_err(|_| Error::not_found("greeting", id))?;
        }
        record.settings.greetings.set_enabled(enabled);
        self.save_settings(tx, record).await
    }

    /// The bytes of an uploaded greeting, for playback.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's or has no such greeting.
    pub async fn greeting_file(
        &self,
        customer: CustomerId,
        number: NumberId,
        id: GreetingId,
    ) -> Result<Vec<u8>, Error> {
        let record = self.number(customer, number).await?;
        if !record
            .settings
            .greetings
            .uploaded()
            .iter()
            .any(|g| g.id() == id)
        {
            return Err(Error::not_found("greeting", id));
        }
        self.ports
            .media
            .get(&format!("greetings/{number}/{id}"))
            .await
            .map_err(Error::from)
    }

    /// Orders a professional voice recording of a greeting, an extra paid service (R13.3):
    /// charged in advance at the configured price.
    ///
    /// # Errors
    /// [`Error::InsufficientBalance`] when the balance does not cover it (R1.4);
    /// [`Error::Invalid`] for an empty or overlong text; [`Error::NotFound`].
    pub async fn order_voice_recording(
        &self,
        customer: CustomerId,
        number: NumberId,
        text: &str,
        voice: Voice,
    ) -> Result<VoiceRecordingOrder, Error> {
        let mut tx = self.ports.store.begin().await?;
        owned_number(&mut *tx, customer, number).await?;
        let currency = tx
            .customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?
            .currency;
        let price = Money::new(self.config.voice_recording_price, currency).round_to_minor();
        let order = VoiceRecordingOrder::new(text, voice, price)?;
        super::balance::pay(
            &mut *tx,
            NewLedgerEntry {
                number: Some(number),
                ..NewLedgerEntry::purchase(
                    customer,
                    price,
                    vnum_core::rule::R13_3,
                    "Professional voice recording of a greeting".into(),
                    self.ports.clock.now(),
                )
            },
        )
        .await?;
        tx.commit().await?;
        Ok(order)
    }

    /// How to route a call to `dialled` (the SIP engine asks for every inbound call): the
    /// branches to ring, voicemail, or a rejection with its SIP status and rule. A number
    /// whose account is in debt rejects calls (R10.4); a trial whose hour is over rejects
    /// them (R8.D1). The answer names the rented number, so that the engine can report
    /// the call (R4.6).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn route_inbound(&self, dialled: &PhoneNumber) -> Result<InboundRoute, Error> {
        let hosts = SipHosts {
            domain: self.config.sip_domain.clone(),
            gateway: self.config.sip_gateway.clone(),
        };
        let mut tx = self.ports.store.read().await?;
        let Some(number) = tx.number_by_e164(dialled).await? else {
            let state = super::trials::lent_for_trial(&mut *tx, dialled)
                .await?
                .map_or(RoutingState::Unknown, |trial| {
                    trial.routing_state(self.ports.clock.now())
                });
            let inbound = vnum_calls::InboundNumber {
                state,
                plan: None,
                greeting: None,
            };
            return Ok(InboundRoute {
                number: None,
                decision: route_inbound(&inbound, &hosts),
            });
        };
        let balance = tx.balance(number.customer).await?;
        let state =
            NumberStatus::of(&number.state, ServiceState::of_balance(balance)).routing_state();
        let inbound = vnum_calls::InboundNumber {
            state,
            plan: number.settings.forwarding.as_ref(),
            greeting: number.settings.greetings.active(),
        };
        Ok(InboundRoute {
            number: Some(number.id),
            decision: route_inbound(&inbound, &hosts),
        })
    }

    /// What an outgoing call from a SIP account to `destination` presents (R6.1–R6.3): the
    /// rented number only with the CallerID add-on and only to its own country.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown login.
    pub async fn authorize_outbound(
        &self,
        login: &str,
        destination: &PhoneNumber,
    ) -> Result<OutboundDecision, Error> {
        let mut tx = self.ports.store.read().await?;
        let account = tx
            .sip_account_by_login(login)
            .await?
            .ok_or_else(|| Error::not_found("SIP account", login))?;
        let presented = match account.presents {
            Some(id) => tx.number(id).await?.filter(NumberRecord::is_live),
            None => None,
        };
        let caller_id = match presented.as_ref().and_then(|n| n.e164().map(|e| (n, e))) {
            Some((number, e164)) => {
                vnum_calls::caller_id(e164, number.settings.caller_id, destination)
            }
            None => CallerId::Withheld {
                rule: vnum_core::rule::R6_2,
            },
        };
        Ok(OutboundDecision {
            login: login.to_owned(),
            number: presented.map(|n| n.id),
            caller_id,
        })
    }

    async fn save_settings(
        &self,
        mut tx: Box<dyn Transaction + '_>,
        record: NumberRecord,
    ) -> Result<NumberRecord, Error> {
        let updated = tx.update_number(record).await?;
        tx.commit().await?;
        if let Some(e164) = updated.e164() {
            super::logged(
                self.ports.sip.routing_changed(e164).await,
                "telling the SIP engine the routing changed",
            );
        }
        Ok(updated)
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

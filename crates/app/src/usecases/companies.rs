//! Companies: contracts, bank transfers and closing documents (R12).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use vnum_accounts::{
    ActOfServices, BankTransfer, ContractDetails, ContractForm, DocumentHeader, Invoice,
    LedgerKind, LedgerLine, ReconciliationStatement,
};
use vnum_core::{CustomerId, Money, NumberId, Period, PhoneNumber};

use crate::model::{ContractRecord, Customer, EntryKind, LedgerEntry, NewContract, NewLedgerEntry};
use crate::ports::Invariant;
use crate::ports::{StoreError, Transaction};
use crate::{Error, Vnum};

/// The closing documents of one period (R12.2), as values and as text.
///
/// The three documents share one number, issued the first time the period is asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosingDocuments {
    /// The invoice for the services of the period.
    pub invoice: Invoice,
    /// The act of services rendered, per number.
    pub act: ActOfServices,
    /// The reconciliation statement: opening balance, every movement, closing balance.
    pub statement: ReconciliationStatement,
    /// The invoice as plain text.
    pub invoice_text: String,
    /// The act as plain text.
    pub act_text: String,
    /// The statement as plain text.
    pub statement_text: String,
}

impl Vnum {
    /// Signs a contract with a company (R12.1) once the form holds everything a contract
    /// needs (R12.3). Signing again replaces the active contract with a new version; the
    /// previous one is kept, superseded.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer; [`Error::Refused`] (R12.1) when the
    /// customer is a person; [`Error::Invalid`] listing every problem with the form (R12.3).
    pub async fn sign_contract(
        &self,
        customer: CustomerId,
        form: &ContractForm,
    ) -> Result<ContractRecord, Error> {
        let mut tx = self.ports.store.begin().await?;
        let customer = existing_customer(tx.as_mut(), customer).await?;
        customer.kind.may_sign_contract()?;
        let details = ContractDetails::validate(form).map_err(|errors| {
            let problems: Vec<String> = errors.iter().map(ToString::to_string).collect();
            Error::Invalid(format!(
                "the contract cannot be signed: {}",
                problems.join("; ")
            ))
        })?;
        let contract = tx
            .sign_contract(NewContract {
                customer: customer.id,
                details,
                signed_at: self.ports.clock.now(),
            })
            .await?;
        tx.commit().await?;
        Ok(contract)
    }

    /// The customer's active contract (R12.2: a company may ask for its contract).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer or one without a contract.
    pub async fn contract_of(&self, customer: CustomerId) -> Result<ContractRecord, Error> {
        let mut tx = self.ports.store.begin().await?;
        existing_customer(tx.as_mut(), customer).await?;
        tx.active_contract(customer)
            .await?
            .ok_or_else(|| Error::not_found("contract of customer", customer))
    }

    /// Every contract the customer signed, superseded ones included, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn contracts(&self, customer: CustomerId) -> Result<Vec<ContractRecord>, Error> {
        let mut tx = self.ports.store.begin().await?;
        existing_customer(tx.as_mut(), customer).await?;
        Ok(tx.contracts_of(customer).await?)
    }

    /// Credits a payment a company made by bank transfer under its contract (R12.1). An
    /// operator records it from the bank statement; the balance moves now, and the entry
    /// carries the bank reference (as `bank-transfer:<reference>`) so the same transfer is
    /// never credited twice.
    ///
    /// # Errors
    /// [`Error::Refused`] (R12.1) for a non-positive amount, an empty reference or a
    /// customer with no contract; [`Error::Invalid`] for a currency other than the
    /// customer's or fractions of a minor unit; [`Error::NotFound`] for an unknown customer;
    /// [`Error::Conflict`] when the customer already has a transfer with this reference.
    pub async fn record_bank_transfer(
        &self,
        customer: CustomerId,
        amount: Money,
        received_on: NaiveDate,
        bank_reference: &str,
    ) -> Result<LedgerEntry, Error> {
        let transfer = BankTransfer::new(amount, received_on, bank_reference)?;
        if !amount.is_whole_minor() {
            return Err(Error::Invalid(format!(
                "{amount} has fractions of a minor unit: expected at most {} decimals",
                amount.currency().minor_units()
            )));
        }
        let mut tx = self.ports.store.begin().await?;
        let customer = existing_customer(tx.as_mut(), customer).await?;
        if customer.currency != amount.currency() {
            return Err(Error::Invalid(format!(
                "the balance is kept in {}, the transfer is in {}",
                customer.currency,
                amount.currency()
            )));
        }
        tx.active_contract(customer.id)
            .await?
            .ok_or(vnum_accounts::AccountsError::NoContract)?;
        let reference = format!("bank-transfer:{}", transfer.bank_reference());
        let duplicate = || {
            Error::Conflict(format!(
                "the bank transfer {} was recorded already",
                transfer.bank_reference()
            ))
        };
        if tx
            .entry_by_reference(customer.id, &reference)
            .await?
            .is_some()
        {
            return Err(duplicate());
        }
        let entry = tx
            .append(NewLedgerEntry {
                customer: customer.id,
                kind: EntryKind::BankTransfer,
                amount: transfer.amount(),
                number: None,
                period: None,
                rule: Some(vnum_core::rule::R12_1),
                reference: Some(reference),
                description: format!(
                    "Bank transfer {}, received {}",
                    transfer.bank_reference(),
                    transfer.received_on()
                ),
                at: self.ports.clock.now(),
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict {
                    what: Invariant::LedgerReference,
                } => duplicate(),
                other => other.into(),
            })?;
        super::events::record_credit(
            &mut *tx,
            entry.at,
            customer.id,
            entry.amount,
            entry.reference.clone(),
        )
        .await?;
        tx.commit().await.map_err(|e| match e {
            // A concurrent unit of work may have recorded the same transfer: never credit
            // twice, let the operator look again.
            StoreError::Conflict { .. } => Error::Conflict(
                "the transfer raced with another change to the balance; record it again".into(),
            ),
            other => other.into(),
        })?;
        Ok(entry)
    }

    /// The closing documents of `period` (R12.2): the invoice and the act of services
    /// rendered for its charges, and the reconciliation statement whose opening balance is
    /// the sum of every entry before the period and whose closing balance is the ledger
    /// balance at its end. Days are days of the billing time zone (R10.D2). The documents
    /// are addressed to the company named in the active contract, or to the customer's
    /// name without one.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn closing_documents(
        &self,
        customer: CustomerId,
        period: Period,
    ) -> Result<ClosingDocuments, Error> {
        let tz = self.config.billing_time_zone;
        // Read only: the number is computed, so asking for documents writes nothing.
        let mut tx = self.ports.store.read().await?;
        let customer = existing_customer(tx.as_mut(), customer).await?;
        let end = vnum_billing::start_of_day(period.end(), tz);
        // Every entry up to the end of the period: those before it make the opening balance.
        let entries = tx.entries(customer.id, DateTime::UNIX_EPOCH, end).await?;
        let numbers = number_names(tx.as_mut(), customer.id).await?;
        let lines = entries
            .iter()
            .map(|e| ledger_line(e, &numbers))
            .collect::<Result<Vec<_>, _>>()?;
        let addressee = match tx.active_contract(customer.id).await? {
            Some(contract) => contract.details.company_name().to_owned(),
            None => customer.name.clone(),
        };
        let header = DocumentHeader {
            id: match tx.closing_document_number(customer.id, period).await? {
                Some(issued) => issued,
                None => {
                    vnum_accounts::closing_document_id(customer.id, period).ok_or_else(|| {
                        Error::Invalid(format!(
                            "closing documents are numbered for periods from 2000-01-01 to \
                         2178-12-31 of at most 65535 days; {} to {} is not one",
                            period.start(),
                            period.last_day()
                        ))
                    })?
                }
            },
            issued_on: self.ports.clock.now().with_timezone(&tz).date_naive(),
            provider: self.config.issuer.clone(),
            customer: addressee,
        };
        let currency = customer.currency;
        let corrupt = |e: vnum_accounts::AccountsError| StoreError::Corrupt(e.to_string());
        let invoice =
            Invoice::for_period(header.clone(), &lines, period, tz, currency).map_err(corrupt)?;
        let act = ActOfServices::for_period(header.clone(), &lines, period, tz, currency)
            .map_err(corrupt)?;
        let statement = ReconciliationStatement::for_period(header, &lines, period, tz, currency)
            .map_err(corrupt)?;
        Ok(ClosingDocuments {
            invoice_text: invoice.render_text(),
            act_text: act.render_text(),
            statement_text: statement.render_text(),
            invoice,
            act,
            statement,
        })
    }
}

pub(crate) async fn existing_customer(
    tx: &mut (dyn Transaction + '_),
    customer: CustomerId,
) -> Result<Customer, Error> {
    tx.customer(customer)
        .await?
        .ok_or_else(|| Error::not_found("customer", customer))
}

/// The concrete number of each of the customer's numbers that has one.
async fn number_names(
    tx: &mut (dyn Transaction + '_),
    customer: CustomerId,
) -> Result<BTreeMap<NumberId, PhoneNumber>, Error> {
    Ok(tx
        .numbers_of(customer)
        .await?
        .into_iter()
        .filter_map(|n| n.e164().cloned().map(|e164| (n.id, e164)))
        .collect())
}

/// A ledger entry as the closing documents read it: payments by card and by bank are
/// both payments.
fn ledger_line(
    entry: &LedgerEntry,
    numbers: &BTreeMap<NumberId, PhoneNumber>,
) -> Result<LedgerLine, StoreError> {
    let kind = match entry.kind {
        EntryKind::TopUp | EntryKind::BankTransfer => LedgerKind::Payment,
        EntryKind::Charge => LedgerKind::Charge,
        EntryKind::Refund => LedgerKind::Refund,
        EntryKind::Adjustment => LedgerKind::Adjustment,
    };
    let number = entry.number.and_then(|n| numbers.get(&n).cloned());
    LedgerLine::new(entry.at, kind, entry.amount, number, &entry.description)
        .map_err(|e| StoreError::Corrupt(format!("ledger entry {}: {e}", entry.id)))
}

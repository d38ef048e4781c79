//! Customers as parties to contracts, and the paperwork companies ask for.
//!
//! `vnum-accounts` owns the customer kinds, the validated details of a company's contract
//! (company name and address, bank details with IBAN/BIC checks, signatory; R12.3),
//! bank-transfer payments (R12.1), and the closing documents of a period: the invoice, the
//! act of services rendered and the reconciliation statement (R12.2), each a value with a
//! plain-text rendering.
//!
//! It does not own the ledger or the balance: the application maps the billing ledger into
//! [`LedgerLine`]s and passes them in, so documents are pure functions of their input. It
//! does no I/O and reads no clock.

mod contract;
mod documents;
pub mod fuzz_checks;
mod ledger;

pub use contract::{
    BankAccount, Bic, ContractDetails, ContractField, ContractFieldError, ContractForm,
    CustomerKind, Iban,
};
pub use documents::{
    ActOfServices, ActSection, DocumentHeader, Invoice, Issuer, ReconciliationStatement,
    ServiceItem, StatementLine, closing_document_id,
};
pub use ledger::{BankTransfer, LedgerKind, LedgerLine};

use vnum_core::{Money, MoneyError};

/// What went wrong in an accounts operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountsError {
    /// A ledger line whose amount has the wrong sign for its kind.
    #[error(
        "a {} of {amount} has the wrong sign: charges lower the balance, payments and refunds raise it",
        kind.label()
    )]
    WrongSign {
        /// The kind of line.
        kind: LedgerKind,
        /// The amount given.
        amount: Money,
    },
    /// A bank transfer of nothing or less.
    #[error("a bank transfer of {0} cannot be recorded: the amount must be above zero")]
    TransferNotPositive(Money),
    /// A bank transfer without the bank's reference.
    #[error("the bank reference is missing: copy it from the bank statement")]
    BankReferenceMissing,
    /// Amounts that cannot be combined (another currency, overflow).
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// A person asked for a contract (R12.1).
    #[error("only a company can sign a contract; a person pays by its balance")]
    NotACompany,
    /// A bank transfer for a customer with no signed contract (R12.1).
    #[error("payment by bank transfer needs a signed contract")]
    NoContract,
}

/// The rule each refusal enforces.
impl vnum_core::rule::RuleError for AccountsError {
    fn rule(&self) -> vnum_core::RuleId {
        match self {
            Self::NotACompany
            | Self::NoContract
            | Self::TransferNotPositive(_)
            | Self::BankReferenceMissing => vnum_core::rule::R12_1,
            Self::WrongSign { .. } => vnum_core::rule::R12_2,
            Self::Money(_) => vnum_core::rule::R10_D5,
        }
    }
}

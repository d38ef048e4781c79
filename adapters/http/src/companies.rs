//! Companies: contracts, bank transfers and closing documents (R12).

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, ResponseContent};
use vnum_accounts::{
    ActOfServices, BankAccount, ContractForm, DocumentHeader, Invoice, LedgerKind,
    ReconciliationStatement, ServiceItem,
};
use vnum_app::Vnum;
use vnum_app::model::ContractRecord;
use vnum_core::CustomerId;

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::params::days;
use crate::problem::ApiResult;
use crate::wire::ledger::Entry;

/// Contracts, bank transfers and closing documents.
pub(crate) struct CompaniesApi {
    pub(crate) vnum: Vnum,
}

/// The contract form (R12.3). Every field may be left out; what is missing or invalid is
/// answered all at once.
#[derive(Clone, Debug, Default, Object)]
#[oai(rename = "ContractForm")]
pub(crate) struct Form {
    /// The company's registered name.
    #[oai(default, validator(max_length = 300))]
    company_name: String,
    /// The company's address.
    #[oai(default, validator(max_length = 500))]
    address: String,
    /// The IBAN, where the bank uses IBANs.
    #[oai(default, validator(max_length = 64))]
    iban: String,
    /// The account number, where no IBAN is given.
    #[oai(default, validator(max_length = 64))]
    account_number: String,
    /// The bank code, with an account number.
    #[oai(default, validator(max_length = 64))]
    bank_code: String,
    /// The bank's BIC, optional.
    #[oai(default, validator(max_length = 64))]
    bic: String,
    /// The signatory's position, such as "Managing Director".
    #[oai(default, validator(max_length = 200))]
    signatory_position: String,
    /// The signatory's full name.
    #[oai(default, validator(max_length = 200))]
    signatory_name: String,
}

impl From<Form> for ContractForm {
    fn from(form: Form) -> Self {
        Self {
            company_name: form.company_name,
            address: form.address,
            iban: form.iban,
            account_number: form.account_number,
            bank_code: form.bank_code,
            bic: form.bic,
            signatory_position: form.signatory_position,
            signatory_name: form.signatory_name,
        }
    }
}

/// A signed contract (R12.1).
#[derive(Clone, Debug, Object)]
pub(crate) struct Contract {
    /// The id.
    id: i64,
    /// The company.
    customer: i64,
    /// 1 for the first contract, one more per re-signing.
    version: u32,
    /// The company's registered name.
    company_name: String,
    /// The company's address.
    address: String,
    /// The IBAN, when the account is given as one.
    #[oai(skip_serializing_if_is_none)]
    iban: Option<String>,
    /// The account number of a domestic account.
    #[oai(skip_serializing_if_is_none)]
    account_number: Option<String>,
    /// The bank code of a domestic account.
    #[oai(skip_serializing_if_is_none)]
    bank_code: Option<String>,
    /// The bank's BIC, when given.
    #[oai(skip_serializing_if_is_none)]
    bic: Option<String>,
    /// The signatory's position.
    signatory_position: String,
    /// The signatory's full name.
    signatory_name: String,
    /// When it was signed.
    signed_at: DateTime<Utc>,
}

impl From<ContractRecord> for Contract {
    fn from(record: ContractRecord) -> Self {
        let details = &record.details;
        let (iban, account_number, bank_code, bic) = match details.bank_account() {
            BankAccount::Iban { iban, bic } => (
                Some(iban.as_str().to_owned()),
                None,
                None,
                bic.as_ref().map(|b| b.as_str().to_owned()),
            ),
            BankAccount::Domestic {
                account_number,
                bank_code,
                bic,
            } => (
                None,
                Some(account_number.clone()),
                Some(bank_code.clone()),
                bic.as_ref().map(|b| b.as_str().to_owned()),
            ),
        };
        Self {
            id: record.id.get(),
            customer: record.customer.get(),
            version: record.version,
            company_name: details.company_name().to_owned(),
            address: details.address().to_owned(),
            iban,
            account_number,
            bank_code,
            bic,
            signatory_position: details.signatory_position().to_owned(),
            signatory_name: details.signatory_name().to_owned(),
            signed_at: record.signed_at,
        }
    }
}

/// The answer to signing.
#[derive(ApiResponse)]
pub(crate) enum Signed {
    /// The contract is signed; a previous one is superseded.
    #[oai(status = 201)]
    Created(Json<Contract>),
}

/// A payment received by bank transfer (R12.1).
#[derive(Clone, Debug, Object)]
pub(crate) struct NewBankTransfer {
    /// The amount, in the customer's currency.
    amount: MoneyBody,
    /// The day the bank received it.
    received_on: NaiveDate,
    /// The bank's reference; each is credited once.
    #[oai(validator(min_length = 1, max_length = 200))]
    bank_reference: String,
}

/// The answer to recording a transfer.
#[derive(ApiResponse)]
pub(crate) enum Credited {
    /// The balance was credited.
    #[oai(status = 201)]
    Created(Json<Entry>),
}

/// Who issues a closing document to whom, and when.
#[derive(Clone, Debug, Object)]
pub(crate) struct DocumentHead {
    /// The document number, shared by the three documents of a period.
    number: i64,
    /// The day it was issued.
    issued_on: NaiveDate,
    /// The provider's legal name.
    provider: String,
    /// The provider's registered address, where it configured one.
    #[oai(skip_serializing_if_is_none)]
    provider_address: Option<String>,
    /// The provider's tax or company registration number, where it configured one.
    #[oai(skip_serializing_if_is_none)]
    provider_tax_id: Option<String>,
    /// The customer's legal name.
    customer: String,
}

impl From<&DocumentHeader> for DocumentHead {
    fn from(header: &DocumentHeader) -> Self {
        Self {
            number: header.id.get(),
            issued_on: header.issued_on,
            provider: header.provider.name.clone(),
            provider_address: header.provider.address.clone(),
            provider_tax_id: header.provider.tax_id.clone(),
            customer: header.customer.clone(),
        }
    }
}

/// A service and what it cost.
#[derive(Clone, Debug, Object)]
#[oai(rename = "DocumentServiceItem")]
pub(crate) struct Item {
    /// The day it was charged.
    day: NaiveDate,
    /// The number it concerns, E.164.
    #[oai(skip_serializing_if_is_none)]
    number: Option<String>,
    /// What was charged for.
    description: String,
    /// Due: positive for a charge, negative for a refund.
    amount: MoneyBody,
}

impl From<&ServiceItem> for Item {
    fn from(item: &ServiceItem) -> Self {
        Self {
            day: item.day,
            number: item.number.as_ref().map(ToString::to_string),
            description: item.description.clone(),
            amount: item.amount.into(),
        }
    }
}

/// The invoice of a period (R12.2).
#[derive(Clone, Debug, Object)]
#[oai(rename = "ClosingInvoice")]
pub(crate) struct InvoiceBody {
    /// Who, to whom, when.
    header: DocumentHead,
    /// The services, in ledger order.
    items: Vec<Item>,
    /// The amount due.
    total: MoneyBody,
}

impl From<&Invoice> for InvoiceBody {
    fn from(invoice: &Invoice) -> Self {
        Self {
            header: invoice.header().into(),
            items: invoice.items().iter().map(Item::from).collect(),
            total: invoice.total().into(),
        }
    }
}

/// The services of one number in an act.
#[derive(Clone, Debug, Object)]
#[oai(rename = "ActSection")]
pub(crate) struct Section {
    /// The number, E.164; none for services of no single number.
    #[oai(skip_serializing_if_is_none)]
    number: Option<String>,
    /// Its services.
    items: Vec<Item>,
    /// Their sum.
    subtotal: MoneyBody,
}

/// The act of services rendered in a period, per number (R12.2).
#[derive(Clone, Debug, Object)]
#[oai(rename = "ClosingAct")]
pub(crate) struct ActBody {
    /// Who, to whom, when.
    header: DocumentHead,
    /// One section per number.
    sections: Vec<Section>,
    /// The sum.
    total: MoneyBody,
}

impl From<&ActOfServices> for ActBody {
    fn from(act: &ActOfServices) -> Self {
        Self {
            header: act.header().into(),
            sections: act
                .sections()
                .iter()
                .map(|s| Section {
                    number: s.number.as_ref().map(ToString::to_string),
                    items: s.items.iter().map(Item::from).collect(),
                    subtotal: s.subtotal.into(),
                })
                .collect(),
            total: act.total().into(),
        }
    }
}

/// What moved the balance, in a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "StatementLineKind", rename_all = "snake_case")]
pub(crate) enum LineKind {
    /// A fee.
    Charge,
    /// Money received.
    Payment,
    /// Money given back.
    Refund,
    /// A correction.
    Adjustment,
}

/// One movement in a statement.
#[derive(Clone, Debug, Object)]
#[oai(rename = "StatementLine")]
pub(crate) struct Line {
    /// The day.
    day: NaiveDate,
    /// What moved the balance.
    kind: LineKind,
    /// The number it concerns, E.164.
    #[oai(skip_serializing_if_is_none)]
    number: Option<String>,
    /// The description.
    description: String,
    /// The effect on the balance.
    amount: MoneyBody,
}

/// The reconciliation statement of a period (R12.2).
#[derive(Clone, Debug, Object)]
#[oai(rename = "ClosingStatement")]
pub(crate) struct StatementBody {
    /// Who, to whom, when.
    header: DocumentHead,
    /// The balance before the period.
    opening: MoneyBody,
    /// Every movement in the period.
    lines: Vec<Line>,
    /// The balance at its end: the opening plus the lines.
    closing: MoneyBody,
}

impl From<&ReconciliationStatement> for StatementBody {
    fn from(statement: &ReconciliationStatement) -> Self {
        Self {
            header: statement.header().into(),
            opening: statement.opening().into(),
            lines: statement
                .lines()
                .iter()
                .map(|l| Line {
                    day: l.day,
                    kind: match l.kind {
                        LedgerKind::Charge => LineKind::Charge,
                        LedgerKind::Payment => LineKind::Payment,
                        LedgerKind::Refund => LineKind::Refund,
                        LedgerKind::Adjustment => LineKind::Adjustment,
                    },
                    number: l.number.as_ref().map(ToString::to_string),
                    description: l.description.clone(),
                    amount: l.amount.into(),
                })
                .collect(),
            closing: statement.closing().into(),
        }
    }
}

/// The closing documents of a period (R12.2), as values and as text.
#[derive(Clone, Debug, Object)]
#[oai(rename = "ClosingDocuments")]
pub(crate) struct Documents {
    /// The first day.
    from: NaiveDate,
    /// The last day, included.
    to: NaiveDate,
    /// The invoice.
    invoice: InvoiceBody,
    /// The act of services rendered.
    act: ActBody,
    /// The reconciliation statement.
    statement: StatementBody,
    /// The invoice as plain text.
    invoice_text: String,
    /// The act as plain text.
    act_text: String,
    /// The statement as plain text.
    statement_text: String,
}

/// How to answer with the closing documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "DocumentFormat", rename_all = "snake_case")]
pub(crate) enum Format {
    /// The documents as values and their texts.
    Json,
    /// The three texts, one after the other.
    Text,
}

/// The closing documents as JSON, or their texts.
#[derive(ResponseContent)]
pub(crate) enum DocumentsContent {
    /// The documents as values and as text.
    Json(Json<Box<Documents>>),
    /// The invoice, the act and the statement as plain text, separated by form feeds.
    Text(PlainText<String>),
}

/// The answer with the closing documents.
#[derive(ApiResponse)]
pub(crate) enum ClosingDocuments {
    /// The documents: JSON by default, text with `?format=text` or `Accept: text/plain`.
    #[oai(status = 200)]
    Ok(DocumentsContent),
}

/// True when the client asked for text rather than JSON.
fn wants_text(format: Option<Format>, accept: Option<&str>) -> bool {
    match format {
        Some(format) => format == Format::Text,
        None => accept.is_some_and(|accept| {
            accept.contains("text/plain") && !accept.contains("application/json")
        }),
    }
}

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::Companies")]
impl CompaniesApi {
    /// Sign a contract
    ///
    /// For companies (R12.1; a person answers 422 with R12.1). Every field the contract
    /// needs must be filled in (R12.3): a 422 lists every missing or invalid field at once.
    /// Signing again supersedes the active contract.
    #[oai(
        path = "/:id/contract",
        method = "post",
        operation_id = "sign_contract"
    )]
    async fn sign(&self, caller: Caller, id: Path<i64>, body: Json<Form>) -> ApiResult<Signed> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let contract = self.vnum.sign_contract(id, &body.0.into()).await?;
        Ok(Signed::Created(Json(contract.into())))
    }

    /// Read the contract
    ///
    /// The active contract; 404 without one.
    #[oai(path = "/:id/contract", method = "get", operation_id = "get_contract")]
    async fn contract(&self, caller: Caller, id: Path<i64>) -> ApiResult<Json<Contract>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        Ok(Json(self.vnum.contract_of(id).await?.into()))
    }

    /// Record a bank transfer
    ///
    /// For operators, from the bank statement: credits a company's payment under its
    /// contract (R12.1). A bank reference is credited once: again, it answers 409.
    #[oai(
        path = "/:id/bank-transfers",
        method = "post",
        operation_id = "record_bank_transfer"
    )]
    async fn bank_transfer(
        &self,
        caller: Caller,
        id: Path<i64>,
        body: Json<NewBankTransfer>,
    ) -> ApiResult<Credited> {
        caller.operator()?;
        let body = body.0;
        let entry = self
            .vnum
            .record_bank_transfer(
                CustomerId(id.0),
                body.amount.try_into()?,
                body.received_on,
                &body.bank_reference,
            )
            .await?;
        Ok(Credited::Created(Json(entry.into())))
    }

    /// Closing documents
    ///
    /// The invoice, the act of services rendered and the reconciliation statement of the
    /// days `from` to `to`, both included (R12.2). JSON by default, with each document's
    /// text; `?format=text` or `Accept: text/plain` answers the three texts.
    #[oai(
        path = "/:id/closing-documents",
        method = "get",
        operation_id = "closing_documents"
    )]
    async fn closing_documents(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// The first day, `YYYY-MM-DD`.
        from: Query<NaiveDate>,
        /// The last day, included, `YYYY-MM-DD`.
        to: Query<NaiveDate>,
        /// `json` (default) or `text`.
        format: Query<Option<Format>>,
        /// `text/plain` asks for the texts when `format` is not given.
        #[oai(name = "Accept")]
        accept: Header<Option<String>>,
    ) -> ApiResult<ClosingDocuments> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let period = days(from.0, to.0)?;
        let documents = self.vnum.closing_documents(id, period).await?;
        if wants_text(format.0, accept.0.as_deref()) {
            return Ok(ClosingDocuments::Ok(DocumentsContent::Text(PlainText(
                format!(
                    "{}\n\u{c}\n{}\n\u{c}\n{}",
                    documents.invoice_text, documents.act_text, documents.statement_text
                ),
            ))));
        }
        Ok(ClosingDocuments::Ok(DocumentsContent::Json(Json(
            Box::new(Documents {
                from: period.start(),
                to: period.last_day(),
                invoice: (&documents.invoice).into(),
                act: (&documents.act).into(),
                statement: (&documents.statement).into(),
                invoice_text: documents.invoice_text,
                act_text: documents.act_text,
                statement_text: documents.statement_text,
            }),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_chosen_by_the_format_first_then_by_accept() {
        assert!(wants_text(Some(Format::Text), Some("application/json")));
        assert!(!wants_text(Some(Format::Json), Some("text/plain")));
        assert!(wants_text(None, Some("text/plain")));
        assert!(!wants_text(None, Some("application/json, text/plain")));
        assert!(!wants_text(None, None));
    }
}

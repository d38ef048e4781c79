//! The JSON records of the `record` columns, as a versioned contract.
//!
//! Every aggregate kept as JSON ([`Kind`]) is a document with a version: the fields of the
//! record plus `"v"`, the version of its shape. Writing always writes the current version of
//! its kind; reading upgrades an older version in code, step by step, and refuses a newer
//! one (written by a later build) as [`StoreError::Corrupt`] naming the table, the record
//! and the version, rather than guessing at it. Documents written before the field existed
//! have no `"v"`: they are version 1, whose shape they have.
//!
//! The shape of a version never changes once released. A record type owned by this crate
//! ([`payment::PaymentV1`], [`order::OrderV1`]) pins it in code: a change to the domain
//! type's serde derives cannot reach the disk, it fails to compile or to convert. The other
//! kinds are still written through their domain types' serde derives, so for them the
//! committed samples in `tests/schema` are the contract: the tests in this module decode
//! one sample of every version of every kind, and the current version's sample must also
//! be written back unchanged.
//!
//! A new version of a kind is a new sample file, a raised [`Kind::current`], and one arm in
//! [`upgrade`] that turns the previous version's document into the new one.

mod money;
pub(crate) mod order;
pub(crate) mod payment;

use serde_json::{Map, Value};
use vnum_app::model::{
    NumberRecord, OrderRecord, PaymentRecord, SipAccountRecord, SmsAllocationRecord,
};
use vnum_app::ports::StoreError;
use vnum_calls::CallRecord;
use vnum_compliance::Document;
use vnum_discounts::BulkAgreement;
use vnum_lifecycle::{Offer, Trial, WaitlistEntry};

/// The field that holds a document's version.
const VERSION: &str = "v";

/// The kinds of record stored as JSON, each in the `record` column of its own table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Number,
    Offer,
    Document,
    Order,
    Agreement,
    SipAccount,
    Call,
    Contract,
    Trial,
    WaitlistEntry,
    SmsAllocation,
    Payment,
    RecordingOrder,
}

impl Kind {
    /// Every kind, for the tests of the samples.
    #[cfg(test)]
    pub(crate) const ALL: [Self; 13] = [
        Self::Number,
        Self::Offer,
        Self::Document,
        Self::Order,
        Self::Agreement,
        Self::SipAccount,
        Self::Call,
        Self::Contract,
        Self::Trial,
        Self::WaitlistEntry,
        Self::SmsAllocation,
        Self::Payment,
        Self::RecordingOrder,
    ];

    /// The table whose `record` column holds it.
    pub(crate) const fn table(self) -> &'static str {
        match self {
            Self::Number => "numbers",
            Self::Offer => "offers",
            Self::Document => "documents",
            Self::Order => "orders",
            Self::Agreement => "agreements",
            Self::SipAccount => "sip_accounts",
            Self::Call => "call_records",
            Self::Contract => "contracts",
            Self::Trial => "trials",
            Self::WaitlistEntry => "waitlist_entries",
            Self::SmsAllocation => "sms_allocations",
            Self::Payment => "payments",
            Self::RecordingOrder => "recording_orders",
        }
    }

    /// Its name in messages and in the names of its samples.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Offer => "offer",
            Self::Document => "document",
            Self::Order => "order",
            Self::Agreement => "agreement",
            Self::SipAccount => "sip_account",
            Self::Call => "call",
            Self::Contract => "contract",
            Self::Trial => "trial",
            Self::WaitlistEntry => "waitlist_entry",
            Self::SmsAllocation => "sms_allocation",
            Self::Payment => "payment",
            Self::RecordingOrder => "recording_order",
        }
    }

    /// The version this build writes. Every version from 1 up to it is read.
    pub(crate) const fn current(self) -> u64 {
        match self {
            Self::Number
            | Self::Offer
            | Self::Document
            | Self::Order
            | Self::Agreement
            | Self::SipAccount
            | Self::Call
            | Self::Contract
            | Self::Trial
            | Self::WaitlistEntry
            | Self::SmsAllocation
            | Self::Payment
            | Self::RecordingOrder => 1,
        }
    }
}

/// A type stored as a JSON record: how it becomes the current version's document and back.
pub(crate) trait Record: Sized {
    /// Its kind.
    const KIND: Kind;

    /// The document of the current version, without the version field.
    ///
    /// # Errors
    /// When the value cannot be written as JSON.
    fn to_document(&self) -> Result<Value, String>;

    /// The record from a document of the current version.
    ///
    /// # Errors
    /// When the document is not one of the current version.
    fn from_document(document: Value) -> Result<Self, String>;
}

/// Kinds still written through the serde derives of their domain type: the committed
/// samples pin their shape.
macro_rules! serde_records {
    ($($ty:ty => $kind:ident),* $(,)?) => {
        $(
            impl Record for $ty {
                const KIND: Kind = Kind::$kind;

                fn to_document(&self) -> Result<Value, String> {
                    serde_json::to_value(self).map_err(|e| e.to_string())
                }

                fn from_document(document: Value) -> Result<Self, String> {
                    serde_json::from_value(document).map_err(|e| e.to_string())
                }
            }
        )*
    };
}

serde_records!(
    NumberRecord => Number,
    Offer => Offer,
    Document => Document,
    BulkAgreement => Agreement,
    SipAccountRecord => SipAccount,
    CallRecord => Call,
    vnum_app::model::ContractRecord => Contract,
    Trial => Trial,
    WaitlistEntry => WaitlistEntry,
    SmsAllocationRecord => SmsAllocation,
    vnum_app::model::RecordingOrderRecord => RecordingOrder,
);

/// Kinds with a record type of this crate: the document is that type, converted.
macro_rules! owned_records {
    ($($ty:ty => $kind:ident as $stored:ty),* $(,)?) => {
        $(
            impl Record for $ty {
                const KIND: Kind = Kind::$kind;

                fn to_document(&self) -> Result<Value, String> {
                    serde_json::to_value(<$stored>::from(self)).map_err(|e| e.to_string())
                }

                fn from_document(document: Value) -> Result<Self, String> {
                    serde_json::from_value::<$stored>(document)
                        .map_err(|e| e.to_string())?
                        .try_into()
                }
            }
        )*
    };
}

owned_records!(
    PaymentRecord => Payment as payment::PaymentV1,
    OrderRecord => Order as order::OrderV1,
);

/// A record as the JSON text of its `record` column: the current version's document with
/// its version.
pub(crate) fn encode<T: Record>(record: &T) -> Result<String, StoreError> {
    let kind = T::KIND;
    let document = record
        .to_document()
        .map_err(|e| corrupt(kind, &Value::Null, e))?;
    let Value::Object(mut fields) = document else {
        return Err(corrupt(kind, &Value::Null, "it is not a JSON object"));
    };
    let id = fields.get("id").cloned().unwrap_or(Value::Null);
    if fields.contains_key(VERSION) {
        return Err(corrupt(
            kind,
            &id,
            format!("it has a field `{VERSION}` of its own"),
        ));
    }
    fields.insert(VERSION.to_owned(), Value::from(kind.current()));
    serde_json::to_string(&fields).map_err(|e| corrupt(kind, &id, e))
}

/// A record from the JSON text of its `record` column, whichever version wrote it.
///
/// # Errors
/// [`StoreError::Corrupt`], naming the table, the record and the version, when the text is
/// not a document of a version this build reads: not JSON, a version newer than
/// [`Kind::current`] or below 1, or not the shape its version says.
pub(crate) fn decode<T: Record>(json: &str) -> Result<T, StoreError> {
    let kind = T::KIND;
    let document: Value = serde_json::from_str(json).map_err(|e| corrupt(kind, &Value::Null, e))?;
    let Value::Object(mut fields) = document else {
        return Err(corrupt(kind, &Value::Null, "it is not a JSON object"));
    };
    let id = fields.get("id").cloned().unwrap_or(Value::Null);
    let version = match fields.remove(VERSION) {
        // Written before records carried their version, in the shape of version 1.
        None => 1,
        Some(v) => v.as_u64().ok_or_else(|| {
            corrupt(
                kind,
                &id,
                format!("its version {v} is not a version number"),
            )
        })?,
    };
    let document = upgrade(kind, version, fields)?;
    T::from_document(Value::Object(document))
        .map_err(|e| corrupt(kind, &id, format!("version {version}: {e}")))
}

/// The document of `version` as a document of the current version of `kind`, one version
/// at a time. A later version adds an arm `(Kind::X, n) => upgrade(kind, n + 1, …)` that
/// turns a version `n` document into a version `n + 1` one.
fn upgrade(
    kind: Kind,
    version: u64,
    document: Map<String, Value>,
) -> Result<Map<String, Value>, StoreError> {
    let current = kind.current();
    if version == current {
        return Ok(document);
    }
    let id = document.get("id").cloned().unwrap_or(Value::Null);
    if version > current {
        return Err(corrupt(
            kind,
            &id,
            format!("version {version} is newer than this build reads (up to {current})"),
        ));
    }
    Err(corrupt(
        kind,
        &id,
        format!("version {version} never existed"),
    ))
}

/// A record that cannot be read or written, named by its table and its id (the `id` at the
/// top of its document, when it has one).
fn corrupt(kind: Kind, id: &Value, error: impl std::fmt::Display) -> StoreError {
    let record = if id.is_null() {
        String::new()
    } else {
        format!(" {id}")
    };
    StoreError::Corrupt(format!(
        "{} record{record} in table {}: {error}",
        kind.name(),
        kind.table()
    ))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::{TimeZone, Utc};
    use rust_decimal_macros::dec;
    use vnum_app::model::{ContractRecord, OrderChoice};
    use vnum_billing::PaymentStatus;
    use vnum_core::{Currency, CustomerId, Money, NumberId, PaymentId, PrepaidTerm};

    use super::*;

    /// The committed sample of `version` of `kind`: `tests/schema/<kind>_v<version>.json`.
    fn sample(kind: Kind, version: u64) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/schema")
            .join(format!("{}_v{version}.json", kind.name()));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the sample {} is committed: {e}", path.display()))
    }

    /// Decodes the sample of `version`; the current version's sample is also written back
    /// exactly as committed, so that what this build writes is that version.
    fn check<T: Record>(version: u64) {
        let kind = T::KIND;
        let json = sample(kind, version);
        let record: T =
            decode(&json).unwrap_or_else(|e| panic!("{} v{version} decodes: {e:?}", kind.name()));
        if version == kind.current() {
            let written: Value = serde_json::from_str(&encode(&record).unwrap()).unwrap();
            let committed: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(
                written,
                committed,
                "{} is no longer written as its version {version}: a changed shape is a new \
                 version",
                kind.name()
            );
        }
    }

    #[test]
    fn every_version_of_every_record_decodes_from_its_committed_sample() {
        for kind in Kind::ALL {
            for version in 1..=kind.current() {
                match kind {
                    Kind::Number => check::<NumberRecord>(version),
                    Kind::Offer => check::<Offer>(version),
                    Kind::Document => check::<Document>(version),
                    Kind::Order => check::<OrderRecord>(version),
                    Kind::Agreement => check::<BulkAgreement>(version),
                    Kind::SipAccount => check::<SipAccountRecord>(version),
                    Kind::Call => check::<CallRecord>(version),
                    Kind::Contract => check::<ContractRecord>(version),
                    Kind::Trial => check::<Trial>(version),
                    Kind::WaitlistEntry => check::<WaitlistEntry>(version),
                    Kind::SmsAllocation => check::<SmsAllocationRecord>(version),
                    Kind::Payment => check::<PaymentRecord>(version),
                    Kind::RecordingOrder => {
                        check::<vnum_app::model::RecordingOrderRecord>(version);
                    }
                }
            }
        }
    }

    #[test]
    fn a_payment_v1_reads_as_the_payment_it_describes() {
        let payment: PaymentRecord = decode(&sample(Kind::Payment, 1)).unwrap();
        assert_eq!(payment.id, PaymentId(1));
        assert_eq!(payment.customer, CustomerId(1));
        assert_eq!(payment.amount, Money::new(dec!(10.00), Currency::EUR));
        assert_eq!(payment.status, PaymentStatus::Confirmed);
        assert_eq!(payment.idempotency_key, "k1");
        assert_eq!(
            payment.confirmed_at,
            Some(Utc.with_ymd_and_hms(2026, 1, 6, 3, 0, 0).unwrap())
        );
        assert_eq!(payment.failed_at, None);
        assert_eq!(payment.provider_event.as_deref(), Some("evt_1"));
    }

    #[test]
    fn an_order_v1_reads_as_the_order_it_describes() {
        let order: OrderRecord = decode(&sample(Kind::Order, 1)).unwrap();
        assert_eq!(order.customer, CustomerId(1));
        assert_eq!(order.idempotency_key.as_deref(), Some("order-1"));
        assert_eq!(order.numbers, [1, 2, 3, 4, 5].map(NumberId));
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[0].choice, OrderChoice::Automatic);
        assert_eq!(order.lines[1].term, PrepaidTerm::SixMonths);
        assert_eq!(
            order.lines[1].total,
            Money::new(dec!(152.64), Currency::EUR)
        );
    }

    #[test]
    fn a_document_without_a_version_was_written_before_versions_and_is_version_1() {
        let mut document: Map<String, Value> =
            serde_json::from_str(&sample(Kind::Payment, 1)).unwrap();
        document.remove(VERSION);
        let unversioned = serde_json::to_string(&document).unwrap();
        let versioned: PaymentRecord = decode(&sample(Kind::Payment, 1)).unwrap();
        assert_eq!(decode::<PaymentRecord>(&unversioned), Ok(versioned));
    }

    #[test]
    fn a_newer_version_is_corrupt_naming_the_table_the_record_and_the_version() {
        let mut document: Map<String, Value> =
            serde_json::from_str(&sample(Kind::Payment, 1)).unwrap();
        document.insert(VERSION.to_owned(), Value::from(2));
        let newer = serde_json::to_string(&document).unwrap();
        let Err(StoreError::Corrupt(message)) = decode::<PaymentRecord>(&newer) else {
            panic!("a version 2 payment is corrupt to a build that reads version 1");
        };
        assert_eq!(
            message,
            "payment record 1 in table payments: version 2 is newer than this build reads \
             (up to 1)"
        );
    }

    #[test]
    fn a_version_that_never_existed_or_is_not_a_number_is_corrupt() {
        for version in [Value::from(0), Value::from("1"), Value::from(-1)] {
            let mut document: Map<String, Value> =
                serde_json::from_str(&sample(Kind::Order, 1)).unwrap();
            document.insert(VERSION.to_owned(), version.clone());
            let json = serde_json::to_string(&document).unwrap();
            assert!(
                matches!(decode::<OrderRecord>(&json), Err(StoreError::Corrupt(m)) if m.contains("orders")),
                "version {version}"
            );
        }
    }

    #[test]
    fn a_record_that_is_not_the_shape_of_its_version_is_corrupt_naming_it() {
        let mut document: Map<String, Value> =
            serde_json::from_str(&sample(Kind::Payment, 1)).unwrap();
        document.insert("status".to_owned(), Value::from("refunded"));
        let json = serde_json::to_string(&document).unwrap();
        let Err(StoreError::Corrupt(message)) = decode::<PaymentRecord>(&json) else {
            panic!("an unknown status is corrupt");
        };
        assert!(
            message.starts_with("payment record 1 in table payments: version 1: "),
            "{message}"
        );
    }
}

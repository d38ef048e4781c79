//! Closing documents for a period (R12.2): the invoice, the act of services rendered and
//! the reconciliation statement, each a value computed from ledger lines and rendered as
//! plain text.
//!
//! A line belongs to the calendar day it happened on in the billing time zone (R10.D2),
//! and to the period when that day is in it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vnum_core::{Currency, CustomerId, DocumentId, Money, Period, PhoneNumber};

use crate::{AccountsError, LedgerKind, LedgerLine};

/// The first day a closing document's number can name: the day 0 of [`closing_document_id`].
const NUMBERING_EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("2000-01-01 is a day"),
};

/// The number of `customer`'s closing documents of `period` (R12.2): the invoice, the act
/// and the reconciliation statement of a period share it, asking again gives the same
/// number, and no two customers or periods share one.
///
/// It is computed, not issued, so that reading documents writes nothing: the customer's id
/// in the high 31 bits, then the period's first day counted from 2000-01-01 (16 bits) and
/// its length in days (16 bits). It is at least 2^32, above every number issued from a
/// sequence. `None` for a period before 2000, from 2179 on, longer than 65 535 days, or a
/// customer id that does not fit 31 bits.
#[must_use]
pub fn closing_document_id(customer: CustomerId, period: Period) -> Option<DocumentId> {
    let customer = customer.get();
    if !(1..1 << 31).contains(&customer) {
        return None;
    }
    let start = period
        .start()
        .signed_duration_since(NUMBERING_EPOCH)
        .num_days();
    let length = period
        .end()
        .signed_duration_since(period.start())
        .num_days();
    if !(0..1 << 16).contains(&start) || !(0..1 << 16).contains(&length) {
        return None;
    }
    Some(DocumentId((customer << 32) | (start << 16) | length))
}

/// The provider as it issues closing documents: its legal name and, where the provider
/// configured them, its address and tax registration (R12.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// The legal name.
    pub name: String,
    /// The registered address, printed under the name.
    #[serde(default)]
    pub address: Option<String>,
    /// The tax or company registration number (VAT id, INN …).
    #[serde(default)]
    pub tax_id: Option<String>,
}

impl Issuer {
    /// An issuer known by its name alone.
    #[must_use]
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// Who issues a document to whom, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentHeader {
    /// The document's id, which is also its printed number.
    pub id: DocumentId,
    /// The day it is issued.
    pub issued_on: NaiveDate,
    /// The provider.
    pub provider: Issuer,
    /// The customer's legal name.
    pub customer: String,
}

/// One row of an invoice or an act: a service and what it cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    /// The day it was charged.
    pub day: NaiveDate,
    /// The number it concerns, if any.
    pub number: Option<PhoneNumber>,
    /// What was charged for.
    pub description: String,
    /// The amount due for it: positive for a charge, negative for a refund.
    pub amount: Money,
}

/// The services of a period as items due: charges as positive amounts, refunds as
/// negative ones.
fn service_items(
    lines: &[LedgerLine],
    period: &Period,
    tz: Tz,
    currency: Currency,
) -> Result<Vec<ServiceItem>, AccountsError> {
    lines
        .iter()
        .filter(|l| matches!(l.kind(), LedgerKind::Charge | LedgerKind::Refund))
        .filter(|l| period.contains(l.day(tz)))
        .map(|l| {
            same_currency(l.amount(), currency)?;
            Ok(ServiceItem {
                day: l.day(tz),
                number: l.number().cloned(),
                description: l.description().to_owned(),
                amount: -l.amount(),
            })
        })
        .collect()
}

fn same_currency(amount: Money, currency: Currency) -> Result<(), AccountsError> {
    Money::zero(currency).checked_add(amount)?;
    Ok(())
}

/// An invoice for the services of a period (R12.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    header: DocumentHeader,
    period: Period,
    items: Vec<ServiceItem>,
    total: Money,
}

impl Invoice {
    /// The invoice for the charges (less refunds) of `period` in `tz`.
    ///
    /// # Errors
    /// [`AccountsError::Money`] when a line is in another currency than `currency`.
    pub fn for_period(
        header: DocumentHeader,
        lines: &[LedgerLine],
        period: Period,
        tz: Tz,
        currency: Currency,
    ) -> Result<Self, AccountsError> {
        let items = service_items(lines, &period, tz, currency)?;
        let total = Money::sum(currency, items.iter().map(|i| i.amount))?;
        Ok(Self {
            header,
            period,
            items,
            total,
        })
    }

    /// Who, to whom, when.
    #[must_use]
    pub const fn header(&self) -> &DocumentHeader {
        &self.header
    }

    /// The items, in ledger order.
    #[must_use]
    pub fn items(&self) -> &[ServiceItem] {
        &self.items
    }

    /// The amount due.
    #[must_use]
    pub const fn total(&self) -> Money {
        self.total
    }

    /// The invoice as plain text.
    #[must_use]
    pub fn render_text(&self) -> String {
        let mut out = title("INVOICE", &self.header, &self.period);
        for item in &self.items {
            item_row(&mut out, item);
        }
        let _ = writeln!(out, "{:-<78}\n{:<60}{:>18}", "", "Total due", self.total);
        out
    }
}

fn title(kind: &str, header: &DocumentHeader, period: &Period) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{kind} No. {}, issued {}\nFrom: {}",
        header.id, header.issued_on, header.provider.name,
    );
    if let Some(address) = &header.provider.address {
        let _ = writeln!(out, "      {address}");
    }
    if let Some(tax_id) = &header.provider.tax_id {
        let _ = writeln!(out, "      Tax id: {tax_id}");
    }
    let _ = writeln!(
        out,
        "To:   {}\nPeriod: {} to {}\n",
        header.customer,
        period.start(),
        period.last_day(),
    );
    out
}

fn item_row(out: &mut String, item: &ServiceItem) {
    let number = item.number.as_ref().map_or("", PhoneNumber::as_str);
    let _ = writeln!(
        out,
        "{}  {:<16}  {:<36}{:>14}",
        item.day, number, item.description, item.amount
    );
}

/// The services of one number (or of none) in an act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActSection {
    /// The number, or `None` for services that concern no single number.
    pub number: Option<PhoneNumber>,
    /// Its services.
    pub items: Vec<ServiceItem>,
    /// Their sum.
    pub subtotal: Money,
}

/// An act of services rendered in a period, per number (R12.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActOfServices {
    header: DocumentHeader,
    period: Period,
    sections: Vec<ActSection>,
    total: Money,
}

impl ActOfServices {
    /// The act for the services of `period` in `tz`, grouped by number (numbers in E.164
    /// order, services of no number last).
    ///
    /// # Errors
    /// [`AccountsError::Money`] when a line is in another currency than `currency`.
    pub fn for_period(
        header: DocumentHeader,
        lines: &[LedgerLine],
        period: Period,
        tz: Tz,
        currency: Currency,
    ) -> Result<Self, AccountsError> {
        let mut by_number: BTreeMap<(bool, Option<PhoneNumber>), Vec<ServiceItem>> =
            BTreeMap::new();
        for item in service_items(lines, &period, tz, currency)? {
            by_number
                .entry((item.number.is_none(), item.number.clone()))
                .or_default()
                .push(item);
        }
        let sections = by_number
            .into_iter()
            .map(|((_, number), items)| {
                let subtotal = Money::sum(currency, items.iter().map(|i| i.amount))?;
                Ok(ActSection {
                    number,
                    items,
                    subtotal,
                })
            })
            .collect::<Result<Vec<_>, AccountsError>>()?;
        let total = Money::sum(currency, sections.iter().map(|s| s.subtotal))?;
        Ok(Self {
            header,
            period,
            sections,
            total,
        })
    }

    /// Who, to whom, when.
    #[must_use]
    pub const fn header(&self) -> &DocumentHeader {
        &self.header
    }

    /// The sections, one per number.
    #[must_use]
    pub fn sections(&self) -> &[ActSection] {
        &self.sections
    }

    /// The value of all services rendered.
    #[must_use]
    pub const fn total(&self) -> Money {
        self.total
    }

    /// The act as plain text.
    #[must_use]
    pub fn render_text(&self) -> String {
        let mut out = title("ACT OF SERVICES RENDERED", &self.header, &self.period);
        for section in &self.sections {
            let heading = section
                .number
                .as_ref()
                .map_or("Other services", PhoneNumber::as_str);
            let _ = writeln!(out, "{heading}");
            for item in &section.items {
                item_row(&mut out, item);
            }
            let _ = writeln!(out, "{:<60}{:>18}\n", "Subtotal", section.subtotal);
        }
        let _ = writeln!(
            out,
            "{:-<78}\n{:<60}{:>18}\n\nThe services above were rendered in full; the customer has no claims.",
            "", "Total", self.total
        );
        out
    }
}

/// One movement in a reconciliation statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    /// The day.
    pub day: NaiveDate,
    /// What moved the balance.
    pub kind: LedgerKind,
    /// The number it concerns, if any.
    pub number: Option<PhoneNumber>,
    /// The description.
    pub description: String,
    /// The effect on the balance.
    pub amount: Money,
}

/// A reconciliation statement (R12.2): the opening balance, every movement in the period,
/// the closing balance.
///
/// Invariant: `closing = opening + the sum of the lines`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationStatement {
    header: DocumentHeader,
    period: Period,
    opening: Money,
    lines: Vec<StatementLine>,
    closing: Money,
}

impl ReconciliationStatement {
    /// The statement of `period` in `tz` from the customer's whole ledger: the opening
    /// balance is the sum of every line before the period, the lines are those in it.
    ///
    /// # Errors
    /// [`AccountsError::Money`] when a line is in another currency than `currency`.
    pub fn for_period(
        header: DocumentHeader,
        ledger: &[LedgerLine],
        period: Period,
        tz: Tz,
        currency: Currency,
    ) -> Result<Self, AccountsError> {
        let mut opening = Money::zero(currency);
        let mut lines = Vec::new();
        for line in ledger {
            let day = line.day(tz);
            if day < period.start() {
                opening = opening.checked_add(line.amount())?;
            } else if period.contains(day) {
                same_currency(line.amount(), currency)?;
                lines.push(StatementLine {
                    day,
                    kind: line.kind(),
                    number: line.number().cloned(),
                    description: line.description().to_owned(),
                    amount: line.amount(),
                });
            }
        }
        lines.sort_by_key(|l| l.day);
        let closing = opening.checked_add(Money::sum(currency, lines.iter().map(|l| l.amount))?)?;
        Ok(Self {
            header,
            period,
            opening,
            lines,
            closing,
        })
    }

    /// Who, to whom, when.
    #[must_use]
    pub const fn header(&self) -> &DocumentHeader {
        &self.header
    }

    /// The balance at the start of the period.
    #[must_use]
    pub const fn opening(&self) -> Money {
        self.opening
    }

    /// The movements of the period, by day.
    #[must_use]
    pub fn lines(&self) -> &[StatementLine] {
        &self.lines
    }

    /// The balance at the end of the period.
    #[must_use]
    pub const fn closing(&self) -> Money {
        self.closing
    }

    /// The statement as plain text.
    #[must_use]
    pub fn render_text(&self) -> String {
        let mut out = title("RECONCILIATION STATEMENT", &self.header, &self.period);
        let _ = writeln!(out, "{:<60}{:>18}", "Opening balance", self.opening);
        for line in &self.lines {
            let number = line.number.as_ref().map_or("", PhoneNumber::as_str);
            let _ = writeln!(
                out,
                "{}  {:<10}  {:<16}  {:<24}{:>14}",
                line.day,
                line.kind.label(),
                number,
                line.description,
                line.amount
            );
        }
        let _ = writeln!(
            out,
            "{:-<78}\n{:<60}{:>18}",
            "", "Closing balance", self.closing
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use proptest::prelude::*;
    use vnum_testkit::{at, day, eur_cents};

    proptest! {
        /// R12.2: a closing document's number is the same for the same customer and period
        /// and differs for any other, above every number a sequence issues.
        #[test]
        fn r12_2_a_closing_document_number_names_one_customer_and_period(
            customers in (1_i64..1 << 31, 1_i64..1 << 31),
            starts in (0_i64..60_000, 0_i64..60_000),
            lengths in (1_i64..400, 1_i64..400),
        ) {
            let period = |start: i64, length: i64| {
                let first = NUMBERING_EPOCH + chrono::Days::new(start.unsigned_abs());
                Period::new(first, first + chrono::Days::new(length.unsigned_abs())).unwrap()
            };
            let a = (CustomerId(customers.0), period(starts.0, lengths.0));
            let b = (CustomerId(customers.1), period(starts.1, lengths.1));
            let id_a = closing_document_id(a.0, a.1).unwrap();
            prop_assert_eq!(Some(id_a), closing_document_id(a.0, a.1));
            prop_assert_eq!(id_a == closing_document_id(b.0, b.1).unwrap(), a == b);
            prop_assert!(id_a.get() >= 1 << 32);
        }
    }

    #[test]
    fn r12_2_a_period_the_number_cannot_name_has_none() {
        let january = Period::new(day(2026, 1, 1), day(2026, 2, 1)).unwrap();
        assert_eq!(
            closing_document_id(CustomerId(1), january),
            Some(DocumentId((1 << 32) | (9497 << 16) | 31))
        );
        let before = Period::new(day(1999, 12, 1), day(2000, 1, 1)).unwrap();
        assert_eq!(closing_document_id(CustomerId(1), before), None);
        assert_eq!(closing_document_id(CustomerId(0), january), None);
        assert_eq!(closing_document_id(CustomerId(1 << 31), january), None);
    }

    fn line(
        at: DateTime<Utc>,
        kind: LedgerKind,
        cents: i64,
        number: Option<&str>,
        what: &str,
    ) -> LedgerLine {
        let number = number.map(|n| PhoneNumber::parse(n).unwrap());
        LedgerLine::new(at, kind, eur_cents(cents), number, what).unwrap()
    }

    fn march() -> Period {
        Period::new(day(2026, 3, 1), day(2026, 4, 1)).unwrap()
    }

    fn header() -> DocumentHeader {
        DocumentHeader {
            id: DocumentId(42),
            issued_on: day(2026, 4, 1),
            provider: Issuer::named("vnum Telecom Ltd"),
            customer: "Acme GmbH".into(),
        }
    }

    fn ledger() -> Vec<LedgerLine> {
        vec![
            line(
                at(day(2026, 2, 10), 9),
                LedgerKind::Payment,
                10_000,
                None,
                "bank transfer 0001",
            ),
            line(
                at(day(2026, 2, 20), 1),
                LedgerKind::Charge,
                -1_500,
                Some("+4930123456"),
                "rental",
            ),
            line(
                at(day(2026, 3, 5), 9),
                LedgerKind::Payment,
                5_000,
                None,
                "bank transfer 0002",
            ),
            line(
                at(day(2026, 3, 20), 1),
                LedgerKind::Charge,
                -1_500,
                Some("+4930123456"),
                "rental",
            ),
            line(
                at(day(2026, 3, 21), 1),
                LedgerKind::Charge,
                -900,
                Some("+4315123456"),
                "rental",
            ),
            line(
                at(day(2026, 3, 22), 1),
                LedgerKind::Charge,
                -200,
                None,
                "voice recording",
            ),
            line(
                at(day(2026, 3, 25), 1),
                LedgerKind::Refund,
                300,
                Some("+4315123456"),
                "SMS unused",
            ),
            // 23:30 UTC on 31 March is 1 April in Berlin: April's.
            line(
                at(day(2026, 3, 31), 23),
                LedgerKind::Charge,
                -1_000,
                Some("+4930123456"),
                "setup",
            ),
        ]
    }

    #[test]
    fn r12_2_the_reconciliation_statement_runs_from_opening_to_closing_balance() {
        let s = ReconciliationStatement::for_period(
            header(),
            &ledger(),
            march(),
            chrono_tz::Europe::Berlin,
            Currency::EUR,
        )
        .unwrap();
        assert_eq!(s.opening(), eur_cents(8_500));
        assert_eq!(s.lines().len(), 5);
        assert_eq!(s.closing(), eur_cents(11_200));
        let text = s.render_text();
        assert!(text.contains("RECONCILIATION STATEMENT No. 42"), "{text}");
        assert!(
            text.contains("Opening balance") && text.contains("85.00 EUR"),
            "{text}"
        );
        assert!(
            text.contains("Closing balance") && text.contains("112.00 EUR"),
            "{text}"
        );
        assert!(!text.contains("setup"), "{text}");
    }

    #[test]
    fn r12_2_the_invoice_lists_the_charges_less_refunds() {
        let invoice = Invoice::for_period(
            header(),
            &ledger(),
            march(),
            chrono_tz::Europe::Berlin,
            Currency::EUR,
        )
        .unwrap();
        assert_eq!(invoice.items().len(), 4);
        assert_eq!(invoice.total(), eur_cents(2_300));
        assert!(invoice.render_text().contains("Total due"));
    }

    #[test]
    fn r12_2_the_issuers_address_and_tax_id_are_printed_under_its_name() {
        let mut with_details = header();
        with_details.provider = Issuer {
            name: "vnum Telecom Ltd".into(),
            address: Some("1 Example Street, 10115 Berlin".into()),
            tax_id: Some("DE123456789".into()),
        };
        let invoice = Invoice::for_period(
            with_details,
            &ledger(),
            march(),
            chrono_tz::Europe::Berlin,
            Currency::EUR,
        )
        .unwrap();
        let text = invoice.render_text();
        let head: Vec<&str> = text.lines().take(5).collect();
        assert_eq!(
            head[1..],
            [
                "From: vnum Telecom Ltd",
                "      1 Example Street, 10115 Berlin",
                "      Tax id: DE123456789",
                "To:   Acme GmbH",
            ],
            "{text}"
        );
    }

    #[test]
    fn r12_2_the_act_groups_services_by_number() {
        let act = ActOfServices::for_period(
            header(),
            &ledger(),
            march(),
            chrono_tz::Europe::Berlin,
            Currency::EUR,
        )
        .unwrap();
        let shape: Vec<_> = act
            .sections()
            .iter()
            .map(|s| (s.number.as_ref().map(PhoneNumber::as_str), s.subtotal))
            .collect();
        assert_eq!(
            shape,
            [
                (Some("+4315123456"), eur_cents(600)),
                (Some("+4930123456"), eur_cents(1_500)),
                (None, eur_cents(200)),
            ]
        );
        assert_eq!(act.total(), eur_cents(2_300));
        let text = act.render_text();
        assert!(
            text.contains("ACT OF SERVICES RENDERED") && text.contains("Other services"),
            "{text}"
        );
    }

    #[test]
    fn lines_in_another_currency_are_refused() {
        let usd = LedgerLine::new(
            at(day(2026, 3, 2), 1),
            LedgerKind::Charge,
            vnum_testkit::usd("-1.00"),
            None,
            "rental",
        )
        .unwrap();
        assert!(matches!(
            Invoice::for_period(header(), &[usd], march(), chrono_tz::UTC, Currency::EUR),
            Err(AccountsError::Money(_))
        ));
    }

    fn any_line() -> impl Strategy<Value = LedgerLine> {
        (0i64..120 * 24, 0usize..4, 0i64..100_000).prop_map(|(hours, kind, cents)| {
            let start = at(day(2026, 1, 15), 0);
            let (kind, cents) = match kind {
                0 => (LedgerKind::Charge, -cents),
                1 => (LedgerKind::Payment, cents),
                2 => (LedgerKind::Refund, cents),
                _ => (LedgerKind::Adjustment, cents - 50_000),
            };
            line(
                start + chrono::Duration::hours(hours),
                kind,
                cents,
                None,
                "x",
            )
        })
    }

    proptest! {
        #[test]
        fn r12_2_closing_is_opening_plus_the_lines_and_the_balance_at_the_end(
            ledger in proptest::collection::vec(any_line(), 0..40),
            start in 0u64..60,
            days in 1u64..60,
        ) {
            let first = day(2026, 2, 1) + chrono::Days::new(start);
            let period = Period::new(first, first + chrono::Days::new(days)).unwrap();
            let tz = chrono_tz::Asia::Tokyo;
            let s = ReconciliationStatement::for_period(header(), &ledger, period, tz, Currency::EUR).unwrap();
            let in_period = Money::sum(Currency::EUR, s.lines().iter().map(|l| l.amount)).unwrap();
            prop_assert_eq!(s.closing(), s.opening().checked_add(in_period).unwrap());
            // Independent oracle: the closing balance is every line before the period's end.
            let before_end = Money::sum(
                Currency::EUR,
                ledger.iter().filter(|l| l.day(tz) < period.end()).map(LedgerLine::amount),
            ).unwrap();
            prop_assert_eq!(s.closing(), before_end);
        }
    }
}

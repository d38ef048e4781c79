//! The model: what the money path must do, written from `spec/RULES.md` alone.
//!
//! It keeps its own connection-day calendar (R10.2, R10.D1), its own billing days in the
//! billing time zone (R10.D2), its own ledger and balances (R1.4, R10.3, R10.D5), and
//! decides deletions (R10.6, R10.7), numbers set not to renew and their release at the end
//! of their paid period (R10.7), suspension (R10.4, R10.D3), idempotent renewal runs
//! (R10.D4), prepaid-term discounts (R11.1, R11.D1), the CallerID add-on (R6.2, R6.D1) and
//! orders repeated under their key (R1.D3) by itself. It never calls the billing or
//! discount crates.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::{Decimal, RoundingStrategy};
use vnum_app::model::EntryKind;
use vnum_core::{Currency, Money, PhoneNumber, PrepaidTerm};
use vnum_testkit::money;

use crate::steps::{
    Action, Case, Fund, LinePick, OfferSpec, PayAmount, TimeOfDay, Wait, currency, scale,
};

/// How a payment shows in the ledger: its kind and the rule it names.
pub(crate) const PAYMENT_KIND: EntryKind = EntryKind::TopUp;
pub(crate) const PAYMENT_RULE: &str = "R1.D1";

/// The largest single payment, in the major unit of any currency (R10.D6; the default of
/// `Config::max_payment`).
pub(crate) const MAX_PAYMENT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// One movement of a balance as the rules see it. Derives `Ord` so that ledgers compare as
/// multisets: the order of entries written at the same instant is not a rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Line {
    pub(crate) at: DateTime<Utc>,
    pub(crate) kind: String,
    pub(crate) amount: Decimal,
    pub(crate) currency: Currency,
    pub(crate) number: Option<usize>,
    pub(crate) period: Option<(NaiveDate, NaiveDate)>,
    pub(crate) rule: Option<String>,
}

/// Where a number stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NumberStand {
    /// Ordered, not connected yet.
    Pending(String),
    Active {
        e164: String,
        connected_on: NaiveDate,
    },
    Deleted {
        e164: Option<String>,
        deleted_on: NaiveDate,
    },
}

/// A number's billing: the connection day, the first day not paid for, the monthly fee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NumberBilling {
    pub(crate) anchor_day: u32,
    pub(crate) connected_on: NaiveDate,
    pub(crate) paid_through: NaiveDate,
    pub(crate) monthly_fee: (Decimal, Currency),
    /// The day it was set not to renew, while it does not renew (R10.7).
    pub(crate) renewal_stopped_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NumberSnap {
    pub(crate) index: usize,
    pub(crate) stand: NumberStand,
    pub(crate) billing: Option<NumberBilling>,
    /// The CallerID add-on is on (R6.2).
    pub(crate) caller_id: bool,
}

/// What the rules say about one customer after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CustomerSnap {
    pub(crate) balance: (Decimal, Currency),
    pub(crate) suspended: bool,
    pub(crate) lines: Vec<Line>,
    pub(crate) numbers: Vec<NumberSnap>,
}

/// What an operation did, as far as the rules tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Done,
    /// A payment or an order under a key seen before, with the same amount or lines:
    /// nothing credited or bought.
    Replayed,
    NotFound,
    Invalid,
    Insufficient,
    Conflict,
    Refused,
    /// Refused under the rule named.
    RefusedBy(String),
    Renewed {
        days: Vec<NaiveDate>,
        charged: u64,
        /// The customers whose balance went below zero in this run, by index.
        suspended: Vec<usize>,
    },
    /// Storage failed: never expected.
    Failed(String),
}

/// An action with every index resolved and every amount computed.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Register {
        currency: Currency,
    },
    Pay {
        customer: usize,
        amount: Money,
        key: String,
    },
    Order {
        customer: usize,
        /// Offer index, quantity, term.
        lines: Vec<(usize, u32, PrepaidTerm)>,
        /// The numbers the carrier assigns on the spot, for an instant order.
        instant: Option<Vec<PhoneNumber>>,
        key: String,
    },
    SetCallerId {
        number: usize,
        customer: usize,
        enabled: bool,
    },
    Connect {
        number: usize,
        e164: PhoneNumber,
    },
    Delete {
        number: usize,
        customer: usize,
    },
    SetRenewal {
        number: usize,
        customer: usize,
        renews: bool,
    },
    Renew,
}

/// The concrete number the carrier assigns to the `index`th number of a case.
pub(crate) fn e164_of(index: usize) -> PhoneNumber {
    PhoneNumber::parse(&format!("+49151{:08}", 10_000_000 + index)).expect("a German mobile")
}

pub(crate) fn minor(currency: Currency) -> Decimal {
    Decimal::new(1, currency.minor_units())
}

/// The instant of `at` on `day` in `zone`: the first minute after a DST gap, the earlier
/// (or later) instant of an ambiguous time.
pub(crate) fn local_instant(zone: Tz, day: NaiveDate, at: TimeOfDay) -> DateTime<Utc> {
    let mut local = day
        .and_hms_opt(at.hour, at.minute, at.second)
        .expect("a valid time of day");
    loop {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, late) => {
                return if at.later { late } else { early }.with_timezone(&Utc);
            }
            LocalResult::None => local += Duration::minutes(1),
        }
    }
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    (28..=31)
        .rev()
        .find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())
        .expect("every month has a 28th")
}

/// R10.2, R10.D1: the day period `k` of a number connected on `connected` starts: the
/// connection day of the k-th month after, or that month's last day when it is shorter.
/// Computed from the connection month plus k, so it never drifts.
pub(crate) fn charge_day(connected: NaiveDate, k: u32) -> NaiveDate {
    let months = connected.year() * 12 + connected.month0() as i32 + k as i32;
    let (year, month) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
    let day = connected.day().min(last_day_of_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day).expect("a clamped day exists")
}

/// The period index whose charge day is `day`, if `day` is a charge day of the number.
fn period_starting(connected: NaiveDate, day: NaiveDate) -> Option<u32> {
    let months = (day.year() * 12 + day.month0() as i32)
        - (connected.year() * 12 + connected.month0() as i32);
    let k = u32::try_from(months).ok()?;
    (charge_day(connected, k) == day).then_some(k)
}

#[derive(Clone, Debug)]
struct ModelCustomer {
    currency: Currency,
    balance: Decimal,
    lines: Vec<Line>,
}

#[derive(Clone, Debug)]
enum Stand {
    Pending,
    Active,
    Deleted { on: NaiveDate },
}

#[derive(Clone, Debug)]
struct ModelNumber {
    owner: usize,
    fee: Decimal,
    /// The offer's CallerID add-on fee, if it has one (R6.2).
    addon: Option<Decimal>,
    caller_id: bool,
    /// While the add-on is off: the periods it was paid for (R6.D1), the number's own count
    /// when it was turned off. Turning it off refunds nothing (R10.6), so these stay paid.
    addon_paid: u32,
    term_months: u32,
    stand: Stand,
    connected_on: Option<NaiveDate>,
    /// Periods paid for: the first term, then one per renewal.
    paid: u32,
    /// R10.7: the day the owner set it not to renew, while it does not renew.
    stopped_on: Option<NaiveDate>,
}

impl ModelNumber {
    /// What a renewal charges: the fee, plus the add-on while it is on (R6.D1).
    fn monthly(&self) -> Decimal {
        match (self.caller_id, self.addon) {
            (true, Some(addon)) => self.fee + addon,
            _ => self.fee,
        }
    }
}

/// Order lines as the customer asks for them: offer index, quantity, term.
type OrderLines = Vec<(usize, u32, PrepaidTerm)>;

/// The last order sent: customer, lines, instant, key.
type LastOrder = (usize, OrderLines, bool, String);

#[derive(Clone)]
pub(crate) struct Model {
    zone: Tz,
    tiers: [Decimal; 3],
    pub(crate) now: DateTime<Utc>,
    offers: Vec<OfferSpec>,
    customers: Vec<ModelCustomer>,
    numbers: Vec<ModelNumber>,
    last_renewal: Option<NaiveDate>,
    payments: u32,
    keys: BTreeMap<(usize, String), Decimal>,
    last_payment: Option<(usize, Money, String)>,
    orders: u32,
    /// The lines of every order that took money, by customer and key (R1.D3).
    order_keys: BTreeMap<(usize, String), OrderLines>,
    last_order: Option<LastOrder>,
}

impl Model {
    pub(crate) fn new(case: &Case, now: DateTime<Utc>) -> Self {
        Self {
            zone: case.zone,
            tiers: case.tiers,
            now,
            offers: case.offers.clone(),
            customers: Vec::new(),
            numbers: Vec::new(),
            last_renewal: None,
            payments: 0,
            keys: BTreeMap::new(),
            last_payment: None,
            orders: 0,
            order_keys: BTreeMap::new(),
            last_order: None,
        }
    }

    /// R10.D2: today is the calendar day in the billing time zone.
    fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.zone).date_naive()
    }

    fn offset_at_noon(&self, day: NaiveDate) -> i32 {
        let noon = TimeOfDay {
            hour: 12,
            minute: 0,
            second: 0,
            later: false,
        };
        local_instant(self.zone, day, noon)
            .with_timezone(&self.zone)
            .offset()
            .fix()
            .local_minus_utc()
    }

    /// Where the clock goes for `wait`; never backwards.
    pub(crate) fn target(&self, wait: Wait) -> DateTime<Utc> {
        let today = self.today();
        let zone = self.zone;
        let later = |n: u32| today + Days::new(u64::from(n));
        let target = match wait {
            Wait::Minutes(m) => self.now + Duration::minutes(i64::from(m)),
            Wait::Days(n, at) => local_instant(zone, later(n), at),
            Wait::MonthDay(day, at) => {
                let next = (1..=130)
                    .map(later)
                    .find(|d| d.day() == day)
                    .unwrap_or_else(|| later(1));
                local_instant(zone, next, at)
            }
            Wait::DstChange(at) => {
                let next = (1..=400)
                    .map(later)
                    .find(|d| {
                        self.offset_at_noon(*d)
                            != self.offset_at_noon(d.pred_opt().expect("a day before"))
                    })
                    .unwrap_or_else(|| later(1));
                local_instant(zone, next, at)
            }
            Wait::ChargeDay { number, before, at } => {
                let connected = (!self.numbers.is_empty())
                    .then(|| self.numbers[number % self.numbers.len()].connected_on)
                    .flatten();
                match connected {
                    Some(connected) => {
                        let next = (1..)
                            .map(|k| charge_day(connected, k))
                            .find(|c| *c - Days::new(u64::from(before)) >= today)
                            .expect("a later charge day");
                        local_instant(zone, next - Days::new(u64::from(before)), at)
                    }
                    None => self.now + Duration::minutes(1),
                }
            }
        };
        target.max(self.now)
    }

    /// The operations an action means now; none when it names nothing that exists.
    pub(crate) fn resolve(&self, action: &Action) -> Vec<Op> {
        let customer = |i: usize| (!self.customers.is_empty()).then(|| i % self.customers.len());
        match action {
            Action::Register { currency: c } => vec![Op::Register {
                currency: currency(*c),
            }],
            Action::Pay {
                customer: c,
                amount,
            } => {
                let Some(c) = customer(*c) else { return vec![] };
                let cur = self.customers[c].currency;
                let amount = match amount {
                    PayAmount::Minor(n) => {
                        let index = crate::steps::CURRENCIES
                            .iter()
                            .position(|code| *code == cur.code())
                            .expect("a case currency");
                        Decimal::new(n * scale(index), cur.minor_units())
                    }
                    PayAmount::ClearDebt => {
                        let balance = self.customers[c].balance;
                        if balance.is_sign_negative() && !balance.is_zero() {
                            -balance
                        } else {
                            minor(cur)
                        }
                    }
                    PayAmount::Fraction => Decimal::new(15, cur.minor_units() + 1),
                    PayAmount::Maximum => MAX_PAYMENT,
                    PayAmount::OverMaximum => MAX_PAYMENT + minor(cur),
                    PayAmount::Zero => Decimal::ZERO,
                };
                vec![Op::Pay {
                    customer: c,
                    amount: money(amount, cur),
                    key: format!("payment-{}", self.payments + 1),
                }]
            }
            Action::PayAgain { same_amount } => match &self.last_payment {
                Some((c, amount, key)) => {
                    let amount = if *same_amount {
                        *amount
                    } else {
                        money(
                            amount.amount() + minor(amount.currency()),
                            amount.currency(),
                        )
                    };
                    vec![Op::Pay {
                        customer: *c,
                        amount,
                        key: key.clone(),
                    }]
                }
                None => vec![],
            },
            Action::Order {
                customer: c,
                lines,
                fund,
                instant,
            } => {
                let Some(c) = customer(*c) else { return vec![] };
                let lines = self.order_lines(c, lines);
                let mut ops = Vec::new();
                if *fund {
                    let cur = self.customers[c].currency;
                    let short = self.order_total(&lines) - self.customers[c].balance;
                    if short > Decimal::ZERO {
                        ops.push(Op::Pay {
                            customer: c,
                            amount: money(short, cur),
                            key: format!("payment-{}", self.payments + 1),
                        });
                    }
                }
                ops.push(self.order_op(c, lines, *instant, self.order_key()));
                ops
            }
            Action::OrderAgain { same_lines } => match &self.last_order {
                Some((c, lines, instant, key)) => {
                    let mut lines = lines.clone();
                    if !same_lines {
                        lines[0].1 += 1;
                    }
                    vec![self.order_op(*c, lines, *instant, key.clone())]
                }
                None => vec![],
            },
            Action::CallerId {
                number,
                active,
                switches,
                by_owner,
                fund,
            } => {
                let candidates: Vec<usize> = (0..self.numbers.len())
                    .filter(|n| !active || matches!(self.numbers[*n].stand, Stand::Active))
                    .collect();
                if candidates.is_empty() {
                    return vec![];
                }
                let n = candidates[number % candidates.len()];
                let owner = self.numbers[n].owner;
                let customer = if *by_owner {
                    owner
                } else {
                    (owner + 1) % self.customers.len()
                };
                // The rules leave open which fee a renewal run charges for the charge days
                // it catches up after a pause when the add-on was turned on or off in
                // between. Add-ons are therefore toggled only once renewals are caught up:
                // when the last run did not cover today, the step runs them first.
                let mut ops = Vec::new();
                let mut ahead = self.clone();
                if self.last_renewal != Some(self.today()) {
                    ops.push(Op::Renew);
                }
                for enabled in switches {
                    ops.push(Op::SetCallerId {
                        number: n,
                        customer,
                        enabled: *enabled,
                    });
                }
                // Each payment is worked out on the model as it will be then.
                let mut funded = Vec::with_capacity(ops.len() + switches.len());
                for op in ops {
                    let slack = match fund {
                        Fund::No => None,
                        Fund::Exact => Some(Decimal::ZERO),
                        Fund::OneMinorShort => Some(minor(ahead.customers[customer].currency)),
                    };
                    let off = !ahead.numbers[n].caller_id;
                    if let (Op::SetCallerId { enabled: true, .. }, Some(slack), true, true) =
                        (&op, slack, *by_owner, off)
                    {
                        let due = ahead.caller_id_due(n, ahead.today());
                        let short = due - ahead.customers[customer].balance - slack;
                        if due > Decimal::ZERO && short > Decimal::ZERO {
                            let pay = Op::Pay {
                                customer,
                                amount: money(short, ahead.customers[customer].currency),
                                key: format!("payment-{}", ahead.payments + 1),
                            };
                            ahead.apply(&pay);
                            funded.push(pay);
                        }
                    }
                    ahead.apply(&op);
                    funded.push(op);
                }
                funded
            }
            Action::Connect { number } => {
                if self.numbers.is_empty() {
                    return vec![];
                }
                let n = number % self.numbers.len();
                vec![Op::Connect {
                    number: n,
                    e164: e164_of(n),
                }]
            }
            Action::Delete { number, by_owner } => {
                if self.numbers.is_empty() {
                    return vec![];
                }
                let n = number % self.numbers.len();
                let owner = self.numbers[n].owner;
                let customer = if *by_owner {
                    owner
                } else {
                    (owner + 1) % self.customers.len()
                };
                vec![Op::Delete {
                    number: n,
                    customer,
                }]
            }
            Action::Renewal {
                number,
                renews,
                by_owner,
            } => {
                if self.numbers.is_empty() {
                    return vec![];
                }
                let n = number % self.numbers.len();
                let owner = self.numbers[n].owner;
                let customer = if *by_owner {
                    owner
                } else {
                    (owner + 1) % self.customers.len()
                };
                vec![Op::SetRenewal {
                    number: n,
                    customer,
                    renews: *renews,
                }]
            }
            Action::Renew => vec![Op::Renew],
        }
    }

    /// A key no order had before (R1.D3).
    fn order_key(&self) -> String {
        format!("order-{}", self.orders + 1)
    }

    fn order_op(&self, customer: usize, lines: OrderLines, instant: bool, key: String) -> Op {
        let count: u32 = lines.iter().map(|(_, q, _)| q).sum();
        let instant = instant.then(|| {
            (0..count as usize)
                .map(|i| e164_of(self.numbers.len() + i))
                .collect()
        });
        Op::Order {
            customer,
            lines,
            instant,
            key,
        }
    }

    /// The lines of an order, each on an offer in the customer's currency.
    fn order_lines(&self, customer: usize, lines: &[LinePick]) -> OrderLines {
        let code = self.customers[customer].currency.code();
        let offers: Vec<usize> = (0..self.offers.len())
            .filter(|o| currency(self.offers[*o].currency).code() == code)
            .collect();
        lines
            .iter()
            .map(|l| {
                (
                    offers[l.offer % offers.len()],
                    l.quantity,
                    PrepaidTerm::from_months(l.term_months).expect("1, 3, 6 or 12"),
                )
            })
            .collect()
    }

    fn price(&self, offer: usize) -> (Decimal, Decimal, Currency) {
        let spec = self.offers[offer];
        let cur = currency(spec.currency);
        (
            Decimal::new(spec.monthly_minor, cur.minor_units()),
            Decimal::new(spec.setup_minor, cur.minor_units()),
            cur,
        )
    }

    /// The offer's CallerID add-on fee, if it has one (R6.2).
    fn addon_price(&self, offer: usize) -> Option<Decimal> {
        let spec = self.offers[offer];
        let cur = currency(spec.currency);
        spec.caller_id_minor
            .map(|m| Decimal::new(m, cur.minor_units()))
    }

    /// R1.4, R11.1, R11.D1: setup fees plus the rent of the first term, the rent less the
    /// term's discount, the total rounded once, half away from zero, to the minor unit.
    fn order_total(&self, lines: &[(usize, u32, PrepaidTerm)]) -> Decimal {
        let mut total = Decimal::ZERO;
        let mut minor_units = 2;
        for (offer, quantity, term) in lines {
            let (monthly, setup, cur) = self.price(*offer);
            minor_units = cur.minor_units();
            let percent = match term.months() {
                3 => self.tiers[0],
                6 => self.tiers[1],
                12 => self.tiers[2],
                _ => Decimal::ZERO,
            };
            let q = Decimal::from(*quantity);
            let rent = monthly * Decimal::from(term.months()) * q;
            total += setup * q + rent * (Decimal::ONE_HUNDRED - percent) / Decimal::ONE_HUNDRED;
        }
        total.round_dp_with_strategy(minor_units, RoundingStrategy::MidpointAwayFromZero)
    }

    fn append(&mut self, customer: usize, line: Line) {
        let c = &mut self.customers[customer];
        c.balance += line.amount;
        c.lines.push(line);
    }

    /// Applies an operation and says what it must do.
    pub(crate) fn apply(&mut self, op: &Op) -> Outcome {
        let today = self.today();
        match op {
            Op::Register { currency } => {
                self.customers.push(ModelCustomer {
                    currency: *currency,
                    balance: Decimal::ZERO,
                    lines: Vec::new(),
                });
                Outcome::Done
            }
            Op::Pay {
                customer,
                amount,
                key,
            } => {
                self.payments += 1;
                let value = amount.amount();
                let whole = value.round_dp(amount.currency().minor_units()) == value;
                // R10.D6: a payment is positive, in whole minor units, and at most the
                // documented maximum.
                if value <= Decimal::ZERO || !whole || value > MAX_PAYMENT {
                    return Outcome::Refused;
                }
                if let Some(seen) = self.keys.get(&(*customer, key.clone())) {
                    return if *seen == value {
                        Outcome::Replayed
                    } else {
                        Outcome::Conflict
                    };
                }
                self.keys.insert((*customer, key.clone()), value);
                self.last_payment = Some((*customer, *amount, key.clone()));
                self.append(
                    *customer,
                    Line {
                        at: self.now,
                        kind: format!("{PAYMENT_KIND:?}"),
                        amount: value.normalize(),
                        currency: amount.currency(),
                        number: None,
                        period: None,
                        rule: Some(PAYMENT_RULE.to_owned()),
                    },
                );
                Outcome::Done
            }
            Op::Order {
                customer,
                lines,
                instant,
                key,
            } => {
                self.orders += 1;
                self.last_order = Some((*customer, lines.clone(), instant.is_some(), key.clone()));
                // R1.D3: an order repeated under its key buys once; the same key for other
                // lines is a conflict. Only an order that took money holds its key.
                if let Some(placed) = self.order_keys.get(&(*customer, key.clone())) {
                    return if placed == lines {
                        Outcome::Replayed
                    } else {
                        Outcome::Conflict
                    };
                }
                let total = self.order_total(lines);
                let cur = self.customers[*customer].currency;
                if self.customers[*customer].balance < total {
                    return Outcome::Insufficient;
                }
                self.order_keys
                    .insert((*customer, key.clone()), lines.clone());
                self.append(
                    *customer,
                    Line {
                        at: self.now,
                        kind: format!("{:?}", EntryKind::Charge),
                        amount: (-total).normalize(),
                        currency: cur,
                        number: None,
                        period: None,
                        rule: Some("R1.4".to_owned()),
                    },
                );
                let first = self.numbers.len();
                for (offer, quantity, term) in lines {
                    let (monthly, _, _) = self.price(*offer);
                    let addon = self.addon_price(*offer);
                    for _ in 0..*quantity {
                        self.numbers.push(ModelNumber {
                            owner: *customer,
                            fee: monthly,
                            addon,
                            caller_id: false,
                            addon_paid: 0,
                            term_months: term.months(),
                            stand: Stand::Pending,
                            connected_on: None,
                            paid: 0,
                            stopped_on: None,
                        });
                    }
                }
                if instant.is_some() {
                    for n in first..self.numbers.len() {
                        self.connect(n, today);
                    }
                }
                Outcome::Done
            }
            Op::Connect { number, .. } => match self.numbers[*number].stand {
                Stand::Pending => {
                    self.connect(*number, today);
                    Outcome::Done
                }
                _ => Outcome::Refused,
            },
            Op::Delete { number, customer } => {
                let n = &mut self.numbers[*number];
                if n.owner != *customer {
                    return Outcome::NotFound;
                }
                match n.stand {
                    Stand::Deleted { .. } => Outcome::Refused,
                    // R10.6: nothing is refunded.
                    Stand::Pending | Stand::Active => {
                        n.stand = Stand::Deleted { on: today };
                        Outcome::Done
                    }
                }
            }
            Op::SetCallerId {
                number,
                customer,
                enabled,
            } => self.set_caller_id(*number, *customer, *enabled, today),
            Op::SetRenewal {
                number,
                customer,
                renews,
            } => {
                let n = &mut self.numbers[*number];
                if n.owner != *customer {
                    return Outcome::NotFound;
                }
                match n.stand {
                    // Released or deleted: too late (R10.7).
                    Stand::Deleted { .. } => Outcome::RefusedBy("R10.7".to_owned()),
                    // Not connected: no paid period to end yet (R10.2).
                    Stand::Pending => Outcome::RefusedBy("R10.2".to_owned()),
                    Stand::Active => {
                        // The first day stays when it is set again.
                        n.stopped_on = if *renews {
                            None
                        } else {
                            Some(n.stopped_on.unwrap_or(today))
                        };
                        Outcome::Done
                    }
                }
            }
            Op::Renew => self.renew(today),
        }
    }

    /// R6.2, R6.D1: the add-on is prepaid like every service (R10.1). Turning it on charges
    /// its fee at once, as a line of its own, for every monthly period from the one
    /// containing today up to the number's paid-through day, less those paid for it before;
    /// from then on every renewal charges it with the number. Turning it off refunds nothing
    /// (R10.6). It is refused for an offer without the add-on, before the number is
    /// connected (and after it is deleted), and when the balance does not cover it (R1.4).
    fn set_caller_id(
        &mut self,
        number: usize,
        customer: usize,
        enabled: bool,
        today: NaiveDate,
    ) -> Outcome {
        let n = &self.numbers[number];
        if n.owner != customer {
            return Outcome::NotFound;
        }
        if n.addon.is_none() {
            return Outcome::RefusedBy("R6.2".to_owned());
        }
        if n.caller_id == enabled {
            return Outcome::Done;
        }
        if !matches!(n.stand, Stand::Active) {
            return Outcome::RefusedBy("R6.D1".to_owned());
        }
        if !enabled {
            let n = &mut self.numbers[number];
            n.caller_id = false;
            n.addon_paid = n.paid;
            return Outcome::Done;
        }
        let amount = self.caller_id_due(number, today);
        let owner = n.owner;
        if amount > Decimal::ZERO {
            if self.customers[owner].balance < amount {
                return Outcome::Insufficient;
            }
            let cur = self.customers[owner].currency;
            self.append(
                owner,
                Line {
                    at: self.now,
                    kind: format!("{:?}", EntryKind::Charge),
                    amount: (-amount).normalize(),
                    currency: cur,
                    number: Some(number),
                    period: None,
                    rule: Some("R6.D1".to_owned()),
                },
            );
        }
        self.numbers[number].caller_id = true;
        Outcome::Done
    }

    /// What turning the add-on on costs today (R6.D1): its fee for every monthly period from
    /// the one containing today up to the number's paid-through day, less the periods paid
    /// for it before it was last turned off; zero for a number not connected or an offer
    /// without the add-on.
    fn caller_id_due(&self, number: usize, today: NaiveDate) -> Decimal {
        let n = &self.numbers[number];
        let (Some(addon), Some(connected)) = (n.addon, n.connected_on) else {
            return Decimal::ZERO;
        };
        let current = (0..)
            .take_while(|k| charge_day(connected, *k) <= today)
            .last()
            .expect("connected on or before today");
        let months = n.paid.saturating_sub(current.max(n.addon_paid));
        addon * Decimal::from(months)
    }

    /// R10.1, R10.2: connected today, the first term is paid from today.
    fn connect(&mut self, number: usize, today: NaiveDate) {
        let n = &mut self.numbers[number];
        n.stand = Stand::Active;
        n.connected_on = Some(today);
        n.paid = n.term_months;
    }

    /// R10.2, R10.3, R10.7, R10.D4: every day since the last run up to today, each number
    /// whose charge day it is and that was not deleted before it is charged its monthly fee
    /// for the period starting that day, once, whatever the balance.
    fn renew(&mut self, today: NaiveDate) -> Outcome {
        let first = match self.last_renewal {
            Some(last) => last.succ_opt().expect("a next day"),
            None => today,
        };
        let before: Vec<Decimal> = self.customers.iter().map(|c| c.balance).collect();
        let mut days = Vec::new();
        let mut charged = 0;
        for day in first.iter_days().take_while(|d| *d <= today) {
            // R10.7: a number set not to renew before the day its paid period ends is
            // released that day, never charged again.
            for n in &mut self.numbers {
                if let (Stand::Active, Some(connected), Some(stopped)) =
                    (&n.stand, n.connected_on, n.stopped_on)
                    && stopped < day
                    && charge_day(connected, n.paid) <= day
                {
                    n.stand = Stand::Deleted { on: day };
                }
            }
            for index in 0..self.numbers.len() {
                let n = &self.numbers[index];
                let Some(connected) = n.connected_on else {
                    continue;
                };
                if n.stopped_on.is_some_and(|stopped| stopped < day) {
                    continue;
                }
                if let Stand::Deleted { on } = n.stand
                    && on < day
                {
                    continue;
                }
                let Some(k) = period_starting(connected, day) else {
                    continue;
                };
                if k < n.paid {
                    continue;
                }
                assert_eq!(k, n.paid, "the model missed a charge day of number {index}");
                let (owner, fee) = (n.owner, n.monthly());
                let cur = self.customers[owner].currency;
                self.numbers[index].paid += 1;
                self.append(
                    owner,
                    Line {
                        at: self.now,
                        kind: format!("{:?}", EntryKind::Charge),
                        amount: (-fee).normalize(),
                        currency: cur,
                        number: Some(index),
                        period: Some((day, charge_day(connected, k + 1))),
                        rule: Some("R10.2".to_owned()),
                    },
                );
                charged += 1;
            }
            days.push(day);
            self.last_renewal = Some(day);
        }
        let suspended = self
            .customers
            .iter()
            .zip(before)
            .enumerate()
            .filter(|(_, (c, before))| *before >= Decimal::ZERO && c.balance < Decimal::ZERO)
            .map(|(i, _)| i)
            .collect();
        Outcome::Renewed {
            days,
            charged,
            suspended,
        }
    }

    pub(crate) fn customers(&self) -> usize {
        self.customers.len()
    }

    /// What every customer must look like now.
    pub(crate) fn snapshot(&self) -> Vec<CustomerSnap> {
        self.customers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut lines = c.lines.clone();
                lines.sort();
                CustomerSnap {
                    balance: (c.balance.normalize(), c.currency),
                    // R10.4, R10.D3: suspended exactly while the balance is below zero.
                    suspended: c.balance < Decimal::ZERO,
                    lines,
                    numbers: self
                        .numbers
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| n.owner == i)
                        .map(|(index, n)| self.number_snap(index, n, c.currency))
                        .collect(),
                }
            })
            .collect()
    }

    fn number_snap(&self, index: usize, n: &ModelNumber, cur: Currency) -> NumberSnap {
        let e164 = e164_of(index).as_str().to_owned();
        let stand = match (&n.stand, n.connected_on) {
            (Stand::Pending, _) => NumberStand::Pending("Provisioning".to_owned()),
            (Stand::Active, Some(connected_on)) => NumberStand::Active { e164, connected_on },
            (Stand::Deleted { on }, connected) => NumberStand::Deleted {
                e164: connected.map(|_| e164),
                deleted_on: *on,
            },
            (Stand::Active, None) => unreachable!("an active number has a connection day"),
        };
        let billing = n.connected_on.map(|connected_on| NumberBilling {
            anchor_day: connected_on.day(),
            connected_on,
            paid_through: charge_day(connected_on, n.paid),
            monthly_fee: (n.monthly().normalize(), cur),
            renewal_stopped_on: n.stopped_on,
        });
        NumberSnap {
            index,
            stand,
            billing,
            caller_id: n.caller_id,
        }
    }
}

//! Money on the wire: an exact decimal string and an ISO 4217 code, never a float.

use std::borrow::Cow;

use poem::http::StatusCode;
use poem_openapi::Object;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use vnum_core::Money;

use crate::codes::CurrencyCode;
use crate::problem::Problem;

/// An exact decimal amount, written as a JSON string (`"12.50"`).
///
/// A JSON number is refused: parsers read numbers as floats, and money is never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl Type for Amount {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;

    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_decimal".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new_with_format("string", "decimal");
        schema.example = Some(Value::String("12.50".to_owned()));
        // Digits with an optional sign and fraction: no exponent, no spaces (R10.D6).
        schema.pattern = Some(AMOUNT_PATTERN.to_owned());
        schema.max_length = Some(MAX_AMOUNT_CHARS);
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

/// What an amount looks like on the wire: an optional minus, up to 16 digits, and up to 4
/// decimals (R10.D6). The currency decides how many decimals are allowed.
pub(crate) const AMOUNT_PATTERN: &str = r"^-?[0-9]{1,16}(\.[0-9]{1,4})?$";

/// The longest amount text: sign, 16 digits, point and 4 decimals.
const MAX_AMOUNT_CHARS: usize = 22;

/// True when `text` matches [`AMOUNT_PATTERN`].
fn is_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    (1..=16).contains(&whole.len())
        && all_digits(whole)
        && fraction.is_none_or(|f| (1..=4).contains(&f.len()) && all_digits(f))
}

impl ParseFromJSON for Amount {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) if is_plain_decimal(&text) => {
                text.parse().map(Self).map_err(|_| {
                    ParseError::custom(format!(
                        "{text:?} is not an amount: expected a decimal such as \"12.50\""
                    ))
                })
            }
            Some(Value::String(text)) => Err(ParseError::custom(format!(
                "{text:?} is not an amount: expected digits with an optional minus and up to \
                 4 decimals, such as \"12.50\" (no exponent, no spaces, at most 16 digits \
                 before the point)"
            ))),
            Some(Value::Number(number)) => Err(ParseError::custom(format!(
                "the amount {number} is a JSON number: write it as a string such as \"{number}\" so that it is not read as a float"
            ))),
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

/// Written as [`ToJSON`] writes it: a JSON string.
impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl ToJSON for Amount {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.to_string()))
    }
}

/// An amount of money: `{"amount": "12.50", "currency": "EUR"}`.
#[derive(Clone, Debug, PartialEq, Eq, Object, Serialize)]
#[oai(rename = "Money")]
pub struct MoneyBody {
    /// The amount, a decimal string such as `"12.50"` or `"-3"`.
    pub amount: Amount,
    /// The ISO 4217 currency code, such as `EUR`.
    pub currency: CurrencyCode,
}

/// Written with at least the currency's decimals (`12.50 EUR`, `500` JPY, `5.000` KWD; not
/// `12.5` nor `5`, nor `500.00` JPY); a price with more (a rate's `0.0125` per minute) keeps
/// them. Zero has no sign: a discount of nothing is `0.00`, never `-0.00`.
impl From<Money> for MoneyBody {
    fn from(money: Money) -> Self {
        // Trailing zeros past the minor unit go (`500.00` JPY is `500`), and the minor
        // unit's digits are all written (`5` EUR is `5.00`); `normalize` also drops the
        // sign of zero.
        let mut amount = money.amount().normalize();
        let minor = money.currency().minor_units();
        if amount.scale() < minor {
            amount.rescale(minor);
        }
        Self {
            amount: Amount(amount),
            currency: CurrencyCode(money.currency()),
        }
    }
}

impl TryFrom<MoneyBody> for Money {
    type Error = Problem;

    /// Refuses more decimals than the currency has, and amounts past
    /// ±[`Money::MAX_MINOR_UNITS`] minor units (R10.D6), each with what is expected.
    fn try_from(body: MoneyBody) -> Result<Self, Problem> {
        let invalid = |e: vnum_core::MoneyError| {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
                .with_rule(vnum_core::rule::R10_D6.as_str())
        };
        let money = Money::new(body.amount.0, body.currency.0);
        money.to_minor_units().map_err(invalid)?;
        Ok(money)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use vnum_core::{Currency, Money};

    use super::*;

    fn written(amount: Decimal, code: &str) -> Option<Value> {
        let currency = Currency::parse(code).ok()?;
        MoneyBody::from(Money::new(amount, currency))
            .amount
            .to_json()
    }

    #[test]
    fn an_amount_is_written_with_its_currency_minor_digits() {
        let five = Decimal::from(5);
        assert_eq!(written(five, "EUR"), Some("5.00".into()));
        assert_eq!(written(Decimal::from(500), "JPY"), Some("500".into()));
        assert_eq!(written(Decimal::new(50_000, 2), "JPY"), Some("500".into()));
        assert_eq!(written(five, "KWD"), Some("5.000".into()));
        assert_eq!(written(Decimal::new(-1250, 3), "EUR"), Some("-1.25".into()));
        // A rate's price below the minor unit keeps its decimals.
        assert_eq!(written(Decimal::new(125, 4), "EUR"), Some("0.0125".into()));
    }

    #[test]
    fn zero_is_written_without_a_sign() {
        for scale in [0, 2, 4] {
            let mut zero = Decimal::new(0, scale);
            zero.set_sign_negative(true);
            assert_eq!(
                written(zero, "EUR")
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .as_deref()
                    .map(|t| t.starts_with('-')),
                Some(false)
            );
            assert_eq!(written(zero, "JPY"), Some("0".into()));
        }
    }
}

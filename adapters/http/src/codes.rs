//! The codes requests name in many families: ISO 4217 currencies, ISO 3166-1 countries and
//! E.164 numbers, each with the schema that says exactly what the server reads.
//!
//! A currency and a country are closed lists, so their schemas are enums of every code the
//! domain accepts (`vnum_core::Currency`, `vnum_core::CountryCode`), listed by asking the
//! domain's own constructors, never by a second list. An E.164 number has a pattern; whether
//! it is a number of its country's plan is the domain's to say (422).

use std::borrow::Cow;
use std::sync::LazyLock;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;
use vnum_core::{CountryCode, Currency, PhoneNumber, PrepaidTerm};

use crate::problem::{Problem, field_problem};

/// What an E.164 number looks like on the wire: `+`, a country code that does not start
/// with 0, and 8 to 15 digits in all.
pub(crate) const E164_PATTERN: &str = r"^\+[1-9][0-9]{7,14}$";

/// The format name of an E.164 number in the document, for generators that fill it with
/// numbers of real plans.
pub(crate) const E164_FORMAT: &str = "e164";

/// Every `AA`..`ZZ` or `AAA`..`ZZZ` code `accepts`, in order.
fn codes(length: u32, accepts: impl Fn(&str) -> bool) -> Vec<String> {
    let letters = u32::from(b'Z' - b'A') + 1;
    (0..letters.pow(length))
        .map(|mut index| {
            let mut code = vec![b'A'; length as usize];
            for place in code.iter_mut().rev() {
                // `index % letters` is below 26.
                *place += u8::try_from(index % letters).unwrap_or(0);
                index /= letters;
            }
            String::from_utf8(code).unwrap_or_default()
        })
        .filter(|code| accepts(code))
        .collect()
}

static CURRENCIES: LazyLock<Vec<String>> =
    LazyLock::new(|| codes(3, |code| Currency::parse(code).is_ok()));

static COUNTRIES: LazyLock<Vec<String>> = LazyLock::new(|| {
    codes(2, |code| {
        CountryCode::parse(code).is_ok_and(|country| country.as_str() == code)
    })
});

/// A registered string enum of `values`, named `name`.
fn register_enum<T>(
    registry: &mut Registry,
    name: &str,
    description: &'static str,
    values: &[String],
) {
    registry.create_schema::<T, _>(name.to_owned(), |_| {
        let mut schema = MetaSchema::new("string");
        schema.description = Some(description);
        schema.enum_items = values.iter().cloned().map(Value::String).collect();
        schema
    });
}

/// An ISO 4217 currency with a minor unit, as its upper-case code (`EUR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrencyCode(pub Currency);

impl Type for CurrencyCode {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "Currency".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference("Currency".to_owned())
    }

    fn register(registry: &mut Registry) {
        register_enum::<Self>(
            registry,
            "Currency",
            "An ISO 4217 currency code with a minor unit, upper case, such as `EUR`.",
            &CURRENCIES,
        );
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for CurrencyCode {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => match Currency::parse(&text) {
                Ok(currency) if currency.code() == text => Ok(Self(currency)),
                Ok(_) | Err(_) => Err(ParseError::custom(format!(
                    "unknown currency {text:?}: expected an upper-case ISO 4217 code with a \
                     minor unit such as EUR, USD or JPY"
                ))),
            },
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl ToJSON for CurrencyCode {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.code().to_owned()))
    }
}

impl serde::Serialize for CurrencyCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.code())
    }
}

/// An ISO 3166-1 alpha-2 country with a telephone numbering plan, upper case (`DE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Country(pub(crate) CountryCode);

impl Type for Country {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "Country".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference("Country".to_owned())
    }

    fn register(registry: &mut Registry) {
        register_enum::<Self>(
            registry,
            "Country",
            "An ISO 3166-1 alpha-2 country code with a telephone numbering plan, upper case, \
             such as `DE`.",
            &COUNTRIES,
        );
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Country {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => match CountryCode::parse(&text) {
                Ok(country) if country.as_str() == text => Ok(Self(country)),
                Ok(_) | Err(_) => Err(ParseError::custom(format!(
                    "unknown country code {text:?}: expected an upper-case ISO 3166-1 alpha-2 \
                     code such as DE, AT or US"
                ))),
            },
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl ToJSON for Country {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.as_str().to_owned()))
    }
}

/// A prepaid term in months: 1, 3, 6 or 12 (R10.1, R11.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Term(pub(crate) PrepaidTerm);

impl Type for Term {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "integer_term_months".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new_with_format("integer", "int32");
        schema.enum_items = PrepaidTerm::ALL
            .iter()
            .map(|term| Value::from(term.months()))
            .collect();
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Term {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let months = match value {
            Some(Value::Number(number)) => number.as_u64(),
            Some(other) => return Err(ParseError::expected_type(other)),
            None => return Err(ParseError::expected_input()),
        };
        months
            .and_then(|months| u32::try_from(months).ok())
            .and_then(|months| PrepaidTerm::from_months(months).ok())
            .map(Self)
            .ok_or_else(|| {
                ParseError::custom("a prepaid term is 1, 3, 6 or 12 months (R10.1, R11.1)")
            })
    }
}

impl poem_openapi::types::ParseFromParameter for Term {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        value
            .parse::<u32>()
            .ok()
            .and_then(|months| PrepaidTerm::from_months(months).ok())
            .map(Self)
            .ok_or_else(|| {
                ParseError::custom("a prepaid term is 1, 3, 6 or 12 months (R10.1, R11.1)")
            })
    }
}

impl ToJSON for Term {
    fn to_json(&self) -> Option<Value> {
        Some(Value::from(self.0.months()))
    }
}

/// An E.164 number as written on the wire (`+4930123456`): [`E164_PATTERN`] checked when
/// it is read, its country's plan checked by [`E164::parse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct E164(pub(crate) String);

impl E164 {
    /// The number, checked against its country's numbering plan.
    ///
    /// # Errors
    /// A 422 problem naming `field` for a number no plan has.
    pub(crate) fn parse(&self, field: &str) -> Result<PhoneNumber, Problem> {
        PhoneNumber::parse(&self.0).map_err(|e| field_problem(field, e))
    }
}

/// True when `text` matches [`E164_PATTERN`].
fn is_e164_shaped(text: &str) -> bool {
    let Some(digits) = text.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

impl Type for E164 {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_e164".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new_with_format("string", E164_FORMAT);
        schema.pattern = Some(E164_PATTERN.to_owned());
        schema.example = Some(Value::String("+4930123456".to_owned()));
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for E164 {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) if is_e164_shaped(&text) => Ok(Self(text)),
            Some(Value::String(text)) => Err(ParseError::custom(format!(
                "{text:?} is not an international number: expected E.164 such as \
                 +4930123456 ('+', country code, 8 to 15 digits in all, no spaces)"
            ))),
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl ToJSON for E164 {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enums_list_what_the_domain_accepts_and_nothing_else() {
        assert!(CURRENCIES.iter().any(|c| c == "EUR"));
        assert!(CURRENCIES.iter().any(|c| c == "JPY"));
        assert!(!CURRENCIES.iter().any(|c| c == "XAU"), "no minor unit");
        assert!(!CURRENCIES.iter().any(|c| c == "AAA"));
        assert!(COUNTRIES.iter().any(|c| c == "DE"));
        assert!(!COUNTRIES.iter().any(|c| c == "UK"), "the ISO code is GB");
        for code in CURRENCIES.iter() {
            assert!(CurrencyCode::parse_from_json(Some(Value::String(code.clone()))).is_ok());
        }
        for code in COUNTRIES.iter() {
            assert!(Country::parse_from_json(Some(Value::String(code.clone()))).is_ok());
        }
    }

    #[test]
    fn lower_case_codes_are_refused_as_the_schema_says() {
        assert!(CurrencyCode::parse_from_json(Some("eur".into())).is_err());
        assert!(Country::parse_from_json(Some("de".into())).is_err());
    }

    #[test]
    fn an_e164_number_is_read_exactly_as_its_pattern_says() {
        assert!(E164::parse_from_json(Some("+4930123456".into())).is_ok());
        for text in [
            "4930123456",
            "+49 30 123456",
            "+0930123456",
            "+4930",
            "+4930123456789012",
        ] {
            assert!(E164::parse_from_json(Some(text.into())).is_err(), "{text}");
        }
        let shaped = E164("+10000000".to_owned());
        assert_eq!(shaped.parse("to").unwrap_err().status, 422);
    }
}

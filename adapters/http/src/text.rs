//! Strings of requests whose schema says exactly what the server reads: [`Text`] (a name,
//! a city, a reason) and [`Email`].
//!
//! A `String` field says nothing of what the server refuses, so a client generated from the
//! document sends an empty name and learns of the rule from a 422. These types carry the
//! rule in the schema (`minLength`, `maxLength`, `pattern`) and check exactly that when
//! they are read: what the pattern allows is accepted, what it refuses is a 400 naming the
//! field.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromMultipartField, ParseResult, ToJSON, Type,
};
use serde_json::Value;

/// Characters a text may hold: any but control characters (Unicode `Cc`).
const INNER: &str = r"[^\x00-\x1f\x7f-\x9f]";

/// Characters a text may start and end with: any but control characters and Unicode
/// `White_Space` (the server never trims what it is given).
const EDGE: &str = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// The pattern of a [`Text`]: no control character, no space at either end.
pub(crate) fn text_pattern() -> String {
    format!("^({EDGE}({INNER}*{EDGE})?)?$")
}

/// True when `text` matches [`text_pattern`] and has `min` to `max` characters.
pub(crate) fn is_text(text: &str, min: usize, max: usize) -> bool {
    let length = text.chars().count();
    (min..=max).contains(&length)
        && !text.chars().any(char::is_control)
        && !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
}

/// A text of `MIN` to `MAX` characters with no control character and no space at either
/// end: a name, a city, a reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Text<const MIN: usize, const MAX: usize>(pub(crate) String);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub(crate) fn into_string(self) -> String {
        self.0
    }

    fn read(text: String) -> ParseResult<Self> {
        if is_text(&text, MIN, MAX) {
            Ok(Self(text))
        } else {
            Err(ParseError::custom(format!(
                "{text:?} is not a text of {MIN} to {MAX} characters without control \
                 characters or spaces at either end"
            )))
        }
    }
}

impl<const MIN: usize, const MAX: usize> Type for Text<MIN, MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        format!("string_text_{MIN}_{MAX}").into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new("string");
        schema.min_length = Some(MIN);
        schema.max_length = Some(MAX);
        schema.pattern = Some(text_pattern());
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<const MIN: usize, const MAX: usize> ParseFromJSON for Text<MIN, MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => Self::read(text),
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl<const MIN: usize, const MAX: usize> ParseFromMultipartField for Text<MIN, MAX> {
    async fn parse_from_multipart(field: Option<poem::web::Field>) -> ParseResult<Self> {
        match field {
            Some(field) => Self::read(field.text().await.map_err(ParseError::custom)?),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl<const MIN: usize, const MAX: usize> ToJSON for Text<MIN, MAX> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

/// What an email address looks like on the wire: printable ASCII without `@` or spaces,
/// `@`, and a domain of the same characters with a dot in it.
pub(crate) const EMAIL_PATTERN: &str = r"^[!-?A-~]+@[!-?A-~]*\.[!-?A-~]*$";

/// The longest email address (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

/// True when `text` matches [`EMAIL_PATTERN`] and has at most [`MAX_EMAIL`] characters.
fn is_email(text: &str) -> bool {
    let plain = |part: &str| {
        part.bytes()
            .all(|b| (b'!'..=b'~').contains(&b) && b != b'@')
    };
    text.len() <= MAX_EMAIL
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && plain(local) && plain(domain) && domain.contains('.')
        })
}

/// An email address, as [`EMAIL_PATTERN`] says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Email(pub(crate) String);

impl Type for Email {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_email".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new("string");
        schema.max_length = Some(MAX_EMAIL);
        schema.pattern = Some(EMAIL_PATTERN.to_owned());
        schema.example = Some(Value::String("ada@example.com".to_owned()));
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Email {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) if is_email(&text) => Ok(Self(text)),
            Some(Value::String(text)) => Err(ParseError::custom(format!(
                "{text:?} is not an email address: expected name@example.com (printable \
                 ASCII, no spaces, at most {MAX_EMAIL} characters)"
            ))),
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl ToJSON for Email {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_read_exactly_as_its_pattern_and_lengths_say() {
        for good in ["Ada Lovelace", "Zoë", "a", "Saint-Denis  d'Anjou"] {
            assert!(is_text(good, 1, 100), "{good:?}");
        }
        for bad in [
            "",
            " Ada",
            "Ada ",
            "A\u{a0}",
            "a\nb",
            "a\u{85}b",
            "\u{3000}x",
        ] {
            assert!(!is_text(bad, 1, 100), "{bad:?}");
        }
        assert!(is_text(&"é".repeat(100), 1, 100), "characters, not bytes");
        assert!(!is_text(&"é".repeat(101), 1, 100));
    }

    #[test]
    fn an_email_is_read_exactly_as_its_pattern_says() {
        for good in ["ada@example.com", "a+b@x.y", "a@."] {
            assert!(is_email(good), "{good:?}");
        }
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@example",
            " a@b.c",
            "a b@c.d",
            "ä@b.c",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }
}

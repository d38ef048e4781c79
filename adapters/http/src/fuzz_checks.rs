//! The laws the fuzz targets of the HTTP adapter's parsers check, shared with the corpus
//! tests that run the seeds on stable Rust: bodies are read exactly as the endpoints read
//! them (poem-openapi's `ParseFromJSON` on the JSON value, then the conversion to the
//! application's types). Each function panics when a law is broken, which is how a fuzzer
//! reports a bug.

use poem_openapi::types::{ParseFromJSON, ToJSON};
use serde_json::Value;
use vnum_calls::{CallRecord, CallRecordFields};
use vnum_core::Money;

use crate::engine::NewCall;
use crate::money::{Amount, MoneyBody};
use crate::wire::call::Call;

/// An amount as a JSON string reads back what it writes, scale included; and a money
/// body (`{"amount": "12.50", "currency": "EUR"}`) that converts to money writes a body
/// that converts to the same money.
pub fn amount(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(amount) = Amount::parse_from_json(Some(Value::String(text.to_owned())))
    {
        let written = amount.to_json();
        let reread = Amount::parse_from_json(written.clone())
            .unwrap_or_else(|e| panic!("{text:?} -> {written:?}: {}", e.into_message()));
        assert_eq!(reread.0, amount.0, "{text:?} -> {written:?}");
        assert_eq!(
            reread.0.scale(),
            amount.0.scale(),
            "{text:?} -> {written:?}"
        );
    }
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return;
    };
    let Ok(body) = MoneyBody::parse_from_json(Some(value)) else {
        return;
    };
    let Ok(money) = Money::try_from(body.clone()) else {
        return;
    };
    let written = MoneyBody::from(money).to_json();
    let reread = MoneyBody::parse_from_json(written.clone())
        .unwrap_or_else(|e| panic!("{body:?} -> {written:?}: {}", e.into_message()));
    match Money::try_from(reread) {
        Ok(again) => assert_eq!(again, money, "{body:?} -> {written:?}"),
        Err(problem) => panic!("{body:?} -> {written:?}: {problem:?}"),
    }
}

/// A call record body reads back what it writes, and one the adapter accepts becomes a
/// call record or a clear refusal, never a panic; an accepted record's answer body is
/// written.
pub fn call_record(bytes: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return;
    };
    let Ok(call) = NewCall::parse_from_json(Some(value)) else {
        return;
    };
    let written = call.to_json();
    let reread = NewCall::parse_from_json(written.clone())
        .unwrap_or_else(|e| panic!("{call:?} -> {written:?}: {}", e.into_message()));
    assert_eq!(reread.to_json(), written, "{call:?}");
    let Ok(fields) = CallRecordFields::try_from(call) else {
        return;
    };
    if let Ok(record) = CallRecord::new(fields) {
        let answer = Call::from(vnum_app::RatedCall {
            call: record,
            cost: None,
        });
        assert!(answer.to_json().is_some(), "{answer:?}");
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromJSON;
    use serde_json::Value;
    use vnum_testkit::fuzz_corpus;

    use crate::engine::NewCall;
    use crate::money::MoneyBody;

    /// The names of the seeds whose JSON `accepts` takes.
    fn accepted(target: &str, accepts: impl Fn(Value) -> bool) -> Vec<String> {
        fuzz_corpus(target)
            .into_iter()
            .filter(|(_, bytes)| serde_json::from_slice(bytes).is_ok_and(&accepts))
            .map(|(name, _)| name)
            .collect()
    }

    #[test]
    fn amount_corpus_round_trips() {
        for (_, bytes) in fuzz_corpus("amount") {
            super::amount(&bytes);
        }
        let money = accepted("amount", |v| {
            MoneyBody::parse_from_json(Some(v))
                .is_ok_and(|body| vnum_core::Money::try_from(body).is_ok())
        });
        // Past the bound of every stored amount (R10.D6), a body is refused.
        assert_eq!(money, ["seed-body-eur", "seed-body-jpy"]);
    }

    #[test]
    fn call_record_corpus_round_trips() {
        for (_, bytes) in fuzz_corpus("call_record") {
            super::call_record(&bytes);
        }
        let calls = accepted("call_record", |v| NewCall::parse_from_json(Some(v)).is_ok());
        assert_eq!(
            calls,
            [
                "seed-answered",
                "seed-ends-before-start",
                "seed-far-dates",
                "seed-no-answer",
                "seed-rejected",
                "seed-rejected-without-status"
            ]
        );
    }
}

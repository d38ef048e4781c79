//! The refusals a well-formed request can meet, written into the document per operation.
//!
//! A schema says what a request looks like; some rules it cannot say: one field's value
//! given another's (a `single` forwarding plan has one target), the state of a resource (a
//! number already connected, R1.2), the customer's own terms (a payment in the balance's
//! currency), whether an E.164 number belongs to a numbering plan. Those answer 422 (or 402
//! for want of money) to a request its schema calls valid. Each operation that can answer so
//! lists the status among its responses with the rules that lead to it, so that a client
//! generated from the document expects it; every other status of a valid request is 2xx,
//! 401, 403, 404, 409 or 429, or 413 for a body past the limit of its route (documented on
//! every operation that takes a body: the limit is not a schema's to say).
//!
//! `tests/api/schemathesis.toml` accepts exactly these statuses for valid requests of these
//! operations (a test below reads it).

use serde_json::{Value, json};

/// The statuses of refusals of a well-formed request, per operation: the operation id, and
/// each status with the rules behind it.
pub(crate) const REFUSALS: &[(&str, &[(u16, &str)])] = &[
    (
        "top_up",
        &[(
            422,
            "The amount is not in the customer's currency, has more decimals than the \
             currency, or is past the largest payment (R10.D6).",
        )],
    ),
    (
        "start_payment",
        &[(
            422,
            "The amount is not in the customer's currency, has more decimals than the \
             currency, or is past the largest payment (R10.D6).",
        )],
    ),
    (
        "record_bank_transfer",
        &[(
            422,
            "The customer has no contract (R12.1), or the transfer is not in the customer's \
             currency or has more decimals than the currency (R10.D6).",
        )],
    ),
    (
        "engine_route",
        &[(422, "`to` is not a number of its country's numbering plan.")],
    ),
    (
        "engine_outbound",
        &[(422, "`to` is not a number of its country's numbering plan.")],
    ),
    (
        "engine_deliver_sms",
        &[(
            422,
            "`to` is not a number of its country's numbering plan, the balance of the \
             number's customer is below zero (R10.4), the rented number is not connected yet \
             (R1.2), or a one-shot number had its SMS (R9.1) or expired (R9.D1).",
        )],
    ),
    (
        "engine_record_call",
        &[(
            422,
            "The report names neither or both of `number` and `trial`, its times are out of \
             order, or it names a line that is not the routing decision's (R4.6).",
        )],
    ),
    (
        "create_api_key",
        &[(
            422,
            "A customer is named for an operator or engine key, or not named for a customer's \
             key created by an operator, or the expiry is past.",
        )],
    ),
    (
        "connect_number",
        &[(
            422,
            "The number is not waiting to be connected (R1.2), or `e164` is not a number of \
             its country's plan.",
        )],
    ),
    (
        "create_offer",
        &[(
            422,
            "The terms do not fit together: a landline offer without a city or another kind \
             with one (R1.2), prices in different currencies or with more decimals than their \
             currency (R10.D6), business days without a range or a range for another \
             provisioning.",
        )],
    ),
    (
        "quote",
        &[(
            422,
            "An operator does not name the customer, or a line names an offer that does not \
             exist or is in another currency than the customer's.",
        )],
    ),
    (
        "add_rate",
        &[(
            422,
            "The price is below zero or has more than 4 decimals (R6.D2, R10.D6).",
        )],
    ),
    (
        "review_document",
        &[(
            422,
            "A rejection without a reason, or a review of a document already reviewed \
             (R3.D1).",
        )],
    ),
    (
        "set_forwarding",
        &[(
            422,
            "The plan's targets do not fit its strategy (a `single` plan has one target), a \
             target is not a number of a plan, or it loops back to the provider (R5.D1).",
        )],
    ),
    (
        "set_renewal",
        &[(
            422,
            "The number was released at the end of its paid period or deleted: too late to \
             renew it (R10.7); or it is not connected yet (R10.2).",
        )],
    ),
    (
        "upload_document",
        &[(
            422,
            "The file is empty, or the customer's quota of files is used up.",
        )],
    ),
    (
        "register_webhook",
        &[(
            422,
            "The URL is not an http(s) URL of a public host (loopback, private and local \
             targets are refused unless the provider allows them), an event type is unknown, \
             or the owner has as many endpoints as allowed.",
        )],
    ),
    (
        "upload_greeting",
        &[(
            422,
            "The file is not a WAV of PCM, 8 kHz, 16-bit, mono (R13.2, R13.D1), it was to be \
             converted and is no audio a converter reads or plays longer than 5 minutes \
             (R13.D2), or the customer's quota of files is used up.",
        )],
    ),
    (
        "order_voice_recording",
        &[
            (
                402,
                "The balance cannot pay the recording (R1.4): top up first.",
            ),
            (
                422,
                "Recordings have no price in the customer's currency (R13.3).",
            ),
        ],
    ),
    (
        "deliver_voice_recording",
        &[(
            422,
            "The file is not a WAV of PCM, 8 kHz, 16-bit, mono (R13.2, R13.D1), it was to be \
             converted and is no audio a converter reads (R13.D2), or the order was \
             delivered or cancelled before or its number was deleted (R13.D3).",
        )],
    ),
    (
        "cancel_voice_recording",
        &[(422, "The order was delivered or cancelled before (R13.D3).")],
    ),
    (
        "request_sip_account",
        &[(422, "The customer owns no number yet (R5.1).")],
    ),
    (
        "allocate_sms_number",
        &[(
            422,
            "The offer does not exist or does not sell one-shot SMS numbers, or the service \
             was given a number of the offer before (R9).",
        )],
    ),
    (
        "engine_record_calls",
        &[(
            422,
            "A report of the batch has no `call_id`: a batch sent again must count each call \
             once.",
        )],
    ),
    (
        "set_presented_number",
        &[(
            422,
            "`number` names a number that does not exist or is not the customer's (R6).",
        )],
    ),
    (
        "set_greeting",
        &[(
            422,
            "`selected` names a greeting that was not uploaded for this number (R13.1).",
        )],
    ),
    (
        "list_calls",
        &[(
            422,
            "`from` is after `to`, or they are more than 366 days apart: ask for a year at a \
             time.",
        )],
    ),
    (
        "closing_documents",
        &[(
            422,
            "`from` is after `to`, or they are more than 366 days apart: ask for a year at a \
             time.",
        )],
    ),
    (
        "call_statistics",
        &[(
            422,
            "`from` is after `to`, or they are more than 366 days apart: ask for a year at a \
             time.",
        )],
    ),
    (
        "ledger_statistics",
        &[(
            422,
            "`from` is after `to`, or they are more than 366 days apart: ask for a year at a \
             time.",
        )],
    ),
    (
        "sign_contract",
        &[(
            422,
            "Only a company signs a contract (R12.1), or the bank details are not valid (an \
             IBAN's check digits, a BIC).",
        )],
    ),
    (
        "reupload_document",
        &[(
            422,
            "Only a rejected document is uploaded again (R3.D1), or the file is not a scan \
             of a kind the provider reads.",
        )],
    ),
    (
        "place_order",
        &[
            (
                402,
                "The balance cannot pay the order (R1.4): top up first.",
            ),
            (
                422,
                "A line names an offer that does not exist, is not on sale (R7.2) or is in \
                 another currency, a landline offer without a city (R1.2), a number not on \
                 the offer's list or held by another customer (R1.3), or the documents the \
                 offer asks for are missing (R3).",
            ),
        ],
    ),
    (
        "hold_number",
        &[(
            422,
            "The number is not on the offer's list or is held by another customer, or the \
             customer holds as many numbers as one may at once (R1.3); the offer is not on \
             sale (R7.2) or sells one-shot SMS numbers (R9.3).",
        )],
    ),
    (
        "start_trial",
        &[(
            422,
            "One free test at a time, one per customer and kind (R8.D1), or no number of \
             the kind and country can be tested (R8.1).",
        )],
    ),
    (
        "join_waitlist",
        &[(
            422,
            "Numbers of the kind and country are on sale now: order one instead (R7.1).",
        )],
    ),
    (
        "fail_provisioning",
        &[(422, "The number is not waiting to be provided (R1.D3).")],
    ),
    (
        "add_stock",
        &[(
            422,
            "A number is not of the offer's country or kind, or is in stock already.",
        )],
    ),
    (
        "restock_offer",
        &[(
            422,
            "A number is not of the offer's country or kind, or is in stock already.",
        )],
    ),
    (
        "set_trial_forwarding",
        &[(
            422,
            "The plan's targets do not fit its strategy (a `single` plan has one target), a \
             target is not a number of a plan, it loops back to the provider (R5.D1), or the \
             hour of the test is over (R8).",
        )],
    ),
];

/// Adds the refusals of [`REFUSALS`] to the responses of their operations in `document`.
pub(crate) fn document_refusals(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|operations| operations.values_mut())
    {
        if operation.get("requestBody").is_some()
            && let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
        {
            responses.insert(
                "413".to_owned(),
                json!({
                    "description": "The body is larger than the limit of its route: 64 KiB for \
                        JSON, an upload's own limit (5 MiB for a greeting, 10 MiB for a \
                        scan) with its form, 1 MiB for a batch of call records.",
                    "content": {crate::PROBLEM_JSON: {
                        "schema": {"$ref": "#/components/schemas/Problem"}
                    }}
                }),
            );
        }
        let id = operation.get("operationId").and_then(Value::as_str);
        let Some((_, refusals)) = REFUSALS.iter().find(|(name, _)| Some(*name) == id) else {
            continue;
        };
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (status, why) in *refusals {
            responses.insert(
                status.to_string(),
                json!({
                    "description": why,
                    "content": {crate::PROBLEM_JSON: {
                        "schema": {"$ref": "#/components/schemas/Problem"}
                    }}
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The statuses the fuzz settings accept for a valid request of any operation (schemathesis'
    /// own list and 413, documented for every operation with a body), to which an operation's
    /// refusals are added.
    const ACCEPTED: &[&str] = &[
        "2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx",
    ];

    /// `expected-statuses` of `positive_data_acceptance` per operation, as the settings
    /// file of the API fuzz run lists them.
    fn configured() -> BTreeMap<String, Vec<String>> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/api/schemathesis.toml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut configured = BTreeMap::new();
        let mut operation = None;
        for line in text.lines().map(str::trim) {
            if let Some(id) = line.strip_prefix("include-operation-id = ") {
                operation = Some(id.trim_matches('"').to_owned());
            }
            if let Some(list) =
                line.strip_prefix("checks.positive_data_acceptance.expected-statuses = ")
            {
                let statuses = list
                    .trim_matches(['[', ']'])
                    .split(',')
                    .map(|s| s.trim().trim_matches('"').to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                // The list before any operation is every operation's.
                configured.insert(operation.take().unwrap_or_else(|| "*".to_owned()), statuses);
            }
        }
        configured
    }

    #[test]
    fn the_fuzz_settings_accept_exactly_the_documented_refusals() {
        let accepted: Vec<String> = ACCEPTED.iter().map(|s| (*s).to_owned()).collect();
        let mut expected: BTreeMap<String, Vec<String>> = REFUSALS
            .iter()
            .map(|(id, refusals)| {
                let mut statuses = accepted.clone();
                statuses.extend(refusals.iter().map(|(status, _)| status.to_string()));
                ((*id).to_owned(), statuses)
            })
            .collect();
        expected.insert("*".to_owned(), accepted);
        assert_eq!(configured(), expected);
    }

    #[test]
    fn every_refusal_names_an_operation_of_the_document() {
        let world = vnum_app::testing::World::new(chrono::DateTime::UNIX_EPOCH);
        let document: Value = serde_json::from_str(&crate::openapi_json(&world.vnum)).unwrap();
        let ids: Vec<&str> = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|ops| ops.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        for (id, refusals) in REFUSALS {
            assert!(ids.contains(id), "{id} is not an operation");
            let operation = document["paths"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|ops| ops.as_object().unwrap().values())
                .find(|op| op["operationId"] == *id)
                .unwrap();
            for (status, _) in *refusals {
                assert!(
                    operation["responses"].get(status.to_string()).is_some(),
                    "{id} does not document {status}"
                );
            }
        }
    }
}

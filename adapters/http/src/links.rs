//! OpenAPI `links` between operations: the id a creating operation answers, passed on to the
//! operations that read, change or remove what it created.
//!
//! poem-openapi writes no links, so they are added to the served document here, from one
//! table. A client (or a test generator walking the API as a state machine) follows them:
//! register a customer, then read its balance, order a number for it, then set the number's
//! forwarding, and so on, with ids that exist. The tests below hold every link to an
//! operation, a status and parameters the document has.

use serde_json::{Map, Value, json};

/// The customer's id in an answer that holds the customer (`Registration`).
const REGISTERED: &str = "$response.body#/customer/id";

/// The customer id of the request's path.
const PATH_CUSTOMER: &str = "$request.path.id";

/// An answer's own `id`.
const ID: &str = "$response.body#/id";

/// One link: from the answer `status` of `from`, to the operation `to`, with its parameters
/// and the runtime expressions that fill them.
struct Link {
    from: &'static str,
    status: u16,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
}

/// The operations of a customer that take the customer id alone.
const OF_A_CUSTOMER: &[&str] = &[
    "get_customer",
    "get_balance",
    "get_ledger",
    "top_up",
    "list_payments",
    "start_payment",
    "record_bank_transfer",
    "set_bulk_agreement",
    "sign_contract",
    "list_documents",
    "upload_document",
    "list_numbers",
    "place_order",
    "list_sip_accounts",
    "request_sip_account",
    "list_sms_allocations",
    "allocate_sms_number",
    "list_calls",
    "call_statistics",
    "ledger_statistics",
    "closing_documents",
    "list_trials",
    "start_trial",
    "list_waitlist",
    "join_waitlist",
    "list_holds",
    "hold_number",
];

/// The operations on one number of a customer (`id`, `number_id`).
const OF_A_NUMBER: &[&str] = &[
    "get_number",
    "delete_number",
    "set_caller_id",
    "set_forwarding",
    "set_renewal",
    "list_renewals",
    "set_greeting",
    "upload_greeting",
    "order_voice_recording",
    "list_number_sms",
    "list_voice_recordings",
];

/// The links of every other kind than "a customer's operations" and "a number's".
const LINKS: &[Link] = &[
    // A customer has a contract once it signed one, not from its registration.
    Link {
        from: "sign_contract",
        status: 201,
        to: "get_contract",
        parameters: &[("id", PATH_CUSTOMER)],
    },
    // The provider delivers or cancels a recording order by the id its creation answers.
    Link {
        from: "order_voice_recording",
        status: 201,
        to: "deliver_voice_recording",
        parameters: &[("order_id", ID)],
    },
    Link {
        from: "order_voice_recording",
        status: 201,
        to: "cancel_voice_recording",
        parameters: &[("order_id", ID)],
    },
    Link {
        from: "register_webhook",
        status: 201,
        to: "get_webhook",
        parameters: &[("id", ID)],
    },
    Link {
        from: "register_webhook",
        status: 201,
        to: "delete_webhook",
        parameters: &[("id", ID)],
    },
    Link {
        from: "register_webhook",
        status: 201,
        to: "list_webhook_deliveries",
        parameters: &[("id", ID)],
    },
    Link {
        from: "register_webhook",
        status: 201,
        to: "redeliver_webhook",
        parameters: &[("id", ID)],
    },
    Link {
        from: "place_order",
        status: 201,
        to: "list_alternatives",
        parameters: &[
            ("id", "$response.body#/numbers/0/customer"),
            ("offer_id", "$response.body#/numbers/0/offer"),
        ],
    },
    Link {
        from: "place_order",
        status: 201,
        to: "connect_number",
        parameters: &[("number_id", "$response.body#/numbers/0/id")],
    },
    Link {
        from: "place_order",
        status: 201,
        to: "fail_provisioning",
        parameters: &[("number_id", "$response.body#/numbers/0/id")],
    },
    Link {
        from: "upload_greeting",
        status: 201,
        to: "get_greeting",
        parameters: &[
            ("id", PATH_CUSTOMER),
            ("number_id", "$request.path.number_id"),
            ("greeting_id", ID),
        ],
    },
    Link {
        from: "upload_document",
        status: 201,
        to: "reupload_document",
        parameters: &[("id", "$response.body#/customer"), ("document_id", ID)],
    },
    Link {
        from: "upload_document",
        status: 201,
        to: "review_document",
        parameters: &[("document_id", ID)],
    },
    Link {
        from: "upload_document",
        status: 201,
        to: "download_document_scan",
        parameters: &[("document_id", ID)],
    },
    Link {
        from: "start_payment",
        status: 201,
        to: "get_payment",
        parameters: &[("id", "$response.body#/customer"), ("payment_id", ID)],
    },
    Link {
        from: "request_sip_account",
        status: 201,
        to: "remove_sip_account",
        parameters: &[
            ("id", PATH_CUSTOMER),
            ("account_id", "$response.body#/account/id"),
        ],
    },
    Link {
        from: "request_sip_account",
        status: 201,
        to: "reset_sip_password",
        parameters: &[
            ("id", PATH_CUSTOMER),
            ("account_id", "$response.body#/account/id"),
        ],
    },
    Link {
        from: "request_sip_account",
        status: 201,
        to: "set_presented_number",
        parameters: &[
            ("id", PATH_CUSTOMER),
            ("account_id", "$response.body#/account/id"),
        ],
    },
    Link {
        from: "request_sip_account",
        status: 201,
        to: "engine_sip_account",
        parameters: &[("login", "$response.body#/account/login")],
    },
    Link {
        from: "start_trial",
        status: 201,
        to: "list_trial_calls",
        parameters: &[("id", PATH_CUSTOMER), ("trial_id", ID)],
    },
    Link {
        from: "start_trial",
        status: 201,
        to: "set_trial_forwarding",
        parameters: &[("id", PATH_CUSTOMER), ("trial_id", ID)],
    },
    Link {
        from: "start_trial",
        status: 201,
        to: "clear_trial_forwarding",
        parameters: &[("id", PATH_CUSTOMER), ("trial_id", ID)],
    },
    Link {
        from: "join_waitlist",
        status: 201,
        to: "cancel_waitlist_entry",
        parameters: &[("id", "$response.body#/customer"), ("entry_id", ID)],
    },
    Link {
        from: "create_api_key",
        status: 201,
        to: "revoke_api_key",
        parameters: &[("id", ID)],
    },
    Link {
        from: "create_offer",
        status: 201,
        to: "get_offer",
        parameters: &[("id", ID)],
    },
    Link {
        from: "create_offer",
        status: 201,
        to: "list_offer_numbers",
        parameters: &[("id", ID)],
    },
    Link {
        from: "create_offer",
        status: 201,
        to: "add_stock",
        parameters: &[("id", ID)],
    },
    Link {
        from: "create_offer",
        status: 201,
        to: "hold_number",
        parameters: &[("offer_id", ID)],
    },
    Link {
        from: "hold_number",
        status: 201,
        to: "release_hold",
        parameters: &[("id", PATH_CUSTOMER), ("number", "$response.body#/number")],
    },
    Link {
        from: "create_offer",
        status: 201,
        to: "restock_offer",
        parameters: &[("offer_id", ID)],
    },
];

/// A link as [`add_links`] writes it: from an operation's answer of a status, to an
/// operation, with its parameters and their expressions.
type LinkRow = (
    &'static str,
    u16,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// Every link: [`LINKS`], the customer's operations from both ways of registering, and a
/// number's operations from an order.
fn links() -> Vec<LinkRow> {
    let mut all = Vec::new();
    for from in ["sign_up", "register_customer"] {
        for to in OF_A_CUSTOMER {
            all.push((from, 201, *to, vec![("id", REGISTERED)]));
        }
    }
    for to in OF_A_NUMBER {
        all.push((
            "place_order",
            201,
            *to,
            vec![
                ("id", "$response.body#/numbers/0/customer"),
                ("number_id", "$response.body#/numbers/0/id"),
            ],
        ));
    }
    for link in LINKS {
        all.push((link.from, link.status, link.to, link.parameters.to_vec()));
    }
    all
}

/// The operations of `document` by their ids.
fn operations_mut(document: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    document
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|operations| operations.values_mut())
        .filter_map(Value::as_object_mut)
}

/// Adds every link to the answers of `document` they start from, named after the operation
/// they lead to.
pub(crate) fn add_links(document: &mut Value) {
    let links = links();
    for operation in operations_mut(document) {
        let Some(id) = operation
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        for (from, status, to, parameters) in links.iter().filter(|link| link.0 == id) {
            let Some(answer) = operation
                .get_mut("responses")
                .and_then(|responses| responses.get_mut(status.to_string()))
                .and_then(Value::as_object_mut)
            else {
                tracing::warn!(operation = from, status, "a link starts at no answer");
                continue;
            };
            let parameters: Map<String, Value> = parameters
                .iter()
                .map(|(name, expression)| ((*name).to_owned(), json!(expression)))
                .collect();
            let links = answer
                .entry("links")
                .or_insert_with(|| json!({}))
                .as_object_mut();
            if let Some(links) = links {
                links.insert(
                    (*to).to_owned(),
                    json!({"operationId": to, "parameters": parameters}),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        let world = vnum_app::testing::World::new(chrono::DateTime::UNIX_EPOCH);
        serde_json::from_str(&crate::openapi_json(&world.vnum)).unwrap()
    }

    fn operation<'a>(document: &'a Value, id: &str) -> &'a Value {
        document["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|ops| ops.as_object().unwrap().values())
            .find(|op| op["operationId"] == id)
            .unwrap_or_else(|| panic!("{id} is not an operation of the document"))
    }

    #[test]
    fn every_link_names_an_operation_and_its_parameters_and_starts_at_an_answer() {
        let document = document();
        for (from, status, to, parameters) in links() {
            let source = operation(&document, from);
            let link = &source["responses"][status.to_string()]["links"][to];
            assert_eq!(link["operationId"], to, "{from} {status} → {to}");
            let target = operation(&document, to);
            let names: Vec<&str> = target["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str())
                .collect();
            for (name, expression) in &parameters {
                assert!(names.contains(name), "{to} has no parameter {name}");
                assert!(
                    expression.starts_with("$response.body#/")
                        || expression.starts_with("$request.path."),
                    "{expression}"
                );
                if let Some(path) = expression.strip_prefix("$request.path.") {
                    assert!(
                        source["parameters"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|p| p["name"] == path),
                        "{from} has no path parameter {path}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_operation_with_a_path_id_is_reached_by_a_link() {
        let document = document();
        let linked: Vec<&str> = links().iter().map(|link| link.2).collect();
        for (path, operations) in document["paths"].as_object().unwrap() {
            if !path.contains('{') {
                continue;
            }
            for operation in operations.as_object().unwrap().values() {
                let id = operation["operationId"].as_str().unwrap();
                assert!(linked.contains(&id), "no link leads to {id} ({path})");
            }
        }
    }
}

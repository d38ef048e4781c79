//! The OpenAPI document is the contract: what the server checks is written in it, in the
//! shapes generic clients and fuzzers read.

use serde_json::Value;

use crate::support::Api;

async fn document() -> Value {
    let api = Api::new().await;
    let (_, key) = api.customer("Ann").await;
    let reply = api.get("/openapi.json", &key).await;
    reply.body
}

fn schema<'a>(document: &'a Value, name: &str) -> &'a Value {
    &document["components"]["schemas"][name]
}

/// Every object of the document, with the path that leads to it.
fn objects<'a>(value: &'a Value, path: String, found: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(fields) => {
            found.push((path.clone(), value));
            for (key, child) in fields {
                objects(child, format!("{path}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                objects(child, format!("{path}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn no_reference_is_wrapped_in_an_all_of_and_days_are_dates() {
    let document = document().await;
    let mut found = Vec::new();
    objects(&document, String::new(), &mut found);
    for (path, object) in found {
        assert!(object.get("allOf").is_none(), "{path}: {object}");
        assert_ne!(object.get("format"), Some(&"naive-date".into()), "{path}");
    }
    let day = &schema(&document, "NewBankTransfer")["properties"]["received_on"];
    assert_eq!(day["format"], "date", "{day}");
}

#[tokio::test]
async fn currencies_and_countries_are_enums_of_what_the_server_reads() {
    let document = document().await;
    let currency =
        |name: &str, field: &str| schema(&document, name)["properties"][field]["$ref"].clone();
    for (name, field) in [("Money", "currency"), ("NewCustomer", "currency")] {
        assert_eq!(
            currency(name, field),
            "#/components/schemas/Currency",
            "{name}.{field}"
        );
    }
    for name in ["NewTrial", "NewWaitlistEntry", "NewOffer"] {
        assert_eq!(
            currency(name, "country"),
            "#/components/schemas/Country",
            "{name}"
        );
    }
    let codes = |name: &str| -> Vec<String> {
        schema(&document, name)["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|code| code.as_str().unwrap().to_owned())
            .collect()
    };
    let currencies = codes("Currency");
    assert!(currencies.contains(&"EUR".to_owned()) && currencies.contains(&"JPY".to_owned()));
    assert!(!currencies.contains(&"XAU".to_owned()), "no minor unit");
    let countries = codes("Country");
    assert!(countries.contains(&"DE".to_owned()) && !countries.contains(&"UK".to_owned()));
}

#[tokio::test]
async fn every_number_the_server_reads_as_e164_has_its_pattern() {
    let document = document().await;
    let pattern = r"^\+[1-9][0-9]{7,14}$";
    let fields = [
        ("NewStock", "numbers", true),
        ("RestockRequest", "numbers", true),
        ("Connection", "e164", false),
        ("OrderLine", "number", false),
        ("InboundSms", "to", false),
    ];
    for (name, field, list) in fields {
        let property = &schema(&document, name)["properties"][field];
        let text = if list { &property["items"] } else { property };
        assert_eq!(text["pattern"], pattern, "{name}.{field}: {property}");
    }
    let route = &document["paths"]["/v1/engine/route"]["get"]["parameters"];
    let to = route
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "to")
        .unwrap();
    assert_eq!(to["schema"]["pattern"], r"^[+ ][1-9][0-9]{7,14}$", "{to}");
}

#[tokio::test]
async fn a_prepaid_term_is_one_of_the_terms_offered() {
    let document = document().await;
    let term = &schema(&document, "OrderLine")["properties"]["term_months"];
    assert_eq!(term["enum"], serde_json::json!([1, 3, 6, 12]), "{term}");
}

#[tokio::test]
async fn no_two_schemas_share_a_class_name() {
    let document = document().await;
    let mut names: Vec<String> = document["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .map(|name| name.replace('_', "").to_lowercase())
        .collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        count,
        "two schemas differ only by case or underscores"
    );
}

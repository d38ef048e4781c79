//! The `vnum-sim` command on the example scenario and on files it must refuse.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenario.toml")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vnum-sim"))
        .args(args)
        .output()
        .unwrap()
}

/// A scenario file of `text` in the temporary folder, named after the test.
fn scenario_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("vnum-sim-{name}-{}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_example_gives_one_row_a_month_the_same_for_the_same_seed() {
    let example = example();
    let path = example.to_str().unwrap();
    let first = run(&[path, "--seed", "7"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let csv = String::from_utf8(first.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("month,currency,revenue,discounts,new_debt"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 1 + 36, "{csv}");
    assert!(lines[1].starts_with("2027-01,EUR,"), "{}", lines[1]);
    assert!(lines[36].starts_with("2029-12,EUR,"), "{}", lines[36]);
    assert_eq!(run(&[path, "--seed", "7"]).stdout, csv.as_bytes());
    assert_ne!(run(&[path, "--seed", "8"]).stdout, csv.as_bytes());
}

#[test]
fn the_customers_file_has_every_customer_with_balance_and_state() {
    let example = example();
    let out = std::env::temp_dir().join(format!("vnum-sim-customers-{}.csv", std::process::id()));
    let done = run(&[
        example.to_str().unwrap(),
        "--customers",
        out.to_str().unwrap(),
    ]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "customer,currency,balance,state,numbers");
    assert_eq!(lines.len(), 1 + 1_000);
    // Customer 900 stops paying after a year: in debt, suspended (R10.4), its numbers kept.
    assert!(lines[901].starts_with("900,EUR,-"), "{}", lines[901]);
    assert!(lines[901].ends_with(",suspended,10"), "{}", lines[901]);
    // Customer 999 left after two years: no number left.
    assert!(lines[1_000].starts_with("999,EUR,"), "{}", lines[1_000]);
    assert!(lines[1_000].ends_with(",0"), "{}", lines[1_000]);
}

#[test]
fn a_scenario_naming_an_unknown_offer_is_refused_with_the_names_it_knows() {
    let path = scenario_file(
        "unknown-offer",
        r#"
start = "2027-01-01"
months = 12

[[offers]]
name = "de-mobile"
country = "DE"
currency = "EUR"
monthly_price = "10.00"

[[customers]]
count = 1
currency = "EUR"
behaviour = "pays_on_time"
numbers = 1
offer = "de-mobil"
"#,
    );
    let refused = run(&[path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message
            .contains(r#"customer group 1 names offer "de-mobil"; the offers are ["de-mobile"]"#),
        "{message}"
    );
}

#[test]
fn a_price_finer_than_the_currency_is_refused() {
    let path = scenario_file(
        "fine-price",
        r#"
start = "2027-01-01"
months = 12

[[offers]]
name = "de-mobile"
country = "DE"
currency = "EUR"
monthly_price = "10.005"

[[customers]]
count = 1
currency = "EUR"
behaviour = { pays_late_days = 3 }
"#,
    );
    let refused = run(&[path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("the monthly price of offer 0 is 10.005"),
        "{message}"
    );
    assert!(message.contains("whole minor units"), "{message}");
}

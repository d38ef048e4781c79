//! `vnum_core::rule::ALL` is exactly the ids of `spec/RULES.md`: every rule line
//! (`- R10.2 …`) and every Decision line, numbered `R<group>.D<n>` in its group's order.

use vnum_core::rule::{ALL, RuleId};

fn ids_in_rules_md() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/RULES.md");
    let text = std::fs::read_to_string(path).expect("spec/RULES.md is readable");
    let mut ids = Vec::new();
    let mut group = None;
    let mut decisions = 0;
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## R") {
            group = heading.split_whitespace().next().map(str::to_owned);
            decisions = 0;
        } else if let Some(rule) = line.strip_prefix("- R") {
            let id = rule.split_whitespace().next().expect("an id after '- R'");
            ids.push(format!("R{id}"));
        } else if line.starts_with("- **Decision**") {
            let group = group.as_deref().expect("a Decision under a rule group");
            decisions += 1;
            ids.push(format!("R{group}.D{decisions}"));
        }
    }
    ids
}

#[test]
fn every_rule_and_decision_of_rules_md_has_its_constant_and_no_other_exists() {
    let mut expected = ids_in_rules_md();
    let mut actual: Vec<String> = ALL.iter().map(|r| r.as_str().to_owned()).collect();
    expected.sort();
    actual.sort();
    assert_eq!(actual, expected);
}

#[test]
fn ids_read_back_only_when_rules_md_has_them() {
    for id in ids_in_rules_md() {
        assert!(RuleId::find(&id).is_some(), "{id}");
    }
    assert!(RuleId::find("R10.D99").is_none());
}

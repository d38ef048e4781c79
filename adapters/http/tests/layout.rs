//! The layout of the HTTP adapter: a family of operations (a file with an `#[OpenApi]`
//! impl, such as `numbers.rs`) imports no other family. Wire types several families speak
//! live in `src/wire/`, and the rest of the shared modules (`problem.rs`, `money.rs`,
//! `codes.rs`, …) are no family either.

// Test code: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The module names of the families: the files of `src/` with an `#[OpenApi` impl.
fn families(sources: &[(String, String)]) -> BTreeSet<String> {
    sources
        .iter()
        .filter(|(_, text)| text.contains("#[OpenApi"))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Every `.rs` file directly in `src/`, by module name, with its text.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources: Vec<(String, String)> = fs::read_dir(&src)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&path).unwrap())
        })
        .collect();
    sources.sort();
    sources
}

/// The modules of this crate `text` names as `crate::name`, in `use` lines or in paths.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            named.insert(name);
        }
        // `use crate::{a, b::C}` names several.
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name = part.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() {
                    named.insert(name.to_owned());
                }
            }
        }
    }
    named
}

#[test]
fn no_family_imports_another_family() {
    let sources = sources();
    let families = families(&sources);
    assert!(
        families.len() >= 15,
        "the families were not found: {families:?}"
    );
    let mut crossings = Vec::new();
    for (name, text) in &sources {
        if !families.contains(name) {
            continue;
        }
        for other in named_modules(text) {
            if other != *name && families.contains(&other) {
                crossings.push(format!("{name}.rs imports {other}"));
            }
        }
    }
    assert!(
        crossings.is_empty(),
        "move the shared types into src/wire/: {crossings:#?}"
    );
}

#[test]
fn the_wire_modules_import_no_family() {
    let sources = sources();
    let families = families(&sources);
    let wire = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/wire");
    for entry in fs::read_dir(wire).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for other in named_modules(&text) {
            assert!(
                !families.contains(&other),
                "{} imports the family {other}",
                path.display()
            );
        }
    }
}

#[test]
fn a_crossing_is_found_in_a_use_line_and_a_group() {
    let named = named_modules("use crate::numbers::NumberBody;\nuse crate::{offers::Kind, page};");
    assert!(named.contains("numbers"));
    assert!(named.contains("offers"));
    assert!(named.contains("page"));
}

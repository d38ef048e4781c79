//! ARCHITECTURE.md stays a true code map: every workspace member has a section.

use std::path::Path;

fn members() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut members = vec![(".".to_owned(), "vnum".to_owned())];
    for group in ["crates", "adapters", "examples"] {
        let mut dirs: Vec<_> = std::fs::read_dir(root.join(group))
            .expect("the member folder is readable")
            .map(|entry| entry.expect("a folder entry").path())
            .filter(|dir| dir.join("Cargo.toml").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("a manifest");
            let name = manifest
                .lines()
                .find_map(|line| line.strip_prefix("name = "))
                .expect("a package name")
                .trim_matches('"')
                .to_owned();
            let folder = dir.strip_prefix(root).expect("below the root");
            members.push((folder.display().to_string(), name));
        }
    }
    members
}

#[test]
fn every_workspace_member_has_a_section_in_architecture_md() {
    let map = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md is readable");
    let headings: Vec<&str> = map.lines().filter(|l| l.starts_with("## ")).collect();
    let members = members();
    assert!(members.len() > 10, "{members:?}");
    for (folder, name) in members {
        let named = format!("`{name}`");
        assert!(
            headings.iter().any(|h| h.contains(&named)),
            "{folder} ({name}) has no section in ARCHITECTURE.md: add `## {folder} — {named}`"
        );
    }
}

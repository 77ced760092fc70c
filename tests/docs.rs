//! The generated docs (`docs/rules.md` and one page per claim kind in
//! `docs/kinds/`) must match the rules. `CLAIMDIFF_BLESS=1 cargo test --test
//! docs` rewrites them.

use std::fs;
use std::path::Path;

use claimdiff::app::{kind_page, kinds_by_id, rules_markdown};
use claimdiff::rules::RuleSet;

fn check(path: &Path, expected: &str, stale: &mut Vec<String>) {
    if std::env::var_os("CLAIMDIFF_BLESS").is_some() {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).expect("create docs dir");
        }
        fs::write(path, expected).expect("write doc page");
        return;
    }
    match fs::read_to_string(path) {
        Ok(actual) if actual == expected => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn generated_rule_docs_are_fresh() {
    let rules = RuleSet::builtin_shared().expect("built-in rules compile");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut stale = Vec::new();
    check(&root.join("rules.md"), &rules_markdown(rules), &mut stale);
    for (id, kinds) in kinds_by_id(rules) {
        check(
            &root.join("kinds").join(format!("{id}.md")),
            &kind_page(&kinds),
            &mut stale,
        );
    }
    // No page for a kind that no longer exists.
    if let Ok(entries) = fs::read_dir(root.join("kinds")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let id = name.trim_end_matches(".md");
            if rules.kind(id).is_none() {
                stale.push(format!("{} (no such kind)", entry.path().display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated docs: {stale:?}; run `CLAIMDIFF_BLESS=1 cargo test --test docs`"
    );
}

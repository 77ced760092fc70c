//! Embeds every file under `rules/` into the binary as the default rule set,
//! and writes one test per claim-kind file so that each rule's examples run
//! as their own named test (`cargo test rule_hospital`).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    yaml_files(&rules, &mut files);
    files.sort();

    let mut embedded = String::from("/// Every built-in rule file: (path relative to `rules/`, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    let mut tests = String::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&rules).expect("file is under rules/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        writeln!(
            embedded,
            "    ({rel:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .expect("write to string");
        if !rel.contains('/') {
            let stem = rel.trim_end_matches(".yaml").trim_end_matches(".yml");
            let name: String = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            writeln!(
                tests,
                "#[test]\nfn rule_{name}() {{\n    check_rule_file({rel:?});\n}}\n"
            )
            .expect("write to string");
        }
    }
    embedded.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("embedded_rules.rs"), embedded).expect("write embedded_rules.rs");
    fs::write(out.join("rule_tests.rs"), tests).expect("write rule_tests.rs");
}

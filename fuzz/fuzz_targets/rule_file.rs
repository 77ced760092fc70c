//! Arbitrary text as a rule file: a claim kind, a lexicon or a boilerplate
//! file (the first byte chooses), layered on the built-in English lexicon,
//! then compiled and its examples run. Errors are fine; panics are not.
#![no_main]

use std::collections::BTreeSet;
use std::path::PathBuf;

use claimdiff::extract::{check_boilerplate, check_examples};
use claimdiff::rules::{builtin_files, RuleFile, RuleSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let rel = match which % 3 {
        0 => "fuzz.yaml",
        1 => "lang/en.yaml",
        _ => "boilerplate/en.yaml",
    };
    let lexicons: Vec<RuleFile> = builtin_files()
        .into_iter()
        .filter(|f| f.rel == "lang/en.yaml")
        .collect();
    let file = RuleFile {
        path: PathBuf::from("fuzz").join(rel),
        rel: rel.to_string(),
        text: text.to_string(),
    };
    let langs: BTreeSet<String> = ["en".to_string()].into();
    let Ok(rules) = RuleSet::compile_for(&[lexicons, vec![file]], Some(&langs)) else {
        return;
    };
    for kind in &rules.kinds {
        let _ = check_examples(kind, &rules);
    }
    let _ = check_boilerplate(&rules);
});

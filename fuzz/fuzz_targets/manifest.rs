//! Arbitrary text as a `cluster.yaml`: parsed, every listed path checked
//! for leaving the folder, every error printed. Errors are fine; panics are
//! not, and an error must say where (line and column) when the parser knows.
#![no_main]

use std::path::Path;

use claimdiff::load::{leaves_folder, parse_manifest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_manifest(text, Path::new("cluster.yaml")) {
        Ok(manifest) => {
            for entry in &manifest.sources {
                let _ = leaves_folder(&entry.path);
            }
        }
        Err(d) => {
            let line = d.to_string();
            assert!(!line.contains('\n'), "a diagnostic is one line");
        }
    }
});

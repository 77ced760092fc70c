//! Arbitrary bytes as an article: decode, then clean, extract, compare and
//! render every format. Nothing may panic, and offsets must fall on the
//! decoded text's character boundaries.
#![no_main]

use std::path::PathBuf;

use claimdiff::app::analyze;
use claimdiff::load::{decode, Cluster, Source, SourceMeta};
use claimdiff::report::{render_reports, Format, RenderOptions};
use claimdiff::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // Compile the built-in rules before the clock starts: on a loaded
    // machine that first compile once passed libFuzzer's -timeout and was
    // reported as a hang of whatever input came first.
    init: {
        let _ = RuleSet::builtin_shared();
    },
    |data: &[u8]| {
        let Ok(decoded) = decode(data) else {
            return;
        };
        let Ok(rules) = RuleSet::builtin_shared() else {
            return;
        };
        // Two sources, the text and its first half, so that compare has pairs.
        let half = decoded
            .text
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i >= decoded.text.len() / 2)
            .unwrap_or(0);
        let source = |id: &str, text: &str| Source {
            id: id.to_string(),
            path: PathBuf::from(format!("{id}.txt")),
            text: text.to_string(),
            meta: SourceMeta {
                encoding: decoded.encoding.to_string(),
                ..SourceMeta::default()
            },
        };
        let cluster = Cluster {
            name: "fuzz".into(),
            path: PathBuf::from("fuzz"),
            sources: vec![
                source("a", &decoded.text),
                source("b", &decoded.text[..half]),
            ],
            diagnostics: Vec::new(),
        };
        let report = analyze(cluster, rules, "auto");
        for finding in &report.findings {
            for value in &finding.values {
                for claim in &value.claims {
                    let text = if claim.source == "a" {
                        &decoded.text
                    } else {
                        &decoded.text[..half]
                    };
                    assert!(text.get(claim.start..claim.end).is_some(), "bad span");
                }
            }
        }
        let reports = [report];
        for format in [
            Format::Table,
            Format::Json,
            Format::Yaml,
            Format::Csv,
            Format::Markdown,
        ] {
            let options = RenderOptions {
                evidence: true,
                color: false,
                width: Some(100),
            };
            let _ = render_reports(&reports, format, options);
        }
    }
);

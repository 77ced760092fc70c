//! Property tests over the entry points that take untrusted input without
//! touching the file system: [`decode`] (a file's bytes), the pipeline on the
//! decoded text, [`parse_manifest`] (a `cluster.yaml`), rule-file compilation,
//! and the output escapers. The same entry points are fuzzed without bounds
//! by `fuzz/` (see docs/fuzzing.md); here the case count is bounded so CI
//! stays fast. Crashing inputs the fuzzers found are kept as regression
//! tests at the end.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use claimdiff::app::analyze;
use claimdiff::load::{
    decode, leaves_folder, parse_manifest, Cluster, DecodeError, Source, SourceMeta,
};
use claimdiff::report::{
    clean_cell, csv_cell, markdown_cell, render_reports, Format, RenderOptions,
};
use claimdiff::rules::{builtin_files, RuleFile, RuleSet};
use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    // `PROPTEST_CASES` and `PROPTEST_RNG_SEED` still win, for a longer or
    // different run by hand.
    let defaults = ProptestConfig::default();
    let from_env = |name: &str| std::env::var_os(name).is_some();
    ProptestConfig {
        cases: if from_env("PROPTEST_CASES") {
            defaults.cases
        } else {
            cases
        },
        // Shrinking a failure is worth the time; finding one should not be.
        max_shrink_iters: 256,
        failure_persistence: None,
        // The same cases on every run, so CI never fails by chance; the
        // fuzzers (docs/fuzzing.md) are where new inputs are explored.
        rng_seed: if from_env("PROPTEST_RNG_SEED") {
            defaults.rng_seed
        } else {
            proptest::test_runner::RngSeed::Fixed(0x636c_6169_6d64_6966)
        },
        ..defaults
    }
}

/// Text that looks like an article, with the odd hostile character mixed in.
fn article() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => "[A-Z][a-z]{1,9}",
        6 => "[a-z]{1,9}",
        3 => "[0-9]{1,4}",
        2 => Just("Omran Daqneesh".to_string()),
        2 => Just("injured".to_string()),
        2 => Just("M10 hospital".to_string()),
        2 => Just("five children".to_string()),
        2 => Just("on Wednesday".to_string()),
        4 => "[ .,;:!?'\"()-]",
        3 => prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("\n\n")].prop_map(String::from),
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}\\u{1b}]",
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|p| p.join(" "))
}

/// The pipeline, clean → extract → compare → every format, on two sources.
fn run_pipeline(text: &str, encoding: &str) {
    let rules = RuleSet::builtin_shared().expect("built-in rules");
    let half = text
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| i >= text.len() / 2)
        .unwrap_or(0);
    let texts = [("a", text), ("b", &text[..half])];
    let sources = texts
        .iter()
        .map(|(id, text)| Source {
            id: (*id).to_string(),
            path: PathBuf::from(format!("{id}.txt")),
            text: (*text).to_string(),
            meta: SourceMeta {
                encoding: encoding.to_string(),
                ..SourceMeta::default()
            },
        })
        .collect();
    let cluster = Cluster {
        name: "prop".into(),
        path: PathBuf::from("prop"),
        sources,
        diagnostics: Vec::new(),
    };
    let report = analyze(cluster, rules, "auto");
    for finding in &report.findings {
        for value in &finding.values {
            for claim in &value.claims {
                let (_, source) = texts
                    .iter()
                    .find(|(id, _)| *id == claim.source)
                    .expect("a known source");
                assert_eq!(
                    source.get(claim.start..claim.end),
                    Some(claim.text.as_str())
                );
            }
        }
    }
    for summary in &report.sources {
        assert_eq!(summary.encoding, encoding);
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
            width: Some(80),
        };
        render_reports(&reports, format, options).expect("renders");
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn decode_never_panics_and_never_returns_nul_or_blank(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(decoded) = decode(&bytes) {
            prop_assert!(!decoded.text.contains('\0'));
            prop_assert!(!decoded.text.trim().is_empty());
        }
    }

    #[test]
    fn utf8_text_decodes_to_itself(text in article()) {
        // A leading U+FEFF is the UTF-8 byte-order mark: decoding drops it.
        let expected = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        match decode(text.as_bytes()) {
            Ok(decoded) => {
                prop_assert_eq!(decoded.encoding, "UTF-8");
                prop_assert_eq!(decoded.text.as_str(), expected);
            }
            Err(DecodeError::Empty) => prop_assert!(expected.trim().is_empty()),
            Err(DecodeError::Binary(_)) => prop_assert!(text.contains('\0')),
            Err(e) => prop_assert!(false, "{e:?}"),
        }
    }

    #[test]
    fn utf16_with_a_bom_decodes_to_the_text(text in article(), big_endian in any::<bool>()) {
        let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            let pair = if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() };
            bytes.extend(pair);
        }
        match decode(&bytes) {
            Ok(decoded) => {
                prop_assert_eq!(decoded.encoding, if big_endian { "UTF-16BE" } else { "UTF-16LE" });
                prop_assert_eq!(decoded.text, text);
            }
            Err(DecodeError::Empty) => prop_assert!(text.trim().is_empty()),
            Err(DecodeError::Binary(_)) => prop_assert!(text.contains('\0')),
            Err(e) => prop_assert!(false, "{e:?}"),
        }
    }

    #[test]
    fn legacy_bytes_always_decode_without_loss(text in "[ a-zA-Z0-9.,\\u{a0}-\\u{ff}\\u{20ac}\\u{201c}\\u{201d}]{1,120}") {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
        prop_assume!(!unmappable);
        let decoded = decode(&bytes);
        if text.trim().is_empty() {
            prop_assert_eq!(decoded, Err(DecodeError::Empty));
        } else {
            let decoded = decoded.expect("decoded");
            // Every byte becomes a character: as many characters as bytes
            // for a single-byte guess (a multi-byte guess decoded cleanly).
            prop_assert!(!decoded.text.is_empty());
            if decoded.encoding == "windows-1252" {
                prop_assert_eq!(decoded.text, text);
            }
        }
    }

    #[test]
    fn output_escapers_leave_nothing_that_acts(text in ".{0,60}", hostile in article()) {
        for s in [&text, &hostile] {
            let cell = clean_cell(s);
            prop_assert!(cell.chars().all(|c| c == '\n' || !(c.is_control() || claimdiff::diag::is_bidi_control(c))));
            prop_assert!(!csv_cell(s).starts_with(['=', '+', '-', '@', '\t', '\r']));
            let md = markdown_cell(s);
            prop_assert!(!md.contains('\n'));
            // Every pipe and backtick is escaped.
            let mut escaped = false;
            for c in md.chars() {
                if matches!(c, '|' | '`') {
                    prop_assert!(escaped, "{md}");
                }
                escaped = c == '\\' && !escaped;
            }
        }
    }

    #[test]
    fn manifest_text_never_panics_and_errors_are_one_line(text in manifest_text()) {
        match parse_manifest(&text, Path::new("cluster.yaml")) {
            Ok(manifest) => {
                for entry in &manifest.sources {
                    let _ = leaves_folder(&entry.path);
                }
            }
            Err(d) => {
                let line = d.to_string();
                prop_assert!(line.starts_with("error: cluster.yaml"));
                prop_assert!(!line.contains('\n'));
            }
        }
    }

    #[test]
    fn paths_leave_the_folder_exactly_when_absolute_or_with_dotdot(parts in prop::collection::vec(prop_oneof!["[a-z]{1,5}", Just("..".to_string()), Just(".".to_string())], 1..6), absolute in any::<bool>(), backslash in any::<bool>()) {
        let sep = if backslash { "\\" } else { "/" };
        let path = format!("{}{}", if absolute { "/" } else { "" }, parts.join(sep));
        let expected = absolute || parts.iter().any(|p| p == "..");
        prop_assert_eq!(leaves_folder(&path), expected, "{}", path);
    }
}

proptest! {
    // Each case runs the whole pipeline: fewer cases, still fast.
    #![proptest_config(config(64))]

    #[test]
    fn the_pipeline_never_panics_and_spans_fit(text in article()) {
        run_pipeline(&text, "UTF-8");
    }

    #[test]
    fn the_pipeline_on_decoded_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 1..400)) {
        if let Ok(decoded) = decode(&bytes) {
            run_pipeline(&decoded.text, decoded.encoding);
        }
    }

    #[test]
    fn rule_files_never_panic(which in 0u8..3, text in rule_text()) {
        compile_rule_file(which, &text);
    }
}

/// YAML-ish text for a manifest: real keys, odd values, odd indentation.
fn manifest_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("sources:".to_string()),
        Just("cluster: x".to_string()),
        "  - path: [a-z./\\\\]{0,12}",
        "    id: [a-z0-9 ]{0,6}",
        "    (outlet|url|published|author): [\\[\\]{}a-z0-9:,\"' ]{0,10}",
        "[ \\-:\\[\\]{}&*!|>'\"%@`#a-z]{0,16}",
        ".{0,16}",
    ];
    prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n"))
}

/// YAML-ish text for a rule file of any of the three kinds.
fn rule_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("kind: drones".to_string()),
        Just("label: drones".to_string()),
        Just("description: How many drones.".to_string()),
        "value_type: (count|name|text|time|place|day|age|code|bogus)",
        "cardinality: (one|many|some)",
        Just("patterns:".to_string()),
        "  - '[(?P<value>{number}\\\\d+\\w.*?)|\\[\\]{}a-z ]{0,20}'",
        Just("examples:".to_string()),
        "  - text: [A-Za-z0-9 .]{0,20}",
        "    value: '[0-9a-z]{0,3}'",
        Just("must_not_match:".to_string()),
        "  - [A-Za-z0-9 .]{0,20}",
        Just("id: x".to_string()),
        Just("scope: sentence".to_string()),
        Just("lang: en".to_string()),
        "[a-z_]{1,12}: [\\[\\]{}a-z0-9 ]{0,12}",
        ".{0,20}",
    ];
    prop::collection::vec(line, 0..14).prop_map(|l| l.join("\n"))
}

/// Compiles `text` as a claim kind (0), the English lexicon (1) or English
/// boilerplate (2), over the built-in English lexicon, and runs its examples.
fn compile_rule_file(which: u8, text: &str) {
    let rel = match which {
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
    match RuleSet::compile_for(&[lexicons, vec![file]], Some(&langs)) {
        Ok(rules) => {
            for kind in &rules.kinds {
                let _ = claimdiff::extract::check_examples(kind, &rules);
            }
            let _ = claimdiff::extract::check_boilerplate(&rules);
        }
        Err(diags) => {
            for d in diags {
                assert!(!d.to_string().contains('\n'));
            }
        }
    }
}

// ---- regression inputs ----
//
// Every input that made a fuzzer crash belongs here, inline, calling the
// same entry point (docs/fuzzing.md). The first runs (decode_read, rule_file
// and manifest, over ten minutes each) found none; the cases below are the
// edges the fuzz targets were seeded to reach, kept so that CI reaches them
// on every run.

#[test]
fn edge_inputs_of_decode_and_the_pipeline() {
    for bytes in [
        &b"\xEF\xBB\xBF"[..],                // a byte-order mark and nothing else
        b"\xFF\xFE",                         // UTF-16LE mark, no text
        b"\xFF\xFEa",                        // an odd number of bytes
        b"\xFE\xFF\xD8\x00",                 // an unpaired surrogate
        b"\r\r\r\rOmran, 5.\r\r",            // lone CRs only
        b"\x1b[",                            // an escape sequence cut short
        b"\x1b]0;title",                     // an OSC string that never ends
        b"\xC2\xA0\xE2\x80\xAE\xE2\x80\xAC", // blank by Unicode, then bidi controls
        b"\x81\x8D\x8F\x90\x9D",             // bytes windows-1252 leaves undefined
    ] {
        if let Ok(decoded) = decode(bytes) {
            run_pipeline(&decoded.text, decoded.encoding);
        }
    }
    for cell in [
        "\u{1b}",
        "\u{1b}[",
        "\u{1b}]0;x",
        "a\u{1b}[1;31",
        "\u{1b}\u{1b}[",
    ] {
        assert!(!clean_cell(cell).contains('\u{1b}'), "{cell:?}");
    }
}

#[test]
fn a_leading_byte_order_mark_is_dropped_not_kept() {
    // Found by proptest in CI-like runs: any::<char>() favours U+FEFF.
    let decoded = decode("\u{FEFF}Omran was injured.".as_bytes()).expect("decodes");
    assert_eq!(decoded.text, "Omran was injured.");
    assert_eq!(decode("\u{FEFF}".as_bytes()), Err(DecodeError::Empty));
}

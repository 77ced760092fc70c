//! The number layer's accuracy table: real phrases from the seed articles
//! and ECB+ (`tests/data/number_phrases.tsv`), each with the interval and
//! qualifier a careful reader gives it, written by reading the phrase, not
//! by running claimdiff. Every row must pass; a failure lists every row
//! that is off.

use claimdiff::normalize::{Qualifier, Scanner};
use claimdiff::rules::RuleSet;

/// What a row of the table expects.
#[derive(Debug, PartialEq)]
struct Expect {
    qualifier: Qualifier,
    value: Option<f64>,
    low: f64,
    high: f64,
}

/// Reads the table's notation: `12`, `~12`, `>=55`, `>300000`, `<=20`,
/// `<10`, `12..15`, `~24..99`; `-` is no quantity.
fn expect(notation: &str) -> Option<Expect> {
    let num = |s: &str| {
        s.parse::<f64>()
            .unwrap_or_else(|_| panic!("bad number {s:?}"))
    };
    if notation == "-" {
        return None;
    }
    let (approx, rest) = match notation.strip_prefix('~') {
        Some(r) => (true, r),
        None => (false, notation),
    };
    if let Some((a, b)) = rest.split_once("..") {
        let q = if approx {
            Qualifier::Approximate
        } else {
            Qualifier::Range
        };
        return Some(Expect {
            qualifier: q,
            value: None,
            low: num(a),
            high: num(b),
        });
    }
    let e = |qualifier, value: f64, low, high| {
        Some(Expect {
            qualifier,
            value: Some(value),
            low,
            high,
        })
    };
    if approx {
        let v = num(rest);
        return e(Qualifier::Approximate, v, f64::NAN, f64::NAN);
    }
    if let Some(v) = rest.strip_prefix(">=") {
        let v = num(v);
        return e(Qualifier::LowerBound, v, v, f64::INFINITY);
    }
    if let Some(v) = rest.strip_prefix('>') {
        let v = num(v);
        let low = if v.fract() == 0.0 { v + 1.0 } else { f64::NAN };
        return e(Qualifier::LowerBound, v, low, f64::INFINITY);
    }
    if let Some(v) = rest.strip_prefix("<=") {
        let v = num(v);
        return e(Qualifier::UpperBound, v, 0.0, v);
    }
    if let Some(v) = rest.strip_prefix('<') {
        let v = num(v);
        let high = if v.fract() == 0.0 { v - 1.0 } else { f64::NAN };
        return e(Qualifier::UpperBound, v, 0.0, high);
    }
    let v = num(rest);
    e(Qualifier::Exact, v, v, v)
}

#[test]
fn every_phrase_in_the_table_reads_as_expected() {
    let rules = RuleSet::builtin_shared().expect("built-in rules");
    let scanner = Scanner::new(rules.lexicon("en").expect("en")).expect("scanner");
    let table = include_str!("data/number_phrases.tsv");
    let mut rows = 0;
    let mut failures = Vec::new();
    for (i, line) in table.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        rows += 1;
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 3,
            "line {}: needs phrase, expect, unit",
            i + 1
        );
        let (phrase, notation, unit) = (cols[0], cols[1], cols[2]);
        let found = scanner.scan(phrase);
        let got: Vec<String> = found
            .iter()
            .map(|f| {
                let q = f.quantity;
                format!(
                    "{} {:?} [{}, {}] unit {:?}",
                    q.qualifier.as_str(),
                    q.value,
                    q.low,
                    q.high,
                    f.unit
                )
            })
            .collect();
        let ok = match expect(notation) {
            None => found.is_empty(),
            Some(want) => {
                found.len() == 1 && {
                    let q = found[0].quantity;
                    let bounds = (want.low.is_nan() || q.low == want.low)
                        && (want.high.is_nan() || q.high == want.high);
                    q.qualifier == want.qualifier
                        && q.value == want.value
                        && bounds
                        && found[0].unit.as_deref().unwrap_or("") == unit
                }
            }
        };
        if !ok {
            failures.push(format!(
                "line {}: {phrase:?} want {notation} unit {unit:?}, got {got:?}",
                i + 1
            ));
        }
    }
    assert!(
        rows >= 150,
        "the table needs at least 150 phrases, has {rows}"
    );
    assert!(
        failures.is_empty(),
        "{} of {rows} phrases read wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

//! Accounts: conflicts about *when* that may be two events.
//!
//! When the sources of one event group disagree on two facts of when the
//! incident happened (its day and its time, say), and the disagreement
//! splits them the same way both times (the sources that give Sunday give
//! 09:27, those that give Thursday give 02:09, and none gives both), they
//! tell two accounts, not one account with a wrong value. That is what two
//! incidents reported in one cluster look like when the event split cannot
//! tell them apart (two earthquakes in the same towns, ECB+ topic 38), and
//! SEMANTICS' `review` is for it: the times may differ, a person must look.
//! A lone wrong day, a day and a time that disagree along different
//! sources, or a third value as well backed as the smaller account, stays
//! a conflict.

use std::collections::BTreeSet;

use super::{is_main, Finding, FindingValue, Status};
use crate::normalize::times_compatible;
use crate::rules::{RuleSet, ValueType};

/// Each account needs at least this many sources.
const MIN_SOURCES: usize = 2;
/// A finding with more values than this about the main subject is read as
/// a conflict, not as two accounts (and its pairs are not all tried).
const MAX_VALUES: usize = 12;

/// True for value types that say when an incident happened.
fn is_when(value_type: ValueType) -> bool {
    matches!(
        value_type,
        ValueType::Day | ValueType::TimeOfDay | ValueType::Date
    )
}

/// One value a finding's sources give about the main subject, with those
/// sources.
struct Told<'a> {
    value: &'a FindingValue,
    sources: BTreeSet<&'a str>,
}

/// The values of a finding that count: about the main subject, not
/// superseded.
fn told(finding: &Finding) -> Vec<Told<'_>> {
    finding
        .values
        .iter()
        .filter(|v| is_main(v) && !v.superseded)
        .map(|v| Told {
            value: v,
            sources: v
                .claims
                .iter()
                .filter(|c| !super::is_other_subject(c))
                .map(|c| c.source.as_str())
                .collect(),
        })
        .collect()
}

/// Which values of a finding cannot both be right: different days or
/// dates, times of day that do not overlap.
fn apart(finding: &Finding, told: &[Told<'_>], rules: &RuleSet) -> Vec<Vec<bool>> {
    let kind = rules.kind(&finding.kind);
    let lexicon = kind.and_then(|k| rules.lexicon(&k.lang));
    let keys: Vec<Option<&str>> = told
        .iter()
        .map(|t| t.value.claims.first().map(|c| c.value.key.as_str()))
        .collect();
    keys.iter()
        .map(|x| {
            keys.iter()
                .map(|y| match (kind.map(|k| k.value_type), x, y) {
                    (Some(ValueType::TimeOfDay), Some(a), Some(b)) => {
                        lexicon.is_some_and(|l| !times_compatible(a, b, l))
                    }
                    (Some(_), Some(a), Some(b)) => a != b,
                    _ => false,
                })
                .collect()
        })
        .collect()
}

/// Two accounts found in a pair of findings: for each, the value of the
/// first finding, the value of the second, and the sources behind them.
struct TwoAccounts {
    first: (String, String, usize),
    second: (String, String, usize),
}

/// Marks as `review` every pair of `conflict` findings about when, in one
/// event group, whose values split the sources into the same two accounts.
pub(super) fn mark_two_accounts(findings: &mut [Finding], rules: &RuleSet) {
    let when: Vec<usize> = (0..findings.len())
        .filter(|&i| {
            findings[i].status == Status::Conflict
                && rules
                    .kind(&findings[i].kind)
                    .is_some_and(|k| is_when(k.value_type))
        })
        .collect();
    let mut marks: Vec<(usize, String)> = Vec::new();
    for (n, &i) in when.iter().enumerate() {
        for &j in &when[n + 1..] {
            let (f, g) = (&findings[i], &findings[j]);
            if f.event != g.event || f.kind == g.kind {
                continue;
            }
            if let Some(accounts) = two_accounts(f, g, rules) {
                let (a, b) = (&accounts.first, &accounts.second);
                let note = format!(
                    "two accounts of when: {} and {} ({} sources), {} and {} ({} sources); \
                     they may be two events",
                    a.0, a.1, a.2, b.0, b.1, b.2
                );
                marks.push((i, note.clone()));
                marks.push((j, note));
            }
        }
    }
    for (i, note) in marks {
        if findings[i].status == Status::Conflict {
            findings[i].status = Status::Review;
            findings[i].note = Some(note);
        }
    }
}

/// The first pair of accounts (in the findings' value order: majority
/// first) that the two findings tell, if any.
fn two_accounts(f: &Finding, g: &Finding, rules: &RuleSet) -> Option<TwoAccounts> {
    let (tf, tg) = (told(f), told(g));
    if tf.len() > MAX_VALUES || tg.len() > MAX_VALUES {
        return None;
    }
    let (apart_f, apart_g) = (apart(f, &tf, rules), apart(g, &tg, rules));
    let pairs = |t: &[Told<'_>]| -> Vec<(usize, usize)> {
        (0..t.len())
            .flat_map(|a| (0..t.len()).map(move |b| (a, b)))
            .filter(|&(a, b)| a != b)
            .collect()
    };
    for (a1, b1) in pairs(&tf) {
        if !apart_f[a1][b1] {
            continue;
        }
        for (a2, b2) in pairs(&tg) {
            if !apart_g[a2][b2] {
                continue;
            }
            let (sa1, sb1, sa2, sb2) = (
                &tf[a1].sources,
                &tf[b1].sources,
                &tg[a2].sources,
                &tg[b2].sources,
            );
            // Each account is told whole by at least one source…
            if sa1.is_disjoint(sa2) || sb1.is_disjoint(sb2) {
                continue;
            }
            // …and no source tells anything of the other.
            let a: BTreeSet<&str> = sa1.union(sa2).copied().collect();
            let b: BTreeSet<&str> = sb1.union(sb2).copied().collect();
            if !a.is_disjoint(&b) || a.len() < MIN_SOURCES || b.len() < MIN_SOURCES {
                continue;
            }
            // A third value that fits neither account, given by as many
            // sources as the smaller one, is a third account: the
            // disagreement is more than two events, and stays a conflict.
            let smaller = a.len().min(b.len());
            let third = |t: &[Told<'_>], apart: &[Vec<bool>], x: usize, y: usize| {
                t.iter().enumerate().any(|(k, v)| {
                    k != x && k != y && v.sources.len() >= smaller && apart[k][x] && apart[k][y]
                })
            };
            if third(&tf, &apart_f, a1, b1) || third(&tg, &apart_g, a2, b2) {
                continue;
            }
            return Some(TwoAccounts {
                first: (
                    tf[a1].value.value.clone(),
                    tg[a2].value.value.clone(),
                    a.len(),
                ),
                second: (
                    tf[b1].value.value.clone(),
                    tg[b2].value.value.clone(),
                    b.len(),
                ),
            });
        }
    }
    None
}

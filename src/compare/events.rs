//! Events: splits the on-topic sources of a cluster into the events they
//! report, before any value is compared, so that no conflict is ever
//! reported between facts of two events.
//!
//! Each source is described by its signals, with how often it gives each:
//! the years and dates it names, the places, institutions and people its
//! claims name, and its other capitalised words. Signals that every source
//! gives, or only one, say nothing about grouping and are left out; the
//! others are weighted TF-IDF style. The sources are split in two along the
//! main axis on which they differ (the first principal component, found by
//! power iteration), then a few rounds of two-means settle the edges. The
//! split is kept only when the two sides are far apart (the mean similarity
//! between them well below the mean similarity within the less coherent
//! side) and do not share a participant: one event seen from two angles
//! still names the same people. Every step is linear in the number of
//! sources.
//!
//! Each kept split is reported with the signals that set each side apart:
//! what most of one side gives and little of the other.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::SourceClaims;
use crate::rules::{RuleSet, ValueType};

/// What kind of signal told two events apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A year, a date or a weekday.
    Date,
    /// A place, or an institution at one.
    Place,
    /// A named participant.
    Participant,
    /// Another capitalised name.
    Name,
}

/// One signal that set an event group apart from the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventSignal {
    /// What kind of signal it is.
    pub kind: SignalKind,
    /// The word or value, lower case.
    pub value: String,
    /// The share of the group's sources that give it.
    pub share: f64,
    /// The share of the other side's sources that give it.
    pub other_share: f64,
}

/// Sources judged to report one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventGroup {
    /// The group id (`e1`, `e2`…), numbered by the first source of each.
    pub id: String,
    /// The ids of its sources, in load order.
    pub sources: Vec<String>,
    /// How far apart it is from the other side of the split that made it:
    /// mean similarity between the sides over mean similarity within them
    /// (lower is farther); absent for a cluster of one event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separation: Option<f64>,
    /// The signals that set it apart, strongest first (at most
    /// `MAX_REPORTED`); empty for a cluster of one event.
    pub signals: Vec<EventSignal>,
}

/// Fewer sources than this are never split.
pub const MIN_SPLIT: usize = 8;
/// Each side of a split needs at least this many sources.
pub const MIN_SIDE: usize = 4;
/// A split is kept when similarity between its sides is at most this share
/// of the similarity within its less coherent side. Measured on ECB+ (see
/// `docs/events.md`): two events of one kind score 0.02–0.45, one event
/// seen from several angles mostly 0.3–1.
pub const MAX_SEPARATION: f64 = 0.45;
/// Below the top level a split must be clearer still.
pub const MAX_DEEP_SEPARATION: f64 = 0.2;
/// Splits go at most this deep.
const MAX_DEPTH: usize = 2;
/// A signal sets a side apart when at least this share of it gives it…
const OWN_SHARE: f64 = 0.5;
/// …and at most this share of the other side.
const OTHER_SHARE: f64 = 0.15;
/// At most this many signals are reported per group.
pub const MAX_REPORTED: usize = 8;

type Key = (SignalKind, String);

/// Splits the sources at `members` (indices into `sources`) into events.
/// Groups come in the order of their first source.
pub fn group_events(
    sources: &[SourceClaims],
    members: &[usize],
    rules: &RuleSet,
) -> Vec<EventGroup> {
    let signals: HashMap<usize, BTreeMap<Key, u32>> = members
        .iter()
        .map(|&i| (i, source_signals(&sources[i], rules)))
        .collect();
    let mut out: Vec<Side> = Vec::new();
    split(
        Side {
            members: members.to_vec(),
            separation: None,
            signals: Vec::new(),
        },
        &signals,
        0,
        &mut out,
    );
    out.sort_by_key(|side| side.members.first().copied());
    out.into_iter()
        .enumerate()
        .map(|(n, side)| EventGroup {
            id: format!("e{}", n + 1),
            sources: side
                .members
                .iter()
                .map(|&i| sources[i].id.clone())
                .collect(),
            separation: side.separation,
            signals: side.signals,
        })
        .collect()
}

/// A source's signals and how often it gives each: dates, the places and
/// people its claims name, and its other capitalised words.
fn source_signals(source: &SourceClaims, rules: &RuleSet) -> BTreeMap<Key, u32> {
    let mut typed: BTreeMap<String, SignalKind> = BTreeMap::new();
    for claim in &source.claims {
        let Some(kind) = rules.kind(&claim.kind) else {
            continue;
        };
        let signal = match kind.value_type {
            ValueType::Place | ValueType::Organisation | ValueType::Code => SignalKind::Place,
            ValueType::Name => SignalKind::Participant,
            ValueType::Day | ValueType::Date => SignalKind::Date,
            _ => continue,
        };
        if claim.value.tokens.is_empty() {
            typed.insert(claim.value.key.clone(), signal);
        }
        for token in claim.value.tokens.iter().filter(|t| t.chars().count() >= 3) {
            typed.insert(token.clone(), signal);
        }
    }
    let mut out: BTreeMap<Key, u32> = BTreeMap::new();
    for (date, &count) in &source.dates {
        *out.entry((SignalKind::Date, date.clone())).or_default() += count;
    }
    for (term, &count) in &source.terms {
        let kind = typed.get(term).copied().unwrap_or(SignalKind::Name);
        *out.entry((kind, term.clone())).or_default() += count;
    }
    for (value, kind) in typed {
        out.entry((kind, value)).or_insert(1);
    }
    out
}

/// A group of sources (indices) and what set it apart.
struct Side {
    members: Vec<usize>,
    separation: Option<f64>,
    signals: Vec<EventSignal>,
}

fn split(
    side: Side,
    signals: &HashMap<usize, BTreeMap<Key, u32>>,
    depth: usize,
    out: &mut Vec<Side>,
) {
    let limit = if depth == 0 {
        MAX_SEPARATION
    } else {
        MAX_DEEP_SEPARATION
    };
    let halves = (depth < MAX_DEPTH && side.members.len() >= MIN_SPLIT)
        .then(|| try_split(&side.members, signals, limit))
        .flatten();
    match halves {
        Some((a, b)) => {
            split(a, signals, depth + 1, out);
            split(b, signals, depth + 1, out);
        }
        None => out.push(side),
    }
}

/// A sparse unit vector: signal index → weight.
type Vector = Vec<(usize, f64)>;

fn dot(a: &Vector, b: &[f64]) -> f64 {
    a.iter().map(|&(i, w)| w * b[i]).sum()
}

fn add(into: &mut [f64], v: &Vector) {
    for &(i, w) in v {
        into[i] += w;
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|w| w * w).sum::<f64>().sqrt()
}

/// Document frequencies, unit TF-IDF vectors and their dimension for some
/// sources' signals; the dimensions are the signals that at least two and
/// not all of them give. `None` when there are none.
#[allow(clippy::type_complexity)]
fn tfidf<'a>(
    sets: &[&'a BTreeMap<Key, u32>],
) -> Option<(BTreeMap<&'a Key, usize>, Vec<Vector>, usize)> {
    let n = sets.len();
    let mut df: BTreeMap<&Key, usize> = BTreeMap::new();
    for set in sets {
        for key in set.keys() {
            *df.entry(key).or_default() += 1;
        }
    }
    let index: BTreeMap<&Key, usize> = df
        .iter()
        .filter(|(_, &c)| c >= 2 && c < n)
        .enumerate()
        .map(|(i, (k, _))| (*k, i))
        .collect();
    if index.is_empty() {
        return None;
    }
    let dims = index.len();
    let vectors: Vec<Vector> = sets
        .iter()
        .map(|set| {
            let mut v: Vector = set
                .iter()
                .filter_map(|(key, &count)| {
                    let &i = index.get(key)?;
                    let tf = 1.0 + f64::from(count.max(1)).ln();
                    Some((i, tf * (n as f64 / df[key] as f64).ln()))
                })
                .collect();
            let length = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            if length > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= length);
            }
            v
        })
        .collect();
    Some((df, vectors, dims))
}

/// Two sides far enough apart to be two events, or `None`.
fn try_split(
    members: &[usize],
    signals: &HashMap<usize, BTreeMap<Key, u32>>,
    limit: f64,
) -> Option<(Side, Side)> {
    let n = members.len();
    let empty = BTreeMap::new();
    let sets: Vec<&BTreeMap<Key, u32>> = members
        .iter()
        .map(|i| signals.get(i).unwrap_or(&empty))
        .collect();
    let (df, vectors, dims) = tfidf(&sets)?;
    // The main axis along which the sources differ: the first principal
    // component, by power iteration from the source least like the mean.
    let mut mean = vec![0.0; dims];
    for v in &vectors {
        add(&mut mean, v);
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let project = |axis: &[f64]| -> Vec<f64> {
        let offset: f64 = mean.iter().zip(axis).map(|(m, a)| m * a).sum();
        vectors.iter().map(|v| dot(v, axis) - offset).collect()
    };
    let start =
        (0..n).min_by(|&x, &y| dot(&vectors[x], &mean).total_cmp(&dot(&vectors[y], &mean)))?;
    let mut axis: Vec<f64> = mean.iter().map(|m| -m).collect();
    add(&mut axis, &vectors[start]);
    for _ in 0..100 {
        let u = project(&axis);
        let total: f64 = u.iter().sum();
        let mut next: Vec<f64> = mean.iter().map(|m| -m * total).collect();
        for (d, v) in vectors.iter().enumerate() {
            for &(i, w) in v {
                next[i] += w * u[d];
            }
        }
        let length = norm(&next);
        if length == 0.0 {
            return None;
        }
        next.iter_mut().for_each(|w| *w /= length);
        axis = next;
    }
    let mut assign: Vec<bool> = project(&axis).iter().map(|p| *p > 0.0).collect();
    let sum_of = |assign: &[bool], side: bool| {
        let mut s = vec![0.0; dims];
        for d in (0..n).filter(|&d| assign[d] == side) {
            add(&mut s, &vectors[d]);
        }
        s
    };
    for _ in 0..10 {
        let (sa, sb) = (sum_of(&assign, false), sum_of(&assign, true));
        let next: Vec<bool> = (0..n)
            .map(|d| {
                dot(&vectors[d], &sb) / norm(&sb).max(1e-12)
                    > dot(&vectors[d], &sa) / norm(&sa).max(1e-12)
            })
            .collect();
        if next == assign {
            break;
        }
        assign = next;
    }
    // The side with the first source comes first.
    if assign.first() == Some(&true) {
        assign.iter_mut().for_each(|a| *a = !*a);
    }
    let side_a: Vec<usize> = (0..n).filter(|&d| !assign[d]).collect();
    let side_b: Vec<usize> = (0..n).filter(|&d| assign[d]).collect();
    if side_a.len() < MIN_SIDE || side_b.len() < MIN_SIDE {
        return None;
    }
    // Mean similarities from the sides' sums, without comparing every pair:
    // the vectors have unit length, so Σ_pairs x·y = (|S|² − |A|) / 2.
    let (sa, sb) = (sum_of(&assign, false), sum_of(&assign, true));
    let within = |s: &[f64], k: usize| {
        let k = k as f64;
        (norm(s).powi(2) - k) / (k * (k - 1.0))
    };
    let coherence = within(&sa, side_a.len()).min(within(&sb, side_b.len()));
    let between =
        sa.iter().zip(&sb).map(|(x, y)| x * y).sum::<f64>() / (side_a.len() * side_b.len()) as f64;
    if coherence <= 0.0 {
        return None;
    }
    let separation = between / coherence;
    // How many sources of a side give each signal: one pass over the side's
    // signals, so that the shares below cost no pass over the side per
    // signal (which grew with the square of the cluster).
    let holders = |docs: &[usize]| {
        let mut count: BTreeMap<&Key, usize> = BTreeMap::new();
        for &d in docs {
            for key in sets[d].keys() {
                *count.entry(key).or_default() += 1;
            }
        }
        count
    };
    let (held_a, held_b) = (holders(&side_a), holders(&side_b));
    let share = |held: &BTreeMap<&Key, usize>, docs: &[usize], key: &Key| {
        held.get(key).copied().unwrap_or(0) as f64 / docs.len() as f64
    };
    // One event seen from two angles still names the same people: a
    // participant most sources of each side name vetoes the split.
    let shared_participant = df.keys().any(|key| {
        key.0 == SignalKind::Participant
            && share(&held_a, &side_a, key) >= OWN_SHARE
            && share(&held_b, &side_b, key) >= OWN_SHARE
    });
    if shared_participant {
        return None;
    }
    if separation > limit {
        return None;
    }
    let separation = Some((separation * 1000.0).round() / 1000.0);
    let own = |(mine, held_mine): (&[usize], &BTreeMap<&Key, usize>),
               (theirs, held_theirs): (&[usize], &BTreeMap<&Key, usize>)|
     -> Vec<EventSignal> {
        let mut out: Vec<EventSignal> = df
            .keys()
            .filter_map(|key| {
                let (m, t) = (share(held_mine, mine, key), share(held_theirs, theirs, key));
                (m >= OWN_SHARE && t <= OTHER_SHARE).then(|| EventSignal {
                    kind: key.0,
                    value: key.1.clone(),
                    share: (m * 100.0).round() / 100.0,
                    other_share: (t * 100.0).round() / 100.0,
                })
            })
            .collect();
        out.sort_by(|x, y| {
            (y.share - y.other_share)
                .total_cmp(&(x.share - x.other_share))
                .then(x.kind.cmp(&y.kind))
                .then(x.value.cmp(&y.value))
        });
        out.truncate(MAX_REPORTED);
        out
    };
    let to_members = |side: &[usize]| side.iter().map(|&d| members[d]).collect::<Vec<_>>();
    let a = Side {
        signals: own((&side_a, &held_a), (&side_b, &held_b)),
        members: to_members(&side_a),
        separation,
    };
    let b = Side {
        signals: own((&side_b, &held_b), (&side_a, &held_a)),
        members: to_members(&side_b),
        separation,
    };
    Some((a, b))
}

//! Events: splits the on-topic sources of a cluster into the events they
//! report, before any value is compared, so that no conflict is ever
//! reported between facts of two events.
//!
//! Each source is described by its signals, with how often it gives each:
//! the years and dates it names, the places, institutions and people its
//! claims name, and its other capitalised words. Signals that every source
//! gives, or only one, say nothing about grouping and are left out; the
//! others are weighted TF-IDF style. Whether the sources hold two events is
//! decided along the main axis on which they differ (the first principal
//! component, found by power iteration, its cut settled by a few rounds of
//! two-means): the split is made only when the two sides are far apart (the
//! mean similarity between them well below the mean similarity within the
//! less coherent side) and do not share a participant: one event seen from
//! two angles still names the same people. The border is then the best of
//! that cut and cuts grown from a few sources far from one another. Every
//! step is linear in the number of sources.
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
/// How many starting points the split search tries besides the main axis.
const SEEDS: usize = 8;
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

/// One way to cut sources in two: `true` puts a source on the second side.
type Cut = Vec<bool>;

/// The sums of the vectors on each side of a cut (first side, second side).
fn side_sums(vectors: &[Vector], dims: usize, cut: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let (mut a, mut b) = (vec![0.0; dims], vec![0.0; dims]);
    for (v, &second) in vectors.iter().zip(cut) {
        add(if second { &mut b } else { &mut a }, v);
    }
    (a, b)
}

/// Two-means from a first cut: each source moves to the side whose centre
/// it is more like, until no source moves (at most ten rounds).
fn settle(vectors: &[Vector], dims: usize, mut cut: Cut) -> Cut {
    for _ in 0..10 {
        let (sa, sb) = side_sums(vectors, dims, &cut);
        let (na, nb) = (norm(&sa).max(1e-12), norm(&sb).max(1e-12));
        let next: Cut = vectors
            .iter()
            .map(|v| dot(v, &sb) / nb > dot(v, &sa) / na)
            .collect();
        if next == cut {
            break;
        }
        cut = next;
    }
    cut
}

/// The cut along the main axis on which the sources differ (the first
/// principal component, by power iteration from the source `start`): which
/// side of the mean each source lies on. `None` when the sources do not
/// differ.
fn main_axis_cut(vectors: &[Vector], mean: &[f64], start: usize) -> Option<Cut> {
    let project = |axis: &[f64]| -> Vec<f64> {
        let offset: f64 = mean.iter().zip(axis).map(|(m, a)| m * a).sum();
        vectors.iter().map(|v| dot(v, axis) - offset).collect()
    };
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
    Some(project(&axis).iter().map(|p| *p > 0.0).collect())
}

/// A few sources far from one another (`SEEDS` at most), each chosen as the
/// one least like those already chosen, beginning with `start`.
fn far_apart(vectors: &[Vector], dims: usize, start: usize) -> Vec<usize> {
    let n = vectors.len();
    let mut seeds = vec![start];
    let mut likeness = vec![f64::NEG_INFINITY; n];
    let mut dense = vec![0.0; dims];
    while seeds.len() < SEEDS.min(n) {
        let last = &vectors[seeds[seeds.len() - 1]];
        add(&mut dense, last);
        for (d, v) in vectors.iter().enumerate() {
            likeness[d] = likeness[d].max(dot(v, &dense));
        }
        last.iter().for_each(|&(i, _)| dense[i] = 0.0);
        let next = (0..n)
            .filter(|d| !seeds.contains(d))
            .min_by(|&x, &y| likeness[x].total_cmp(&likeness[y]));
        match next {
            Some(next) => seeds.push(next),
            None => break,
        }
    }
    seeds
}

/// Two sides far enough apart to be two events, or `None`.
///
/// Whether the sources hold two events is decided on the main axis: its
/// cut, settled by two-means, must be far enough apart and share no
/// participant. Where the border runs is then the best of that cut and the
/// cuts grown from a few sources far from one another (each against the
/// rest, settled the same way): the one whose sides are farthest apart. A
/// wire story copied by several outlets can pull the main axis its way;
/// the other starts find the border the events draw.
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
    let mut mean = vec![0.0; dims];
    for v in &vectors {
        add(&mut mean, v);
    }
    let total = mean.clone();
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let start =
        (0..n).min_by(|&x, &y| dot(&vectors[x], &mean).total_cmp(&dot(&vectors[y], &mean)))?;
    let on_axis = main_axis_cut(&vectors, &mean, start)?;
    let mut cuts: Vec<Cut> = vec![settle(&vectors, dims, on_axis)];
    for seed in far_apart(&vectors, dims, start) {
        let mut own = vec![0.0; dims];
        add(&mut own, &vectors[seed]);
        let rest: Vec<f64> = total.iter().zip(&own).map(|(t, o)| t - o).collect();
        let (n_own, n_rest) = (norm(&own).max(1e-12), norm(&rest).max(1e-12));
        let grown: Cut = vectors
            .iter()
            .map(|v| dot(v, &own) / n_own > dot(v, &rest) / n_rest)
            .collect();
        let grown = settle(&vectors, dims, grown);
        // Starts that settle to the same cut, either way round, are one cut.
        let flipped: Cut = grown.iter().map(|b| !b).collect();
        if !cuts.contains(&grown) && !cuts.contains(&flipped) {
            cuts.push(grown);
        }
    }
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
    let share = |held: &BTreeMap<&Key, usize>, docs: &[usize], key: &Key| {
        held.get(key).copied().unwrap_or(0) as f64 / docs.len() as f64
    };
    let sides = |cut: &[bool]| -> (Vec<usize>, Vec<usize>) {
        // The side with the first source comes first.
        let flip = cut.first() == Some(&true);
        (0..n).partition(|&d| cut[d] == flip)
    };
    // How far apart a cut's sides are (lower is farther), or `None` when a
    // side is too small or the sides share a participant.
    let separation = |cut: &[bool]| -> Option<f64> {
        let (side_a, side_b) = sides(cut);
        if side_a.len() < MIN_SIDE || side_b.len() < MIN_SIDE {
            return None;
        }
        // Mean similarities from the sides' sums, without comparing every
        // pair: the vectors have unit length, so Σ_pairs x·y = (|S|² − |A|) / 2.
        let (mut sa, mut sb) = side_sums(&vectors, dims, cut);
        if cut.first() == Some(&true) {
            std::mem::swap(&mut sa, &mut sb);
        }
        let within = |s: &[f64], k: usize| {
            let k = k as f64;
            (norm(s).powi(2) - k) / (k * (k - 1.0))
        };
        let coherence = within(&sa, side_a.len()).min(within(&sb, side_b.len()));
        if coherence <= 0.0 {
            return None;
        }
        let between = sa.iter().zip(&sb).map(|(x, y)| x * y).sum::<f64>()
            / (side_a.len() * side_b.len()) as f64;
        // One event seen from two angles still names the same people: a
        // participant most sources of each side name vetoes the split.
        let (held_a, held_b) = (holders(&side_a), holders(&side_b));
        let shared_participant = df.keys().any(|key| {
            key.0 == SignalKind::Participant
                && share(&held_a, &side_a, key) >= OWN_SHARE
                && share(&held_b, &side_b, key) >= OWN_SHARE
        });
        (!shared_participant).then_some(between / coherence)
    };
    let measured: Vec<Option<f64>> = cuts.iter().map(|cut| separation(cut)).collect();
    if measured[0].is_none_or(|s| s > limit) {
        return None;
    }
    let (separation, cut) = measured
        .iter()
        .zip(&cuts)
        .filter_map(|(s, cut)| Some(((*s)?, cut)))
        .min_by(|x, y| x.0.total_cmp(&y.0))?;
    let (side_a, side_b) = sides(cut);
    let (held_a, held_b) = (holders(&side_a), holders(&side_b));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a signals file (see `testdata/`): the source ids in order and
    /// each one's signals, by index.
    fn read_signals(text: &str) -> (Vec<String>, HashMap<usize, BTreeMap<Key, u32>>) {
        let mut ids = Vec::new();
        let mut signals = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (id, rest) = line.split_once('\t').expect("id and signals");
            let mut set = BTreeMap::new();
            for signal in rest.split(' ') {
                let (kind, value_count) = signal.split_once(':').expect("kind");
                let (value, count) = value_count.rsplit_once(':').expect("count");
                let kind = match kind {
                    "D" => SignalKind::Date,
                    "P" => SignalKind::Place,
                    "W" => SignalKind::Participant,
                    _ => SignalKind::Name,
                };
                set.insert((kind, value.to_string()), count.parse().expect("count"));
            }
            signals.insert(ids.len(), set);
            ids.push(id.to_string());
        }
        (ids, signals)
    }

    #[test]
    fn a_source_whose_background_names_the_other_event_stays_with_its_own() {
        // 37_2ecbplus reports the Aceh quake of 2013 and recalls Papua and
        // Maluku in its background: the main axis alone put it with Papua.
        let (ids, signals) = read_signals(include_str!("testdata/ecbplus-topic-37.signals"));
        let members: Vec<usize> = (0..ids.len()).collect();
        let (a, b) = try_split(&members, &signals, MAX_SEPARATION).expect("two events");
        for side in [&a, &b] {
            let events: std::collections::BTreeSet<bool> = side
                .members
                .iter()
                .map(|&i| ids[i].ends_with("ecbplus"))
                .collect();
            let names: Vec<&String> = side.members.iter().map(|&i| &ids[i]).collect();
            assert_eq!(events.len(), 1, "a side mixes the two events: {names:?}");
        }
        assert_eq!(a.members.len() + b.members.len(), ids.len());
    }
}

//! claimdiff reads a cluster of news articles about one event and tells a
//! fact-checker where the sources agree and where they conflict.
//!
//! The crate is laid out as its pipeline, one module per stage, with data
//! flowing one way:
//!
//! ```text
//! load → clean → extract → normalize → compare → report
//! Source   Document  Claim    Value      Finding    table/json/…
//! ```
//!
//! [`rules`] holds the data that drives the stages (claim kinds, boilerplate,
//! the language lexicon); [`app`] wires the stages into the commands that
//! `main.rs` calls; [`diag`] is the one way every stage reports a problem;
//! [`expect`] compares a report with a curated expectations file.

pub mod app;
pub mod batch;
pub mod clean;
pub mod compare;
pub mod diag;
pub mod expect;
pub mod extract;
pub mod load;
pub mod normalize;
pub mod progress;
pub mod report;
pub mod rules;
pub mod run;

pub use diag::{Diagnostic, Severity};

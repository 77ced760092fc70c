//! Load: turns a cluster path into sources with their text.
//!
//! A cluster is a directory of `.txt`/`.md` files (read in name order, a
//! source's id is its file stem), or a directory with a `cluster.yaml`
//! manifest that lists the sources and their metadata. Every file that cannot
//! be used (binary, empty, too big, unreadable, a broken link, outside the
//! cluster folder) becomes a [`Diagnostic`] naming its path, and the other
//! sources are still loaded. Text in UTF-16 or a legacy encoding is decoded
//! ([`decode`]) with a warning; from here on every offset is into the decoded
//! UTF-8 text. The next stage is `clean`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{locate, Diagnostic};

/// The default size limit for one source file: far beyond any article.
pub const DEFAULT_MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// The name of the manifest file inside a cluster directory.
pub const MANIFEST: &str = "cluster.yaml";

/// Metadata about a source: what a manifest may give, and the encoding its
/// file was read in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// The encoding the file was decoded from ("UTF-8", "UTF-16LE",
    /// "windows-1252"); empty for text that never was a file. Set by the
    /// loader, never by a manifest (a manifest that names it is rejected as
    /// an unknown field); reports write it as `encoding`.
    #[serde(skip)]
    pub encoding: String,
    /// The publication, e.g. "The Guardian".
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub outlet: Option<String>,
    /// Where the article was published.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub url: Option<String>,
    /// When it was published, as the manifest writes it (`2016-08-18`, `2016`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub published: Option<String>,
}

/// Reads a metadata value written as any YAML scalar (`published: 2016` is
/// as good as `published: "2016"`); lists and maps are errors.
fn scalar<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Option::<serde_yaml::Value>::deserialize(d)? {
        None | Some(serde_yaml::Value::Null) => Ok(None),
        Some(serde_yaml::Value::String(s)) => Ok(Some(s)),
        Some(serde_yaml::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(serde_yaml::Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err(D::Error::custom(
            "expected a single value (text, number or date), not a list or map",
        )),
    }
}

/// One article: its id, where it came from, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The source id: the file stem, or the manifest's `id`.
    pub id: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// The text, exactly as read (UTF-8).
    pub text: String,
    /// Manifest metadata.
    pub meta: SourceMeta,
}

/// A set of sources about one story, and the problems met loading it.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// The cluster's name: the manifest's `cluster`, or the directory name.
    pub name: String,
    /// The path the user gave.
    pub path: PathBuf,
    /// The sources that were read, in order.
    pub sources: Vec<Source>,
    /// What could not be read, and why.
    pub diagnostics: Vec<Diagnostic>,
}

/// Options for loading.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Files larger than this are skipped with an error.
    pub max_source_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_source_bytes: DEFAULT_MAX_SOURCE_BYTES,
        }
    }
}

impl SourceMeta {
    /// The encoding to report: the one the file was read in, or UTF-8 for
    /// text that was never a file.
    pub fn encoding_name(&self) -> &str {
        if self.encoding.is_empty() {
            "UTF-8"
        } else {
            &self.encoding
        }
    }
}

/// A parsed `cluster.yaml`: the sources it lists, not yet checked against
/// the file system.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The cluster's name, when given.
    #[serde(default)]
    pub cluster: Option<String>,
    /// The listed sources, in order.
    pub sources: Vec<ManifestSource>,
}

/// One entry of a manifest's `sources`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSource {
    /// The file, relative to the manifest's folder.
    pub path: String,
    /// The source id, when given (default: the file stem).
    #[serde(default)]
    pub id: Option<String>,
    /// Outlet, url, published.
    #[serde(flatten)]
    pub meta: SourceMeta,
}

/// Parses a manifest's text; `path` is only used in the error, which points
/// at the line and column of the problem. The paths it lists are not checked
/// here (see [`leaves_folder`]).
pub fn parse_manifest(text: &str, path: &Path) -> Result<Manifest, Diagnostic> {
    serde_yaml::from_str(text).map_err(|e| {
        let pos = e.location().map(|l| (l.line(), l.column()));
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        Diagnostic::error(path, format!("bad manifest: {message}"))
            .at(pos)
            .hint("a manifest has `sources:`, a list of entries with `path` and optional `id`, `outlet`, `url`, `published`")
    })
}

/// True when a manifest path would leave the manifest's folder: absolute, or
/// with a `..` (or a root or drive prefix) anywhere in it. Symbolic links are
/// checked separately, once the file is known to exist.
pub fn leaves_folder(path: &str) -> bool {
    let rel = Path::new(path);
    // A backslash is a separator on Windows; refuse `..\` everywhere, so a
    // manifest means the same on every system.
    rel.is_absolute()
        || path.split(['/', '\\']).any(|part| part == "..")
        || rel.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
}

/// Loads one cluster. Returns `Err` only when nothing can be loaded at all
/// (the path is missing, or the manifest is unusable); per-file problems go
/// into [`Cluster::diagnostics`].
pub fn load_cluster(path: &Path, options: LoadOptions) -> Result<Cluster, Diagnostic> {
    let meta = fs::metadata(path).map_err(|e| {
        Diagnostic::error(path, format!("cannot read cluster: {}", io_reason(&e)))
            .hint("give a directory of .txt/.md articles or one with a cluster.yaml")
    })?;
    if !meta.is_dir() {
        return Err(Diagnostic::error(path, "a cluster must be a directory")
            .hint("put the articles of one story in a directory and give its path"));
    }
    let dir_name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| path.display().to_string());
    let mut cluster = Cluster {
        name: dir_name,
        path: path.to_path_buf(),
        ..Cluster::default()
    };
    let manifest = path.join(MANIFEST);
    let has_manifest = manifest.is_file();
    if has_manifest {
        load_manifest(&manifest, path, options, &mut cluster)?;
    } else {
        load_directory(path, options, &mut cluster)?;
    }
    if cluster.sources.is_empty() {
        if cluster.diagnostics.is_empty() {
            return Err(if has_manifest {
                Diagnostic::error(&manifest, "no sources: the manifest lists none")
                    .hint("list the articles under `sources:`, each with a `path`")
            } else {
                Diagnostic::error(path, "no sources: the directory has no .txt or .md files")
                    .hint("add the articles as .txt or .md files, or a cluster.yaml listing them")
            });
        }
        // Files were there but none could be used: keep their messages, and say so.
        cluster.diagnostics.push(
            Diagnostic::error(path, "no usable sources: every file was skipped")
                .hint("see the messages above for each file"),
        );
    } else if cluster.sources.len() == 1 {
        // Not an error: the one source is still read and its claims listed.
        cluster.diagnostics.push(
            Diagnostic::warning(
                path,
                "only one source: there is nothing to compare it with, so every finding is `single`",
            )
            .hint("add the other articles about the same event to the cluster"),
        );
    }
    Ok(cluster)
}

fn load_directory(
    dir: &Path,
    options: LoadOptions,
    cluster: &mut Cluster,
) -> Result<(), Diagnostic> {
    let entries = fs::read_dir(dir)
        .map_err(|e| Diagnostic::error(dir, format!("cannot list directory: {}", io_reason(&e))))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"))
        })
        .collect();
    paths.sort();
    let root = dir
        .canonicalize()
        .map_err(|e| Diagnostic::error(dir, io_reason(&e)))?;
    let mut ids = BTreeSet::new();
    for path in paths {
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !ids.insert(id.clone()) {
            cluster.diagnostics.push(
                Diagnostic::error(
                    &path,
                    format!("source id '{id}' is used by another file; skipped"),
                )
                .hint("rename one of the files (a source's id is its file stem)"),
            );
            continue;
        }
        // A link to a file elsewhere (`a.txt -> ~/.ssh/id_rsa`) would copy
        // that file's text into a report that may be published.
        if let Ok(real) = path.canonicalize() {
            if !real.starts_with(&root) {
                cluster.diagnostics.push(
                    Diagnostic::error(
                        &path,
                        "symbolic link to a file outside the cluster folder; skipped",
                    )
                    .hint("copy the file into the cluster folder instead of linking to it"),
                );
                continue;
            }
        }
        add_source(cluster, id, path, SourceMeta::default(), options);
    }
    Ok(())
}

/// Reads one source into the cluster, or records why it was skipped; a
/// legacy or UTF-16 encoding is named in a warning.
fn add_source(
    cluster: &mut Cluster,
    id: String,
    path: PathBuf,
    meta: SourceMeta,
    options: LoadOptions,
) {
    match read_source(&path, options) {
        Ok(decoded) => {
            cluster.diagnostics.extend(decoded.warning(&path));
            cluster.sources.push(Source {
                id,
                text: decoded.text,
                meta: SourceMeta {
                    encoding: decoded.encoding.to_string(),
                    ..meta
                },
                path,
            });
        }
        Err(d) => cluster.diagnostics.push(d.at(None)),
    }
}

fn load_manifest(
    manifest: &Path,
    dir: &Path,
    options: LoadOptions,
    cluster: &mut Cluster,
) -> Result<(), Diagnostic> {
    let decoded = read_source(manifest, options)?;
    cluster.diagnostics.extend(decoded.warning(manifest));
    let text = decoded.text;
    let parsed = parse_manifest(&text, manifest)?;
    if let Some(name) = parsed.cluster {
        cluster.name = name;
    }
    let root = dir
        .canonicalize()
        .map_err(|e| Diagnostic::error(dir, io_reason(&e)))?;
    let mut ids = BTreeSet::new();
    let mut search_from = 0;
    for entry in parsed.sources {
        let pos = locate(&text, &entry.path, search_from);
        if let Some(off) = text.get(search_from..).and_then(|r| r.find(&entry.path)) {
            search_from += off + entry.path.len();
        }
        let rel = Path::new(&entry.path);
        if leaves_folder(&entry.path) {
            cluster.diagnostics.push(
                Diagnostic::error(
                    manifest,
                    format!(
                        "source path '{}' leaves the cluster folder; skipped",
                        entry.path
                    ),
                )
                .at(pos)
                .hint("list files inside the folder that holds cluster.yaml, with relative paths"),
            );
            continue;
        }
        let path = dir.join(rel);
        // A symlink inside the folder may still point outside it.
        if let Ok(real) = path.canonicalize() {
            if !real.starts_with(&root) {
                cluster.diagnostics.push(
                    Diagnostic::error(
                        manifest,
                        format!(
                            "source path '{}' resolves outside the cluster folder; skipped",
                            entry.path
                        ),
                    )
                    .at(pos)
                    .hint("copy the file into the cluster folder instead of linking to it"),
                );
                continue;
            }
        }
        let id = entry.id.clone().unwrap_or_else(|| {
            rel.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| entry.path.clone())
        });
        if !ids.insert(id.clone()) {
            cluster.diagnostics.push(
                Diagnostic::error(manifest, format!("duplicate source id '{id}'; skipped"))
                    .at(pos)
                    .hint("give each source its own `id`"),
            );
            continue;
        }
        add_source(cluster, id, path, entry.meta, options);
    }
    Ok(())
}

/// One line of `claimdiff batch` input: a cluster with its sources' texts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonCluster {
    cluster: String,
    sources: Vec<JsonSource>,
}

/// One source of a [`JsonCluster`]: its id, text and metadata.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSource {
    id: String,
    text: String,
    #[serde(default, deserialize_with = "scalar")]
    outlet: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    url: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    published: Option<String>,
}

/// What a bad line of `batch` input is: the cluster id when it could be
/// read, and the problem, placed at the line (and column, for JSON errors)
/// of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line's `cluster`, when it is there and a string.
    pub cluster: Option<String>,
    /// What is wrong, with the input's name as its path and the line.
    pub diagnostic: Diagnostic,
}

/// Reads one line of `claimdiff batch` input, a JSON object
/// `{"cluster": ID, "sources": [{"id", "text", "outlet"?, "url"?,
/// "published"?}]}`, into a cluster. `input` names the input (a file or
/// `<stdin>`) and `line` is the 1-based line number, for the error. The
/// cluster's path is its id, and each source's path its id: the texts were
/// never files. A line with no sources, a source with an empty or blank
/// text, a text with NUL characters or over `max_source_bytes`, an empty or
/// repeated id is refused whole; a cluster of one source is read, with a
/// warning.
pub fn parse_cluster_line(
    bytes: &[u8],
    input: &Path,
    line: usize,
    options: LoadOptions,
) -> Result<Cluster, LineError> {
    let at = |cluster: Option<String>, message: String, hint: &str| {
        let mut diagnostic = Diagnostic::error(input, message).hint(hint);
        diagnostic.line = Some(line);
        LineError {
            cluster,
            diagnostic,
        }
    };
    let parsed: JsonCluster = serde_json::from_slice(bytes).map_err(|e| {
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        let what = if e.is_syntax() || e.is_eof() {
            "invalid JSON"
        } else {
            "not a cluster"
        };
        let mut error = at(
            cluster_id(bytes),
            format!("{what}: {message}"),
            "each line is one JSON object: {\"cluster\": \"id\", \"sources\": [{\"id\": \"a\", \"text\": \"...\"}]}, with optional outlet, url and published per source",
        );
        // serde_json counts columns in bytes; ours are characters.
        let column = e.column().saturating_sub(1);
        error.diagnostic.column = (e.column() > 0).then(|| {
            String::from_utf8_lossy(bytes.get(..column).unwrap_or(bytes))
                .chars()
                .count()
                + 1
        });
        error
    })?;
    let id = parsed.cluster;
    if id.trim().is_empty() {
        return Err(at(
            Some(id),
            "the cluster id is empty".into(),
            "give each line a `cluster` id",
        ));
    }
    if parsed.sources.is_empty() {
        return Err(at(
            Some(id),
            "no sources: `sources` is empty".into(),
            "list the articles of the cluster under `sources`, each with `id` and `text`",
        ));
    }
    let mut ids = BTreeSet::new();
    let mut sources = Vec::with_capacity(parsed.sources.len());
    for (i, source) in parsed.sources.into_iter().enumerate() {
        let name = format!("sources[{i}] ('{}')", source.id);
        let problem = if source.id.trim().is_empty() {
            Some((
                format!("sources[{i}] has an empty id"),
                "give each source an `id`",
            ))
        } else if !ids.insert(source.id.clone()) {
            Some((
                format!("{name}: duplicate source id"),
                "give each source its own `id`",
            ))
        } else if source.text.len() as u64 > options.max_source_bytes {
            Some((
                format!(
                    "{name}: text is {} bytes, over the limit of {} bytes",
                    source.text.len(),
                    options.max_source_bytes
                ),
                "raise --max-source-bytes if the text really is one article",
            ))
        } else if source.text.trim().is_empty() {
            Some((
                format!("{name}: the text is empty"),
                "give each source the article's text",
            ))
        } else if source.text.contains('\0') {
            Some((
                format!("{name}: the text contains NUL characters"),
                "give the article as plain text",
            ))
        } else {
            None
        };
        if let Some((message, hint)) = problem {
            return Err(at(Some(id), format!("{message}; line skipped"), hint));
        }
        sources.push(Source {
            path: PathBuf::from(&source.id),
            id: source.id,
            text: source.text,
            meta: SourceMeta {
                encoding: String::new(),
                outlet: source.outlet,
                url: source.url,
                published: source.published,
            },
        });
    }
    let mut cluster = Cluster {
        name: id.clone(),
        path: PathBuf::from(&id),
        sources,
        diagnostics: Vec::new(),
    };
    if cluster.sources.len() == 1 {
        cluster.diagnostics.push(
            Diagnostic::warning(
                &id,
                "only one source: there is nothing to compare it with, so every finding is `single`",
            )
            .hint("add the other articles about the same event to the cluster"),
        );
    }
    Ok(cluster)
}

/// The `cluster` of a line that is not a whole cluster, when it is there
/// and a string: what an error line names.
fn cluster_id(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        cluster: Option<serde_json::Value>,
    }
    serde_json::from_slice::<IdOnly>(bytes)
        .ok()
        .and_then(|i| i.cluster)
        .and_then(|c| c.as_str().map(str::to_string))
}

/// How a file's bytes were told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodedBy {
    /// Valid UTF-8 without a byte-order mark: the usual case, nothing to say.
    Utf8,
    /// A byte-order mark named the encoding (UTF-8, UTF-16LE, UTF-16BE).
    ByteOrderMark,
    /// Not UTF-8; the encoding was guessed from the bytes.
    Detected,
}

/// Text decoded from a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, in UTF-8, without a byte-order mark; offsets in reports
    /// are bytes of this text.
    pub text: String,
    /// The encoding's name as the WHATWG Encoding Standard spells it
    /// ("UTF-8", "UTF-16LE", "UTF-16BE", "windows-1252"…).
    pub encoding: &'static str,
    /// How the encoding was known.
    pub by: DecodedBy,
}

impl Decoded {
    /// The warning a reader should see for this file, if any: UTF-16 and
    /// guessed legacy encodings are named, so a wrong guess can be caught.
    pub fn warning(&self, path: &Path) -> Option<Diagnostic> {
        match (self.by, self.encoding) {
            (DecodedBy::Utf8, _) | (DecodedBy::ByteOrderMark, "UTF-8") => None,
            (DecodedBy::ByteOrderMark, enc) => Some(Diagnostic::warning(
                path,
                format!("read as {enc} (its byte-order mark says so)"),
            )),
            (DecodedBy::Detected, enc) => Some(
                Diagnostic::warning(path, format!("not UTF-8; read as {enc} (detected)"))
                    .hint("if the text looks wrong, convert the file to UTF-8, e.g. `iconv -f ENCODING -t utf-8`"),
            ),
        }
    }
}

/// Why bytes are not an article's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// No bytes, or only white space once decoded.
    Empty,
    /// A binary file; says what kind ("a PDF document", "contains NUL bytes").
    Binary(&'static str),
    /// A byte-order mark names an encoding that the bytes do not follow.
    Malformed {
        /// The encoding the byte-order mark names.
        encoding: &'static str,
        /// The byte offset (in the file) of the first bad byte, when known.
        offset: Option<usize>,
    },
}

/// File signatures of formats that are not text, with what to call them.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (
        b"PK\x03\x04",
        "a ZIP archive, or a Word or OpenDocument file",
    ),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an old Microsoft Office document",
    ),
    (b"\x7fELF", "an executable"),
];

/// Decodes a file's bytes into text: UTF-8 (with or without a byte-order
/// mark), UTF-16 with a byte-order mark, or a legacy encoding guessed by
/// `chardetng` (windows-1252 for Latin-1 text). Binary files (a known file
/// signature, or a NUL byte in text without a UTF-16 byte-order mark) and
/// empty files are refused. Never panics, whatever the bytes.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let decoded = if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        let text = encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(|| DecodeError::Malformed {
                encoding: encoding.name(),
                offset: (encoding == encoding_rs::UTF_8)
                    .then(|| std::str::from_utf8(body).err())
                    .flatten()
                    .map(|e| bom_len + e.valid_up_to()),
            })?;
        Decoded {
            text: text.into_owned(),
            encoding: encoding.name(),
            by: DecodedBy::ByteOrderMark,
        }
    } else {
        if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
            return Err(DecodeError::Binary(kind));
        }
        if bytes.contains(&0) {
            return Err(DecodeError::Binary("contains NUL bytes"));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Decoded {
                text: text.to_string(),
                encoding: encoding_rs::UTF_8.name(),
                by: DecodedBy::Utf8,
            },
            Err(_) => {
                let mut detector = chardetng::EncodingDetector::new();
                detector.feed(bytes, true);
                let guess = detector.guess(None, false);
                // A guess whose bytes do not decode cleanly falls back to
                // windows-1252, which gives every byte a character: a file
                // is never refused for its encoding, nor is a byte replaced.
                match guess.decode_without_bom_handling_and_without_replacement(bytes) {
                    Some(text) => Decoded {
                        text: text.into_owned(),
                        encoding: guess.name(),
                        by: DecodedBy::Detected,
                    },
                    None => Decoded {
                        text: encoding_rs::WINDOWS_1252
                            .decode_without_bom_handling(bytes)
                            .0
                            .into_owned(),
                        encoding: encoding_rs::WINDOWS_1252.name(),
                        by: DecodedBy::Detected,
                    },
                }
            }
        }
    };
    // UTF-16 text may decode to NUL characters: still not an article.
    if decoded.text.contains('\0') {
        return Err(DecodeError::Binary("contains NUL characters"));
    }
    if decoded.text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(decoded)
}

/// Reads one file as source text, or says why it cannot be used. The file
/// is read no further than the size limit, even if it grows meanwhile.
pub fn read_source(path: &Path, options: LoadOptions) -> Result<Decoded, Diagnostic> {
    let skipped = |what: String| Diagnostic::error(path, format!("{what}; skipped"));
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            return Err(match (is_link, e.kind()) {
                (true, std::io::ErrorKind::NotFound) => {
                    skipped("broken symbolic link (its target does not exist)".into())
                        .hint("fix or remove the link")
                }
                (true, _) => skipped(format!(
                    "symbolic link cannot be followed ({})",
                    io_reason(&e)
                ))
                .hint("a link that points to itself, directly or through others, is a loop: fix or remove it"),
                (false, _) => skipped(format!("cannot read: {}", io_reason(&e))),
            });
        }
    };
    if !meta.is_file() {
        return Err(skipped("not a regular file".into()));
    }
    let too_big = |size: u64| {
        skipped(format!(
            "file is {size} bytes, over the limit of {} bytes",
            options.max_source_bytes
        ))
        .hint("raise --max-source-bytes if the file really is one article")
    };
    if meta.len() > options.max_source_bytes {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|file| {
            use std::io::Read;
            file.take(options.max_source_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
        })
        .map_err(|e| skipped(format!("cannot read: {}", io_reason(&e))))?;
    if bytes.len() as u64 > options.max_source_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    decode(&bytes).map_err(|e| match e {
        DecodeError::Empty if bytes.is_empty() => skipped("file is empty".into()),
        DecodeError::Empty => skipped("file holds only white space".into()),
        // UTF-16 without a byte-order mark is full of NUL bytes: say how to fix it.
        DecodeError::Binary(kind @ "contains NUL bytes") => skipped(format!("binary file ({kind})"))
            .hint("give the article as plain text; UTF-16 text needs a byte-order mark"),
        DecodeError::Binary(kind) => {
            skipped(format!("binary file ({kind})")).hint("give the article as plain text")
        }
        DecodeError::Malformed {
            encoding,
            offset: Some(offset),
        } => skipped(format!(
            "not valid {encoding}, though its byte-order mark says so (first bad byte at offset {offset})"
        ))
        .hint("convert the file to UTF-8, or remove the byte-order mark"),
        DecodeError::Malformed {
            encoding,
            offset: None,
        } => skipped(format!(
            "not valid {encoding}, though its byte-order mark says so (an odd number of bytes, or a broken surrogate pair)"
        ))
        .hint("convert the file to UTF-8, or remove the byte-order mark"),
    })
}

/// The OS error without the "(os error N)" tail, lower-cased like our messages.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_lowercase()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    #[test]
    fn directory_sources_are_sorted_and_bad_files_skipped() {
        let dir = temp();
        fs::write(dir.path().join("b.txt"), "Second.").expect("write");
        fs::write(dir.path().join("a.md"), "First.").expect("write");
        fs::write(dir.path().join("c.txt"), b"caf\xe9").expect("write");
        fs::write(dir.path().join("d.txt"), b"\x00\x01").expect("write");
        fs::write(dir.path().join("notes.json"), "{}").expect("write");
        let cluster = load_cluster(dir.path(), LoadOptions::default()).expect("loads");
        let ids: Vec<_> = cluster.sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(cluster.sources[2].text, "café");
        assert_eq!(cluster.sources[2].meta.encoding, "windows-1252");
        assert_eq!(cluster.diagnostics.len(), 2);
        assert!(!cluster.diagnostics[0].is_error());
        assert!(cluster.diagnostics[0]
            .message
            .contains("read as windows-1252"));
        assert!(cluster.diagnostics[1].message.contains("binary"));
    }

    #[test]
    fn decode_reads_boms_and_legacy_text_and_refuses_binary() {
        let ok = |bytes: &[u8]| decode(bytes).expect("decodes");
        let utf8 = ok(b"\xEF\xBB\xBFOmran.");
        assert_eq!((utf8.text.as_str(), utf8.encoding), ("Omran.", "UTF-8"));
        assert_eq!(utf8.by, DecodedBy::ByteOrderMark);
        let le = ok(b"\xFF\xFEO\x00k\x00");
        assert_eq!((le.text.as_str(), le.encoding), ("Ok", "UTF-16LE"));
        let be = ok(b"\xFE\xFF\x00O\x00k");
        assert_eq!((be.text.as_str(), be.encoding), ("Ok", "UTF-16BE"));
        let legacy = ok(b"\x93Caf\xe9\x94 in Aleppo, said the caf\xe9 owner.");
        assert_eq!(legacy.text, "“Café” in Aleppo, said the café owner.");
        assert_eq!(legacy.encoding, "windows-1252");
        assert_eq!(legacy.by, DecodedBy::Detected);
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b" \r\n\t"), Err(DecodeError::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBF"), Err(DecodeError::Empty));
        assert_eq!(
            decode(b"%PDF-1.7\n"),
            Err(DecodeError::Binary("a PDF document"))
        );
        assert_eq!(
            decode(b"a\x00b"),
            Err(DecodeError::Binary("contains NUL bytes"))
        );
        // A NUL character in UTF-16 is still binary.
        assert_eq!(
            decode(b"\xFF\xFEa\x00\x00\x00"),
            Err(DecodeError::Binary("contains NUL characters"))
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFab\xFF"),
            Err(DecodeError::Malformed {
                encoding: "UTF-8",
                offset: Some(5)
            })
        );
        assert_eq!(
            decode(b"\xFF\xFEa\x00b"),
            Err(DecodeError::Malformed {
                encoding: "UTF-16LE",
                offset: None
            })
        );
    }

    #[test]
    fn leaves_folder_catches_every_way_out() {
        for path in [
            "../a.txt",
            "/etc/passwd",
            "a/../../b",
            "..\\a.txt",
            "a\\..\\..\\b",
            "..",
        ] {
            assert!(leaves_folder(path), "{path}");
        }
        for path in [
            "a.txt",
            "sub/a.txt",
            "./a.txt",
            "a..b.txt",
            "...",
            "sub/..a",
        ] {
            assert!(!leaves_folder(path), "{path}");
        }
    }

    #[test]
    fn manifest_rejects_paths_outside_and_duplicates() {
        let dir = temp();
        fs::write(dir.path().join("a.txt"), "Text.").expect("write");
        fs::write(
            dir.path().join(MANIFEST),
                        "cluster: demo\nsources:\n  - path: a.txt\n    outlet: Example\n    published: 2016\n  - path: ../etc/passwd\n  - path: a.txt\n",
        )
        .expect("write");
        let cluster = load_cluster(dir.path(), LoadOptions::default()).expect("loads");
        assert_eq!(cluster.name, "demo");
        assert_eq!(cluster.sources.len(), 1);
        assert_eq!(cluster.sources[0].meta.outlet.as_deref(), Some("Example"));
        assert_eq!(cluster.sources[0].meta.published.as_deref(), Some("2016"));
        let first = cluster.diagnostics[0].to_string();
        assert!(
            first.contains("cluster.yaml:6:11") && first.contains("leaves the cluster folder"),
            "{first}"
        );
        assert!(cluster.diagnostics[1]
            .message
            .contains("duplicate source id 'a'"));
    }

    #[test]
    fn manifest_unknown_field_has_position() {
        let dir = temp();
        fs::write(
            dir.path().join(MANIFEST),
            "sources:\n  - path: a.txt\n    author: x\n",
        )
        .expect("write");
        let err = load_cluster(dir.path(), LoadOptions::default()).expect_err("fails");
        let text = err.to_string();
        // The parser places an unknown field at the entry that holds it.
        assert!(
            text.contains("cluster.yaml:2:5: bad manifest: sources[0]: unknown field `author`"),
            "{text}"
        );
    }

    #[test]
    fn missing_and_empty_directories_are_errors() {
        let dir = temp();
        let missing =
            load_cluster(&dir.path().join("nope"), LoadOptions::default()).expect_err("missing");
        assert!(missing.message.contains("no such file or directory"));
        let empty = load_cluster(dir.path(), LoadOptions::default()).expect_err("empty");
        assert!(empty.message.contains("no sources"));
    }

    #[test]
    fn size_limit_and_bom() {
        let dir = temp();
        fs::write(dir.path().join("a.txt"), b"\xEF\xBB\xBFHello.").expect("write");
        fs::write(dir.path().join("b.txt"), "x".repeat(100)).expect("write");
        let cluster = load_cluster(
            dir.path(),
            LoadOptions {
                max_source_bytes: 50,
            },
        )
        .expect("loads");
        assert_eq!(cluster.sources[0].text, "Hello.");
        assert!(cluster.diagnostics[0].message.contains("over the limit"));
    }

    fn line(text: &str) -> Result<Cluster, LineError> {
        parse_cluster_line(
            text.as_bytes(),
            Path::new("in.jsonl"),
            7,
            LoadOptions::default(),
        )
    }

    #[test]
    fn a_cluster_line_reads_its_sources_and_metadata() {
        let cluster = line(
            r#"{"cluster": "c1", "sources": [{"id": "a", "text": "One.", "outlet": "X", "published": 2016}, {"id": "b", "text": "Two."}]}"#,
        )
        .expect("reads");
        assert_eq!(
            (cluster.name.as_str(), cluster.path.as_path()),
            ("c1", Path::new("c1"))
        );
        let ids: Vec<&str> = cluster.sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(cluster.sources[0].meta.outlet.as_deref(), Some("X"));
        assert_eq!(cluster.sources[0].meta.published.as_deref(), Some("2016"));
        assert_eq!(cluster.sources[0].meta.encoding_name(), "UTF-8");
        assert!(cluster.diagnostics.is_empty());
        let solo =
            line(r#"{"cluster": "s", "sources": [{"id": "a", "text": "One."}]}"#).expect("reads");
        assert!(solo.diagnostics[0].message.contains("only one source"));
    }

    #[test]
    fn a_bad_cluster_line_says_where_and_what() {
        let err = |text: &str| line(text).expect_err("refused");
        let bad = err(
            r#"{"cluster": "c", "sources": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}"#,
        );
        assert_eq!(bad.cluster.as_deref(), Some("c"));
        assert!(
            bad.diagnostic.to_string().starts_with(
                "error: in.jsonl:7: sources[1] ('a'): duplicate source id; line skipped"
            ),
            "{}",
            bad.diagnostic
        );
        let syntax = err(r#"{"cluster": "c", "sources": [}"#);
        assert_eq!(syntax.cluster, None);
        assert!(
            syntax.diagnostic.message.starts_with("invalid JSON"),
            "{}",
            syntax.diagnostic
        );
        assert_eq!(syntax.diagnostic.column, Some(30));
        let missing = err(r#"{"cluster": "c", "sources": [{"id": "a"}]}"#);
        assert_eq!(missing.cluster.as_deref(), Some("c"));
        assert!(
            missing.diagnostic.message.contains("missing field `text`"),
            "{}",
            missing.diagnostic
        );
        for (text, says) in [
            (r#"{"cluster": "c", "sources": []}"#, "no sources"),
            (
                r#"{"cluster": "c", "sources": [{"id": "a", "text": " \n"}]}"#,
                "the text is empty",
            ),
            (
                r#"{"cluster": "c", "sources": [{"id": "a", "text": "a\u0000"}]}"#,
                "NUL",
            ),
            (
                r#"{"cluster": "c", "sources": [{"id": "", "text": "a"}]}"#,
                "empty id",
            ),
            (
                r#"{"cluster": "", "sources": [{"id": "a", "text": "a"}]}"#,
                "cluster id is empty",
            ),
            (
                r#"{"cluster": "c", "sources": [{"id": "a", "text": "a", "title": "t"}]}"#,
                "unknown field `title`",
            ),
            (r#"[1, 2]"#, "not a cluster"),
        ] {
            let e = err(text);
            assert!(
                e.diagnostic.message.contains(says),
                "{text}: {}",
                e.diagnostic
            );
        }
        let big = parse_cluster_line(
            br#"{"cluster": "c", "sources": [{"id": "a", "text": "abcdef"}]}"#,
            Path::new("-"),
            1,
            LoadOptions {
                max_source_bytes: 5,
            },
        )
        .expect_err("too big");
        assert!(big.diagnostic.message.contains("over the limit of 5 bytes"));
    }
}

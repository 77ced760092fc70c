//! Load: turns a cluster path into sources with their text.
//!
//! A cluster is a directory of `.txt`/`.md` files (read in name order, a
//! source's id is its file stem), or a directory with a `cluster.yaml`
//! manifest that lists the sources and their metadata. Every file that cannot
//! be used (not UTF-8, binary, empty, too big, unreadable, outside the
//! cluster folder) becomes a [`Diagnostic`] naming its path, and the other
//! sources are still loaded. The next stage is `clean`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{locate, Diagnostic};

/// The default size limit for one source file: far beyond any article.
pub const DEFAULT_MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// The name of the manifest file inside a cluster directory.
pub const MANIFEST: &str = "cluster.yaml";

/// Metadata a manifest may give for a source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    cluster: Option<String>,
    sources: Vec<ManifestSource>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestSource {
    path: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(flatten)]
    meta: SourceMeta,
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
    if manifest.is_file() {
        load_manifest(&manifest, path, options, &mut cluster)?;
    } else {
        load_directory(path, options, &mut cluster)?;
    }
    if cluster.sources.is_empty() {
        if cluster.diagnostics.is_empty() {
            return Err(Diagnostic::error(
                path,
                "no sources: the directory has no .txt or .md files",
            )
            .hint("add the articles as .txt or .md files, or a cluster.yaml listing them"));
        }
        // Files were there but none could be used: keep their messages, and say so.
        cluster.diagnostics.push(
            Diagnostic::error(path, "no usable sources: every file was skipped")
                .hint("see the messages above for each file"),
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
        match read_source(&path, options) {
            Ok(text) => cluster.sources.push(Source {
                id,
                path,
                text,
                meta: SourceMeta::default(),
            }),
            Err(d) => cluster.diagnostics.push(d),
        }
    }
    Ok(())
}

fn load_manifest(
    manifest: &Path,
    dir: &Path,
    options: LoadOptions,
    cluster: &mut Cluster,
) -> Result<(), Diagnostic> {
    let text = read_source(manifest, options)?;
    let parsed: Manifest = serde_yaml::from_str(&text).map_err(|e| {
        let pos = e.location().map(|l| (l.line(), l.column()));
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        Diagnostic::error(manifest, format!("bad manifest: {message}"))
            .at(pos)
            .hint("a manifest has `sources:`, a list of entries with `path` and optional `id`, `outlet`, `url`, `published`")
    })?;
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
        let leaves = rel.is_absolute()
            || rel.components().any(|c| {
                matches!(
                    c,
                    Component::ParentDir | Component::RootDir | Component::Prefix(_)
                )
            });
        if leaves {
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
        match read_source(&path, options) {
            Ok(text) => cluster.sources.push(Source {
                id,
                path,
                text,
                meta: entry.meta,
            }),
            Err(d) => cluster.diagnostics.push(d.at(None)),
        }
    }
    Ok(())
}

/// Reads one file as source text, or says why it cannot be used.
pub fn read_source(path: &Path, options: LoadOptions) -> Result<String, Diagnostic> {
    let meta = fs::metadata(path)
        .map_err(|e| Diagnostic::error(path, format!("cannot read: {}; skipped", io_reason(&e))))?;
    if !meta.is_file() {
        return Err(Diagnostic::error(path, "not a regular file; skipped"));
    }
    if meta.len() > options.max_source_bytes {
        return Err(Diagnostic::error(
            path,
            format!(
                "file is {} bytes, over the limit of {} bytes; skipped",
                meta.len(),
                options.max_source_bytes
            ),
        )
        .hint("raise --max-source-bytes if the file really is one article"));
    }
    let bytes = fs::read(path)
        .map_err(|e| Diagnostic::error(path, format!("cannot read: {}; skipped", io_reason(&e))))?;
    if bytes.is_empty() {
        return Err(Diagnostic::warning(path, "file is empty; skipped"));
    }
    if bytes.contains(&0) {
        return Err(
            Diagnostic::error(path, "binary file (contains NUL bytes); skipped")
                .hint("give the article as plain text"),
        );
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        Diagnostic::error(
            path,
            format!("not valid UTF-8 (first bad byte at offset {offset}); skipped"),
        )
        .hint("convert the file to UTF-8, e.g. `iconv -f windows-1252 -t utf-8`")
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
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(cluster.diagnostics.len(), 2);
        assert!(cluster.diagnostics[0].message.contains("not valid UTF-8"));
        assert!(cluster.diagnostics[1].message.contains("binary"));
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
}

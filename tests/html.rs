//! The HTML report (`check --format html`): a snapshot of the seed
//! fixture's page, pinned byte for byte (refresh on purpose with
//! `INSTA_UPDATE=always cargo test --test html`), and the hostile cluster,
//! whose markup must only ever reach the page as text.

use assert_cmd::Command;

#[path = "browser/hostile.rs"]
mod hostile;

fn check_html(cluster: &str) -> String {
    let out = Command::cargo_bin("claimdiff")
        .expect("binary builds")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", cluster, "--format", "html"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn seed_fixture_page() {
    let page = check_html("fixtures/aleppo-omran");
    insta::assert_snapshot!("aleppo-omran.html", page);
}

/// The escaping askama applies to text, to recognise a payload shown as text.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The tags of a page, as (name, attribute text), leaving out the contents
/// of its one style and one script. Every `<` outside them opens a tag,
/// since text is escaped.
fn tags(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("every tag closes");
        let tag = &rest[..end];
        let body = tag.trim_start_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect::<String>()
            .to_ascii_lowercase();
        let attrs = body[name.len()..].to_string();
        out.push((name.clone(), attrs));
        rest = &rest[end + 1..];
        if !tag.starts_with('/') && (name == "script" || name == "style") {
            let close = format!("</{name}>");
            let j = rest.find(&close).expect("closed");
            rest = &rest[j..];
        }
    }
    out
}

/// The attributes of a tag as (name, value): values are always quoted
/// with `"`, which escaped text never contains.
fn attributes(attrs: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = attrs.trim_start();
    while !rest.is_empty() && rest != "/" {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix("=\"") {
            let close = after.find('"').expect("quoted value closes");
            value = after[..close].to_string();
            rest = &after[close + 1..];
        }
        out.push((name, value));
        rest = rest.trim_start();
    }
    out
}

#[test]
fn hostile_sources_render_as_inert_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    hostile::write_cluster(dir.path());
    let page = check_html(&dir.path().display().to_string());

    // Every payload is on the page, as text.
    for payload in hostile::PAYLOADS {
        assert!(
            page.contains(&escaped(payload)),
            "{payload} not shown as text"
        );
    }
    // The manifest's values too: cluster name, id, outlet, URL, date.
    for value in [
        "hostile </title><script>window.__pwned='title'</script>",
        "a\"><svg onload=\"window.__pwned='id'\">",
        "<img src=x onerror=\"window.__pwned='outlet'\">",
        "javascript:window.__pwned='url'",
        "2016</time><script>window.__pwned='date'</script>",
    ] {
        assert!(page.contains(&escaped(value)), "{value} not shown as text");
    }

    let allowed = [
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "li",
        "b",
        "span",
        "form",
        "fieldset",
        "legend",
        "label",
        "input",
        "output",
        "section",
        "div",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "aside",
        "article",
        "q",
        "time",
        "blockquote",
        "mark",
        "details",
        "summary",
        "footer",
        "script",
        "nav",
        "br",
        "pre",
        "s",
    ];
    let mut scripts = 0;
    for (name, attrs) in tags(&page) {
        assert!(
            allowed.contains(&name.as_str()),
            "unexpected tag <{name}{attrs}>"
        );
        for (attr, value) in attributes(&attrs) {
            assert!(!attr.starts_with("on"), "event handler in <{name}{attrs}>");
            if attr == "href" {
                assert!(
                    value.starts_with('#') || value.starts_with("https://"),
                    "<{name}{attrs}>"
                );
            }
        }
        if name == "script" && !attrs.is_empty() {
            panic!("a script with attributes: <script{attrs}>");
        }
        scripts += usize::from(name == "script");
    }
    // One opening and one closing tag: the page's own script only.
    assert_eq!(scripts, 2);
    assert_eq!(page.matches("<script>").count(), 1);
    // A javascript: URL is shown, never linked; a web URL is linked.
    assert!(!page.contains("href=\"javascript"));
    assert!(page.contains("href=\"https://example.org/b\""));
}

#[test]
fn the_page_loads_nothing_and_allows_only_its_own_script() {
    let page = check_html("fixtures/aleppo-omran");
    let csp = page
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSP meta tag");
    let csp = csp.replace("&#39;", "'");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    // No reference to anything outside the page.
    for needle in ["src=", "url(", "@import", "http-equiv=\"refresh\"", "<link"] {
        assert!(!page.contains(needle), "the page refers out: {needle}");
    }
    // The hash in the policy is that of the script the page carries.
    use base64::Engine as _;
    use sha2::Digest as _;
    let script = page
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("a script");
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    assert!(
        csp.contains(&format!("script-src 'sha256-{hash}'")),
        "{csp}"
    );
}

#[test]
fn html_is_for_check_only() {
    let out = Command::cargo_bin("claimdiff")
        .expect("binary builds")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["claims", "fixtures/aleppo-omran", "--format", "html"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format html is for `check`"));
}

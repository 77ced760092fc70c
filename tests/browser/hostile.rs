//! A cluster whose sources and manifest try to inject markup and script
//! into the HTML report, shared by `tests/html.rs` and `tests/browser.rs`.
//! Every payload, if it ran, would set `window.__pwned`.

use std::path::Path;

/// Payloads that must only ever appear as text.
pub const PAYLOADS: &[&str] = &[
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<a href=\"javascript:window.__pwned='link'\">click</a>",
    "</textarea><script>window.__pwned='textarea'</script>",
    "</script><script>window.__pwned='breakout'</script>",
    "</style><svg onload=\"window.__pwned='svg'\">",
];

/// Writes the hostile cluster into `dir`.
pub fn write_cluster(dir: &Path) {
    let manifest = r#"cluster: "hostile </title><script>window.__pwned='title'</script>"
sources:
  - path: a.txt
    id: "a\"><svg onload=\"window.__pwned='id'\">"
    outlet: "<img src=x onerror=\"window.__pwned='outlet'\">"
    url: "javascript:window.__pwned='url'"
    published: "2016</time><script>window.__pwned='date'</script>"
  - path: b.txt
    outlet: The Example Post
    url: https://example.org/b
    published: 2016-08-18
  - path: c.txt
"#;
    std::fs::write(dir.join("cluster.yaml"), manifest).expect("manifest");
    let a = format!(
        "Five-year-old Omran Daqneesh was pulled from the rubble in Aleppo.\n\n\
         The boy, Omran Daqneesh, was taken to the M10 hospital {} in the Qaterji district.\n\n\
         Four other children were also injured in the strike {}.\n\n{}\n",
        PAYLOADS[0], PAYLOADS[1], PAYLOADS[2]
    );
    let b = format!(
        "Omran Daqneesh, five, was rescued in Aleppo.\n\n\
         The boy was taken to the {} Quds hospital in the Qaterji district.\n\n\
         Three other children were also injured in the strike.\n\n{}\n",
        PAYLOADS[3], PAYLOADS[4]
    );
    let c = format!(
        "Omar Daqneesh, five, was rescued from the rubble in Aleppo {}.\n\n\
         He was taken to the M10 hospital in the Qaterji district.\n",
        PAYLOADS[5]
    );
    std::fs::write(dir.join("a.txt"), a).expect("a.txt");
    std::fs::write(dir.join("b.txt"), b).expect("b.txt");
    std::fs::write(dir.join("c.txt"), c).expect("c.txt");
}

//! The web page (`GET /`): served with its security headers, off with `WEB_UI=false`, and driven
//! in a real browser (`tests/web/page.test.mjs`: Debian's chromium through playwright-core).
//!
//! The browser test needs `node` (>= 20), `/usr/bin/chromium` (or `CHROMIUM`) and
//! `tests/web/node_modules` (`npm ci` in `tests/web`); `.ci/run` installs all three. Where one is
//! missing it fails when `CI_REQUIRE_BROWSER=1` (set by `.ci/run`: skipping is not passing in CI)
//! and otherwise prints SKIPPED and returns.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::http::Server;
use super::util::{env_flag, repo_root, visible};

/// Longest the browser script may run (it takes about 10 s on the shared 2-core machine).
const BROWSER_TIMEOUT: Duration = Duration::from_secs(180);

fn web_dir() -> PathBuf {
    repo_root().join("tests/web")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What the browser test needs and is missing, with the fix for each.
fn missing_browser_tools() -> Vec<String> {
    let mut missing = Vec::new();
    let node = Command::new("node")
        .args([
            "-e",
            "process.exit(Number(process.versions.node.split('.')[0]) >= 20 ? 0 : 1)",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        missing.push("node >= 20 (install Node.js 20 or newer)".to_owned());
    }
    if !chromium().is_file() {
        missing.push(format!(
            "{} (Debian: apt-get install chromium; or set CHROMIUM)",
            chromium().display()
        ));
    }
    if !web_dir()
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        missing
            .push("tests/web/node_modules/playwright-core (run `npm ci` in tests/web)".to_owned());
    }
    missing
}

/// Runs `node page.test.mjs` against `base_url`; returns its success and output.
fn run_page_test(base_url: &str) -> (bool, String) {
    let mut child = Command::new("node")
        .arg("page.test.mjs")
        .current_dir(web_dir())
        .env("BASE_URL", base_url)
        .env("CHROMIUM", chromium())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if start.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = format!(
        "{}{}",
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default()
    );
    match status {
        Some(status) => (status.success(), output),
        None => (
            false,
            format!("{output}\nthe browser test took longer than {BROWSER_TIMEOUT:?}"),
        ),
    }
}

#[test]
fn web_page_works_in_chromium() {
    let missing = missing_browser_tools();
    if !missing.is_empty() {
        let what = missing.join("; ");
        assert!(
            !env_flag("CI_REQUIRE_BROWSER"),
            "the browser test cannot run (CI_REQUIRE_BROWSER=1): missing {what}"
        );
        visible(&format!(
            "SKIPPED web_page_works_in_chromium: missing {what}"
        ));
        return;
    }
    let server = Server::with_env(&[("WEB_UI", "true")]);
    let (ok, output) = run_page_test(&format!("http://{}", server.addr));
    assert!(ok, "the browser test failed:\n{output}");
    visible(
        output
            .lines()
            .find(|line| line.contains("whatsapp:"))
            .unwrap_or("page.test: ok"),
    );
}

#[test]
fn web_page_is_served_with_its_policy() {
    let server = Server::with_env(&[("WEB_UI", "true")]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").unwrap_or("");
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
    assert!(csp.contains("img-src 'self' blob: data:"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains(r#"<input id="files" type="file""#), "{html}");
    for asset in ["/web/app.js", "/web/style.css", "/web/icon.svg"] {
        let res = server.get(asset);
        assert_eq!(res.status, 200, "{asset}");
        assert!(!res.body.is_empty(), "{asset}");
    }
}

#[test]
fn web_ui_false_turns_the_page_off() {
    let server = Server::with_env(&[("WEB_UI", "false")]);
    for path in ["/", "/web/app.js"] {
        let res = server.get(path);
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(res.json()["code"], "not_found", "{path}");
    }
    assert_eq!(
        server.get("/health").status,
        200,
        "the API stays on without the page"
    );
}

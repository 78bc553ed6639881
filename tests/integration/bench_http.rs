//! `tgs-converter bench-http` against the real service on a free loopback port: a small run
//! whose JSON report is read back and checked against what the server itself counted.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::http::{BIN, Server};

use crate::util::fixture;

/// Runs `bench-http FILES --url URL ARGS --json OUT`; returns stdout and the parsed report.
fn bench(server: &Server, files: &[PathBuf], args: &[&str]) -> (String, Value) {
    let out = std::env::temp_dir().join(format!(
        "tgs-bench-http-{}-{}.json",
        std::process::id(),
        server.addr.port()
    ));
    let output = Command::new(BIN)
        .arg("bench-http")
        .args(files)
        .args(["--url", &format!("http://{}/convert", server.addr)])
        .args(args)
        .arg("--json")
        .arg(&out)
        .output()
        .expect("run bench-http");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "bench-http failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("the JSON report")).expect("valid JSON");
    let _ = std::fs::remove_file(&out);
    (stdout, report)
}

#[track_caller]
fn assert_ordered(stats: &Value, what: &str) {
    let get = |key: &str| {
        stats[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{what}.{key}: {stats}"))
    };
    let ranks = [get("min"), get("p50"), get("p95"), get("p99"), get("max")];
    assert!(ranks[0] > 0.0, "{what}: {stats}");
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{what}: {stats}");
    let mean = get("mean");
    assert!(ranks[0] <= mean && mean <= ranks[4], "{what}: {stats}");
}

#[test]
fn bench_http_reports_every_level_as_json() {
    // The output cache off, as the load test has it: every request renders, so the
    // server's time is never zero.
    let server = Server::with_env(&[("OUTPUT_CACHE_BYTES", "0")]);
    let files = [fixture("sticker/smiley.tgs"), fixture("http/square.json")];
    let args = [
        "--concurrency",
        "1,4",
        "--requests",
        "30",
        "--duration",
        "30",
        "--width",
        "64",
    ];
    let (stdout, report) = bench(&server, &files, &args);
    let levels = report["levels"].as_array().expect("levels");
    assert_eq!(levels.len(), 2, "{report}");
    for (level, concurrency) in levels.iter().zip([1, 4]) {
        assert_eq!(level["concurrency"], concurrency, "{level}");
        assert_eq!(level["total"], 30, "bounded by --requests: {level}");
        assert_eq!(level["successful"], 30, "{level}");
        assert_eq!(level["failed"], 0, "{level}");
        assert!(level["throughput"].as_f64().unwrap() > 0.0, "{level}");
        assert_ordered(&level["e2e_ms"], "e2e_ms");
        assert_ordered(&level["server_ms"], "server_ms");
        assert!(
            level["server_ms"]["p50"].as_f64() <= level["e2e_ms"]["p50"].as_f64(),
            "the server's time is part of the client's: {level}"
        );
    }
    assert_eq!(report["format"], "png");
    assert!(
        report["summary"]["best_throughput"]["throughput"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(report["summary"]["server_p50_meets_target"].is_boolean());
    for needle in [
        "concurrency 1:",
        "concurrency 4:",
        "best throughput",
        "fastest p99",
    ] {
        assert!(stdout.contains(needle), "stdout lacks {needle:?}: {stdout}");
    }
    // The server saw exactly the warm-up (one per file) and the 60 counted requests.
    let stats = server.stats();
    assert_eq!(stats["pool"]["completed"], 62, "{stats}");
}

#[test]
fn bench_http_counts_refusals_by_status() {
    // One thread and no waiting room: concurrent clients must see 503s, counted as failures.
    let server = Server::with_env(&[("WORKER_POOL_SIZE", "1"), ("QUEUE_SIZE", "0")]);
    let files = [fixture("sticker/smiley.tgs")];
    let args = [
        "--concurrency",
        "16",
        "--requests",
        "200",
        "--format",
        "webp",
        "--width",
        "1024",
    ];
    let (_, report) = bench(&server, &files, &args);
    let level = &report["levels"][0];
    let failed = level["failed"].as_u64().unwrap();
    assert!(failed > 0, "16 clients on one thread: {level}");
    assert_eq!(level["failed_by"]["503"], failed, "only 503s: {level}");
    assert_eq!(
        level["successful"].as_u64().unwrap() + failed,
        200,
        "{level}"
    );
    let stats = server.stats();
    assert_eq!(stats["pool"]["rejected"], failed, "{stats}");
}

#[test]
fn bench_http_refuses_unreadable_input_and_other_schemes() {
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("bench-http")
            .args(args)
            .output()
            .unwrap()
    };
    let missing = run(&["/nonexistent/x.tgs"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("x.tgs"), "{stderr}");
    let smiley = fixture("sticker/smiley.tgs");
    let https = run(&[
        smiley.to_str().unwrap(),
        "--url",
        "https://127.0.0.1:1/convert",
    ]);
    assert_eq!(https.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&https.stderr).contains("http://"));
}

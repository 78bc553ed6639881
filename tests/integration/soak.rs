//! A soak of the real service with mixed traffic (issue 12): valid stickers (fixtures and, when
//! present, corpus stickers), heavy but valid requests (2048 px renders, a file of many mattes, an
//! animated GIF) and invalid inputs, from a few concurrent clients. Every answer must have the
//! status its input calls for, with no transport error, and the server's resident memory
//! (`VmRSS`) must stay flat: its median over the end of the run within 10% of its median at the
//! end of the warm-up.
//!
//! CI runs it for 40 s (a third of it warm-up); `SOAK_SECS=300 cargo test --release --test
//! integration soak` runs the same test longer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::http::{Server, smiley_tgs, square_json};
use crate::overload::{agent, post};
use crate::util::{many_mattes, visible};

/// Concurrent clients.
const CLIENTS: usize = 4;
/// Allowed growth of resident memory after the warm-up.
const RSS_GROWTH: f64 = 1.10;

/// One kind of request: what to send, where, and the status and error code it must get.
struct Case {
    name: String,
    body: Vec<u8>,
    /// Query, with `{k}` replaced by a running number (to vary frames).
    query: String,
    /// Frames of the sticker, for `{k}` (1 when the query has none).
    frames: usize,
    status: u16,
    code: Option<&'static str>,
}

fn case(name: &str, body: Vec<u8>, query: &str, frames: usize, status: u16) -> Case {
    Case {
        name: name.to_owned(),
        body,
        query: query.to_owned(),
        frames,
        status,
        code: None,
    }
}

fn invalid(name: &str, body: Vec<u8>, query: &str, status: u16, code: &'static str) -> Case {
    Case {
        code: Some(code),
        ..case(name, body, query, 1, status)
    }
}

/// Up to `n` 512x512 corpus stickers, with their frame counts; none without the corpus.
fn corpus_stickers(n: usize) -> Vec<(String, Vec<u8>, usize)> {
    let dir = std::env::var_os("TGS_CORPUS").map_or_else(
        || crate::util::repo_root().join("../shared/corpus"),
        PathBuf::from,
    );
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        visible("soak: SKIPPED corpus stickers (no corpus); fixtures only");
        return Vec::new();
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let is_sticker = cols.first()?.ends_with(".tgs") && cols.get(4..6)? == ["512", "512"];
            is_sticker.then(|| cols[0].to_owned())
        })
        .take(n)
        .filter_map(|name| {
            let bytes = std::fs::read(dir.join(&name)).ok()?;
            let frames = tgs_converter::pipeline::load(&bytes, &Default::default())
                .ok()?
                .total_frames() as usize;
            Some((name, bytes, frames.max(1)))
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let smiley = smiley_tgs();
    let mut cases = vec![
        case("smiley png", smiley.clone(), "frame={k}", 90, 200),
        case(
            "smiley webp 256",
            smiley.clone(),
            "format=webp&width=256&frame={k}",
            90,
            200,
        ),
        case("square json", square_json(), "frame={k}&width=64", 30, 200),
        // Heavy but valid.
        case(
            "smiley 2048 px",
            smiley.clone(),
            "width=2048&frame={k}",
            90,
            200,
        ),
        case("40 matte pairs", many_mattes(40), "frame={k}", 30, 200),
        case("square gif", square_json(), "format=gif&width=96", 1, 200),
        // Invalid.
        invalid(
            "truncated gzip",
            smiley[..200].to_vec(),
            "",
            400,
            "bad_gzip",
        ),
        invalid("not json", b"\x00\x01garbage".to_vec(), "", 400, "not_json"),
        invalid(
            "not lottie",
            br#"{"hello":1}"#.to_vec(),
            "",
            422,
            "not_lottie",
        ),
        invalid(
            "frame out of range",
            smiley.clone(),
            "frame=100000",
            400,
            "frame_out_of_range",
        ),
        invalid(
            "bad format",
            smiley.clone(),
            "format=bmp",
            400,
            "bad_format",
        ),
        invalid("too wide", smiley, "width=100000", 400, "bad_size"),
    ];
    for (name, bytes, frames) in corpus_stickers(10) {
        cases.push(case(&name, bytes, "width=256&frame={k}", frames, 200));
    }
    cases
}

/// The server's resident memory in KiB (`VmRSS` of `/proc/PID/status`).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[test]
fn soak_mixed_traffic_keeps_statuses_and_memory_flat() {
    let seconds: u64 = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let total = Duration::from_secs(seconds.max(8));
    let warm_up = total / 3;
    let server = Server::start();
    let cases = Arc::new(cases());
    let base = format!("http://{}/convert", server.addr);
    let start = Instant::now();
    let deadline = start + total;

    // (case name, what went wrong) for every unexpected answer.
    let unexpected = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let counts = Arc::new(Mutex::new(BTreeMap::<u16, u64>::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (cases, base) = (Arc::clone(&cases), base.clone());
            let (unexpected, counts) = (Arc::clone(&unexpected), Arc::clone(&counts));
            std::thread::spawn(move || {
                let agent = agent();
                let mut k = client;
                while Instant::now() < deadline {
                    let case = &cases[k % cases.len()];
                    let query = case
                        .query
                        .replace("{k}", &(k / cases.len() % case.frames).to_string());
                    let wrong = match post(&agent, &format!("{base}?{query}"), &case.body) {
                        Err(err) => Some(format!("transport error: {err}")),
                        Ok(answer) => {
                            *counts.lock().unwrap().entry(answer.status).or_default() += 1;
                            let code = serde_json::from_slice::<serde_json::Value>(&answer.body)
                                .ok()
                                .and_then(|v| v["code"].as_str().map(str::to_owned));
                            (answer.status != case.status || code.as_deref() != case.code)
                                .then(|| format!("status {} code {code:?}", answer.status))
                        }
                    };
                    if let Some(wrong) = wrong {
                        unexpected.lock().unwrap().push((case.name.clone(), wrong));
                    }
                    k += CLIENTS;
                }
            })
        })
        .collect();

    // Resident memory every half second: the curve, and its peak after the warm-up.
    let mut curve = Vec::new();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        curve.push((start.elapsed(), rss_kib(server.pid())));
    }
    for client in clients {
        client.join().expect("a client thread");
    }
    let unexpected = unexpected.lock().unwrap();
    let counts = counts.lock().unwrap().clone();
    // Flat means the usual resident size does not grow: the median over the second half of the
    // warm-up against the median over the last quarter of the run. Single samples swing by tens
    // of MiB (two 2048 px renders at once are working set, not growth), so peaks are only
    // reported, and bounded loosely.
    let median_between = |from: Duration, to: Duration| {
        let mut kib: Vec<u64> = curve
            .iter()
            .filter(|(t, _)| *t > from && *t <= to)
            .map(|&(_, kib)| kib)
            .collect();
        kib.sort_unstable();
        kib.get(kib.len() / 2).copied()
    };
    let baseline = median_between(warm_up / 2, warm_up).expect("samples in the warm-up");
    let end = median_between(total * 3 / 4, total * 2).expect("samples at the end");
    let peak_in = |after: bool| {
        curve
            .iter()
            .filter(|(t, _)| (*t > warm_up) == after)
            .map(|&(_, kib)| kib)
            .max()
            .unwrap_or(0)
    };
    let (warm_peak, peak) = (peak_in(false), peak_in(true));
    let sampled: Vec<String> = curve
        .iter()
        .step_by(10)
        .map(|(t, kib)| format!("{:.0}s {} MiB", t.as_secs_f64(), kib / 1024))
        .collect();
    visible(&format!(
        "soak: {} cases x {CLIENTS} clients for {total:?}: statuses {counts:?}; {} unexpected; \
         RSS median {} MiB at the end of the {warm_up:?} warm-up, {} MiB at the end ({:+.1}%); \
         peaks {} MiB in the warm-up, {} MiB after; curve: {}",
        cases.len(),
        unexpected.len(),
        baseline / 1024,
        end / 1024,
        (end as f64 / baseline as f64 - 1.0) * 100.0,
        warm_peak / 1024,
        peak / 1024,
        sampled.join(", ")
    ));
    assert!(
        unexpected.is_empty(),
        "{} unexpected answers, e.g. {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(5)]
    );
    assert!(counts.get(&200).copied().unwrap_or(0) > 0, "{counts:?}");
    assert!(
        end as f64 <= baseline as f64 * RSS_GROWTH,
        "resident memory grew from a median of {baseline} KiB after the warm-up to {end} KiB"
    );
    assert!(
        peak as f64 <= warm_peak as f64 * 1.5,
        "resident memory peaked at {peak} KiB, against {warm_peak} KiB in the warm-up"
    );
}

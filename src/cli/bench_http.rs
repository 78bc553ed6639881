//! `bench-http`: the load test of a running service, as the original service's `npm run
//! benchmark`: `POST /convert` at several concurrency levels, with throughput, end-to-end latency
//! and the server's own time (`X-Processing-Time`) and wait for a render thread (`X-Queue-Time`)
//! per level.
//!
//! Requests go only to the URL given (loopback by default), and every level is bounded twice: at
//! most `--requests` requests, issued for at most `--duration` seconds (a request still in flight
//! then gets [`REQUEST_TIMEOUT`] to finish). Request `i` (counted over the whole run, so no level
//! repeats another's work) sends file `i mod n` at frame `(i / n) mod totalFrames`, so the server
//! renders many distinct frames rather than one cached answer.
//!
//! The client is awc, actix's own HTTP/1.1 client: it runs on the actix runtime that the server
//! already uses, on one thread (the machine's other cores are left to the server under test), with
//! one connection per concurrent client and no limit on the connection count.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::json;

use super::CliResult;
use super::args::BenchHttpArgs;
use super::io::read_input;
use crate::pipeline::{self, Limits};
use crate::server::{PROCESSING_TIME, QUEUE_TIME};

/// Time one request may take, from sending to the last byte of the answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest answer read (a 2048x2048 PNG is well under it).
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The target of the 10 ms median server time of the original service.
const SERVER_TARGET_MS: f64 = 10.0;

/// Warm-up requests in flight at once: enough to keep a few render threads busy, few enough that
/// the server's admission by expected wait does not refuse first parses of many files.
const WARM_UP_CONCURRENCY: usize = 4;

/// One sticker to send, with its frame count.
#[derive(Debug)]
struct Sticker {
    body: Bytes,
    total_frames: u32,
}

/// The outcome of one request.
#[derive(Debug, Clone)]
enum Outcome {
    /// A 200, with the end-to-end time, the server's `X-Processing-Time` and its
    /// `X-Queue-Time` (ms).
    Ok {
        e2e_ms: f64,
        server_ms: Option<f64>,
        queue_ms: Option<f64>,
    },
    /// Any other status, or a transport error (`timeout`, `connect`, ...).
    Failed(String),
}

/// Latency statistics in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Stats {
    /// Fastest.
    min: f64,
    /// Arithmetic mean.
    mean: f64,
    /// Median (nearest rank).
    p50: f64,
    /// 95th percentile.
    p95: f64,
    /// 99th percentile.
    p99: f64,
    /// Slowest.
    max: f64,
}

impl Stats {
    /// Statistics of `values` (all zero when empty).
    fn of(values: &mut [f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        values.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let index = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
            round3(values[index])
        };
        Self {
            min: round3(values[0]),
            mean: round3(values.iter().sum::<f64>() / values.len() as f64),
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
            max: round3(values[values.len() - 1]),
        }
    }

    fn line(&self) -> String {
        format!(
            "min {:.2}  mean {:.2}  p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}",
            self.min, self.mean, self.p50, self.p95, self.p99, self.max
        )
    }
}

fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// The result of one concurrency level, as written by `--json`.
#[derive(Debug, Serialize)]
struct Level {
    concurrency: usize,
    /// Requests answered or failed.
    total: u64,
    /// 200 answers.
    successful: u64,
    /// Everything else.
    failed: u64,
    /// Failures by status (`"503"`) or transport error (`"timeout"`, `"connect"`, `"io"`).
    failed_by: BTreeMap<String, u64>,
    /// Wall time of the level in seconds.
    seconds: f64,
    /// 200 answers per second.
    throughput: f64,
    /// End-to-end time of the 200 answers.
    e2e_ms: Stats,
    /// `X-Processing-Time` of the 200 answers.
    server_ms: Stats,
    /// `X-Queue-Time` of the 200 answers (the wait for a render thread).
    queue_ms: Stats,
}

/// Runs `bench-http`.
pub(super) fn run(args: &BenchHttpArgs) -> CliResult {
    let url = args.url.trim_end_matches('/').to_owned();
    if !url.starts_with("http://") {
        return Err(format!("url `{url}`: only plain http:// URLs are supported").into());
    }
    if args.concurrency.contains(&0) {
        return Err("concurrency levels must be at least 1".into());
    }
    let stickers = args
        .files
        .iter()
        .map(|path| load(path))
        .collect::<Result<Vec<_>, _>>()?;
    let stickers = Rc::new(stickers);
    let format = args.format.extension();
    let width = args
        .width
        .map(|w| format!("&width={w}"))
        .unwrap_or_default();
    let separator = if url.contains('?') { '&' } else { '?' };
    let base = format!("{url}{separator}format={format}{width}");
    let duration = Duration::from_secs_f64(args.duration.max(0.001));
    let levels = actix_web::rt::System::new().block_on(async {
        let client = client();
        // One untimed request per file, so that parsing is not what the first level measures;
        // a few at a time, so that hundreds of first parses are not refused as overload.
        let warm: Vec<Outcome> = futures_util::stream::iter(
            (0..stickers.len()).map(|i| send(&client, &base, &stickers, i)),
        )
        .buffer_unordered(WARM_UP_CONCURRENCY)
        .collect()
        .await;
        if let Some(Outcome::Failed(err)) = warm.iter().find(|o| matches!(o, Outcome::Failed(_))) {
            return Err(format!("{url}: warm-up request failed: {err}"));
        }
        let mut next = stickers.len();
        let mut levels = Vec::new();
        for &concurrency in &args.concurrency {
            let (level, sent) = run_level(
                &client,
                &base,
                &stickers,
                next,
                concurrency,
                args.requests,
                duration,
            )
            .await;
            next += sent;
            print_level(&level);
            levels.push(level);
        }
        Ok(levels)
    })?;
    let verdict = print_summary(&levels);
    if let Some(out) = &args.json {
        let report = json!({
            "url": url,
            "format": format,
            "width": args.width,
            "files": args.files.len(),
            "requests_per_level": args.requests,
            "duration_s": args.duration,
            "levels": levels,
            "summary": verdict,
        });
        super::io::write_output(out, serde_json::to_string_pretty(&report)?.as_bytes())?;
    }
    Ok(())
}

/// Reads and parses a sticker to know its frame count.
fn load(path: &Path) -> Result<Sticker, String> {
    let limits = Limits::default();
    let bytes = read_input(path, &limits)?;
    let animation =
        pipeline::load(&bytes, &limits).map_err(|err| format!("{}: {err}", path.display()))?;
    Ok(Sticker {
        body: Bytes::from(bytes),
        total_frames: animation.total_frames().max(1),
    })
}

fn client() -> awc::Client {
    awc::Client::builder()
        // No limit on open connections: one per concurrent client, up to 1000 and more.
        .connector(awc::Connector::new().limit(0))
        .timeout(REQUEST_TIMEOUT)
        .disable_redirects()
        .finish()
}

/// Runs one level: `concurrency` clients take request numbers from `first` on until `requests`
/// are sent or `duration` is over. Returns the level and how many requests it sent.
async fn run_level(
    client: &awc::Client,
    base: &str,
    stickers: &Rc<Vec<Sticker>>,
    first: usize,
    concurrency: usize,
    requests: usize,
    duration: Duration,
) -> (Level, usize) {
    let start = Instant::now();
    let deadline = start + duration;
    let issued = Rc::new(RefCell::new(0_usize));
    let outcomes = Rc::new(RefCell::new(Vec::with_capacity(requests)));
    let clients = (0..concurrency).map(|_| {
        let (client, base, stickers) = (client.clone(), base.to_owned(), Rc::clone(stickers));
        let (issued, outcomes) = (Rc::clone(&issued), Rc::clone(&outcomes));
        actix_web::rt::spawn(async move {
            loop {
                let n = {
                    let mut issued = issued.borrow_mut();
                    if *issued >= requests || Instant::now() >= deadline {
                        break;
                    }
                    *issued += 1;
                    *issued - 1
                };
                let outcome = send(&client, &base, &stickers, first + n).await;
                outcomes.borrow_mut().push(outcome);
            }
        })
    });
    futures_util::future::join_all(clients.collect::<Vec<_>>()).await;
    let seconds = start.elapsed().as_secs_f64();
    let sent = *issued.borrow();
    let outcomes = outcomes.take();
    (summarize(concurrency, &outcomes, seconds), sent)
}

/// Sends request number `n` and reads the whole answer.
async fn send(client: &awc::Client, base: &str, stickers: &[Sticker], n: usize) -> Outcome {
    let sticker = &stickers[n % stickers.len()];
    let frame = (n / stickers.len()) % sticker.total_frames as usize;
    let start = Instant::now();
    let sent = client
        .post(format!("{base}&frame={frame}"))
        .insert_header(("content-type", "application/octet-stream"))
        .send_body(sticker.body.clone())
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(err) => return Outcome::Failed(send_error_kind(&err).to_owned()),
    };
    let status = response.status().as_u16();
    let header_ms = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<f64>().ok())
    };
    let (server_ms, queue_ms) = (header_ms(PROCESSING_TIME), header_ms(QUEUE_TIME));
    if response.body().limit(MAX_RESPONSE_BYTES).await.is_err() {
        return Outcome::Failed("body".to_owned());
    }
    let e2e_ms = start.elapsed().as_secs_f64() * 1000.0;
    if status == 200 {
        Outcome::Ok {
            e2e_ms,
            server_ms,
            queue_ms,
        }
    } else {
        Outcome::Failed(status.to_string())
    }
}

/// A short name for a transport failure, for the `failed_by` counts.
fn send_error_kind(err: &awc::error::SendRequestError) -> &'static str {
    use awc::error::{ConnectError, SendRequestError as E};
    match err {
        E::Timeout => "timeout",
        E::Connect(ConnectError::Timeout) => "connect_timeout",
        E::Connect(_) => "connect",
        E::Send(_) => "io",
        E::Response(_) => "bad_response",
        _ => "other",
    }
}

fn summarize(concurrency: usize, outcomes: &[Outcome], seconds: f64) -> Level {
    let mut e2e = Vec::new();
    let mut server = Vec::new();
    let mut queue = Vec::new();
    let mut failed_by = BTreeMap::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Ok {
                e2e_ms,
                server_ms,
                queue_ms,
            } => {
                e2e.push(*e2e_ms);
                server.extend(*server_ms);
                queue.extend(*queue_ms);
            }
            Outcome::Failed(kind) => *failed_by.entry(kind.clone()).or_default() += 1,
        }
    }
    let successful = e2e.len() as u64;
    Level {
        concurrency,
        total: outcomes.len() as u64,
        successful,
        failed: outcomes.len() as u64 - successful,
        failed_by,
        seconds: round3(seconds),
        throughput: if seconds > 0.0 {
            (successful as f64 / seconds * 10.0).round() / 10.0
        } else {
            0.0
        },
        e2e_ms: Stats::of(&mut e2e),
        server_ms: Stats::of(&mut server),
        queue_ms: Stats::of(&mut queue),
    }
}

fn print_level(level: &Level) {
    println!(
        "concurrency {}: {} requests in {:.2} s: {} ok, {} failed; {:.1} conversions/s",
        level.concurrency,
        level.total,
        level.seconds,
        level.successful,
        level.failed,
        level.throughput
    );
    if !level.failed_by.is_empty() {
        let failures: Vec<String> = level
            .failed_by
            .iter()
            .map(|(kind, n)| format!("{kind} x {n}"))
            .collect();
        println!("  failed:    {}", failures.join(", "));
    }
    println!("  e2e ms:    {}", level.e2e_ms.line());
    println!("  server ms: {}", level.server_ms.line());
    println!("  queue ms:  {}", level.queue_ms.line());
}

/// Prints the best throughput, the fastest p99 and the server-time verdict; returns them as JSON.
fn print_summary(levels: &[Level]) -> serde_json::Value {
    let answered = || levels.iter().filter(|l| l.successful > 0);
    let best = answered().max_by(|a, b| a.throughput.total_cmp(&b.throughput));
    let fastest = answered().min_by(|a, b| a.e2e_ms.p99.total_cmp(&b.e2e_ms.p99));
    // The target is on the median: every level's median server time must meet it.
    let worst_median = answered().map(|l| l.server_ms.p50).fold(0.0, f64::max);
    let meets = best.is_some() && worst_median <= SERVER_TARGET_MS;
    if let Some(best) = best {
        println!(
            "best throughput: {:.1} conversions/s at concurrency {}",
            best.throughput, best.concurrency
        );
    }
    if let Some(fastest) = fastest {
        println!(
            "fastest p99: {:.2} ms at concurrency {}",
            fastest.e2e_ms.p99, fastest.concurrency
        );
    }
    println!(
        "median server time: at most {worst_median:.2} ms at any level; target {SERVER_TARGET_MS} ms {}",
        if meets { "met" } else { "missed" }
    );
    json!({
        "best_throughput": best.map(|l| json!({"concurrency": l.concurrency, "throughput": l.throughput})),
        "fastest_p99": fastest.map(|l| json!({"concurrency": l.concurrency, "p99_ms": l.e2e_ms.p99})),
        "server_p50_worst_ms": worst_median,
        "server_p50_target_ms": SERVER_TARGET_MS,
        "server_p50_meets_target": meets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_use_nearest_rank() {
        let mut values: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let stats = Stats::of(&mut values);
        assert_eq!(
            (stats.min, stats.p50, stats.p95, stats.p99, stats.max),
            (1.0, 50.0, 95.0, 99.0, 100.0),
            "ranks"
        );
        assert!((stats.mean - 50.5).abs() < 1e-9, "mean {}", stats.mean);
        assert_eq!(Stats::of(&mut []).max, 0.0, "empty");
    }

    #[test]
    fn failures_are_counted_by_kind() {
        let outcomes = [
            Outcome::Ok {
                e2e_ms: 2.0,
                server_ms: Some(1.0),
                queue_ms: Some(0.5),
            },
            Outcome::Failed("503".into()),
            Outcome::Failed("503".into()),
            Outcome::Failed("timeout".into()),
        ];
        let level = summarize(4, &outcomes, 0.5);
        assert_eq!((level.total, level.successful, level.failed), (4, 1, 3));
        assert_eq!(level.failed_by["503"], 2, "by status");
        assert_eq!(level.failed_by["timeout"], 1, "by transport error");
        assert_eq!(level.throughput, 2.0, "ok answers per second");
        assert_eq!(level.server_ms.p50, 1.0, "server time");
        assert_eq!(level.queue_ms.p50, 0.5, "queue time");
    }
}

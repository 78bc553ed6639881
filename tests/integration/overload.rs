//! The real service under far more concurrent requests than its render pool can take (issue 12):
//! every answer is a 200 or a 503 `server_busy` with `Retry-After`, never a reset or a timeout;
//! an answered request waited at most about `QUEUE_TIMEOUT_MS`; `/health` answers throughout;
//! and the service serves again at once when the load stops. Bounded: 200 clients for 4 s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::http::{Server, smiley_tgs};
use crate::util::visible;

/// Concurrent clients, each with its own kept-alive connection.
const CLIENTS: usize = 200;
/// How long the clients send.
const LOAD: Duration = Duration::from_secs(4);
/// The server's `QUEUE_TIMEOUT_MS`.
const QUEUE_TIMEOUT_MS: u64 = 300;

/// One answer as the load test sees it.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) retry_after: Option<String>,
    /// The server's time: `X-Processing-Time` plus `X-Queue-Time`.
    pub(super) processing_ms: Option<f64>,
    pub(super) body: Vec<u8>,
}

/// A ureq agent that keeps one connection alive, treats every status as an answer and never
/// goes through a proxy.
pub(super) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

/// `POST url` with `body`; a transport error (reset, timeout, closed connection) is an `Err`.
pub(super) fn post(agent: &ureq::Agent, url: &str, body: &[u8]) -> Result<Answer, String> {
    let response = agent
        .post(url)
        .header("content-type", "application/octet-stream")
        .send(body)
        .map_err(|err| err.to_string())?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = response.status().as_u16();
    let retry_after = header("retry-after");
    let ms = |name: &str| header(name).and_then(|v| v.parse::<f64>().ok());
    let processing_ms = ms("x-processing-time")
        .zip(ms("x-queue-time"))
        .map(|(p, q)| p + q);
    let body = response
        .into_body()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .map_err(|err| err.to_string())?;
    Ok(Answer {
        status,
        retry_after,
        processing_ms,
        body,
    })
}

#[test]
fn overload_is_refused_with_503_never_reset_and_recovers_at_once() {
    let timeout = QUEUE_TIMEOUT_MS.to_string();
    let server = Server::with_env(&[("WORKER_POOL_SIZE", "1"), ("QUEUE_TIMEOUT_MS", &timeout)]);
    let sticker = Arc::new(smiley_tgs());
    let base = format!("http://{}", server.addr);
    let stop = Arc::new(AtomicBool::new(false));

    // /health every 20 ms while the load runs, timed.
    let health = {
        let (url, stop) = (format!("{base}/health"), Arc::clone(&stop));
        std::thread::spawn(move || {
            let agent = agent();
            let mut slowest = Duration::ZERO;
            let mut answers = 0;
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                let response = agent.get(&url).call().expect("/health answers");
                assert_eq!(response.status().as_u16(), 200, "/health under load");
                slowest = slowest.max(start.elapsed());
                answers += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            (answers, slowest)
        })
    };

    let answers = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + LOAD;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (sticker, answers) = (Arc::clone(&sticker), Arc::clone(&answers));
            let base = base.clone();
            std::thread::spawn(move || {
                let agent = agent();
                let mut n = i;
                while Instant::now() < deadline {
                    // 1024 px: each render takes a few ms, so 200 clients are far over capacity.
                    let url = format!("{base}/convert?width=1024&frame={}", n % 90);
                    let answer = post(&agent, &url, &sticker);
                    answers.lock().unwrap().push(answer);
                    n += CLIENTS;
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("a client thread");
    }
    stop.store(true, Ordering::Relaxed);
    let (health_answers, health_slowest) = health.join().expect("the /health thread");

    // Recovery: the very next request is served, and the pool is empty.
    let after = post(&agent(), &format!("{base}/convert?width=64"), &sticker).expect("answered");
    assert_eq!(after.status, 200, "serves at once after the load");
    assert_eq!(server.get("/health/ready").status, 200, "ready again");

    let answers = answers.lock().unwrap();
    let errors: Vec<&String> = answers.iter().filter_map(|a| a.as_ref().err()).collect();
    assert!(
        errors.is_empty(),
        "{} transport errors (resets, timeouts), e.g. {:?}",
        errors.len(),
        errors.first()
    );
    let answers: Vec<&Answer> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
    let ok = answers.iter().filter(|a| a.status == 200).count();
    let busy: Vec<&&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    let other: Vec<u16> = answers
        .iter()
        .map(|a| a.status)
        .filter(|s| ![200, 503].contains(s))
        .collect();
    assert!(other.is_empty(), "unexpected statuses {other:?}");
    for answer in &busy {
        assert_eq!(
            answer.retry_after.as_deref(),
            Some("1"),
            "503 has Retry-After"
        );
        let body: serde_json::Value = serde_json::from_slice(&answer.body).expect("JSON 503");
        assert_eq!(body["code"], "server_busy", "{body}");
    }
    assert!(ok > 0, "some requests were served");
    assert!(
        !busy.is_empty(),
        "200 clients on one thread: some are refused"
    );

    let stats = server.stats();
    let pool = &stats["pool"];
    assert_eq!(pool["rejected"], busy.len(), "{stats}");
    assert_eq!(pool["queued"], 0, "{stats}");
    assert_eq!(pool["queuedBytes"], 0, "{stats}");
    // An answered request waited at most QUEUE_TIMEOUT_MS for its thread, then rendered: its
    // server time is under that plus the slowest render (plus scheduling slack on a shared
    // machine), where the old count-based queue let waits grow with the queue.
    let slowest_render = pool["renderTimeMs"]["max"].as_f64().unwrap();
    let bound = QUEUE_TIMEOUT_MS as f64 + slowest_render + 250.0;
    let slowest_answer = answers
        .iter()
        .filter(|a| a.status == 200)
        .filter_map(|a| a.processing_ms)
        .fold(0.0, f64::max);
    assert!(
        slowest_answer <= bound,
        "an answer took {slowest_answer} ms on the server (bound {bound} ms): {stats}"
    );
    visible(&format!(
        "overload: {CLIENTS} clients for {LOAD:?} on 1 render thread, QUEUE_TIMEOUT_MS={QUEUE_TIMEOUT_MS}: \
         {ok} served, {} refused with 503 (by reason {}), 0 resets; slowest server time {slowest_answer:.0} ms; \
         /health answered {health_answers} times, slowest {health_slowest:?}",
        busy.len(),
        pool["rejectedByReason"]
    ));
    assert!(
        health_slowest < Duration::from_secs(1),
        "/health took {health_slowest:?} under load"
    );
}

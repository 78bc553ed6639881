//! HTTP service tests: each starts the real `tgs-converter serve` binary on a free loopback port
//! and talks HTTP/1.1 to it with `ureq`.
//!
//! Covers every endpoint, parameter, header and error of the service contract. Two tests write
//! the request bytes over a raw `TcpStream` instead, because they need to stop in the middle of the
//! body: `slow_body_times_out_with_408` and `sigterm_finishes_in_flight_requests`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::decoded;

pub(super) const BIN: &str = env!("CARGO_BIN_EXE_tgs-converter");

fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// The authored 128x96, 30-frame square (plain Lottie JSON).
pub(super) fn square_json() -> Vec<u8> {
    fixture("http/square.json")
}

/// The same square gzipped, as a `.tgs`.
fn square_tgs() -> Vec<u8> {
    gzip(&square_json())
}

/// The 512x512, 90-frame smiley sticker.
pub(super) fn smiley_tgs() -> Vec<u8> {
    fixture("sticker/smiley.tgs")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A running `tgs-converter serve` child on 127.0.0.1; killed on drop.
pub(super) struct Server {
    child: Child,
    pub(super) addr: SocketAddr,
    client: Client,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub(super) fn start() -> Self {
        Self::with_env(&[])
    }

    /// Starts the server with extra environment variables (the config contract is env + flags).
    pub(super) fn with_env(env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--host", "127.0.0.1"])
            .env("PORT", "0")
            .env("WORKER_POOL_SIZE", "2")
            .env("HTTP_WORKERS", "2")
            .env_remove("LOG_FORMAT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut child = cmd.spawn().expect("spawn tgs-converter serve");
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let logs = Arc::clone(&logs);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(addr) = listening_addr(&line) {
                        let _ = tx.send(addr);
                    }
                    logs.lock().unwrap().push(line);
                }
            });
        }
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("server did not start: {:?}", logs.lock().unwrap()));
        Self {
            child,
            addr,
            client: Client::new(addr),
            logs,
        }
    }

    pub(super) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        self.client.request(method, path, headers, body)
    }

    pub(super) fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], b"")
    }

    pub(super) fn post_multipart(&self, path: &str, fields: &[(&str, &[u8])]) -> Response {
        let (content_type, body) = multipart(fields);
        self.request("POST", path, &[("content-type", &content_type)], &body)
    }

    pub(super) fn post_raw(&self, path: &str, content_type: &str, body: &[u8]) -> Response {
        self.request("POST", path, &[("content-type", content_type)], body)
    }

    pub(super) fn post_json(&self, path: &str, body: &Value) -> Response {
        self.post_raw(path, "application/json", body.to_string().as_bytes())
    }

    pub(super) fn stats(&self) -> Value {
        self.get("/stats").json()
    }

    /// The server's process id (for its resident memory in `/proc`).
    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Finds `127.0.0.1:PORT` in the "listening on http://..." log line (text or JSON).
pub(super) fn listening_addr(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("listening on http://")? + "listening on http://".len()..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

#[derive(Debug)]
pub(super) struct Response {
    pub(super) status: u16,
    pub(super) headers: HashMap<String, String>,
    pub(super) body: Vec<u8>,
}

impl Response {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub(super) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "status {}: body is not JSON ({err}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts a `{code, message}` JSON error with `status` and `code`.
    #[track_caller]
    fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            self.status,
            status,
            "expected {status} {code}, got: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "errors are JSON"
        );
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        let message = body["message"].as_str().expect("message is a string");
        assert!(!message.is_empty(), "message is empty");
        let first = message.chars().next().unwrap();
        assert!(!first.is_uppercase(), "messages are lowercase: {message}");
    }

    fn png_size(&self) -> (u32, u32) {
        assert_eq!(
            self.header("content-type"),
            Some("image/png"),
            "a PNG response"
        );
        png_size(&self.body)
    }
}

pub(super) fn png_size(data: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(data));
    let reader = decoder.read_info().expect("a valid PNG");
    (reader.info().width, reader.info().height)
}

fn webp_size(data: &[u8]) -> (u32, u32) {
    let decoder = image_webp::WebPDecoder::new(std::io::Cursor::new(data)).expect("a valid WebP");
    decoder.dimensions()
}

/// An HTTP/1.1 client for one server.
///
/// Every request gets a new connection, so that an early answer which closes its connection
/// (413, 415 before the body is read) never leaves a dead one pooled for the next request. A 4xx
/// or 5xx status is a response to check, not an error; the environment's proxy settings are
/// ignored, so requests stay on loopback.
#[derive(Clone)]
pub(super) struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    pub(super) fn new(addr: SocketAddr) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Self {
            agent,
            base: format!("http://{addr}"),
        }
    }

    /// One exchange; `body` is sent with its `Content-Length` whatever the method.
    pub(super) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        for &(name, value) in headers {
            request = request.header(name, value);
        }
        let request = request.body(body).expect("a valid request");
        let response = self
            .agent
            .run(request)
            .unwrap_or_else(|err| panic!("{method} {path}: {err}"));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = value.to_str().expect("an ASCII header value");
                (name.as_str().to_owned(), value.to_owned())
            })
            .collect();
        // Base64 batches can be larger than ureq's default 10 MiB limit.
        let body = response
            .into_body()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .unwrap_or_else(|err| panic!("{method} {path}: body: {err}"));
        Response {
            status,
            headers,
            body,
        }
    }
}

/// Connects and sends the head of a `POST /convert` with a gzip body of `len` bytes and
/// `Connection: close`, for a test that sends the body itself.
fn start_raw_convert(addr: SocketAddr, len: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST /convert HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\
         content-type: application/gzip\r\ncontent-length: {len}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

/// Reads the response on a raw `Connection: close` stream to its end.
fn read_raw_response(stream: &mut TcpStream) -> Response {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("a complete response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    // Both raw tests get sized answers (an error JSON, a PNG); a chunked one would need decoding.
    assert_eq!(headers.get("transfer-encoding"), None, "{head}");
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn multipart(fields: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----tgsBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, data) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "content-disposition: form-data; name=\"{name}\"; filename=\"{name}.tgs\"\r\n\
                 content-type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn unb64(text: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text.as_str().expect("base64 string"))
        .expect("valid base64")
}

#[track_caller]
fn assert_ms_header(value: Option<&str>) {
    let value = value.expect("time header present");
    let (int, frac) = value.split_once('.').expect("two decimals");
    assert!(
        int.chars().all(|c| c.is_ascii_digit()) && frac.len() == 2,
        "time header {value:?} is ms with 2 decimals"
    );
}

// ---------------------------------------------------------------------------------------------
// POST /convert

#[test]
fn convert_multipart_defaults_and_headers() {
    let server = Server::start();
    let res = server.post_multipart("/convert", &[("file", &smiley_tgs())]);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.png_size(), (512, 512), "default: the composition size");
    assert_ms_header(res.header("x-processing-time"));
    assert_ms_header(res.header("x-queue-time"));
    assert_eq!(res.header("x-total-frames"), Some("90"));
    assert_eq!(res.header("x-cache-hit"), Some("false"));
    assert_eq!(
        res.header("x-image-size"),
        Some(res.body.len().to_string().as_str())
    );
}

#[test]
fn convert_second_identical_request_hits_the_cache() {
    // The animation cache alone (`output_cache.rs` tests the output cache in front of it).
    let server = Server::with_env(&[("OUTPUT_CACHE_BYTES", "0")]);
    let tgs = smiley_tgs();
    let first = server.post_multipart("/convert?frame=10", &[("file", &tgs)]);
    let second = server.post_multipart("/convert?frame=10", &[("file", &tgs)]);
    assert_eq!(first.header("x-cache-hit"), Some("false"));
    assert_eq!(second.header("x-cache-hit"), Some("true"));
    assert_eq!(
        first.body, second.body,
        "same image from the cached animation"
    );
    // The same content as plain JSON is the same cache entry (keyed by decompressed content).
    let third = server.post_raw("/convert?frame=10", "application/json", &gunzip(&tgs));
    assert_eq!(third.header("x-cache-hit"), Some("true"));
    let stats = server.stats();
    assert_eq!(stats["cache"]["hits"], 2, "{stats}");
    assert_eq!(stats["cache"]["misses"], 1, "{stats}");
    assert_eq!(stats["cache"]["entries"], 1, "{stats}");
    let times: Vec<f64> = [&first, &second]
        .iter()
        .map(|r| r.header("x-processing-time").unwrap().parse().unwrap())
        .collect();
    eprintln!(
        "processing time: first {} ms, cached {} ms",
        times[0], times[1]
    );
}

#[test]
fn convert_accepts_raw_bodies() {
    let server = Server::start();
    let cases: [(&str, Vec<u8>); 5] = [
        ("application/octet-stream", square_tgs()),
        ("application/gzip", square_tgs()),
        ("application/x-tgsticker", square_tgs()),
        ("application/json", square_json()),
        ("application/json; charset=utf-8", square_json()),
    ];
    for (content_type, body) in cases {
        let res = server.post_raw("/convert", content_type, &body);
        assert_eq!(
            res.status,
            200,
            "{content_type}: {}",
            String::from_utf8_lossy(&res.body)
        );
        assert_eq!(res.png_size(), (128, 96), "{content_type}");
    }
    // No content type at all is read as a raw sticker too.
    let res = server.request("POST", "/convert", &[], &square_tgs());
    assert_eq!(res.status, 200);
}

#[test]
fn convert_multipart_skips_other_fields() {
    let server = Server::start();
    let res = server.post_multipart("/convert", &[("note", b"hello"), ("file", &square_tgs())]);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.png_size(), (128, 96));
}

#[test]
fn convert_size_parameters() {
    let server = Server::start();
    let tgs = square_tgs();
    let size = |query: &str| {
        let res = server.post_raw(&format!("/convert?{query}"), "application/gzip", &tgs);
        assert_eq!(
            res.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&res.body)
        );
        res.png_size()
    };
    assert_eq!(
        size("width=64"),
        (64, 48),
        "width alone keeps the aspect ratio"
    );
    assert_eq!(
        size("height=48"),
        (64, 48),
        "height alone keeps the aspect ratio"
    );
    assert_eq!(
        size("width=50&height=50"),
        (50, 50),
        "both: exactly that size"
    );
    assert_eq!(size("frame=29&format=png"), (128, 96), "last frame");
}

#[test]
fn convert_over_the_render_budget_is_422_and_frees_the_thread() {
    let server = Server::with_env(&[
        ("MAX_OFFSCREEN_PIXELS", "1000000"),
        ("WORKER_POOL_SIZE", "1"),
    ]);
    let mattes = crate::util::many_mattes(300);
    let res = server.post_raw("/convert?width=1024", "application/json", &mattes);
    res.assert_error(422, "limit_exceeded");
    assert!(
        res.json()["message"]
            .as_str()
            .unwrap()
            .contains("(max_offscreen_pixels)"),
        "{:?}",
        res.json()
    );
    // The one render thread is free again: an ordinary sticker converts.
    let res = server.post_raw("/convert", "application/octet-stream", &smiley_tgs());
    assert_eq!(res.status, 200);
    // Small enough, the same file renders.
    let res = server.post_raw("/convert?width=32", "application/json", &mattes);
    assert_eq!(res.status, 200);
}

#[test]
fn rate_limit_per_client_with_trusted_forwarded_for() {
    // Untrusted peer: `X-Forwarded-For` is ignored, so a new header value gets no new bucket.
    let server = Server::with_env(&[("RATE_LIMIT_RPS", "1"), ("RATE_LIMIT_BURST", "2")]);
    let get = |xff: &str| server.request("GET", "/stats", &[("x-forwarded-for", xff)], b"");
    assert_eq!(get("1.1.1.1").status, 200);
    assert_eq!(get("1.1.1.1").status, 200);
    let limited = get("2.2.2.2");
    limited.assert_error(429, "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "retry-after {retry}");
    assert_eq!(
        server.get("/health/ready").status,
        200,
        "probes are not limited"
    );
    drop(server);

    // Loopback is a trusted proxy: each forwarded client has its own bucket.
    let server = Server::with_env(&[
        ("RATE_LIMIT_RPS", "1"),
        ("RATE_LIMIT_BURST", "1"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"),
    ]);
    let get = |xff: &str| server.request("GET", "/stats", &[("x-forwarded-for", xff)], b"");
    assert_eq!(get("203.0.113.7").status, 200);
    assert_eq!(get("203.0.113.7").status, 429);
    assert_eq!(
        get("203.0.113.8, 10.1.2.3").status,
        200,
        "another client behind two proxies"
    );
    assert_eq!(get("203.0.113.9").status, 200);
}

#[test]
fn convert_webp_and_quality() {
    let server = Server::start();
    let tgs = smiley_tgs();
    let res = server.post_raw("/convert?format=webp&width=256", "application/gzip", &tgs);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("content-type"), Some("image/webp"));
    assert_eq!(&res.body[..4], b"RIFF");
    assert_eq!(&res.body[8..12], b"WEBP");
    assert_eq!(webp_size(&res.body), (256, 256));
    let exact = server.post_raw("/convert?format=webp&quality=100", "application/gzip", &tgs);
    let coarse = server.post_raw("/convert?format=webp&quality=10", "application/gzip", &tgs);
    assert_eq!((exact.status, coarse.status), (200, 200));
    assert!(
        coarse.body.len() <= exact.body.len(),
        "quality 10 ({} B) is not larger than 100 ({} B)",
        coarse.body.len(),
        exact.body.len()
    );
    assert_eq!(
        exact.header("x-image-size"),
        Some(exact.body.len().to_string().as_str())
    );
}

#[test]
fn convert_images_are_not_compressed() {
    let server = Server::start();
    for encoding in ["gzip", "br", "gzip, br"] {
        let res = server.request(
            "POST",
            "/convert",
            &[
                ("content-type", "application/gzip"),
                ("accept-encoding", encoding),
            ],
            &square_tgs(),
        );
        assert_eq!(res.status, 200);
        assert_eq!(res.header("content-encoding"), None, "{encoding}");
        assert_eq!(res.png_size(), (128, 96));
    }
}

#[test]
fn convert_parameter_errors() {
    let server = Server::start();
    let tgs = square_tgs();
    let post =
        |query: &str| server.post_raw(&format!("/convert?{query}"), "application/gzip", &tgs);
    post("frame=30").assert_error(400, "frame_out_of_range");
    post("frame=-1").assert_error(400, "invalid_parameter");
    post("frame=abc").assert_error(400, "invalid_parameter");
    post("format=bmp").assert_error(400, "bad_format");
    post("quality=0").assert_error(400, "invalid_parameter");
    post("quality=101").assert_error(400, "invalid_parameter");
    post("quality=high").assert_error(400, "invalid_parameter");
    post("width=0").assert_error(400, "bad_size");
    post("width=100000").assert_error(400, "bad_size");
    post("height=5000").assert_error(400, "bad_size");
    post("width=x").assert_error(400, "invalid_parameter");
}

#[test]
fn convert_input_errors() {
    let server = Server::start();
    let raw = |content_type: &str, body: &[u8]| server.post_raw("/convert", content_type, body);
    raw("application/gzip", &[0x1f, 0x8b, 8, 0, 1, 2, 3]).assert_error(400, "bad_gzip");
    raw("application/json", b"this is not json").assert_error(400, "not_json");
    raw("application/json", br#"{"hello":"world"}"#).assert_error(422, "not_lottie");
    raw("text/plain", &square_json()).assert_error(415, "unsupported_media_type");
    raw("application/x-www-form-urlencoded", b"a=b").assert_error(415, "unsupported_media_type");
    raw("application/octet-stream", b"").assert_error(400, "not_json");
    server
        .post_multipart("/convert", &[("upload", &square_tgs())])
        .assert_error(400, "missing_file");
    // A multipart content type without a boundary, and a body that is not multipart.
    server
        .post_raw("/convert", "multipart/form-data", b"garbage")
        .assert_error(400, "bad_multipart");
    server
        .post_raw("/convert", "multipart/form-data; boundary=xyz", b"garbage")
        .assert_error(400, "bad_multipart");
}

#[test]
fn convert_body_limits() {
    let server = Server::with_env(&[("MAX_INPUT_BYTES", "2000"), ("MAX_JSON_BYTES", "3000")]);
    let big = vec![b' '; 5000];
    server
        .post_raw("/convert", "application/octet-stream", &big)
        .assert_error(413, "input_too_large");
    server
        .post_multipart("/convert", &[("file", &big)])
        .assert_error(413, "input_too_large");
    server
        .post_multipart("/info", &[("file", &big)])
        .assert_error(413, "input_too_large");
    // Small gzip, large JSON after gunzip: the decompressed limit applies.
    server
        .post_raw("/convert", "application/gzip", &gzip(&big))
        .assert_error(422, "limit_exceeded");
    // Still serves after refusing.
    let ok = server.post_raw("/convert", "application/gzip", &square_tgs());
    assert_eq!(ok.status, 200);
}

// ---------------------------------------------------------------------------------------------
// POST /convert/base64 and /convert/batch

#[test]
fn base64_returns_the_image_as_json() {
    let server = Server::start();
    let body = json!({"data": b64(&square_tgs()), "frame": 3, "format": "png", "width": 64});
    let res = server.post_json("/convert/base64", &body);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let out = res.json();
    let image = unb64(&out["image"]);
    assert_eq!(png_size(&image), (64, 48));
    assert_eq!(out["width"], 64);
    assert_eq!(out["height"], 48);
    assert_eq!(out["format"], "png");
    assert_eq!(out["size"], image.len());
    assert_eq!(out["totalFrames"], 30);
    assert_eq!(out["cacheHit"], false);
    let time = out["processingTime"].as_str().unwrap();
    assert!(time.ends_with("ms"), "{time}");
    assert_ms_header(Some(time.trim_end_matches("ms")));

    // Defaults, webp, a data: URL, and the cache.
    let data_url = format!("data:application/x-tgsticker;base64,{}", b64(&square_tgs()));
    let out = server
        .post_json(
            "/convert/base64",
            &json!({"data": data_url, "format": "webp", "quality": 80}),
        )
        .json();
    assert_eq!(out["format"], "webp");
    assert_eq!(webp_size(&unb64(&out["image"])), (128, 96));
    assert_eq!(out["cacheHit"], true);
}

#[test]
fn base64_errors() {
    let server = Server::start();
    let post = |body: Value| server.post_json("/convert/base64", &body);
    post(json!({"data": "%%% not base64 %%%"})).assert_error(400, "bad_base64");
    post(json!({"frame": 1})).assert_error(400, "bad_json");
    post(json!({"data": b64(&square_tgs()), "frame": -1})).assert_error(400, "bad_json");
    post(json!({"data": b64(&square_tgs()), "frame": "one"}))
        .assert_error(400, "invalid_parameter");
    post(json!({"data": b64(&square_tgs()), "frame": 99})).assert_error(400, "frame_out_of_range");
    post(json!({"data": b64(&square_tgs()), "format": "bmp"})).assert_error(400, "bad_format");
    post(json!({"data": b64(&square_tgs()), "quality": 0})).assert_error(400, "invalid_parameter");
    post(json!({"data": b64(b"{}")})).assert_error(422, "not_lottie");
    post(json!({"data": ""})).assert_error(400, "missing_file");
    server
        .post_raw("/convert/base64", "application/json", b"{not json")
        .assert_error(400, "bad_json");
    server
        .post_raw("/convert/base64", "text/plain", b"{}")
        .assert_error(415, "unsupported_media_type");
}

#[test]
fn base64_body_limit() {
    let server = Server::with_env(&[("MAX_BODY_BYTES", "1000")]);
    let body = json!({"data": b64(&vec![0_u8; 3000])});
    server
        .post_json("/convert/base64", &body)
        .assert_error(413, "payload_too_large");
    server
        .post_json("/convert/batch", &json!({"items": [body]}))
        .assert_error(413, "payload_too_large");
}

#[test]
fn batch_answers_in_order_with_per_item_errors() {
    let server = Server::start();
    let square = b64(&square_tgs());
    let smiley = b64(&smiley_tgs());
    let body = json!({"items": [
        {"data": square, "frame": 0},
        {"data": smiley, "format": "webp", "width": 100},
        {"data": square, "frame": 1000},
        {"data": "!!!"},
        {"data": square, "height": 48, "quality": 50},
    ]});
    let res = server.post_json("/convert/batch", &body);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let results = res.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 5);
    assert_eq!(png_size(&unb64(&results[0]["image"])), (128, 96));
    assert_eq!(results[0]["totalFrames"], 30);
    assert_eq!(webp_size(&unb64(&results[1]["image"])), (100, 100));
    assert_eq!(results[1]["totalFrames"], 90);
    assert_eq!(results[2]["code"], "frame_out_of_range");
    assert!(results[2]["message"].is_string());
    assert_eq!(results[3]["code"], "bad_base64");
    assert_eq!(results[4]["width"], 64);
    assert!(
        results[4]["processingTime"]
            .as_str()
            .unwrap()
            .ends_with("ms")
    );

    let empty = server.post_json("/convert/batch", &json!({"items": []}));
    assert_eq!(empty.json(), json!({"results": []}));
    server
        .post_json("/convert/batch", &json!({"files": []}))
        .assert_error(400, "bad_json");
}

#[test]
fn batch_item_limit() {
    let server = Server::with_env(&[("MAX_BATCH_ITEMS", "2")]);
    let item = json!({"data": b64(&square_tgs())});
    let res = server.post_json("/convert/batch", &json!({"items": [item, item, item]}));
    res.assert_error(400, "too_many_items");
}

// ---------------------------------------------------------------------------------------------
// Animations: /convert, /convert/base64 and batch items with frame=all, frames=, fps=

#[test]
fn convert_animated_formats_with_headers() {
    let server = Server::start();
    let tgs = smiley_tgs();
    for (query, mime, frames, duration) in [
        ("format=webp&frame=all&width=64", "image/webp", 90, 3000.0),
        ("format=apng&width=64", "image/apng", 90, 3000.0),
        // 30 fps as GIF: 3 cs per frame.
        ("format=gif&width=64", "image/gif", 100, 3000.0),
        (
            "format=gif&width=64&fps=10&background=%23ffffff",
            "image/gif",
            30,
            3000.0,
        ),
        (
            "format=webp&frames=30-59&fps=15&width=48",
            "image/webp",
            15,
            1000.0,
        ),
    ] {
        let res = server.post_raw(&format!("/convert?{query}"), "application/gzip", &tgs);
        assert_eq!(
            res.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&res.body)
        );
        assert_eq!(res.header("content-type"), Some(mime), "{query}");
        assert_eq!(res.header("x-total-frames"), Some("90"), "{query}");
        let anim = decoded::decode(&res.body);
        assert_eq!(anim.frames.len(), frames, "{query}");
        assert_eq!(
            res.header("x-frames-encoded"),
            Some(frames.to_string().as_str()),
            "{query}"
        );
        assert!(
            (anim.duration_ms() - duration).abs() < 1e-6,
            "{query}: {:?}",
            anim.delays_ms
        );
        assert_eq!(anim.loops, 0, "{query}");
        let corner = anim.frames[0].get_pixel(0, 0).0;
        if query.contains("background") {
            assert_eq!(corner, [255, 255, 255, 255], "{query}: matte");
        } else {
            assert_eq!(corner[3], 0, "{query}: transparent corner");
        }
    }
    // A still keeps its old answer, with one frame encoded.
    let still = server.post_raw("/convert?frame=5", "application/gzip", &tgs);
    assert_eq!(still.header("x-frames-encoded"), Some("1"));
    assert_eq!(still.png_size(), (512, 512));
}

#[test]
fn convert_animation_merges_held_frames() {
    let server = Server::start();
    let json = fixture("http/moves_then_holds.json");
    let res = server.post_raw("/convert?format=apng", "application/json", &json);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("x-total-frames"), Some("20"));
    assert_eq!(res.header("x-frames-encoded"), Some("11"));
    let anim = decoded::decode(&res.body);
    assert_eq!(anim.delays_ms.last(), Some(&1000.0), "{:?}", anim.delays_ms);
}

#[test]
fn base64_and_batch_export_animations() {
    let server = Server::start();
    let data = b64(&square_tgs());
    let out = server
        .post_json(
            "/convert/base64",
            &json!({"data": data, "frame": "all", "format": "gif", "width": 32}),
        )
        .json();
    assert_eq!(out["format"], "gif");
    let anim = decoded::decode(&unb64(&out["image"]));
    assert_eq!(out["framesEncoded"], anim.frames.len());
    assert_eq!(anim.size(), (32, 24));
    let res = server.post_json(
        "/convert/batch",
        &json!({"items": [
            {"data": data, "format": "webp", "frames": "0-9", "width": 32},
            {"data": data, "format": "apng", "fps": 0},
        ]}),
    );
    let results = res.json()["results"].as_array().unwrap().clone();
    let anim = decoded::decode(&unb64(&results[0]["image"]));
    assert_eq!(anim.format, "webp");
    assert_eq!(results[0]["framesEncoded"], anim.frames.len());
    assert_eq!(results[1]["code"], "invalid_parameter", "{}", results[1]);
}

#[test]
fn convert_animation_errors_and_limits() {
    let server = Server::with_env(&[
        ("MAX_EXPORT_FRAMES", "50"),
        ("MAX_EXPORT_PIXELS", "1000000"),
    ]);
    let tgs = smiley_tgs();
    let post =
        |query: &str| server.post_raw(&format!("/convert?{query}"), "application/gzip", &tgs);
    post("format=gif&fps=0").assert_error(400, "invalid_parameter");
    post("format=gif&fps=121").assert_error(400, "invalid_parameter");
    post("format=gif&fps=ten").assert_error(400, "invalid_parameter");
    post("format=webp&frames=0-90").assert_error(400, "frame_out_of_range");
    post("format=webp&frames=9-3").assert_error(400, "invalid_parameter");
    post("format=webp&frame=all&frames=0-3").assert_error(400, "invalid_parameter");
    post("format=gif&background=green").assert_error(400, "invalid_parameter");
    // 90 frames is over 50; 40 frames of 512x512 are over a million pixels.
    post("format=apng&width=8").assert_error(422, "limit_exceeded");
    post("format=apng&frames=0-39").assert_error(422, "limit_exceeded");
    let res = post("format=apng&frames=0-39&width=128");
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}

// ---------------------------------------------------------------------------------------------
// POST /info

#[test]
fn info_multipart_and_raw() {
    let server = Server::start();
    let res = server.post_multipart("/info", &[("file", &smiley_tgs())]);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let info = res.json();
    for key in [
        "width",
        "height",
        "totalFrames",
        "frameRate",
        "duration",
        "layers",
        "assets",
        "version",
        "name",
        "warnings",
    ] {
        assert!(info.get(key).is_some(), "info has {key}: {info}");
    }
    assert_eq!(info["width"], 512);
    assert_eq!(info["totalFrames"], 90);
    assert!(info["warnings"].is_array());
    assert_eq!(res.header("x-cache-hit"), Some("false"));

    let raw = server.post_raw("/info", "application/json", &square_json());
    assert_eq!(raw.json()["name"], "http square");
    let again = server.post_raw("/info", "application/gzip", &square_tgs());
    assert_eq!(
        again.header("x-cache-hit"),
        Some("true"),
        "same content, same entry"
    );
    server
        .post_raw("/info", "image/png", b"x")
        .assert_error(415, "unsupported_media_type");
    server
        .post_raw("/info", "application/json", b"[1,2")
        .assert_error(400, "not_json");
}

// ---------------------------------------------------------------------------------------------
// GET /health, /stats, /metrics; POST /cache/clear

#[test]
fn health_stats_clear_and_metrics() {
    let server = Server::with_env(&[
        ("CACHE_SIZE", "7"),
        ("CACHE_TTL_MS", "60000"),
        // The animation cache alone (`output_cache.rs` tests the output cache in front of it).
        ("OUTPUT_CACHE_BYTES", "0"),
    ]);
    let health = server.get("/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");

    let tgs = square_tgs();
    server.post_raw("/convert", "application/gzip", &tgs);
    server.post_raw("/convert", "application/gzip", &tgs);
    let stats = server.stats();
    let cache = &stats["cache"];
    assert_eq!(cache["entries"], 1, "{stats}");
    assert_eq!(cache["maxEntries"], 7);
    assert_eq!(cache["ttlMs"], 60000);
    assert_eq!(cache["hits"], 1);
    assert_eq!(cache["misses"], 1);
    assert_eq!(cache["hitRate"], 0.5);
    for key in ["weightedBytes", "capacityBytes", "evictions", "expirations"] {
        assert!(cache[key].is_u64(), "cache.{key}: {stats}");
    }
    let pool = &stats["pool"];
    assert_eq!(pool["threads"], 2);
    assert_eq!(pool["completed"], 2);
    for key in ["busy", "queued", "queueCapacity", "rejected", "panicked"] {
        assert!(pool[key].is_u64(), "pool.{key}: {stats}");
    }
    for key in ["p50", "p90", "p99", "max"] {
        assert!(pool["renderTimeMs"][key].as_f64().unwrap() > 0.0, "{stats}");
    }

    let cleared = server.request("POST", "/cache/clear", &[], b"");
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.json()["cleared"], 1);
    assert_eq!(server.stats()["cache"]["entries"], 0);
    let after = server.post_raw("/convert", "application/gzip", &tgs);
    assert_eq!(after.header("x-cache-hit"), Some("false"), "cleared");

    let metrics = server.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(metrics.body).unwrap();
    for needle in [
        "tgs_http_requests_total{route=\"/convert\",status=\"200\"} 3",
        "tgs_http_requests_total{route=\"/health\",status=\"200\"} 1",
        "# TYPE tgs_http_request_duration_milliseconds histogram",
        "tgs_http_request_duration_milliseconds_bucket{route=\"/convert\",le=\"1\"}",
        "tgs_http_request_duration_milliseconds_bucket{route=\"/convert\",le=\"5\"}",
        "tgs_http_request_duration_milliseconds_bucket{route=\"/convert\",le=\"10\"}",
        "tgs_http_request_duration_milliseconds_bucket{route=\"/convert\",le=\"20\"}",
        "tgs_http_request_duration_milliseconds_bucket{route=\"/convert\",le=\"50\"}",
        "tgs_http_request_duration_milliseconds_bucket{route=\"/convert\",le=\"100\"}",
        "tgs_http_request_duration_milliseconds_bucket{route=\"/convert\",le=\"+Inf\"} 3",
        "tgs_http_request_duration_milliseconds_count{route=\"/convert\"} 3",
        "tgs_cache_entries 1",
        "tgs_cache_hits_total 1",
        "tgs_cache_misses_total 2",
        "tgs_pool_threads 2",
        "tgs_pool_completed_total 3",
        "tgs_pool_rejected_total 0",
    ] {
        assert!(text.contains(needle), "metrics lack {needle:?}:\n{text}");
    }
}

#[test]
fn json_responses_are_compressed_when_accepted() {
    let server = Server::start();
    let gz = server.request("GET", "/stats", &[("accept-encoding", "gzip")], b"");
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let stats: Value = serde_json::from_slice(&gunzip(&gz.body)).unwrap();
    assert!(stats["cache"].is_object());
    let br = server.request("GET", "/stats", &[("accept-encoding", "br")], b"");
    assert_eq!(br.header("content-encoding"), Some("br"));
    let plain = server.get("/stats");
    assert_eq!(plain.header("content-encoding"), None);
    plain.json();
}

#[test]
fn unknown_routes_and_methods_are_json() {
    let server = Server::start();
    server.get("/nope").assert_error(404, "not_found");
    server
        .request("POST", "/", &[], b"")
        .assert_error(404, "not_found");
    let wrong = server.get("/convert");
    wrong.assert_error(405, "method_not_allowed");
    assert_eq!(wrong.header("allow"), Some("POST"));
    server.get("/info").assert_error(405, "method_not_allowed");
    server
        .request("POST", "/health", &[], b"")
        .assert_error(405, "method_not_allowed");
    server
        .get("/cache/clear")
        .assert_error(405, "method_not_allowed");
    server
        .request("DELETE", "/stats", &[], b"")
        .assert_error(405, "method_not_allowed");
}

#[test]
fn unacceptable_encoding_is_json() {
    let server = Server::start();
    let res = server.request("GET", "/stats", &[("accept-encoding", "identity;q=0")], b"");
    res.assert_error(406, "not_acceptable");
}

#[test]
fn slow_body_times_out_with_408() {
    let server = Server::with_env(&[("BODY_TIMEOUT_MS", "300")]);
    let tgs = square_tgs();
    let mut stream = start_raw_convert(server.addr, tgs.len());
    stream.write_all(&tgs[..10]).unwrap();
    read_raw_response(&mut stream).assert_error(408, "request_timeout");
}

// ---------------------------------------------------------------------------------------------
// Pool, logs, shutdown, config

#[test]
fn full_queue_answers_503_with_retry_after_and_keeps_serving() {
    let server = Server::with_env(&[("WORKER_POOL_SIZE", "1"), ("QUEUE_SIZE", "0")]);
    let tgs = smiley_tgs();
    // A batch of large renders holds the only slot long enough to observe it deterministically.
    let item = json!({"data": b64(&tgs), "width": 2048, "height": 2048, "frame": 40});
    let batch = json!({"items": vec![item; 48]}).to_string();
    let client = server.client.clone();
    let holder = std::thread::spawn(move || {
        client.request(
            "POST",
            "/convert/batch",
            &[("content-type", "application/json")],
            batch.as_bytes(),
        )
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.stats()["pool"]["busy"] == 0 {
        assert!(Instant::now() < deadline, "the batch never started");
        std::thread::sleep(Duration::from_millis(2));
    }
    let busy = server.post_raw("/convert", "application/gzip", &tgs);
    busy.assert_error(503, "server_busy");
    assert_eq!(busy.header("retry-after"), Some("1"));
    let busy_json = server.post_json("/convert/base64", &json!({"data": b64(&tgs)}));
    busy_json.assert_error(503, "server_busy");
    // Health and stats never queue.
    assert_eq!(server.get("/health").status, 200);

    let batch = holder.join().unwrap();
    assert_eq!(batch.status, 200, "the batch itself completes");
    assert_eq!(batch.json()["results"].as_array().unwrap().len(), 48);
    let stats = server.stats();
    assert_eq!(stats["pool"]["rejected"], 2, "{stats}");
    let after = server.post_raw("/convert", "application/gzip", &tgs);
    assert_eq!(after.status, 200, "serves again once the queue drains");
}

#[test]
fn json_logs_one_line_per_request() {
    let server = Server::with_env(&[("LOG_FORMAT", "json")]);
    server.post_raw("/convert?width=32", "application/gzip", &square_tgs());
    server.post_raw("/convert?width=32", "application/gzip", &square_tgs());
    server.get("/nope");
    let deadline = Instant::now() + Duration::from_secs(5);
    let requests = loop {
        let lines: Vec<Value> = server
            .logs()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|v| v["message"] == "request")
            .collect();
        if lines.len() >= 3 || Instant::now() > deadline {
            break lines;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(requests.len(), 3, "{:?}", server.logs());
    assert_eq!(requests[0]["route"], "/convert");
    assert_eq!(requests[0]["status"], 200);
    assert_eq!(requests[0]["cache_hit"], false);
    assert_eq!(requests[1]["cache_hit"], true);
    assert!(requests[1]["ms"].as_f64().is_some());
    assert_eq!(requests[2]["route"], "unmatched");
    assert_eq!(requests[2]["status"], 404);
}

#[cfg(unix)]
#[test]
fn sigterm_finishes_in_flight_requests() {
    let mut server = Server::start();
    let tgs = square_tgs();
    let (half, rest) = tgs.split_at(tgs.len() / 2);
    let mut stream = start_raw_convert(server.addr, tgs.len());
    stream.write_all(half).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest).unwrap();
    let res = read_raw_response(&mut stream);
    assert_eq!(res.status, 200, "the in-flight request completes");
    assert_eq!(res.png_size(), (128, 96));
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "clean exit: {exit:?}");
}

#[test]
fn serve_help_documents_every_setting_with_env_and_default() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (env, default) in [
        ("HOST", "127.0.0.1"),
        ("PORT", "3000"),
        ("WORKER_POOL_SIZE", "0"),
        ("QUEUE_SIZE", "1024"),
        ("QUEUE_TIMEOUT_MS", "2000"),
        ("QUEUE_MAX_BYTES", "268435456"),
        ("HTTP_WORKERS", "0"),
        ("CACHE_SIZE", "1000"),
        ("CACHE_TTL_MS", "3600000"),
        ("CACHE_MAX_BYTES", "134217728"),
        ("MAX_INPUT_BYTES", "10485760"),
        ("MAX_JSON_BYTES", "67108864"),
        ("MAX_OUTPUT_SIDE", "2048"),
        ("MAX_BODY_BYTES", "67108864"),
        ("MAX_BATCH_ITEMS", "64"),
        ("BODY_TIMEOUT_MS", "30000"),
        ("SHUTDOWN_TIMEOUT_SECS", "30"),
        ("LOG_FORMAT", "text"),
        ("LOG_LEVEL", "info"),
    ] {
        let section = help
            .split(&format!("[env: {env}="))
            .nth(1)
            .unwrap_or_else(|| panic!("serve --help lacks {env}:\n{help}"));
        let next = section.lines().nth(1).unwrap_or_default();
        assert_eq!(next.trim(), format!("[default: {default}]"), "{env}");
    }
}

#[test]
fn invalid_config_fails_fast() {
    let out = Command::new(BIN)
        .args(["serve", "--port", "0"])
        .env("CACHE_SIZE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CACHE_SIZE must be greater than 0"),
        "{stderr}"
    );
}

#[test]
fn cache_ttl_expires_entries() {
    let server = Server::with_env(&[("CACHE_TTL_MS", "200")]);
    let tgs = square_tgs();
    assert_eq!(
        server
            .post_raw("/info", "application/gzip", &tgs)
            .header("x-cache-hit"),
        Some("false")
    );
    assert_eq!(
        server
            .post_raw("/info", "application/gzip", &tgs)
            .header("x-cache-hit"),
        Some("true")
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        server
            .post_raw("/info", "application/gzip", &tgs)
            .header("x-cache-hit"),
        Some("false")
    );
    assert_eq!(server.stats()["cache"]["expirations"], 1);
}

#[test]
fn cache_count_limit_evicts() {
    let server = Server::with_env(&[("CACHE_SIZE", "2")]);
    let json = String::from_utf8(square_json()).unwrap();
    for i in 0..6 {
        let variant = json.replace("http square", &format!("http square {i}"));
        let res = server.post_raw("/info", "application/json", variant.as_bytes());
        assert_eq!(res.status, 200);
    }
    let stats = server.stats();
    assert!(stats["cache"]["entries"].as_u64().unwrap() <= 2, "{stats}");
    assert!(
        stats["cache"]["evictions"].as_u64().unwrap() >= 4,
        "{stats}"
    );
}

// ---------------------------------------------------------------------------------------------
// Corpus (third-party stickers, read in place; skipped when absent)

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TGS_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

#[test]
fn corpus_stickers_convert_over_http() {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipping corpus_stickers_convert_over_http: no corpus (set TGS_CORPUS)");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tgs" || e == "json"))
        .collect();
    files.sort();
    // An even spread of 12 files keeps the test quick.
    let step = (files.len() / 12).max(1);
    let server = Server::start();
    let mut rendered = 0;
    for path in files.iter().step_by(step).take(12) {
        let data = std::fs::read(path).unwrap();
        let res = server.post_raw("/convert?width=128", "application/octet-stream", &data);
        let name = path.file_name().unwrap().to_string_lossy();
        match res.status {
            200 => {
                assert_eq!(res.png_size().0, 128, "{name}");
                rendered += 1;
            }
            status => {
                assert!(
                    (400..500).contains(&status),
                    "{name}: {status} {}",
                    String::from_utf8_lossy(&res.body)
                );
                res.json();
            }
        }
        let info = server.post_raw("/info", "application/octet-stream", &data);
        assert!(info.status < 500, "{name}: /info {}", info.status);
    }
    assert!(rendered > 0, "no corpus sticker rendered");
}

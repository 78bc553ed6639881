//! `ServerConfig`: the service's settings, their embedded defaults and their validation.
//!
//! Settings are named as in the service contract, by their environment variable (`PORT`,
//! `CACHE_SIZE`, ...): the defaults below are documented and validation errors are worded that way.

use std::io;
use std::net::IpAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use super::pool::Admission;
use super::rate_limit::Network;
use crate::pipeline::Limits;

/// Default `PORT`.
pub const DEFAULT_PORT: u16 = 3000;
/// Default `QUEUE_SIZE`: a backstop on the count of waiting jobs; the expected wait
/// (`QUEUE_TIMEOUT_MS`) is what turns requests away under load.
pub const DEFAULT_QUEUE_SIZE: usize = 1024;
/// Default `QUEUE_TIMEOUT_MS`: the longest a request should wait for a render thread.
pub const DEFAULT_QUEUE_TIMEOUT_MS: u64 = 2000;
/// Default `QUEUE_MAX_BYTES` (256 MiB): request bodies held by admitted jobs.
pub const DEFAULT_QUEUE_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Default `CACHE_SIZE`.
pub const DEFAULT_CACHE_SIZE: usize = 1000;
/// Default `CACHE_TTL_MS` (one hour).
pub const DEFAULT_CACHE_TTL_MS: u64 = 3_600_000;
/// Default `CACHE_MAX_BYTES` (128 MiB). Entries weigh about what they hold (2.5 bytes per JSON
/// byte, measured: `cargo bench --bench encode_corpus` with `STAGES=model`), at least 128 MiB /
/// `CACHE_SIZE` each; with the output cache's default, the server stays under 200 MB resident
/// (`benches/README.md`, "Memory").
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 128 * 1024 * 1024;
/// Default `OUTPUT_CACHE_BYTES` (32 MiB: about 1,500 512x512 PNG stills).
pub const DEFAULT_OUTPUT_CACHE_BYTES: u64 = 32 * 1024 * 1024;
/// Default `MAX_BODY_BYTES` (64 MiB: a batch of base64 stickers).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Default `MAX_BATCH_ITEMS`.
pub const DEFAULT_MAX_BATCH_ITEMS: usize = 64;
/// Default `BODY_TIMEOUT_MS`.
pub const DEFAULT_BODY_TIMEOUT_MS: u64 = 30_000;
/// Default `SHUTDOWN_TIMEOUT_SECS`.
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;

/// Log line format for the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The service configuration: thread counts, cache, limits and logging ([`ServerConfig::validate`]
/// checks it before the server starts).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on.
    pub host: IpAddr,
    /// TCP port (0 = any free port).
    pub port: u16,
    /// Render threads.
    pub worker_pool_size: usize,
    /// Most render jobs waiting for a thread (a backstop beyond the time rule).
    pub queue_size: usize,
    /// Longest expected (at admission) or actual (when a thread takes it) wait for a render
    /// thread; beyond it, 503.
    pub queue_timeout: Duration,
    /// Most bytes of request bodies held by admitted, unfinished render jobs.
    pub queue_max_bytes: u64,
    /// HTTP worker threads.
    pub http_workers: usize,
    /// Maximum number of cached animations.
    pub cache_size: usize,
    /// Cache time-to-live.
    pub cache_ttl: Duration,
    /// Cache memory budget in bytes.
    pub cache_max_bytes: u64,
    /// Encoded-output cache budget in bytes (0 = off).
    pub output_cache_bytes: u64,
    /// Pipeline safety limits.
    pub limits: Limits,
    /// Largest JSON request body in bytes.
    pub max_body_bytes: usize,
    /// Most items in one batch.
    pub max_batch_items: usize,
    /// Time allowed for receiving a request body.
    pub body_timeout: Duration,
    /// Graceful shutdown window.
    pub shutdown_timeout: Duration,
    /// Log line format.
    pub log_format: LogFormat,
    /// Most verbose log level.
    pub log_level: tracing::Level,
    /// Per-client rate limit: requests per second and burst; `None` = off.
    pub rate_limit: Option<RateLimit>,
    /// Peers whose `X-Forwarded-For` names the client (load balancers, nginx).
    pub trusted_proxies: Vec<Network>,
    /// Serves the web page at `GET /` (`WEB_UI`); off, `/` is a 404 like any unknown path.
    pub web_ui: bool,
}

/// A per-client rate limit (`RATE_LIMIT_RPS`, `RATE_LIMIT_BURST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second per client.
    pub per_second: NonZeroU32,
    /// Requests a client may send at once before the rate applies.
    pub burst: NonZeroU32,
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

impl ServerConfig {
    /// The render pool's admission rule (`QUEUE_SIZE`, `QUEUE_TIMEOUT_MS`, `QUEUE_MAX_BYTES`).
    pub fn admission(&self) -> Admission {
        Admission {
            queue_size: self.queue_size,
            queue_timeout: self.queue_timeout,
            queue_max_bytes: self.queue_max_bytes,
        }
    }

    /// Checks the sizes that must be positive.
    ///
    /// # Errors
    ///
    /// Returns [`io::ErrorKind::InvalidInput`] naming the first such setting that is zero, e.g.
    /// `CACHE_SIZE must be greater than 0`.
    pub fn validate(&self) -> io::Result<()> {
        let positive = [
            ("CACHE_SIZE", self.cache_size as u64),
            (
                "QUEUE_TIMEOUT_MS",
                u64::try_from(self.queue_timeout.as_millis()).unwrap_or(u64::MAX),
            ),
            ("QUEUE_MAX_BYTES", self.queue_max_bytes),
            ("CACHE_MAX_BYTES", self.cache_max_bytes),
            ("MAX_INPUT_BYTES", self.limits.max_input_bytes as u64),
            ("MAX_JSON_BYTES", self.limits.max_json_bytes as u64),
            ("MAX_OUTPUT_SIDE", u64::from(self.limits.max_output_side)),
            (
                "MAX_PATH_ELEMENTS",
                self.limits.budget.max_path_elements as u64,
            ),
            (
                "MAX_OFFSCREEN_PIXELS",
                self.limits.budget.max_offscreen_pixels,
            ),
            (
                "MAX_RENDER_MS",
                self.limits.budget.max_time.as_millis() as u64,
            ),
            (
                "MAX_EXPORT_FRAMES",
                u64::from(self.limits.max_export_frames),
            ),
            ("MAX_EXPORT_PIXELS", self.limits.max_export_pixels),
            ("MAX_BODY_BYTES", self.max_body_bytes as u64),
            ("MAX_BATCH_ITEMS", self.max_batch_items as u64),
        ];
        match positive.iter().find(|(_, value)| *value == 0) {
            Some((name, _)) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{name} must be greater than 0"),
            )),
            None => Ok(()),
        }
    }
}

impl Default for ServerConfig {
    /// The embedded defaults, as `serve` with no flag and no environment variable: one render
    /// thread and one HTTP worker per CPU.
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
            worker_pool_size: cpus(),
            queue_size: DEFAULT_QUEUE_SIZE,
            queue_timeout: Duration::from_millis(DEFAULT_QUEUE_TIMEOUT_MS),
            queue_max_bytes: DEFAULT_QUEUE_MAX_BYTES,
            http_workers: cpus(),
            cache_size: DEFAULT_CACHE_SIZE,
            cache_ttl: Duration::from_millis(DEFAULT_CACHE_TTL_MS),
            cache_max_bytes: DEFAULT_CACHE_MAX_BYTES,
            output_cache_bytes: DEFAULT_OUTPUT_CACHE_BYTES,
            limits: Limits::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_batch_items: DEFAULT_MAX_BATCH_ITEMS,
            body_timeout: Duration::from_millis(DEFAULT_BODY_TIMEOUT_MS),
            shutdown_timeout: Duration::from_secs(DEFAULT_SHUTDOWN_TIMEOUT_SECS),
            log_format: LogFormat::Text,
            log_level: tracing::Level::INFO,
            rate_limit: None,
            trusted_proxies: Vec::new(),
            web_ui: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(ServerConfig::default().validate().is_ok(), "defaults");
    }

    #[test]
    fn zero_sizes_are_named_in_the_error() {
        let mut config = ServerConfig::default();
        config.limits.max_output_side = 0;
        let err = config.validate().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "kind");
        assert_eq!(err.to_string(), "MAX_OUTPUT_SIDE must be greater than 0");
    }
}

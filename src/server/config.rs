//! `serve` flags and environment variables (`ServeArgs`), validated into a `ServerConfig`.
//!
//! Variable names follow the service contract (issue #4): `PORT`, `HOST`, `WORKER_POOL_SIZE`,
//! `CACHE_SIZE`, `CACHE_TTL_MS`, ... without a `TGS_` prefix, because deployments already set them.

use std::io;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::time::Duration;

use crate::pipeline::Limits;

/// Default `PORT`.
pub const DEFAULT_PORT: u16 = 3000;
/// Default `QUEUE_SIZE`.
pub const DEFAULT_QUEUE_SIZE: usize = 64;
/// Default `CACHE_SIZE`.
pub const DEFAULT_CACHE_SIZE: usize = 1000;
/// Default `CACHE_TTL_MS` (one hour).
pub const DEFAULT_CACHE_TTL_MS: u64 = 3_600_000;
/// Default `CACHE_MAX_BYTES` (512 MiB).
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// Default `MAX_BODY_BYTES` (64 MiB: a batch of base64 stickers).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Default `MAX_BATCH_ITEMS`.
pub const DEFAULT_MAX_BATCH_ITEMS: usize = 64;
/// Default `BODY_TIMEOUT_MS`.
pub const DEFAULT_BODY_TIMEOUT_MS: u64 = 30_000;
/// Default `SHUTDOWN_TIMEOUT_SECS`.
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;

/// Log line format for the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Flags of `tgs-converter serve`; each one can also be set by the environment variable shown.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (use 0.0.0.0 inside a container).
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// TCP port to listen on (0 picks a free port; the log line "listening" names it).
    #[arg(long, env = "PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,

    /// Render threads (0 = one per CPU); renders never run on the HTTP workers.
    #[arg(long, env = "WORKER_POOL_SIZE", default_value_t = 0)]
    pub worker_pool_size: usize,

    /// Render jobs allowed to wait for a free render thread; past it requests get 503 + Retry-After.
    #[arg(long, env = "QUEUE_SIZE", default_value_t = DEFAULT_QUEUE_SIZE)]
    pub queue_size: usize,

    /// HTTP worker threads that accept and parse requests (0 = one per CPU).
    #[arg(long, env = "HTTP_WORKERS", default_value_t = 0)]
    pub http_workers: usize,

    /// Maximum number of parsed animations kept in the cache.
    #[arg(long, env = "CACHE_SIZE", default_value_t = DEFAULT_CACHE_SIZE)]
    pub cache_size: usize,

    /// Time a parsed animation stays in the cache, in milliseconds.
    #[arg(long, env = "CACHE_TTL_MS", default_value_t = DEFAULT_CACHE_TTL_MS)]
    pub cache_ttl_ms: u64,

    /// Memory budget of the animation cache in bytes (estimated from each animation's JSON size).
    #[arg(long, env = "CACHE_MAX_BYTES", default_value_t = DEFAULT_CACHE_MAX_BYTES)]
    pub cache_max_bytes: u64,

    /// Largest accepted sticker (gzipped or plain JSON) in bytes; larger uploads get 413.
    #[arg(long, env = "MAX_INPUT_BYTES", default_value_t = Limits::default().max_input_bytes)]
    pub max_input_bytes: usize,

    /// Largest decompressed Lottie JSON in bytes.
    #[arg(long, env = "MAX_JSON_BYTES", default_value_t = Limits::default().max_json_bytes)]
    pub max_json_bytes: usize,

    /// Largest output width or height in pixels.
    #[arg(long, env = "MAX_OUTPUT_SIDE", default_value_t = Limits::default().max_output_side)]
    pub max_output_side: u32,

    /// Largest JSON request body (`/convert/base64`, `/convert/batch`) in bytes; larger gets 413.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Most items accepted in one `/convert/batch` request.
    #[arg(long, env = "MAX_BATCH_ITEMS", default_value_t = DEFAULT_MAX_BATCH_ITEMS)]
    pub max_batch_items: usize,

    /// Time a client gets to send the whole request body, in milliseconds; slower gets 408.
    #[arg(long, env = "BODY_TIMEOUT_MS", default_value_t = DEFAULT_BODY_TIMEOUT_MS)]
    pub body_timeout_ms: u64,

    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(long, env = "SHUTDOWN_TIMEOUT_SECS", default_value_t = DEFAULT_SHUTDOWN_TIMEOUT_SECS)]
    pub shutdown_timeout_secs: u64,

    /// Log format: one human-readable or one JSON line per request.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Most verbose log level (error, warn, info, debug, trace).
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: tracing::Level,
}

/// Validated service configuration: every `0 = auto` resolved, limits assembled.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on.
    pub host: IpAddr,
    /// TCP port (0 = any free port).
    pub port: u16,
    /// Render threads.
    pub worker_pool_size: usize,
    /// Render jobs that may wait beyond the running ones.
    pub queue_size: usize,
    /// HTTP worker threads.
    pub http_workers: usize,
    /// Maximum number of cached animations.
    pub cache_size: usize,
    /// Cache time-to-live.
    pub cache_ttl: Duration,
    /// Cache memory budget in bytes.
    pub cache_max_bytes: u64,
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
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

impl ServerConfig {
    /// Validates `args` and resolves the `0 = auto` values.
    ///
    /// # Errors
    ///
    /// Returns [`io::ErrorKind::InvalidInput`] when a size that must be positive is zero.
    #[expect(
        clippy::field_reassign_with_default,
        reason = "limits are set field by field so that new pipeline limits keep their defaults"
    )]
    pub fn from_args(args: &ServeArgs) -> io::Result<Self> {
        let positive = [
            ("CACHE_SIZE", args.cache_size as u64),
            ("CACHE_MAX_BYTES", args.cache_max_bytes),
            ("MAX_INPUT_BYTES", args.max_input_bytes as u64),
            ("MAX_JSON_BYTES", args.max_json_bytes as u64),
            ("MAX_OUTPUT_SIDE", u64::from(args.max_output_side)),
            ("MAX_BODY_BYTES", args.max_body_bytes as u64),
            ("MAX_BATCH_ITEMS", args.max_batch_items as u64),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{name} must be greater than 0"),
            ));
        }
        // Field by field, so limits the pipeline adds later keep their defaults until they get a
        // flag (a struct update would trip `needless_update` while the fields are all covered).
        let mut limits = Limits::default();
        limits.max_input_bytes = args.max_input_bytes;
        limits.max_json_bytes = args.max_json_bytes;
        limits.max_output_side = args.max_output_side;
        let auto = |n: usize| if n == 0 { cpus() } else { n };
        Ok(Self {
            host: args.host,
            port: args.port,
            worker_pool_size: auto(args.worker_pool_size),
            queue_size: args.queue_size,
            http_workers: auto(args.http_workers),
            cache_size: args.cache_size,
            cache_ttl: Duration::from_millis(args.cache_ttl_ms),
            cache_max_bytes: args.cache_max_bytes,
            limits,
            max_body_bytes: args.max_body_bytes,
            max_batch_items: args.max_batch_items,
            body_timeout: Duration::from_millis(args.body_timeout_ms),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
            log_format: args.log_format,
            log_level: args.log_level,
        })
    }
}

impl Default for ServerConfig {
    /// The embedded defaults, as `serve` with no flag and no environment variable.
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
            worker_pool_size: cpus(),
            queue_size: DEFAULT_QUEUE_SIZE,
            http_workers: cpus(),
            cache_size: DEFAULT_CACHE_SIZE,
            cache_ttl: Duration::from_millis(DEFAULT_CACHE_TTL_MS),
            cache_max_bytes: DEFAULT_CACHE_MAX_BYTES,
            limits: Limits::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_batch_items: DEFAULT_MAX_BATCH_ITEMS,
            body_timeout: Duration::from_millis(DEFAULT_BODY_TIMEOUT_MS),
            shutdown_timeout: Duration::from_secs(DEFAULT_SHUTDOWN_TIMEOUT_SECS),
            log_format: LogFormat::Text,
            log_level: tracing::Level::INFO,
        }
    }
}

//! `AppState`: what every handler shares (config, animation cache, render pool, metrics).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::cache::AnimationCache;
use super::config::ServerConfig;
use super::metrics::Metrics;
use super::pool::RenderPool;
use super::rate_limit::ClientRateLimiter;

/// Shared service state, held by actix as `web::Data<AppState>` (one `Arc` for all workers).
#[derive(Debug)]
pub struct AppState {
    /// Validated configuration (limits, batch size, body size).
    pub config: ServerConfig,
    /// Parsed animations by content.
    pub animations: AnimationCache,
    /// Render threads, admitting jobs by their expected wait.
    pub pool: RenderPool,
    /// Request counters and histograms.
    pub metrics: Metrics,
    /// When the state was built, for `uptime`.
    pub started: Instant,
    /// Per-client rate limiter, when `RATE_LIMIT_RPS` is set.
    pub rate_limiter: Option<ClientRateLimiter>,
    /// Set on SIGTERM/SIGINT: `/health/ready` answers 503 from then on.
    shutting_down: AtomicBool,
}

impl AppState {
    /// Builds the cache and starts the render threads for `config`.
    ///
    /// # Errors
    ///
    /// Returns an I/O error if the render threads cannot be spawned.
    pub fn new(config: ServerConfig) -> io::Result<Self> {
        let pool = RenderPool::new(config.worker_pool_size, config.admission())
            .map_err(io::Error::other)?;
        let animations =
            AnimationCache::new(config.cache_size, config.cache_max_bytes, config.cache_ttl);
        let rate_limiter = config.rate_limit.map(|limit| {
            ClientRateLimiter::new(
                limit.per_second,
                limit.burst,
                config.trusted_proxies.clone(),
            )
        });
        Ok(Self {
            rate_limiter,
            config,
            animations,
            pool,
            metrics: Metrics::default(),
            started: Instant::now(),
            shutting_down: AtomicBool::new(false),
        })
    }

    /// Whether the server has begun its graceful shutdown.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }

    /// Marks the server as shutting down (readiness fails from now on).
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
    }

    /// Why the server should not get new traffic now, or `None` when it is ready: shutting down,
    /// or the render pool would refuse a new job (queue full, or the expected wait over
    /// `QUEUE_TIMEOUT_MS`).
    pub fn not_ready(&self) -> Option<&'static str> {
        if self.is_shutting_down() {
            return Some("shutting_down");
        }
        self.pool.is_saturated().then_some("saturated")
    }
}

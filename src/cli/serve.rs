//! `serve`: turns the flags into a [`ServerConfig`] and runs the HTTP service.

use std::num::NonZeroU32;
use std::time::Duration;

use super::CliResult;
use super::args::{LogFormatArg, ServeArgs};
use crate::pipeline::Limits;
use crate::server::config::RateLimit;
use crate::server::{self, LogFormat, ServerConfig};
use renderer::Budget;

/// Runs `serve` until SIGINT/SIGTERM.
pub(super) fn run(args: &ServeArgs) -> CliResult {
    Ok(server::run(config(args))?)
}

/// The configuration `args` ask for; a thread count of 0 takes the server's default, one per CPU.
///
/// Sizes are not checked here: the server validates its configuration before it starts.
#[expect(
    clippy::field_reassign_with_default,
    reason = "limits are set field by field so that pipeline limits without a flag keep their defaults"
)]
fn config(args: &ServeArgs) -> ServerConfig {
    let defaults = ServerConfig::default();
    let threads = |n: usize, default: usize| if n == 0 { default } else { n };
    // Field by field, so that a pipeline limit without a flag keeps its default (a struct update
    // would trip `needless_update` while every limit has a flag).
    let mut limits = Limits::default();
    limits.max_input_bytes = args.max_input_bytes;
    limits.max_json_bytes = args.max_json_bytes;
    limits.max_output_side = args.max_output_side;
    limits.budget = Budget {
        max_path_elements: args.max_path_elements,
        max_offscreen_pixels: args.max_offscreen_pixels,
        max_time: Duration::from_millis(args.max_render_ms),
    };
    limits.max_export_frames = args.max_export_frames;
    limits.max_export_pixels = args.max_export_pixels;
    ServerConfig {
        host: args.host,
        port: args.port,
        worker_pool_size: threads(args.worker_pool_size, defaults.worker_pool_size),
        queue_size: args.queue_size,
        queue_timeout: Duration::from_millis(args.queue_timeout_ms),
        queue_max_bytes: args.queue_max_bytes,
        http_workers: threads(args.http_workers, defaults.http_workers),
        cache_size: args.cache_size,
        cache_ttl: Duration::from_millis(args.cache_ttl_ms),
        cache_max_bytes: args.cache_max_bytes,
        limits,
        max_body_bytes: args.max_body_bytes,
        max_batch_items: args.max_batch_items,
        body_timeout: Duration::from_millis(args.body_timeout_ms),
        shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
        rate_limit: NonZeroU32::new(args.rate_limit_rps).map(|per_second| RateLimit {
            per_second,
            burst: NonZeroU32::new(args.rate_limit_burst).unwrap_or(per_second),
        }),
        trusted_proxies: args.trusted_proxies.clone(),
        web_ui: args.web_ui,
        log_format: match args.log_format {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        },
        log_level: args.log_level,
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn args() -> ServeArgs {
        ServeArgs {
            host: IpAddr::from([0, 0, 0, 0]),
            port: 8080,
            worker_pool_size: 0,
            queue_size: 5,
            queue_timeout_ms: 1500,
            queue_max_bytes: 9000,
            http_workers: 3,
            cache_size: 10,
            cache_ttl_ms: 1500,
            cache_max_bytes: 4096,
            max_input_bytes: 100,
            max_json_bytes: 200,
            max_output_side: 300,
            max_path_elements: 1000,
            max_offscreen_pixels: 2000,
            max_render_ms: 3000,
            max_export_frames: 70,
            max_export_pixels: 80,
            max_body_bytes: 400,
            max_batch_items: 6,
            body_timeout_ms: 250,
            shutdown_timeout_secs: 7,
            log_format: LogFormatArg::Json,
            log_level: tracing::Level::DEBUG,
            rate_limit_rps: 5,
            rate_limit_burst: 0,
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            web_ui: false,
        }
    }

    #[test]
    fn serve_config_carries_every_flag() {
        let config = config(&args());
        assert_eq!(config.host, IpAddr::from([0, 0, 0, 0]), "host");
        assert_eq!(config.port, 8080, "port");
        assert_eq!(config.queue_size, 5, "queue");
        assert_eq!(
            config.queue_timeout,
            Duration::from_millis(1500),
            "queue timeout"
        );
        assert_eq!(config.queue_max_bytes, 9000, "queue bytes");
        assert_eq!(config.http_workers, 3, "explicit thread count");
        assert_eq!(config.cache_size, 10, "cache size");
        assert_eq!(config.cache_ttl, Duration::from_millis(1500), "ttl");
        assert_eq!(config.cache_max_bytes, 4096, "cache bytes");
        assert_eq!(config.limits.max_input_bytes, 100, "input limit");
        assert_eq!(config.limits.max_json_bytes, 200, "json limit");
        assert_eq!(config.limits.max_output_side, 300, "side limit");
        let rate = config.rate_limit.expect("a rate limit");
        assert_eq!(
            (rate.per_second.get(), rate.burst.get()),
            (5, 5),
            "burst 0 = the rate"
        );
        assert_eq!(config.trusted_proxies.len(), 1, "trusted proxies");
        assert!(!config.web_ui, "web ui");
        let budget = config.limits.budget;
        assert_eq!(budget.max_path_elements, 1000, "path elements");
        assert_eq!(budget.max_offscreen_pixels, 2000, "offscreen pixels");
        assert_eq!(budget.max_time, Duration::from_millis(3000), "render time");
        assert_eq!(config.limits.max_export_frames, 70, "export frames");
        assert_eq!(config.limits.max_export_pixels, 80, "export pixels");
        assert_eq!(config.max_body_bytes, 400, "body limit");
        assert_eq!(config.max_batch_items, 6, "batch limit");
        assert_eq!(
            config.body_timeout,
            Duration::from_millis(250),
            "body timeout"
        );
        assert_eq!(config.shutdown_timeout, Duration::from_secs(7), "shutdown");
        assert_eq!(config.log_format, LogFormat::Json, "log format");
        assert_eq!(config.log_level, tracing::Level::DEBUG, "log level");
    }

    #[test]
    fn serve_config_zero_threads_is_one_per_cpu() {
        let config = config(&ServeArgs {
            http_workers: 0,
            ..args()
        });
        let defaults = ServerConfig::default();
        assert_eq!(
            config.worker_pool_size, defaults.worker_pool_size,
            "render threads"
        );
        assert_eq!(config.http_workers, defaults.http_workers, "http workers");
        assert!(config.worker_pool_size >= 1, "at least one render thread");
    }
}

//! `Metrics`: request counters and duration histograms, rendered with the cache and pool gauges
//! in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::cache::CacheStats;
use super::pool::{PoolStats, Rejection};

/// Upper bounds of the request duration histogram buckets, in milliseconds (`+Inf` is implied).
pub const BUCKETS_MS: [f64; 6] = [1.0, 5.0, 10.0, 20.0, 50.0, 100.0];

#[derive(Debug, Default)]
struct Histogram {
    /// Cumulative counts per bucket of [`BUCKETS_MS`].
    buckets: [AtomicU64; BUCKETS_MS.len()],
    count: AtomicU64,
    /// Sum of durations in microseconds.
    sum_us: AtomicU64,
}

/// Request counters by route and status, and duration histograms by route.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    durations: Mutex<BTreeMap<String, std::sync::Arc<Histogram>>>,
}

impl Metrics {
    /// Records one request on `route` (the matched pattern, or `unmatched`).
    pub fn record(&self, route: &str, status: u16, elapsed: Duration) {
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((route.to_owned(), status))
            .or_default() += 1;
        let histogram = std::sync::Arc::clone(
            self.durations
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(route.to_owned())
                .or_default(),
        );
        let ms = elapsed.as_secs_f64() * 1000.0;
        for (bucket, bound) in histogram.buckets.iter().zip(BUCKETS_MS) {
            if ms <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        histogram.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        histogram.sum_us.fetch_add(micros, Ordering::Relaxed);
    }

    /// Renders every metric in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, cache: &CacheStats, pool: &PoolStats) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP tgs_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE tgs_http_requests_total counter\n");
        for ((route, status), count) in self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "tgs_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP tgs_http_request_duration_milliseconds HTTP request duration by route.\n",
        );
        out.push_str("# TYPE tgs_http_request_duration_milliseconds histogram\n");
        let durations = self
            .durations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for (route, h) in &durations {
            let name = "tgs_http_request_duration_milliseconds";
            for (bucket, bound) in h.buckets.iter().zip(BUCKETS_MS) {
                let n = bucket.load(Ordering::Relaxed);
                let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}");
            }
            let count = h.count.load(Ordering::Relaxed);
            let sum_ms = h.sum_us.load(Ordering::Relaxed) as f64 / 1000.0;
            let _ = writeln!(
                out,
                "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {sum_ms}");
            let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {count}");
        }
        let gauges: [(&str, &str, &str, f64); 15] = [
            (
                "tgs_cache_entries",
                "gauge",
                "Parsed animations in the cache.",
                cache.entries as f64,
            ),
            (
                "tgs_cache_weighted_bytes",
                "gauge",
                "Estimated bytes held by the cache.",
                cache.weighted_bytes as f64,
            ),
            (
                "tgs_cache_capacity_bytes",
                "gauge",
                "Cache weight budget in bytes.",
                cache.capacity_bytes as f64,
            ),
            (
                "tgs_cache_max_entries",
                "gauge",
                "Cache count limit.",
                cache.max_entries as f64,
            ),
            (
                "tgs_cache_hits_total",
                "counter",
                "Cache lookups answered from the cache.",
                cache.hits as f64,
            ),
            (
                "tgs_cache_misses_total",
                "counter",
                "Cache lookups that parsed the animation.",
                cache.misses as f64,
            ),
            (
                "tgs_cache_evictions_total",
                "counter",
                "Cache entries evicted for room.",
                cache.evictions as f64,
            ),
            (
                "tgs_cache_expirations_total",
                "counter",
                "Cache entries dropped by TTL.",
                cache.expirations as f64,
            ),
            (
                "tgs_pool_threads",
                "gauge",
                "Render threads.",
                pool.threads as f64,
            ),
            (
                "tgs_pool_busy",
                "gauge",
                "Render jobs running.",
                pool.busy as f64,
            ),
            (
                "tgs_pool_queued",
                "gauge",
                "Render jobs waiting for a thread.",
                pool.queued as f64,
            ),
            (
                "tgs_pool_queue_capacity",
                "gauge",
                "Most render jobs waiting (QUEUE_SIZE).",
                pool.queue_capacity as f64,
            ),
            (
                "tgs_pool_completed_total",
                "counter",
                "Render jobs finished.",
                pool.completed as f64,
            ),
            (
                "tgs_pool_rejected_total",
                "counter",
                "Render jobs answered 503 (all reasons).",
                pool.rejected as f64,
            ),
            (
                "tgs_pool_panics_total",
                "counter",
                "Render jobs that panicked.",
                pool.panicked as f64,
            ),
        ];
        for (name, kind, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        render_admission(&mut out, pool);
        out
    }
}

/// The render pool's admission: rejections by reason, the wait for a thread and its limits.
fn render_admission(out: &mut String, pool: &PoolStats) {
    let name = "tgs_pool_rejected_by_reason_total";
    let _ = writeln!(
        out,
        "# HELP {name} Render jobs answered 503, by reason.\n# TYPE {name} counter"
    );
    for why in Rejection::ALL {
        let count = pool.rejected_by_reason.get(why);
        let _ = writeln!(out, "{name}{{reason=\"{}\"}} {count}", why.as_str());
    }
    let name = "tgs_pool_queue_wait_milliseconds";
    let _ = writeln!(
        out,
        "# HELP {name} Wait for a render thread over the last 1024 jobs.\n# TYPE {name} summary"
    );
    let wait = &pool.queue_wait_ms;
    for (quantile, value) in [("0.5", wait.p50), ("0.9", wait.p90), ("0.99", wait.p99)] {
        let _ = writeln!(out, "{name}{{quantile=\"{quantile}\"}} {value}");
    }
    let gauges = [
        (
            "tgs_pool_expected_wait_milliseconds",
            "Wait a render job admitted now should expect.",
            pool.expected_wait_ms,
        ),
        (
            "tgs_pool_mean_job_milliseconds",
            "Recent mean render job time (the unit of the wait estimate).",
            pool.mean_job_ms,
        ),
        (
            "tgs_pool_queue_timeout_milliseconds",
            "Longest wait for a render thread (QUEUE_TIMEOUT_MS).",
            pool.queue_timeout_ms as f64,
        ),
        (
            "tgs_pool_queued_bytes",
            "Request body bytes held by admitted render jobs.",
            pool.queued_bytes as f64,
        ),
        (
            "tgs_pool_queue_max_bytes",
            "Budget of those bytes (QUEUE_MAX_BYTES).",
            pool.queue_max_bytes as f64,
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    }
    let name = "tgs_pool_abandoned_total";
    let _ = writeln!(
        out,
        "# HELP {name} Render jobs not run because their client had gone.\n# TYPE {name} counter\n{name} {}",
        pool.abandoned
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.record("/convert", 200, Duration::from_millis(3));
        metrics.record("/convert", 200, Duration::from_millis(30));
        metrics.record("/convert", 400, Duration::from_millis(300));
        let durations = metrics.durations.lock().unwrap();
        let h = &durations["/convert"];
        let counts: Vec<u64> = h
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        assert_eq!(counts, [0, 1, 1, 1, 2, 2]);
        assert_eq!(h.count.load(Ordering::Relaxed), 3);
    }
}

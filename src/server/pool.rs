//! `RenderPool`: a dedicated rayon pool with a bounded queue, panic isolation and timing stats.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

/// Render times kept for the percentiles in `/stats`.
const TIMING_WINDOW: usize = 1024;

/// Why a job did not produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// Every thread is busy and the queue is full.
    Busy,
    /// The job panicked; the pool and other jobs are unaffected.
    Panicked,
}

#[derive(Debug, Default)]
struct Counters {
    /// Jobs admitted and not yet finished (running plus queued).
    in_flight: AtomicUsize,
    /// Jobs running right now.
    busy: AtomicUsize,
    completed: AtomicU64,
    rejected: AtomicU64,
    panicked: AtomicU64,
    /// Recent render durations in milliseconds.
    timings: Mutex<VecDeque<f64>>,
}

/// Render time percentiles over the last renders, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
    /// Renders the percentiles cover (at most 1024, the most recent).
    pub samples: usize,
}

/// Pool counters, as served by `/stats`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolStats {
    /// Render threads (`WORKER_POOL_SIZE`).
    pub threads: usize,
    /// Jobs running now.
    pub busy: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
    /// Most jobs allowed to wait (`QUEUE_SIZE`).
    pub queue_capacity: usize,
    /// Jobs finished (including failed and panicked ones).
    pub completed: u64,
    /// Jobs refused with 503 because the queue was full.
    pub rejected: u64,
    /// Jobs that panicked (answered 500).
    pub panicked: u64,
    /// Render time percentiles in milliseconds.
    pub render_time_ms: Percentiles,
}

/// A rayon pool that admits at most `threads + queue_size` jobs at once.
#[derive(Debug)]
pub struct RenderPool {
    pool: rayon::ThreadPool,
    threads: usize,
    queue_size: usize,
    counters: Arc<Counters>,
}

impl RenderPool {
    /// Starts `threads` render threads named `render-N` and allows `queue_size` waiting jobs.
    ///
    /// # Errors
    ///
    /// Returns the rayon error if the threads cannot be spawned.
    pub fn new(threads: usize, queue_size: usize) -> Result<Self, rayon::ThreadPoolBuildError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("render-{i}"))
            // Jobs catch their own panics; this only guards the pool's bookkeeping.
            .panic_handler(|_| tracing::error!("a render thread panicked outside a job"))
            .build()?;
        Ok(Self {
            threads: pool.current_num_threads(),
            pool,
            queue_size,
            counters: Arc::default(),
        })
    }

    /// Runs `job` on a render thread and waits for it without blocking the caller's thread.
    ///
    /// The job runs even if the caller stops waiting (its result is then dropped).
    ///
    /// # Errors
    ///
    /// [`PoolError::Busy`] when the queue is full (the job does not run), [`PoolError::Panicked`]
    /// when it panics.
    pub async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let counters = Arc::clone(&self.counters);
        self.submit(move || Self::timed(&counters, job))
            .await?
            .unwrap_or(Err(PoolError::Panicked))
    }

    /// Runs `job` on every item in parallel on the render threads; answers in item order.
    ///
    /// The batch takes one queue slot and fans out over all threads; each item is timed, counted
    /// and isolated from panics on its own.
    ///
    /// # Errors
    ///
    /// [`PoolError::Busy`] when the queue is full (nothing runs); a panicking item yields
    /// `Err(PoolError::Panicked)` in its own slot.
    pub async fn run_batch<I, T, F>(
        &self,
        items: Vec<I>,
        job: F,
    ) -> Result<Vec<Result<T, PoolError>>, PoolError>
    where
        I: Send + 'static,
        T: Send + 'static,
        F: Fn(I) -> T + Send + Sync + 'static,
    {
        let counters = Arc::clone(&self.counters);
        self.submit(move || {
            items
                .into_par_iter()
                .map(|item| Self::timed(&counters, || job(item)))
                .collect()
        })
        .await?
        .map_err(|_| PoolError::Panicked)
    }

    /// Admits `job` if the queue has room and runs it on the pool, catching a panic.
    async fn submit<T, F>(&self, job: F) -> Result<std::thread::Result<T>, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let capacity = self.threads + self.queue_size;
        let admitted =
            self.counters
                .in_flight
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < capacity).then_some(n + 1)
                });
        if admitted.is_err() {
            self.counters.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(PoolError::Busy);
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let counters = Arc::clone(&self.counters);
        self.pool.spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(job));
            counters.in_flight.fetch_sub(1, Ordering::AcqRel);
            let _ = tx.send(result);
        });
        // The sender only disappears if the pool itself is gone.
        rx.await.map_err(|_| PoolError::Panicked)
    }

    fn timed<T>(counters: &Counters, job: impl FnOnce() -> T) -> Result<T, PoolError> {
        counters.busy.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(job));
        let elapsed = start.elapsed();
        counters.busy.fetch_sub(1, Ordering::Relaxed);
        counters.completed.fetch_add(1, Ordering::Relaxed);
        record(counters, elapsed);
        result.map_err(|_| {
            counters.panicked.fetch_add(1, Ordering::Relaxed);
            PoolError::Panicked
        })
    }

    /// Returns the current counters.
    pub fn stats(&self) -> PoolStats {
        let c = &self.counters;
        let busy = c.busy.load(Ordering::Relaxed);
        let in_flight = c.in_flight.load(Ordering::Relaxed);
        PoolStats {
            threads: self.threads,
            busy,
            queued: in_flight.saturating_sub(self.threads.min(in_flight)),
            queue_capacity: self.queue_size,
            completed: c.completed.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            panicked: c.panicked.load(Ordering::Relaxed),
            render_time_ms: percentiles(c),
        }
    }
}

fn record(counters: &Counters, elapsed: Duration) {
    let mut timings = counters
        .timings
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if timings.len() == TIMING_WINDOW {
        timings.pop_front();
    }
    timings.push_back(elapsed.as_secs_f64() * 1000.0);
}

fn percentiles(counters: &Counters) -> Percentiles {
    let mut sorted: Vec<f64> = counters
        .timings
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .copied()
        .collect();
    sorted.sort_by(f64::total_cmp);
    // Nearest-rank percentile.
    let rank = |p: f64| -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
        round2(sorted[index])
    };
    Percentiles {
        p50: rank(0.50),
        p90: rank(0.90),
        p99: rank(0.99),
        max: sorted.last().copied().map_or(0.0, round2),
        samples: sorted.len(),
    }
}

/// Rounds milliseconds to two decimals for display.
pub fn round2(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn panic_is_isolated() {
        let pool = RenderPool::new(1, 1).unwrap();
        let err = pool.run(|| -> u32 { panic!("boom") }).await;
        assert_eq!(err, Err(PoolError::Panicked));
        assert_eq!(pool.run(|| 7).await, Ok(7));
        let stats = pool.stats();
        assert_eq!(stats.panicked, 1);
        assert_eq!(stats.completed, 2);
    }

    #[actix_web::test]
    async fn full_queue_rejects() {
        let pool = Arc::new(RenderPool::new(1, 0).unwrap());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let blocker = {
            let pool = Arc::clone(&pool);
            actix_web::rt::spawn(async move { pool.run(move || rx.recv().is_ok()).await })
        };
        // Wait until the blocking job is admitted.
        while pool.stats().busy == 0 {
            actix_web::rt::time::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(pool.run(|| ()).await, Err(PoolError::Busy));
        tx.send(()).unwrap();
        assert_eq!(blocker.await.unwrap(), Ok(true));
        assert_eq!(pool.stats().rejected, 1);
    }
}

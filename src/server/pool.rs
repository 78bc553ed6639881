//! `RenderPool`: a dedicated rayon pool with admission by expected waiting time, panic
//! isolation and timing stats.
//!
//! A job is admitted unless its expected wait for a render thread would exceed the queue timeout
//! (`QUEUE_TIMEOUT_MS`), the request bodies held by admitted jobs would exceed the byte budget
//! (`QUEUE_MAX_BYTES`), or more than `QUEUE_SIZE` jobs would wait. The expected wait is the work
//! ahead of the job (the jobs waiting, plus the running ones beyond the free threads) times the
//! recent mean job time, shared by the threads. An admitted job that still finds it has waited
//! longer than the queue timeout when a thread takes it is not run: it is answered like a
//! refused one (503), since its client would rather retry than wait longer.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

/// Render times kept for the percentiles in `/stats`.
const TIMING_WINDOW: usize = 1024;

/// Weight of the newest job in the mean job time (an exponential moving average over about the
/// last 16 jobs): recent enough to follow a change of load, steady enough not to jump at one
/// outlier.
const SERVICE_TIME_WEIGHT: f64 = 1.0 / 16.0;

/// Why a job was answered 503 instead of being run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Its expected wait for a thread was over the queue timeout.
    ExpectedWait,
    /// The bodies of the admitted jobs would have exceeded the byte budget.
    QueueBytes,
    /// `QUEUE_SIZE` jobs were already waiting.
    QueueFull,
    /// It was admitted, but had waited longer than the queue timeout when a thread took it.
    QueueTimeout,
}

impl Rejection {
    /// Every reason, in the order of the counters.
    pub const ALL: [Self; 4] = [
        Self::ExpectedWait,
        Self::QueueBytes,
        Self::QueueFull,
        Self::QueueTimeout,
    ];

    /// The snake_case name, as in `/metrics`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExpectedWait => "expected_wait",
            Self::QueueBytes => "queue_bytes",
            Self::QueueFull => "queue_full",
            Self::QueueTimeout => "queue_timeout",
        }
    }

    /// A lowercase sentence for the 503 answer, naming the setting.
    pub fn message(self) -> &'static str {
        match self {
            Self::ExpectedWait => {
                "server is busy: the expected wait for a render thread is over QUEUE_TIMEOUT_MS"
            }
            Self::QueueBytes => "server is busy: queued request bodies are at QUEUE_MAX_BYTES",
            Self::QueueFull => "server is busy: QUEUE_SIZE jobs are already waiting",
            Self::QueueTimeout => {
                "server is busy: the request waited longer than QUEUE_TIMEOUT_MS for a render thread"
            }
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Why a job did not produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// The job was not run: the server is too busy (503).
    Busy(Rejection),
    /// The job panicked; the pool and other jobs are unaffected.
    Panicked,
}

/// When the pool turns jobs away (`QUEUE_SIZE`, `QUEUE_TIMEOUT_MS`, `QUEUE_MAX_BYTES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Most jobs waiting for a thread.
    pub queue_size: usize,
    /// Longest expected (at admission) or actual (at start) wait for a thread.
    pub queue_timeout: Duration,
    /// Most bytes of request bodies held by admitted, unfinished jobs; a job alone is always
    /// admitted, whatever its size (the input limits bound it).
    pub queue_max_bytes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    /// Jobs admitted and not yet started.
    waiting: AtomicUsize,
    /// Jobs started and not yet finished.
    running: AtomicUsize,
    /// Request body bytes held by admitted, unfinished jobs.
    held_bytes: AtomicU64,
    /// Items running right now (a batch counts each of its items).
    busy: AtomicUsize,
    /// Mean job time in milliseconds, as `f64` bits (0 until the first job ends).
    service_ms: AtomicU64,
    completed: AtomicU64,
    /// Jobs answered 503, by [`Rejection::index`].
    rejected: [AtomicU64; Rejection::ALL.len()],
    /// Jobs whose client had gone when a thread took them (not run).
    abandoned: AtomicU64,
    panicked: AtomicU64,
    /// Recent render durations in milliseconds.
    timings: Mutex<VecDeque<f64>>,
    /// Recent waits for a thread in milliseconds.
    waits: Mutex<VecDeque<f64>>,
}

impl Counters {
    fn reject(&self, why: Rejection) -> PoolError {
        self.rejected[why.index()].fetch_add(1, Ordering::Relaxed);
        PoolError::Busy(why)
    }

    fn release(&self, bytes: u64) {
        self.held_bytes.fetch_sub(bytes, Ordering::AcqRel);
    }

    fn service_ms(&self) -> f64 {
        f64::from_bits(self.service_ms.load(Ordering::Relaxed))
    }

    fn record_service(&self, elapsed: Duration) {
        let ms = elapsed.as_secs_f64() * 1000.0;
        let _ = self
            .service_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                let mean = f64::from_bits(bits);
                let next = if mean == 0.0 {
                    ms
                } else {
                    mean + (ms - mean) * SERVICE_TIME_WEIGHT
                };
                Some(next.to_bits())
            });
    }
}

/// Time percentiles over recent jobs, in milliseconds.
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
    /// Jobs the percentiles cover (at most 1024, the most recent).
    pub samples: usize,
}

/// Jobs answered 503, by reason.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejections {
    /// Expected wait over `QUEUE_TIMEOUT_MS`.
    pub expected_wait: u64,
    /// Bodies over `QUEUE_MAX_BYTES`.
    pub queue_bytes: u64,
    /// `QUEUE_SIZE` jobs waiting.
    pub queue_full: u64,
    /// Admitted, but waited over `QUEUE_TIMEOUT_MS` before a thread took it.
    pub queue_timeout: u64,
}

impl Rejections {
    /// The count for one reason.
    pub fn get(&self, why: Rejection) -> u64 {
        match why {
            Rejection::ExpectedWait => self.expected_wait,
            Rejection::QueueBytes => self.queue_bytes,
            Rejection::QueueFull => self.queue_full,
            Rejection::QueueTimeout => self.queue_timeout,
        }
    }
}

/// Pool counters, as served by `/stats`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolStats {
    /// Render threads (`WORKER_POOL_SIZE`).
    pub threads: usize,
    /// Jobs (batch items count one each) running now.
    pub busy: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
    /// Most jobs allowed to wait (`QUEUE_SIZE`).
    pub queue_capacity: usize,
    /// Longest wait for a thread, expected or actual (`QUEUE_TIMEOUT_MS`).
    pub queue_timeout_ms: u64,
    /// Request body bytes held by admitted, unfinished jobs.
    pub queued_bytes: u64,
    /// Budget of those bytes (`QUEUE_MAX_BYTES`).
    pub queue_max_bytes: u64,
    /// Recent mean job time in milliseconds (the admission estimate's unit of work).
    pub mean_job_ms: f64,
    /// The wait a job admitted now should expect, in milliseconds.
    pub expected_wait_ms: f64,
    /// Jobs finished (including failed and panicked ones; batch items count one each).
    pub completed: u64,
    /// Jobs answered 503 (all reasons).
    pub rejected: u64,
    /// Jobs answered 503, by reason.
    pub rejected_by_reason: Rejections,
    /// Jobs not run because their client had gone before a thread took them.
    pub abandoned: u64,
    /// Jobs that panicked (answered 500).
    pub panicked: u64,
    /// Render time percentiles in milliseconds.
    pub render_time_ms: Percentiles,
    /// Percentiles of the wait for a thread, in milliseconds.
    pub queue_wait_ms: Percentiles,
}

/// A rayon pool that admits jobs by their expected wait (see the module docs).
#[derive(Debug)]
pub struct RenderPool {
    pool: rayon::ThreadPool,
    threads: usize,
    admission: Admission,
    counters: Arc<Counters>,
}

impl RenderPool {
    /// Starts `threads` render threads named `render-N` that admit jobs as `admission` says.
    ///
    /// # Errors
    ///
    /// Returns the rayon error if the threads cannot be spawned.
    pub fn new(threads: usize, admission: Admission) -> Result<Self, rayon::ThreadPoolBuildError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("render-{i}"))
            // Jobs catch their own panics; this only guards the pool's bookkeeping.
            .panic_handler(|_| tracing::error!("a render thread panicked outside a job"))
            .build()?;
        Ok(Self {
            threads: pool.current_num_threads(),
            pool,
            admission,
            counters: Arc::default(),
        })
    }

    /// Runs `job`, which holds a request body of `body_bytes`, on a render thread and waits for
    /// it without blocking the caller's thread.
    ///
    /// A job whose caller has stopped waiting by the time a thread takes it is not run.
    ///
    /// # Errors
    ///
    /// [`PoolError::Busy`] when the job is refused or has waited too long (it does not run),
    /// [`PoolError::Panicked`] when it panics.
    pub async fn run<T, F>(&self, body_bytes: usize, job: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let counters = Arc::clone(&self.counters);
        self.submit(body_bytes, move || Self::timed(&counters, job))
            .await?
            .unwrap_or(Err(PoolError::Panicked))
    }

    /// Runs `job` on every item in parallel on the render threads; answers in item order.
    ///
    /// The batch is admitted as one job (holding `body_bytes`) and fans out over all threads;
    /// each item is timed, counted and isolated from panics on its own.
    ///
    /// # Errors
    ///
    /// [`PoolError::Busy`] when the batch is refused (nothing runs); a panicking item yields
    /// `Err(PoolError::Panicked)` in its own slot.
    pub async fn run_batch<I, T, F>(
        &self,
        body_bytes: usize,
        items: Vec<I>,
        job: F,
    ) -> Result<Vec<Result<T, PoolError>>, PoolError>
    where
        I: Send + 'static,
        T: Send + 'static,
        F: Fn(I) -> T + Send + Sync + 'static,
    {
        let counters = Arc::clone(&self.counters);
        self.submit(body_bytes, move || {
            items
                .into_par_iter()
                .map(|item| Self::timed(&counters, || job(item)))
                .collect()
        })
        .await?
        .map_err(|_| PoolError::Panicked)
    }

    /// The wait for a thread that a job admitted now should expect.
    fn expected_wait(&self, waiting: usize, running: usize) -> Duration {
        // The jobs that must start or finish before this one starts.
        let ahead = (waiting + running + 1).saturating_sub(self.threads);
        let ms = ahead as f64 * self.counters.service_ms() / self.threads as f64;
        Duration::from_secs_f64(ms / 1000.0)
    }

    /// Admits a job holding `bytes`, or says why not.
    fn admit(&self, bytes: u64) -> Result<(), PoolError> {
        let c = &self.counters;
        let budget = self.admission.queue_max_bytes;
        let held = c
            .held_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                (held == 0 || held.saturating_add(bytes) <= budget).then(|| held + bytes)
            });
        if held.is_err() {
            return Err(c.reject(Rejection::QueueBytes));
        }
        let capacity = self.threads + self.admission.queue_size;
        let running = c.running.load(Ordering::Acquire);
        let mut why = Rejection::QueueFull;
        let admitted = c
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |waiting| {
                if waiting + running >= capacity {
                    why = Rejection::QueueFull;
                    None
                } else if self.expected_wait(waiting, running) > self.admission.queue_timeout {
                    why = Rejection::ExpectedWait;
                    None
                } else {
                    Some(waiting + 1)
                }
            });
        if admitted.is_err() {
            c.release(bytes);
            return Err(c.reject(why));
        }
        Ok(())
    }

    /// Admits `job` and runs it on the pool, catching a panic; a job that waited longer than the
    /// queue timeout, or whose caller has gone, is dropped unrun.
    async fn submit<T, F>(
        &self,
        body_bytes: usize,
        job: F,
    ) -> Result<std::thread::Result<T>, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let bytes = body_bytes as u64;
        self.admit(bytes)?;
        let admitted = Instant::now();
        let timeout = self.admission.queue_timeout;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let counters = Arc::clone(&self.counters);
        self.pool.spawn(move || {
            let waited = admitted.elapsed();
            counters.running.fetch_add(1, Ordering::AcqRel);
            counters.waiting.fetch_sub(1, Ordering::AcqRel);
            push_sample(&counters.waits, waited);
            let result = if tx.is_closed() {
                counters.abandoned.fetch_add(1, Ordering::Relaxed);
                None
            } else if waited > timeout {
                Some(Err(counters.reject(Rejection::QueueTimeout)))
            } else {
                let start = Instant::now();
                let result = catch_unwind(AssertUnwindSafe(job));
                counters.record_service(start.elapsed());
                Some(Ok(result))
            };
            counters.running.fetch_sub(1, Ordering::AcqRel);
            counters.release(bytes);
            if let Some(result) = result {
                let _ = tx.send(result);
            }
        });
        // The sender only disappears unsent if the pool itself is gone or the caller left.
        rx.await.map_err(|_| PoolError::Panicked)?
    }

    fn timed<T>(counters: &Counters, job: impl FnOnce() -> T) -> Result<T, PoolError> {
        counters.busy.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(job));
        let elapsed = start.elapsed();
        counters.busy.fetch_sub(1, Ordering::Relaxed);
        counters.completed.fetch_add(1, Ordering::Relaxed);
        push_sample(&counters.timings, elapsed);
        result.map_err(|_| {
            counters.panicked.fetch_add(1, Ordering::Relaxed);
            PoolError::Panicked
        })
    }

    /// Whether a job submitted now would be refused (for count or expected wait): the
    /// readiness probe's "saturated".
    pub fn is_saturated(&self) -> bool {
        let c = &self.counters;
        let (waiting, running) = (
            c.waiting.load(Ordering::Acquire),
            c.running.load(Ordering::Acquire),
        );
        waiting + running >= self.threads + self.admission.queue_size
            || self.expected_wait(waiting, running) > self.admission.queue_timeout
    }

    /// Returns the current counters.
    pub fn stats(&self) -> PoolStats {
        let c = &self.counters;
        let rejected = |why: Rejection| c.rejected[why.index()].load(Ordering::Relaxed);
        let rejected_by_reason = Rejections {
            expected_wait: rejected(Rejection::ExpectedWait),
            queue_bytes: rejected(Rejection::QueueBytes),
            queue_full: rejected(Rejection::QueueFull),
            queue_timeout: rejected(Rejection::QueueTimeout),
        };
        let (waiting, running) = (
            c.waiting.load(Ordering::Relaxed),
            c.running.load(Ordering::Relaxed),
        );
        PoolStats {
            threads: self.threads,
            busy: c.busy.load(Ordering::Relaxed),
            queued: waiting,
            queue_capacity: self.admission.queue_size,
            queue_timeout_ms: u64::try_from(self.admission.queue_timeout.as_millis())
                .unwrap_or(u64::MAX),
            queued_bytes: c.held_bytes.load(Ordering::Relaxed),
            queue_max_bytes: self.admission.queue_max_bytes,
            mean_job_ms: round2(c.service_ms()),
            expected_wait_ms: round2(self.expected_wait(waiting, running).as_secs_f64() * 1000.0),
            completed: c.completed.load(Ordering::Relaxed),
            rejected: Rejection::ALL.iter().map(|&why| rejected(why)).sum(),
            rejected_by_reason,
            abandoned: c.abandoned.load(Ordering::Relaxed),
            panicked: c.panicked.load(Ordering::Relaxed),
            render_time_ms: percentiles(&c.timings),
            queue_wait_ms: percentiles(&c.waits),
        }
    }
}

fn push_sample(window: &Mutex<VecDeque<f64>>, elapsed: Duration) {
    let mut samples = window.lock().unwrap_or_else(PoisonError::into_inner);
    if samples.len() == TIMING_WINDOW {
        samples.pop_front();
    }
    samples.push_back(elapsed.as_secs_f64() * 1000.0);
}

fn percentiles(window: &Mutex<VecDeque<f64>>) -> Percentiles {
    let mut sorted: Vec<f64> = window
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

    fn admission(queue_size: usize, timeout_ms: u64, max_bytes: u64) -> Admission {
        Admission {
            queue_size,
            queue_timeout: Duration::from_millis(timeout_ms),
            queue_max_bytes: max_bytes,
        }
    }

    /// Occupies the pool's only thread until the returned sender is used (or dropped).
    async fn block(pool: &Arc<RenderPool>, bytes: usize) -> std::sync::mpsc::Sender<()> {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let running = pool.stats().busy;
        let pool2 = Arc::clone(pool);
        actix_web::rt::spawn(async move { pool2.run(bytes, move || rx.recv().is_ok()).await });
        while pool.stats().busy == running {
            actix_web::rt::time::sleep(Duration::from_millis(1)).await;
        }
        tx
    }

    #[actix_web::test]
    async fn panic_is_isolated() {
        let pool = RenderPool::new(1, admission(1, 1000, 1000)).unwrap();
        let err = pool.run(0, || -> u32 { panic!("boom") }).await;
        assert_eq!(err, Err(PoolError::Panicked));
        assert_eq!(pool.run(0, || 7).await, Ok(7));
        let stats = pool.stats();
        assert_eq!(stats.panicked, 1);
        assert_eq!(stats.completed, 2);
    }

    #[actix_web::test]
    async fn full_queue_rejects() {
        let pool = Arc::new(RenderPool::new(1, admission(0, 60_000, 1000)).unwrap());
        let release = block(&pool, 0).await;
        assert_eq!(
            pool.run(0, || ()).await,
            Err(PoolError::Busy(Rejection::QueueFull))
        );
        drop(release);
        let stats = pool.stats();
        assert_eq!(
            (stats.rejected, stats.rejected_by_reason.queue_full),
            (1, 1)
        );
    }

    #[actix_web::test]
    async fn expected_wait_over_the_timeout_rejects() {
        let pool = Arc::new(RenderPool::new(1, admission(100, 150, 1000)).unwrap());
        // Teach the pool that a job takes about 100 ms.
        pool.run(0, || std::thread::sleep(Duration::from_millis(100)))
            .await
            .unwrap();
        assert!(pool.stats().mean_job_ms >= 100.0, "{:?}", pool.stats());
        let release = block(&pool, 0).await;
        // One running job ahead: 100 ms expected, under 150 ms: admitted (it waits).
        let pool2 = Arc::clone(&pool);
        let second = actix_web::rt::spawn(async move { pool2.run(0, || 2).await });
        while pool.stats().queued == 0 {
            actix_web::rt::time::sleep(Duration::from_millis(1)).await;
        }
        // Two ahead: 200 ms expected, over 150 ms.
        assert_eq!(
            pool.run(0, || 3).await,
            Err(PoolError::Busy(Rejection::ExpectedWait))
        );
        assert!(pool.is_saturated(), "ready would say saturated");
        release.send(()).unwrap();
        assert_eq!(second.await.unwrap(), Ok(2), "the admitted job runs");
        assert_eq!(pool.stats().rejected_by_reason.expected_wait, 1);
        assert!(!pool.is_saturated(), "idle again");
    }

    #[actix_web::test]
    async fn job_that_waited_too_long_is_not_run() {
        // No job time known yet, so the estimate admits; the job then waits 200 ms > 50 ms.
        let pool = Arc::new(RenderPool::new(1, admission(10, 50, 1000)).unwrap());
        let release = block(&pool, 0).await;
        let ran = Arc::new(AtomicUsize::new(0));
        let pool2 = Arc::clone(&pool);
        let ran2 = Arc::clone(&ran);
        let late = actix_web::rt::spawn(async move {
            pool2
                .run(0, move || ran2.fetch_add(1, Ordering::Relaxed))
                .await
        });
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        release.send(()).unwrap();
        assert_eq!(
            late.await.unwrap(),
            Err(PoolError::Busy(Rejection::QueueTimeout))
        );
        assert_eq!(ran.load(Ordering::Relaxed), 0, "the late job never ran");
        let stats = pool.stats();
        assert_eq!(stats.rejected_by_reason.queue_timeout, 1, "{stats:?}");
        assert!(stats.queue_wait_ms.max >= 200.0, "{stats:?}");
        assert_eq!(pool.run(0, || 5).await, Ok(5), "the pool goes on");
    }

    #[actix_web::test]
    async fn queued_bytes_over_the_budget_reject() {
        let pool = Arc::new(RenderPool::new(1, admission(10, 60_000, 100)).unwrap());
        // A job alone is admitted whatever its size.
        assert_eq!(pool.run(500, || 1).await, Ok(1));
        let release = block(&pool, 80).await;
        assert_eq!(pool.stats().queued_bytes, 80);
        assert_eq!(
            pool.run(30, || ()).await,
            Err(PoolError::Busy(Rejection::QueueBytes))
        );
        let pool2 = Arc::clone(&pool);
        let fits = actix_web::rt::spawn(async move { pool2.run(20, || 4).await });
        while pool.stats().queued == 0 {
            actix_web::rt::time::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(pool.stats().queued_bytes, 100, "80 running + 20 waiting");
        release.send(()).unwrap();
        assert_eq!(fits.await.unwrap(), Ok(4));
        let stats = pool.stats();
        assert_eq!(stats.queued_bytes, 0, "released when jobs end");
        assert_eq!(stats.rejected_by_reason.queue_bytes, 1);
    }
}

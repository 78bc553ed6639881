//! Parse and still-encoder cost over the corpus: for frame 30 of every 512x512 `.tgs` sticker,
//! the time and size of PNG and lossless WebP (`quality` 100), and the parse rate of its JSON.
//!
//! These are the numbers of issue 11's targets (PNG at most 0.5 ms, lossless WebP at most
//! 1.2 ms, parse at least 150 MB/s, medians over the stickers). Each measurement is the median
//! of `RUNS` timed runs after one warm-up; the summary gives the median over stickers of those,
//! and for parse also the aggregate rate (all JSON bytes over the sum of the per-sticker medians).
//!
//! Run: `cargo bench --bench encode_corpus`. Environment: `TGS_CORPUS`, default
//! `../shared/corpus`; `RUNS`, default 7; `STAGES`, a comma list of `parse`, `value`
//! (`serde_json`'s `Value` alone, for comparison), `model` (the heap bytes a parsed animation
//! keeps, per byte of its JSON: the server's cache weighs entries by it), `png`, `webp`, default
//! all; `LIMIT`, the first
//! N stickers only; `VERBOSE=1` prints one line per sticker; `DUMP_FRAMES=DIR` writes the frames
//! there as raw 512x512 RGBA; `CLOCK=cpu` times by the thread's own CPU time instead of the
//! wall clock, so that time spent preempted by other work on a busy machine is not counted. On a shared machine pin it to one core:
//! `taskset -c 1 cargo bench --bench encode_corpus`. See `benches/README.md`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use tgs_converter::encode::{self, Image, ImageFormat};
use tgs_converter::pipeline::{self, Limits};

/// The system allocator, counting the bytes live, for the `model` stage.
struct Counting;

/// Bytes allocated and not yet freed, over the whole process.
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; only a counter is updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The frame measured, as in the issue.
const FRAME: u32 = 30;

/// Output side, as a Telegram sticker.
const SIZE: u32 = 512;

struct Sticker {
    name: String,
    json: Vec<u8>,
    image: Image,
}

#[derive(Default)]
struct Row {
    parse_ms: f64,
    model_bytes: usize,
    value_ms: f64,
    png_ms: f64,
    png_bytes: usize,
    webp_ms: f64,
    webp_bytes: usize,
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus =
        std::env::var_os("TGS_CORPUS").map_or_else(|| root.join("../shared/corpus"), PathBuf::from);
    let runs: usize = env_number("RUNS", 7).max(1);
    let limit: usize = env_number("LIMIT", usize::MAX);
    let stages = std::env::var("STAGES").unwrap_or_else(|_| "parse,value,png,webp".to_owned());
    let stage = |name: &str| stages.split(',').any(|s| s.trim() == name);
    let verbose = std::env::var_os("VERBOSE").is_some();
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        eprintln!(
            "encode_corpus: no corpus at {}; nothing to measure",
            corpus.display()
        );
        return;
    };
    let stickers: Vec<Sticker> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols.len() >= 6 && cols[0].ends_with(".tgs") && cols[4] == "512" && cols[5] == "512")
                .then(|| cols[0].to_owned())
        })
        .take(limit)
        .filter_map(|name| load(&corpus, name))
        .collect();
    if stickers.is_empty() {
        eprintln!("encode_corpus: no 512x512 .tgs stickers in the corpus");
        return;
    }
    if let Some(dir) = std::env::var_os("DUMP_FRAMES") {
        // The frames as raw RGBA, for profiling an encoder on its own (`perf`, callgrind).
        std::fs::create_dir_all(&dir).expect("creates DUMP_FRAMES");
        for sticker in &stickers {
            let path = Path::new(&dir).join(format!("{}.rgba", sticker.name));
            std::fs::write(path, &sticker.image.data).expect("writes a frame");
        }
    }

    let mut rows = Vec::with_capacity(stickers.len());
    for sticker in &stickers {
        let mut row = Row::default();
        if stage("parse") {
            row.parse_ms = time(runs, || {
                pipeline::parse(&sticker.json).expect("parses");
            });
        }
        if stage("model") {
            let before = LIVE_BYTES.load(Ordering::Relaxed);
            let animation = pipeline::parse(&sticker.json).expect("parses");
            row.model_bytes = LIVE_BYTES.load(Ordering::Relaxed).saturating_sub(before);
            drop(animation);
        }
        if stage("value") {
            row.value_ms = time(runs, || {
                let value: serde_json::Value =
                    serde_json::from_slice(std::hint::black_box(&sticker.json)).expect("parses");
                drop(value);
            });
        }
        if stage("png") {
            row.png_bytes = encode_still(&sticker.image, ImageFormat::Png, 100).len();
            row.png_ms = time(runs, || {
                encode_still(&sticker.image, ImageFormat::Png, 100);
            });
        }
        if stage("webp") {
            row.webp_bytes = encode_still(&sticker.image, ImageFormat::WebP, 100).len();
            row.webp_ms = time(runs, || {
                encode_still(&sticker.image, ImageFormat::WebP, 100);
            });
        }
        if verbose {
            println!(
                "{}\tjson {}\tparse {:.3} ms\tpng {:.3} ms {} B\twebp {:.3} ms {} B",
                sticker.name,
                sticker.json.len(),
                row.parse_ms,
                row.png_ms,
                row.png_bytes,
                row.webp_ms,
                row.webp_bytes
            );
        }
        rows.push(row);
    }

    let median_of = |f: fn(&Row) -> f64| {
        let mut values: Vec<f64> = rows.iter().map(f).collect();
        median(&mut values)
    };
    let sum_of = |f: fn(&Row) -> usize| rows.iter().map(f).sum::<usize>();
    println!(
        "stickers: {} (512x512, frame {FRAME}, median of {runs} timed runs each)",
        rows.len()
    );
    if stage("parse") {
        let json_bytes: usize = stickers.iter().map(|s| s.json.len()).sum();
        let parse_ms: f64 = rows.iter().map(|r| r.parse_ms).sum();
        let mut rates: Vec<f64> = stickers
            .iter()
            .zip(&rows)
            .map(|(s, r)| s.json.len() as f64 / 1e3 / r.parse_ms)
            .collect();
        println!(
            "parse:       median {:.3} ms, {:.0} MB/s aggregate ({} JSON bytes), median rate {:.0} MB/s",
            median_of(|r| r.parse_ms),
            json_bytes as f64 / 1e3 / parse_ms,
            json_bytes,
            median(&mut rates)
        );
    }
    if stage("model") {
        let json_bytes: usize = stickers.iter().map(|s| s.json.len()).sum();
        let model_bytes = sum_of(|r| r.model_bytes);
        let mut ratios: Vec<f64> = stickers
            .iter()
            .zip(&rows)
            .map(|(s, r)| r.model_bytes as f64 / s.json.len() as f64)
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "model:       {:.2} heap bytes per JSON byte aggregate ({model_bytes} / {json_bytes}), median {:.2}, p90 {:.2}, max {:.2}",
            model_bytes as f64 / json_bytes as f64,
            ratios[ratios.len() / 2],
            ratios[ratios.len() * 9 / 10],
            ratios[ratios.len() - 1]
        );
    }
    if stage("value") {
        let json_bytes: usize = stickers.iter().map(|s| s.json.len()).sum();
        let value_ms: f64 = rows.iter().map(|r| r.value_ms).sum();
        println!(
            "json->Value: median {:.3} ms, {:.0} MB/s aggregate (serde_json::Value alone, dropped)",
            median_of(|r| r.value_ms),
            json_bytes as f64 / 1e3 / value_ms,
        );
    }
    if stage("png") {
        println!(
            "png:         median {:.3} ms, median {:.0} bytes, total {} bytes",
            median_of(|r| r.png_ms),
            median_of(|r| r.png_bytes as f64),
            sum_of(|r| r.png_bytes)
        );
    }
    if stage("webp") {
        println!(
            "webp q100:   median {:.3} ms, median {:.0} bytes, total {} bytes",
            median_of(|r| r.webp_ms),
            median_of(|r| r.webp_bytes as f64),
            sum_of(|r| r.webp_bytes)
        );
    }
}

fn load(corpus: &Path, name: String) -> Option<Sticker> {
    let raw = std::fs::read(corpus.join(&name)).ok()?;
    let json = pipeline::decode(&raw, &Limits::default())
        .ok()?
        .into_owned();
    let animation = pipeline::parse(&json).ok()?;
    let frame = FRAME.min(animation.total_frames().saturating_sub(1));
    let image = pipeline::render_frame(
        &animation,
        u64::from(frame),
        SIZE,
        SIZE,
        &Limits::default().budget,
    )
    .ok()?;
    Some(Sticker { name, json, image })
}

fn encode_still(image: &Image, format: ImageFormat, quality: u8) -> Vec<u8> {
    encode::encode(std::hint::black_box(image), format, quality).expect("encodes")
}

/// The median time of `runs` calls of `f`, in milliseconds, after one untimed call: wall time,
/// or on-CPU time with `CLOCK=cpu`.
fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    let on_cpu = std::env::var("CLOCK").is_ok_and(|c| c == "cpu");
    f();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            if on_cpu {
                let start = on_cpu_ms();
                f();
                on_cpu_ms() - start
            } else {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1000.0
            }
        })
        .collect();
    median(&mut times)
}

/// This thread's CPU time so far, in milliseconds (`CLOCK_THREAD_CPUTIME_ID`).
fn on_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "CLOCK=cpu needs the thread CPU-time clock");
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

//! `bench-render`: single-thread render-only timing, with the same frame selection and the same
//! result fields as `lottie_ref.py bench`, so our numbers sit beside rlottie's and ThorVG's.
//!
//! Timed per frame: [`renderer::Animation::frame_time`] and [`FrameRenderer::render`] (evaluate + rasterize
//! into a reused pixmap), like the reference tool times the engine's own render call; not timed: conversion to
//! straight alpha and encoding. Wall time from [`Instant`], CPU time from this thread's CPU clock.
//!
//! Frames are rendered in the reference tool's order (the first, `--warmup` more, then each pass over the
//! selection), and, like its engines, [`FrameRenderer`] keeps what it can from the frame before (it paints
//! only what changed). A frame rendered right after itself (a one-frame selection, or frame 0 with no warm-up)
//! is drawn whole, not left as it is: the references draw it again too. `--independent` draws every frame
//! whole, as if it were the first.

use std::path::Path;
use std::time::Instant;

use raster::{Budget, FrameRenderer};
use serde_json::{Value, json};

use super::CliResult;
use super::args::BenchArgs;
use super::io::read_input;
use crate::pipeline::{self, Limits, new_pixmap, select_frames};

/// Runs `bench-render`.
pub(super) fn run(args: &BenchArgs) -> CliResult {
    let mut results = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        match bench_one(path, args) {
            Ok(rec) => {
                eprintln!(
                    "{name}: load {:.2} ms, median {:.3} ms (cpu {:.3}), p99 {:.3} ms, {:.1} fps ({} frames)",
                    rec["load_ms"].as_f64().unwrap_or(f64::NAN),
                    rec["median_ms"].as_f64().unwrap_or(f64::NAN),
                    rec["cpu_median_ms"].as_f64().unwrap_or(f64::NAN),
                    rec["p99_ms"].as_f64().unwrap_or(f64::NAN),
                    rec["fps"].as_f64().unwrap_or(f64::NAN),
                    rec["frames_timed"],
                );
                let mut rec = rec;
                rec["file"] = json!(name);
                rec["status"] = json!("ok");
                results.push(rec);
            }
            Err(err) => {
                eprintln!("tgs-converter: warning: {name}: {err}");
                results.push(json!({"file": name, "status": "error", "error": err.to_string()}));
            }
        }
    }
    let agg = aggregate(&results);
    eprintln!(
        "\n== bench tgs-converter {}x{}, single thread: {}/{} files",
        args.size.0, args.size.1, agg["files_ok"], agg["files"]
    );
    if let (Some(median), Some(cpu)) = (agg["median_ms"].as_f64(), agg["cpu_median_ms"].as_f64()) {
        eprintln!(
            "   frames timed {}: median {median:.3} ms, p99 {:.3} ms, mean {:.3} ms; CPU median {cpu:.3} ms, p99 {:.3} ms, mean {:.3} ms",
            agg["frames_timed"],
            agg["p99_ms"].as_f64().unwrap_or(f64::NAN),
            agg["mean_ms"].as_f64().unwrap_or(f64::NAN),
            agg["cpu_p99_ms"].as_f64().unwrap_or(f64::NAN),
            agg["cpu_mean_ms"].as_f64().unwrap_or(f64::NAN),
        );
    }
    if let Some(out) = &args.json {
        let doc = json!({
            "tool": {"tgs-converter": env!("CARGO_PKG_VERSION")},
            "settings": {
                "engine": "tgs-converter",
                "size": [args.size.0, args.size.1],
                "frames": args.frames.count().map_or(json!("all"), |n| json!(n)),
                "warmup": args.warmup,
                "repeat": args.repeat,
                "independent": args.independent,
                "threads": 1,
                "timer": "Instant (wall) and CLOCK_THREAD_CPUTIME_ID (CPU) around each render_premultiplied() call",
            },
            "aggregate": agg,
            "files": results,
        });
        let text = serde_json::to_string_pretty(&doc)? + "\n";
        if out.as_os_str() == "-" {
            print!("{text}");
        } else {
            std::fs::write(out, text)
                .map_err(|e| format!("cannot write `{}`: {e}", out.display()))?;
        }
    }
    if agg["files_failed"].as_u64().unwrap_or(0) > 0 {
        return Err("some files failed; see the warnings above".into());
    }
    Ok(())
}

fn bench_one(
    path: &Path,
    args: &BenchArgs,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let limits = Limits {
        max_output_side: 16384,
        ..Limits::default()
    };
    let raw = read_input(path, &limits)?;
    let t0 = Instant::now();
    let json_bytes = pipeline::decode(&raw, &limits)?;
    let gunzip_ms = ms(t0);
    let t0 = Instant::now();
    let animation = pipeline::parse(&json_bytes)?;
    let load_ms = ms(t0);
    let (w, h) = args.size;
    let n_frames = animation.total_frames();
    let frames = select_frames(n_frames, args.frames.count());
    let mut renderer = FrameRenderer::new();
    let mut pixmap = new_pixmap(w, h)?;
    let mut last = None;
    let mut render = |frame: u32| -> Result<(), pipeline::PipelineError> {
        let time = animation.frame_time(u64::from(frame))?;
        if args.independent || last == Some(frame) {
            renderer.forget_last_frame();
        }
        last = Some(frame);
        renderer.render(&animation, time, &Budget::UNLIMITED, &mut pixmap)?;
        Ok(())
    };

    let t0 = Instant::now();
    render(frames[0])?;
    let first_ms = ms(t0);
    for j in 0..args.warmup as usize {
        render(frames[(j + 1) % frames.len()])?;
    }
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..args.repeat {
        for &k in &frames {
            let c0 = thread_cpu_ns();
            let t0 = Instant::now();
            render(k)?;
            let elapsed = t0.elapsed();
            let c1 = thread_cpu_ns();
            wall.push(elapsed.as_secs_f64() * 1e3);
            cpu.push((c1.saturating_sub(c0)) as f64 / 1e6);
        }
    }
    let total_wall: f64 = wall.iter().sum();
    let total_cpu: f64 = cpu.iter().sum();
    Ok(json!({
        "width": w,
        "height": h,
        "n_frames": n_frames,
        "frames_timed": wall.len(),
        "gunzip_ms": gunzip_ms,
        "load_ms": load_ms,
        "first_frame_ms": first_ms,
        "median_ms": percentile(&wall, 50.0),
        "p90_ms": percentile(&wall, 90.0),
        "p99_ms": percentile(&wall, 99.0),
        "mean_ms": total_wall / wall.len() as f64,
        "min_ms": wall.iter().copied().fold(f64::INFINITY, f64::min),
        "max_ms": wall.iter().copied().fold(0.0, f64::max),
        "fps": if total_wall > 0.0 { wall.len() as f64 / (total_wall / 1e3) } else { f64::INFINITY },
        "cpu_median_ms": percentile(&cpu, 50.0),
        "cpu_p99_ms": percentile(&cpu, 99.0),
        "cpu_per_wall": if total_wall > 0.0 { total_cpu / total_wall } else { f64::NAN },
        "frame_ms": wall.iter().map(|v| round4(*v)).collect::<Vec<_>>(),
        "frame_cpu_ms": cpu.iter().map(|v| round4(*v)).collect::<Vec<_>>(),
    }))
}

fn aggregate(results: &[Value]) -> Value {
    let ok: Vec<&Value> = results.iter().filter(|r| r["status"] == "ok").collect();
    let pooled = |key: &str| -> Vec<f64> {
        ok.iter()
            .flat_map(|r| {
                r[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_f64)
            })
            .collect()
    };
    let wall = pooled("frame_ms");
    let cpu = pooled("frame_cpu_ms");
    let mut agg = json!({
        "files": results.len(),
        "files_ok": ok.len(),
        "files_failed": results.len() - ok.len(),
    });
    if !ok.is_empty() && !wall.is_empty() {
        let sum_wall: f64 = wall.iter().sum();
        let sum_cpu: f64 = cpu.iter().sum();
        let medians: Vec<f64> = ok.iter().filter_map(|r| r["median_ms"].as_f64()).collect();
        let loads: Vec<f64> = ok.iter().filter_map(|r| r["load_ms"].as_f64()).collect();
        let extra = json!({
            "frames_timed": wall.len(),
            "median_ms": percentile(&wall, 50.0),
            "p99_ms": percentile(&wall, 99.0),
            "mean_ms": sum_wall / wall.len() as f64,
            "fps": wall.len() as f64 / (sum_wall / 1e3),
            "cpu_median_ms": percentile(&cpu, 50.0),
            "cpu_p99_ms": percentile(&cpu, 99.0),
            "cpu_mean_ms": sum_cpu / cpu.len().max(1) as f64,
            "median_of_file_medians_ms": percentile(&medians, 50.0),
            "load_median_ms": percentile(&loads, 50.0),
            "load_max_ms": loads.iter().copied().fold(0.0, f64::max),
            "cpu_per_wall": if sum_wall > 0.0 { sum_cpu / sum_wall } else { f64::NAN },
        });
        if let (Some(a), Some(e)) = (agg.as_object_mut(), extra.as_object()) {
            a.extend(e.clone());
        }
    }
    agg
}

/// Percentile with linear interpolation between closest ranks (numpy's default).
fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn ms(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1e3
}

fn round4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// CPU time consumed by the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0;
    }
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_like_numpy() {
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert!((percentile(&[1.0, 2.0, 3.0, 4.0], 99.0) - 3.97).abs() < 1e-9);
    }
}

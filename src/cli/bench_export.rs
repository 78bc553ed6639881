//! `bench-export`: whole-sticker exports (animated WebP, APNG, GIF) timed end to end on all
//! cores, with the size of each file, so the README's format table comes from our own command.
//!
//! Timed per file and format: [`pipeline::export`] (resampling, parallel rendering, merging,
//! encoding, the container), the best of `--repeat` runs (the least disturbed one on a shared
//! machine); not timed: reading, gunzip and parsing, which every format shares. Reported per
//! format: the median and p90 over the files of that time, the median CPU time of the same runs
//! (all threads; Linux), and the median file size.
//!
//! With `--presets`, each preset's whole search ([`pipeline::export_preset`]) is timed the same
//! way; reported per preset: how many files fit, the median time and size of those that fit, and
//! the frame rates and qualities chosen.

use std::path::Path;
use std::time::Instant;

use serde_json::{Value, json};

use super::CliResult;
use super::args::BenchExportArgs;
use super::io::read_input;
use crate::encode::ImageFormat;
use crate::pipeline::{
    self, ExportOptions, FrameSelection, Limits, PipelineError, Preset, PresetOptions,
};

/// Runs `bench-export`.
pub(super) fn run(args: &BenchExportArgs) -> CliResult {
    let limits = Limits {
        max_output_side: 16384,
        max_export_frames: u32::MAX,
        max_export_pixels: u64::MAX,
        ..Limits::default()
    };
    let mut files = Vec::new();
    let mut failed = 0;
    for path in &args.files {
        match bench_one(path, args, &limits) {
            Ok(runs) => files.push(json!({ "file": path.display().to_string(), "runs": runs })),
            Err(err) => {
                failed += 1;
                eprintln!("tgs-converter: warning: {}: {err}", path.display());
            }
        }
    }
    let mut summary = Vec::new();
    for format in &formats(args) {
        let name = format.extension();
        let runs: Vec<&Value> = files.iter().map(|f| &f["runs"][name]).collect();
        let mut ms: Vec<f64> = runs.iter().filter_map(|r| r["ms"].as_f64()).collect();
        let mut cpu: Vec<f64> = runs.iter().filter_map(|r| r["cpu_ms"].as_f64()).collect();
        let mut bytes: Vec<f64> = runs.iter().filter_map(|r| r["bytes"].as_f64()).collect();
        let (median_ms, p90_ms, median_bytes) = (
            quantile(&mut ms, 0.5),
            quantile(&mut ms, 0.9),
            quantile(&mut bytes, 0.5),
        );
        let median_cpu_ms = quantile(&mut cpu, 0.5);
        println!(
            "{name:>5}: {} files, median {median_ms:.1} ms (p90 {p90_ms:.1} ms), median CPU \
             {median_cpu_ms:.1} ms, median {:.1} KiB",
            ms.len(),
            median_bytes / 1024.0,
        );
        summary.push(json!({
            "format": name,
            "files": ms.len(),
            "median_ms": median_ms,
            "median_cpu_ms": median_cpu_ms,
            "p90_ms": p90_ms,
            "median_bytes": median_bytes,
        }));
    }
    for preset in &args.presets {
        summary.push(preset_summary(&files, *preset));
    }
    if let Some(out) = &args.json {
        let report = json!({
            "threads": rayon::current_num_threads(),
            "size": [args.size.0, args.size.1],
            "quality": args.quality,
            "presets": args.presets.iter().map(|p| p.name()).collect::<Vec<_>>(),
            "fps": args.fps,
            "repeat": args.repeat,
            "summary": summary,
            "files": files,
        });
        let text = serde_json::to_string_pretty(&report)?;
        super::io::write_output(out, text.as_bytes())?;
    }
    if failed > 0 {
        return Err(format!("{failed} files failed; see the warnings above").into());
    }
    Ok(())
}

/// Exports one file in every format, `repeat` times each; the fastest run counts.
fn bench_one(
    path: &Path,
    args: &BenchExportArgs,
    limits: &Limits,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let raw = read_input(path, limits)?;
    let animation = pipeline::load(&raw, limits)?;
    let mut runs = serde_json::Map::new();
    for &format in &formats(args) {
        let options = ExportOptions {
            format,
            frames: FrameSelection::All,
            fps: args.fps,
            quality: args.quality,
            background: None,
            width: args.size.0,
            height: args.size.1,
        };
        let mut best = f64::INFINITY;
        let mut best_cpu = None;
        let mut export = None;
        for _ in 0..args.repeat.max(1) {
            let (t0, cpu0) = (Instant::now(), cpu_ns());
            let out = pipeline::export(&animation, &options, limits)?;
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            if ms < best {
                best = ms;
                best_cpu = cpu0
                    .zip(cpu_ns())
                    .map(|(a, b)| b.saturating_sub(a) as f64 / 1e6);
            }
            export = Some(out);
        }
        let export = export.expect("at least one run");
        runs.insert(
            format.extension().to_owned(),
            json!({
                "ms": best,
                "cpu_ms": best_cpu,
                "bytes": export.bytes.len(),
                "frames_rendered": export.frames_rendered,
                "frames_encoded": export.frames_encoded,
                "fps": export.fps,
            }),
        );
    }
    for &preset in &args.presets {
        let options = PresetOptions {
            preset,
            frames: FrameSelection::All,
            format: None,
            background: None,
        };
        let mut best = f64::INFINITY;
        let mut result = None;
        for _ in 0..args.repeat.max(1) {
            let t0 = Instant::now();
            let out = pipeline::export_preset(&animation, &options, limits);
            best = best.min(t0.elapsed().as_secs_f64() * 1000.0);
            result = Some(out);
        }
        let run = match result.expect("at least one run") {
            Ok(out) => json!({
                "ms": best,
                "fits": true,
                "bytes": out.export.bytes.len(),
                "fps": out.fps,
                "quality": out.quality,
                "attempts": out.attempts,
                "frames_encoded": out.export.frames_encoded,
            }),
            Err(PipelineError::PresetCannotFit(why)) => {
                json!({ "ms": best, "fits": false, "error": why })
            }
            Err(err) => return Err(err.into()),
        };
        runs.insert(preset.name().to_owned(), run);
    }
    Ok(Value::Object(runs))
}

/// The formats to time: those given, or all three when neither formats nor presets are.
fn formats(args: &BenchExportArgs) -> Vec<ImageFormat> {
    if args.formats.is_empty() && args.presets.is_empty() {
        vec![ImageFormat::WebP, ImageFormat::Apng, ImageFormat::Gif]
    } else {
        args.formats.clone()
    }
}

/// Prints and returns the summary of `preset` over `files`.
fn preset_summary(files: &[Value], preset: Preset) -> Value {
    let name = preset.name();
    let runs: Vec<&Value> = files.iter().map(|f| &f["runs"][name]).collect();
    let fit: Vec<&&Value> = runs.iter().filter(|r| r["fits"] == true).collect();
    let mut all_ms: Vec<f64> = runs.iter().filter_map(|r| r["ms"].as_f64()).collect();
    let mut ms: Vec<f64> = fit.iter().filter_map(|r| r["ms"].as_f64()).collect();
    let mut bytes: Vec<f64> = fit.iter().filter_map(|r| r["bytes"].as_f64()).collect();
    let mut fps: Vec<f64> = fit.iter().filter_map(|r| r["fps"].as_f64()).collect();
    let mut quality: Vec<f64> = fit.iter().filter_map(|r| r["quality"].as_f64()).collect();
    let mut attempts: Vec<f64> = fit.iter().filter_map(|r| r["attempts"].as_f64()).collect();
    let summary = json!({
        "preset": name,
        "files": runs.len(),
        "fit": fit.len(),
        "median_ms_all": quantile(&mut all_ms, 0.5),
        "median_ms": quantile(&mut ms, 0.5),
        "p90_ms": quantile(&mut ms, 0.9),
        "median_bytes": quantile(&mut bytes, 0.5),
        "median_fps": quantile(&mut fps, 0.5),
        "median_quality": quantile(&mut quality, 0.5),
        "median_attempts": quantile(&mut attempts, 0.5),
    });
    println!(
        "{name}: {} of {} files fit; of those median {:.1} ms (p90 {:.1} ms), {:.1} KiB, {} fps, \
         quality {}, {} encodes; median {:.1} ms over all",
        fit.len(),
        runs.len(),
        summary["median_ms"].as_f64().unwrap_or(f64::NAN),
        summary["p90_ms"].as_f64().unwrap_or(f64::NAN),
        summary["median_bytes"].as_f64().unwrap_or(f64::NAN) / 1024.0,
        summary["median_fps"],
        summary["median_quality"],
        summary["median_attempts"],
        summary["median_ms_all"].as_f64().unwrap_or(f64::NAN),
    );
    summary
}

/// CPU time used so far by every thread of this process, in nanoseconds (the first field of
/// each `/proc/self/task/*/schedstat`); `None` where that is not available (not Linux).
///
/// On a shared machine the wall time of an export depends on what else runs; its CPU time
/// hardly does, and divided by the threads it bounds the wall time on an idle machine.
fn cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// The `q` quantile (nearest rank) of `values`; NaN when empty.
fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

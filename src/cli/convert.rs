//! `convert`: a sticker to a still image or an animation file, or many stickers into a
//! directory (`--out-dir`), in parallel, with a progress bar on a terminal and a summary; with
//! `--preset`, a file within a platform's rules, and a line on stderr saying what was chosen.

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::CliResult;
use super::args::ConvertArgs;
use super::io::{read_input, write_output};
use crate::encode::ImageFormat;
use crate::pipeline::{self, ExportOptions, FrameSelection, Limits, PresetOptions};

/// Runs `convert`.
pub(super) fn run(args: &ConvertArgs) -> CliResult {
    let limits = Limits {
        max_output_side: args.max_side,
        ..Limits::default()
    };
    if let Some(dir) = &args.out_dir {
        return run_batch(args, dir, &limits);
    }
    let [input] = args.inputs.as_slice() else {
        return Err(format!(
            "{} inputs need --out-dir DIR; -o takes one input",
            args.inputs.len()
        )
        .into());
    };
    let output = args
        .output
        .as_deref()
        .ok_or("give -o OUTPUT or --out-dir DIR")?;
    let format = match (args.format, args.preset) {
        (Some(format), _) => Some(format),
        // With a preset, a name without a known extension (or stdout) takes the preset's format.
        (None, Some(_)) => format_from_extension(output)
            .ok()
            .filter(|_| output.extension().is_some()),
        (None, None) => Some(format_from_extension(output)?),
    };
    let converted = convert_one(input, format, args, &limits)?;
    if let Some(choice) = &converted.preset {
        eprintln!("{choice}");
    }
    write_output(output, &converted.bytes)
}

/// A converted file.
struct Converted {
    bytes: Vec<u8>,
    format: ImageFormat,
    /// What a preset chose, as a line for people.
    preset: Option<String>,
}

/// Reads, loads, sizes and exports one sticker as `format` (with a preset: one it takes, or
/// `None` for its default).
fn convert_one(
    input: &Path,
    format: Option<ImageFormat>,
    args: &ConvertArgs,
    limits: &Limits,
) -> Result<Converted, Box<dyn std::error::Error + Send + Sync>> {
    let data = read_input(input, limits)?;
    let animation = pipeline::load(&data, limits)?;
    if let Some(preset) = args.preset {
        let options = PresetOptions {
            preset,
            frames: args.frame.or(args.frames).unwrap_or(FrameSelection::All),
            format,
            background: args.background,
        };
        let out = pipeline::export_preset(&animation, &options, limits)?;
        let fps = out.fps.map_or(String::new(), |fps| format!("{fps} fps, "));
        let line = format!(
            "{preset}: {} {}x{}, {fps}quality {}, {} bytes ({} encodes)",
            out.format,
            out.width,
            out.height,
            out.quality,
            out.export.bytes.len(),
            out.attempts
        );
        return Ok(Converted {
            bytes: out.export.bytes,
            format: out.format,
            preset: Some(line),
        });
    }
    let format = format.ok_or("give --format or --preset")?;
    let (width, height) = pipeline::output_size(&animation, args.width, args.height, limits)?;
    let options = ExportOptions {
        format,
        frames: args
            .frame
            .or(args.frames)
            .unwrap_or_else(|| FrameSelection::default_for(format)),
        fps: args.fps,
        quality: if args.lossless { 100 } else { args.quality },
        background: args.background,
        width,
        height,
    };
    Ok(Converted {
        bytes: pipeline::export(&animation, &options, limits)?.bytes,
        format,
        preset: None,
    })
}

/// Converts every input into `dir`; fails (after all of them) when any failed.
fn run_batch(args: &ConvertArgs, dir: &Path, limits: &Limits) -> CliResult {
    if args.format.is_none() && args.preset.is_none() {
        return Err("--out-dir needs --format or --preset".into());
    }
    let files = batch_inputs(&args.inputs)?;
    std::fs::create_dir_all(dir)
        .map_err(|err| format!("cannot create `{}`: {err}", dir.display()))?;
    let start = Instant::now();
    // Drawn only when stderr is a terminal (indicatif hides it otherwise).
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
            .expect("a valid template"),
    );
    let results: Vec<Result<(u64, u64), String>> = files
        .par_iter()
        .map(|input| {
            let result = (|| {
                let bytes_in = std::fs::metadata(input).map_or(0, |m| m.len());
                let converted =
                    convert_one(input, args.format, args, limits).map_err(|e| e.to_string())?;
                let stem = input.file_stem().unwrap_or_default().to_string_lossy();
                let out = dir.join(format!("{stem}.{}", converted.format.extension()));
                std::fs::write(&out, &converted.bytes)
                    .map_err(|err| format!("cannot write `{}`: {err}", out.display()))?;
                if let Some(choice) = &converted.preset {
                    // Above the progress bar on a terminal, plain stderr otherwise.
                    bar.suspend(|| eprintln!("{}: {choice}", input.display()));
                }
                Ok((bytes_in, converted.bytes.len() as u64))
            })();
            bar.set_message(input.display().to_string());
            bar.inc(1);
            result
        })
        .collect();
    bar.finish_and_clear();
    let (mut done, mut bytes_in, mut bytes_out) = (0, 0, 0);
    let mut failed = Vec::new();
    for (input, result) in files.iter().zip(results) {
        match result {
            Ok((i, o)) => {
                done += 1;
                bytes_in += i;
                bytes_out += o;
            }
            Err(err) => failed.push(format!("{}: {err}", input.display())),
        }
    }
    for line in &failed {
        eprintln!("tgs-converter: failed: {line}");
    }
    println!(
        "converted {done}, failed {}; {bytes_in} bytes in, {bytes_out} bytes out; {:.2} s",
        failed.len(),
        start.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} files failed", failed.len(), files.len()).into())
    }
}

/// The files of a batch: each file as given, and the `.tgs` and `.json` files of each directory
/// (not recursive), sorted.
fn batch_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|err| format!("cannot read `{}`: {err}", input.display()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("tgs" | "json"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    if files.is_empty() {
        return Err("no .tgs or .json file in the inputs".into());
    }
    Ok(files)
}
/// The format an output path asks for: its extension, or PNG for stdout and extension-less names.
fn format_from_extension(path: &Path) -> Result<ImageFormat, String> {
    match path.extension().and_then(|e| e.to_str()) {
        None => Ok(ImageFormat::Png),
        Some(ext) => ext.parse().map_err(|_| {
            format!(
                "cannot tell the format from `{}`; use a .png, .webp, .apng or .gif name, or --format",
                path.display()
            )
        }),
    }
}

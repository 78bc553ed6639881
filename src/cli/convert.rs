//! `convert`: a sticker to a still image or an animation file.

use std::path::Path;

use super::CliResult;
use super::args::ConvertArgs;
use super::io::{read_input, write_output};
use crate::encode::ImageFormat;
use crate::pipeline::{self, ExportOptions, FrameSelection, Limits};

/// Runs `convert`.
pub(super) fn run(args: &ConvertArgs) -> CliResult {
    let limits = Limits {
        max_output_side: args.max_side,
        ..Limits::default()
    };
    let format = match args.format {
        Some(format) => format,
        None => format_from_extension(&args.output)?,
    };
    let input = read_input(&args.input, &limits)?;
    let animation = pipeline::load(&input, &limits)?;
    let (width, height) = pipeline::output_size(&animation, args.width, args.height, &limits)?;
    let options = ExportOptions {
        format,
        frames: args
            .frame
            .or(args.frames)
            .unwrap_or_else(|| FrameSelection::default_for(format)),
        fps: args.fps,
        quality: args.quality,
        background: args.background,
        width,
        height,
    };
    let export = pipeline::export(&animation, &options, &limits)?;
    write_output(&args.output, &export.bytes)
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

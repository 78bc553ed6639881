//! `convert`: renders one frame of a sticker to a PNG or WebP file.

use std::path::Path;

use super::CliResult;
use super::args::ConvertArgs;
use super::io::{read_input, write_output};
use crate::encode::{self, ImageFormat};
use crate::pipeline::{self, Limits};

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
    let image = pipeline::render_frame(&animation, args.frame, width, height, &limits.budget)?;
    let bytes = encode::encode(&image, format, args.quality)?;
    write_output(&args.output, &bytes)
}

/// The format an output path asks for: its extension, or PNG for stdout and extension-less names.
fn format_from_extension(path: &Path) -> Result<ImageFormat, String> {
    match path.extension().and_then(|e| e.to_str()) {
        None => Ok(ImageFormat::Png),
        Some(ext) => ext.parse().map_err(|_| {
            format!(
                "cannot tell the format from `{}`; use a .png or .webp name, or --format",
                path.display()
            )
        }),
    }
}

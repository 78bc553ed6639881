//! `convert` and `info`, and the dispatch of every subcommand.

use std::error::Error;
use std::io::{Read, Write};
use std::path::Path;

use super::args::{Cli, Command, ConvertArgs, InfoArgs};
use crate::encode::{self, ImageFormat};
use crate::pipeline::{self, Limits};

/// A boxed error with a one-line message (the CLI prints it and exits non-zero).
pub type CliResult = Result<(), Box<dyn Error + Send + Sync>>;

/// Runs a parsed command line.
///
/// # Errors
///
/// Any failure, with a one-line lowercase message naming the input or the bad value.
pub fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Convert(args) => convert(&args),
        Command::Info(args) => info(&args),
        Command::BenchRender(args) => super::bench::run(&args),
        Command::Serve(args) => super::serve::run(&args),
    }
}

fn convert(args: &ConvertArgs) -> CliResult {
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
    let image = pipeline::render_frame(&animation, args.frame, width, height)?;
    let bytes = encode::encode(&image, format, args.quality)?;
    write_output(&args.output, &bytes)
}

fn info(args: &InfoArgs) -> CliResult {
    let limits = Limits::default();
    let input = read_input(&args.input, &limits)?;
    let animation = pipeline::load(&input, &limits)?;
    let json = serde_json::to_string_pretty(&pipeline::info(&animation))?;
    println!("{json}");
    Ok(())
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

/// Reads a file, or stdin for `-`, refusing more than the input limit.
pub(super) fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let cap = u64::try_from(limits.max_input_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let result = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut data)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(cap).read_to_end(&mut data))
    };
    result.map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
    if data.len() > limits.max_input_bytes {
        return Err(format!(
            "`{}` is larger than the input limit of {} bytes",
            path.display(),
            limits.max_input_bytes
        ));
    }
    Ok(data)
}

fn write_output(path: &Path, bytes: &[u8]) -> CliResult {
    let result = if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).and_then(|()| out.flush())
    } else {
        std::fs::write(path, bytes)
    };
    result.map_err(|err| format!("cannot write `{}`: {err}", path.display()).into())
}

//! Raw command-line arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::encode::ImageFormat;

/// Converts Telegram animated stickers (.tgs) and Lottie JSON to PNG and WebP.
#[derive(Debug, Parser)]
#[command(name = "tgs-converter", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Renders one frame of a sticker to PNG or WebP.
    Convert(ConvertArgs),
    /// Prints the animation's metadata as JSON.
    Info(InfoArgs),
    /// Times rendering only (evaluate + rasterize), single thread, per file.
    #[command(name = "bench-render")]
    BenchRender(BenchArgs),
    /// Runs the HTTP conversion service (every flag can also be set by its environment variable).
    Serve(crate::server::ServeArgs),
}

/// Arguments of `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input `.tgs` or Lottie `.json` (recognised by content); `-` reads stdin.
    pub input: PathBuf,
    /// Output file; `-` writes stdout.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Frame index, from 0 to totalFrames - 1 (frame k is at time ip + k).
    #[arg(short, long, default_value_t = 0)]
    pub frame: u64,
    /// Output width in pixels (1..=max-side). Alone, the height follows the aspect ratio.
    #[arg(short = 'W', long)]
    pub width: Option<u32>,
    /// Output height in pixels (1..=max-side). Alone, the width follows the aspect ratio.
    #[arg(short = 'H', long)]
    pub height: Option<u32>,
    /// Output format; default: from the output's extension, else png.
    #[arg(long)]
    pub format: Option<ImageFormat>,
    /// WebP quality 1-100 (100 = exact lossless; lower quantises colours first).
    #[arg(short, long, default_value_t = 90, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// Largest allowed output width or height.
    #[arg(long, default_value_t = 2048)]
    pub max_side: u32,
}

/// Arguments of `info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Input `.tgs` or Lottie `.json`; `-` reads stdin.
    pub input: PathBuf,
}

/// Arguments of `bench-render`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Files to time (`.tgs` or `.json`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Render size, `WxH`.
    #[arg(long, default_value = "512x512", value_parser = parse_size)]
    pub size: (u32, u32),
    /// `all`, or N evenly spaced frames (first and last included), as `lottie_ref.py bench`.
    #[arg(long, default_value = "all", value_parser = parse_frames)]
    pub frames: FrameSelection,
    /// Untimed frames rendered before timing.
    #[arg(long, default_value_t = 5)]
    pub warmup: u32,
    /// Passes over the selected frames.
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
    /// Writes every result (with per-frame times) as JSON to this file (`-`: stdout).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size `{s}` is not WxH, e.g. 512x512"))?;
    let side = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|&v| (1..=16384).contains(&v))
            .ok_or_else(|| format!("size `{s}`: sides must be 1..=16384"))
    };
    Ok((side(w)?, side(h)?))
}

/// Which frames `bench-render` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameSelection {
    /// Every frame.
    All,
    /// This many evenly spaced frames, first and last included.
    Evenly(u32),
}

impl FrameSelection {
    /// Returns the count for [`crate::pipeline::select_frames`] (`None` = all).
    pub fn count(self) -> Option<u32> {
        match self {
            Self::All => None,
            Self::Evenly(n) => Some(n),
        }
    }
}

fn parse_frames(s: &str) -> Result<FrameSelection, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(FrameSelection::All);
    }
    match s.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(FrameSelection::Evenly(n)),
        _ => Err(format!("frames `{s}`: expected `all` or a positive count")),
    }
}

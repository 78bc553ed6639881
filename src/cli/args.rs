//! Raw command-line arguments (clap).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::encode::ImageFormat;
use crate::pipeline::{FrameSelection as ExportFrames, Limits, Preset};
use crate::server::config::{
    DEFAULT_BODY_TIMEOUT_MS, DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_SIZE, DEFAULT_CACHE_TTL_MS,
    DEFAULT_MAX_BATCH_ITEMS, DEFAULT_MAX_BODY_BYTES, DEFAULT_OUTPUT_CACHE_BYTES, DEFAULT_PORT,
    DEFAULT_QUEUE_MAX_BYTES, DEFAULT_QUEUE_SIZE, DEFAULT_QUEUE_TIMEOUT_MS,
    DEFAULT_SHUTDOWN_TIMEOUT_SECS,
};
use crate::server::rate_limit::Network;
use renderer::Budget;

/// Converts Telegram animated stickers (.tgs) and Lottie JSON to PNG, WebP, APNG and GIF.
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
    /// Converts a sticker to a still (PNG, WebP, GIF) or an animation (WebP, APNG, GIF).
    Convert(ConvertArgs),
    /// Prints the animation's metadata as JSON.
    Info(InfoArgs),
    /// Times rendering only (evaluate + rasterize), single thread, per file.
    #[command(name = "bench-render")]
    BenchRender(BenchArgs),
    /// Times whole-animation exports (animated WebP, APNG, GIF) per file, on all cores.
    #[command(name = "bench-export")]
    BenchExport(BenchExportArgs),
    /// Load-tests a running service: `POST /convert` at several concurrency levels, with
    /// throughput, latency and server time per level.
    #[command(name = "bench-http")]
    BenchHttp(BenchHttpArgs),
    /// Runs the HTTP conversion service (every flag can also be set by its environment variable).
    Serve(ServeArgs),
    /// Asks a running service whether it is healthy (exit 0) or not (exit 2): the container
    /// health check, since a scratch image has no curl.
    Health(HealthArgs),
}

/// Arguments of `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input `.tgs` or Lottie `.json` (recognised by content); `-` reads stdin. With
    /// `--out-dir`: any number of files and directories (their `.tgs` and `.json` files).
    #[arg(required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// Output file; `-` writes stdout.
    #[arg(
        short,
        long,
        required_unless_present = "out_dir",
        conflicts_with = "out_dir"
    )]
    pub output: Option<PathBuf>,
    /// Converts every input into this directory (created if needed) as `NAME.FORMAT`, on all
    /// cores, going on past bad files; needs `--format` or `--preset`.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// A platform's sticker rules: `whatsapp`, `signal`, `discord` or `telegram-emoji`. Picks the
    /// format, size, frame rate and quality, stepping frame rate and quality down until the file
    /// fits; prints what it chose. A still with `--frame N`, else the whole animation.
    #[arg(long, conflicts_with_all = ["width", "height", "fps", "quality", "lossless"])]
    pub preset: Option<Preset>,
    /// Frame index, from 0 to totalFrames - 1 (frame k is at time ip + k), or `all` for the
    /// whole animation. Default: `all` for .apng and .gif, 0 for .png and .webp.
    #[arg(short, long, value_parser = ExportFrames::parse_frame, conflicts_with = "frames")]
    pub frame: Option<ExportFrames>,
    /// Frames START-END (both included) as an animation.
    #[arg(long, value_parser = ExportFrames::parse_range)]
    pub frames: Option<ExportFrames>,
    /// Output frame rate of an animation (default: the sticker's; GIF: whole hundredths of a
    /// second, at most 50).
    #[arg(long)]
    pub fps: Option<f64>,
    /// Matte colour `#rrggbb`: frames are composited over it (GIF: instead of 1-bit transparency).
    #[arg(long, value_parser = crate::pipeline::parse_color)]
    pub background: Option<[u8; 3]>,
    /// Output width in pixels (1..=max-side). Alone, the height follows the aspect ratio.
    #[arg(short = 'W', long)]
    pub width: Option<u32>,
    /// Output height in pixels (1..=max-side). Alone, the width follows the aspect ratio.
    #[arg(short = 'H', long)]
    pub height: Option<u32>,
    /// Output format; default: from the output's extension, else png.
    #[arg(long)]
    pub format: Option<ImageFormat>,
    /// WebP quality 1-100 (100 = exact lossless; lower is lossy VP8, libwebp's scale), also per
    /// frame of an animated WebP.
    #[arg(short, long, default_value_t = 90, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// Exact pixels: WebP quality 100 (lossless VP8L); PNG and APNG always are.
    #[arg(long, conflicts_with = "quality")]
    pub lossless: bool,
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

/// Arguments of `health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The URL to ask; healthy means a 200 answer. Default: the liveness route on loopback at
    /// `PORT` (3000 when unset).
    #[arg(long)]
    pub url: Option<String>,
    /// Seconds to wait for the whole answer.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
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
    /// Renders every frame as if it were the first (no pixels or outlines from the frame before).
    #[arg(long)]
    pub independent: bool,
    /// Writes every result (with per-frame times) as JSON to this file (`-`: stdout).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Arguments of `bench-export`.
#[derive(Debug, Args)]
pub struct BenchExportArgs {
    /// Files to export (`.tgs` or `.json`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Formats, comma-separated (default: webp,apng,gif unless `--presets` is given).
    #[arg(long, value_delimiter = ',')]
    pub formats: Vec<ImageFormat>,
    /// Platform presets, comma-separated (`whatsapp`, `signal`, `discord`, `telegram-emoji`): the
    /// whole search, timed; a file that cannot fit counts as not fitting.
    #[arg(long, value_delimiter = ',')]
    pub presets: Vec<Preset>,
    /// Output size, `WxH`.
    #[arg(long, default_value = "512x512", value_parser = parse_size)]
    pub size: (u32, u32),
    /// WebP quality 1-100 (100 = exact lossless).
    #[arg(short, long, default_value_t = 90, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// Output frame rate (default: each sticker's; GIF: whole hundredths of a second).
    #[arg(long)]
    pub fps: Option<f64>,
    /// Runs per file and format; the fastest counts.
    #[arg(long, default_value_t = 3)]
    pub repeat: u32,
    /// Writes every result as JSON to this file (`-`: stdout).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Arguments of `bench-http`.
#[derive(Debug, Args)]
pub struct BenchHttpArgs {
    /// Stickers to send (`.tgs` or `.json`); requests go round them, and round their frames.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The conversion endpoint; requests are sent there only.
    #[arg(long, default_value = "http://127.0.0.1:3000/convert")]
    pub url: String,
    /// Concurrency levels (clients, each with its own connection), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,10,50,100")]
    pub concurrency: Vec<usize>,
    /// Most requests per level.
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    /// Most seconds per level during which requests are sent.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Output format asked for.
    #[arg(long, default_value = "png")]
    pub format: ImageFormat,
    /// Output width asked for (default: the composition's).
    #[arg(short = 'W', long)]
    pub width: Option<u32>,
    /// Writes every level as JSON to this file (`-`: stdout).
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

/// Arguments of `serve`; each one can also be set by the environment variable shown.
///
/// The variable names are those of the service contract (`PORT`, `HOST`, `WORKER_POOL_SIZE`,
/// `CACHE_SIZE`, ...), without a `TGS_` prefix, because deployments already set them. The
/// defaults are the server's own ([`crate::server::config`]).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (use 0.0.0.0 inside a container).
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// TCP port to listen on (0 picks a free port; the log line "listening" names it).
    #[arg(long, env = "PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,

    /// Render threads (0 = one per CPU); renders never run on the HTTP workers.
    #[arg(long, env = "WORKER_POOL_SIZE", default_value_t = 0)]
    pub worker_pool_size: usize,

    /// Most render jobs waiting for a thread, a backstop beyond `QUEUE_TIMEOUT_MS`; past it
    /// requests get 503 + Retry-After.
    #[arg(long, env = "QUEUE_SIZE", default_value_t = DEFAULT_QUEUE_SIZE)]
    pub queue_size: usize,

    /// Longest wait for a render thread, in milliseconds: a request whose expected wait (recent
    /// mean job time x jobs ahead / threads) is longer gets 503 + Retry-After, and so does one
    /// that has waited longer when a thread takes it.
    #[arg(long, env = "QUEUE_TIMEOUT_MS", default_value_t = DEFAULT_QUEUE_TIMEOUT_MS)]
    pub queue_timeout_ms: u64,

    /// Most bytes of request bodies held by admitted render jobs; past it 503 + Retry-After (a
    /// job alone is always admitted).
    #[arg(long, env = "QUEUE_MAX_BYTES", default_value_t = DEFAULT_QUEUE_MAX_BYTES)]
    pub queue_max_bytes: u64,

    /// HTTP worker threads that accept and parse requests (0 = one per CPU).
    #[arg(long, env = "HTTP_WORKERS", default_value_t = 0)]
    pub http_workers: usize,

    /// Maximum number of parsed animations kept in the cache.
    #[arg(long, env = "CACHE_SIZE", default_value_t = DEFAULT_CACHE_SIZE)]
    pub cache_size: usize,

    /// Time a parsed animation stays in the cache, in milliseconds.
    #[arg(long, env = "CACHE_TTL_MS", default_value_t = DEFAULT_CACHE_TTL_MS)]
    pub cache_ttl_ms: u64,

    /// Memory budget of the animation cache in bytes (estimated from each animation's JSON size).
    #[arg(long, env = "CACHE_MAX_BYTES", default_value_t = DEFAULT_CACHE_MAX_BYTES)]
    pub cache_max_bytes: u64,

    /// Memory budget of the encoded-output cache in bytes (images by upload and parameters); 0 = off.
    #[arg(long, env = "OUTPUT_CACHE_BYTES", default_value_t = DEFAULT_OUTPUT_CACHE_BYTES)]
    pub output_cache_bytes: u64,

    /// Largest accepted sticker (gzipped or plain JSON) in bytes; larger uploads get 413.
    #[arg(long, env = "MAX_INPUT_BYTES", default_value_t = Limits::default().max_input_bytes)]
    pub max_input_bytes: usize,

    /// Largest decompressed Lottie JSON in bytes.
    #[arg(long, env = "MAX_JSON_BYTES", default_value_t = Limits::default().max_json_bytes)]
    pub max_json_bytes: usize,

    /// Largest output width or height in pixels.
    #[arg(long, env = "MAX_OUTPUT_SIDE", default_value_t = Limits::default().max_output_side)]
    pub max_output_side: u32,

    /// Most path elements one frame may draw (after modifiers, repeaters and dashes); more is
    /// 422 `limit_exceeded`.
    #[arg(long, env = "MAX_PATH_ELEMENTS", default_value_t = Budget::default().max_path_elements)]
    pub max_path_elements: usize,

    /// Most offscreen pixels one frame may use for its masks, mattes and layers (each counts the
    /// output area it covers); more is 422 `limit_exceeded`.
    #[arg(long, env = "MAX_OFFSCREEN_PIXELS", default_value_t = Budget::default().max_offscreen_pixels)]
    pub max_offscreen_pixels: u64,

    /// Most wall time one frame may take to render, in milliseconds; longer is 422
    /// `limit_exceeded`, and the render thread is free at once.
    #[arg(long, env = "MAX_RENDER_MS", default_value_t = Budget::default().max_time.as_millis() as u64)]
    pub max_render_ms: u64,
    /// Most frames an animated export renders (after resampling to its fps); over it is a 422.
    #[arg(long, env = "MAX_EXPORT_FRAMES", default_value_t = Limits::default().max_export_frames)]
    pub max_export_frames: u32,

    /// Most pixels an animated export renders (frames x width x height); over it is a 422.
    #[arg(long, env = "MAX_EXPORT_PIXELS", default_value_t = Limits::default().max_export_pixels)]
    pub max_export_pixels: u64,

    /// Largest JSON request body (`/convert/base64`, `/convert/batch`) in bytes; larger gets 413.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Most items accepted in one `/convert/batch` request.
    #[arg(long, env = "MAX_BATCH_ITEMS", default_value_t = DEFAULT_MAX_BATCH_ITEMS)]
    pub max_batch_items: usize,

    /// Time a client gets to send the whole request body, in milliseconds; slower gets 408.
    #[arg(long, env = "BODY_TIMEOUT_MS", default_value_t = DEFAULT_BODY_TIMEOUT_MS)]
    pub body_timeout_ms: u64,

    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(long, env = "SHUTDOWN_TIMEOUT_SECS", default_value_t = DEFAULT_SHUTDOWN_TIMEOUT_SECS)]
    pub shutdown_timeout_secs: u64,

    /// Requests per second each client may send (token bucket per client address); 0 = no limit.
    /// Over it: 429 `rate_limited` with `Retry-After`.
    #[arg(long, env = "RATE_LIMIT_RPS", default_value_t = 0)]
    pub rate_limit_rps: u32,

    /// Requests a client may send at once before `RATE_LIMIT_RPS` applies; 0 = the same as the
    /// rate.
    #[arg(long, env = "RATE_LIMIT_BURST", default_value_t = 0)]
    pub rate_limit_burst: u32,

    /// Comma-separated addresses or CIDR blocks of proxies whose `X-Forwarded-For` names the
    /// client (e.g. `10.0.0.0/8,127.0.0.1`); from anyone else the header is ignored.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<Network>,

    /// Serve the web page at `/` (true/false); off for API-only deployments.
    #[arg(long, env = "WEB_UI", default_value_t = true, action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new())]
    pub web_ui: bool,

    /// Log format: one human-readable or one JSON line per request.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,

    /// Most verbose log level (error, warn, info, debug, trace).
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: tracing::Level,
}

/// The values of `serve --log-format` (the server's [`crate::server::LogFormat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

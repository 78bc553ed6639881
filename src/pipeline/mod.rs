//! The conversion pipeline shared by the CLI and the server: bytes -> [`Animation`] -> frame ->
//! straight-alpha [`Image`](crate::encode::Image) for the encoders.
//!
//! Loading and rendering are the engine's own three calls (`Animation::load`,
//! `Animation::frame_time`, `raster::render`); this module adds what a conversion request needs
//! around them: the request limits ([`Limits`]), the output size ([`output_size`]), which frames a
//! benchmark takes ([`select_frames`]), whole-animation export ([`export`]: frame selection,
//! resampling, parallel rendering, animated encoders), platform presets ([`export_preset`]: a
//! file within a messenger's sticker rules), the `info` metadata ([`Info`]), and one error type
//! with a variant per kind of failure ([`PipelineError`]), so that the CLI and the HTTP service report
//! the same errors.

mod animation;
mod error;
mod frames;
mod info;
mod preset;
mod render;
mod size;

use std::borrow::Cow;

use renderer::{Animation, Budget, LoadLimits};

pub use animation::{Export, ExportOptions, FrameSelection, MAX_FPS, export, parse_color};
pub use error::PipelineError;
pub use frames::select_frames;
pub use info::{Info, info};
pub use preset::{Preset, PresetExport, PresetOptions, Rule, export_preset};
pub use render::{new_pixmap, render_frame, render_pixmap};
pub use size::output_size;

/// Safety limits for untrusted input and requested output. Every value can be overridden (CLI
/// flags, server environment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input (compressed `.tgs` or plain JSON), in bytes. Default 10 MiB.
    pub max_input_bytes: usize,
    /// Largest accepted JSON after gunzip, in bytes (guards against gzip bombs). Default 64 MiB.
    pub max_json_bytes: usize,
    /// Largest output width or height, in pixels. Default 2048.
    pub max_output_side: u32,
    /// What rendering one frame may cost (path elements, offscreen pixels, time).
    pub budget: Budget,
    /// Most frames an animated export renders (after resampling). Default 600: 10 s at 60 fps.
    pub max_export_frames: u32,
    /// Most pixels an animated export renders, frames x width x height. Default 2^28: 1024
    /// frames of 512x512, or 64 of 2048x2048.
    pub max_export_pixels: u64,
}

impl Limits {
    /// The limits the engine checks while loading.
    pub fn load_limits(&self) -> LoadLimits {
        LoadLimits {
            max_input_bytes: self.max_input_bytes,
            max_json_bytes: self.max_json_bytes,
            ..LoadLimits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        let load = LoadLimits::default();
        Self {
            max_input_bytes: load.max_input_bytes,
            max_json_bytes: load.max_json_bytes,
            max_output_side: 2048,
            budget: Budget::default(),
            max_export_frames: 600,
            max_export_pixels: 1 << 28,
        }
    }
}

/// Returns the Lottie JSON in `input`: gunzipped when it is a `.tgs` (gzip magic), else as is.
///
/// # Errors
///
/// [`PipelineError::InputTooLarge`], [`PipelineError::BadGzip`], or
/// [`PipelineError::LimitExceeded`] when the gunzipped size exceeds [`Limits::max_json_bytes`].
pub fn decode<'a>(input: &'a [u8], limits: &Limits) -> Result<Cow<'a, [u8]>, PipelineError> {
    Ok(renderer::decompress(input, &limits.load_limits())?)
}

/// Parses Lottie JSON into an [`Animation`].
///
/// # Errors
///
/// [`PipelineError::NotJson`], [`PipelineError::NotLottie`], [`PipelineError::InvalidAnimation`]
/// or [`PipelineError::LimitExceeded`].
pub fn parse(json: &[u8]) -> Result<Animation, PipelineError> {
    Ok(Animation::from_slice(json)?)
}

/// Decodes and parses `input` (`.tgs` or Lottie JSON).
///
/// # Errors
///
/// See [`decode`] and [`parse`].
pub fn load(input: &[u8], limits: &Limits) -> Result<Animation, PipelineError> {
    Ok(Animation::load(input, &limits.load_limits())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &[u8] = br#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":200,"h":100,"layers":[]}"#;

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn decode_detects_gzip_by_content() {
        let limits = Limits::default();
        assert_eq!(&*decode(&gzip(SQUARE), &limits).unwrap(), SQUARE);
        assert_eq!(&*decode(SQUARE, &limits).unwrap(), SQUARE);
    }

    #[test]
    fn decode_errors_keep_their_kind() {
        let limits = Limits {
            max_json_bytes: 1000,
            ..Limits::default()
        };
        let err = decode(&gzip(&[b' '; 5000]), &limits).unwrap_err();
        assert!(matches!(err, PipelineError::LimitExceeded(_)), "{err}");
        assert_eq!(err.to_string(), "gunzipped input exceeds 1000 bytes");
        let mut bad = gzip(SQUARE);
        bad.truncate(12);
        let err = decode(&bad, &Limits::default()).unwrap_err();
        assert!(matches!(err, PipelineError::BadGzip(_)), "{err}");
        let limits = Limits {
            max_input_bytes: 10,
            ..Limits::default()
        };
        let err = decode(SQUARE, &limits).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("input is {} bytes; the limit is 10 bytes", SQUARE.len())
        );
    }

    #[test]
    fn parse_errors_keep_their_kind() {
        let err = parse(b"").unwrap_err();
        assert!(matches!(err, PipelineError::NotJson(_)), "{err}");
        assert_eq!(err.to_string(), "input is not JSON: input is empty");
        assert!(matches!(parse(b"{oops"), Err(PipelineError::NotJson(_))));
        assert!(matches!(parse(b"[1, 2]"), Err(PipelineError::NotLottie(_))));
        let zero = br#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":0,"h":100,"layers":[]}"#;
        let err = parse(zero).unwrap_err();
        assert_eq!(err.to_string(), "invalid animation: size is 0x100");
    }
}

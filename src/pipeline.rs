//! The conversion pipeline shared by the CLI and the server:
//! decode (gunzip) -> parse -> evaluate -> rasterize -> straight RGBA.
//!
//! Every step validates against [`Limits`] and fails with a [`PipelineError`] that carries a stable
//! snake_case code, so the CLI and the HTTP service report the same errors.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::io::Read;

use raster::{Pixmap, RasterSettings, Rasterizer};
use renderer::{Animation, DrawList, Renderer};

use crate::encode::EncodeError;

/// The gzip magic number: `.tgs` files are gzipped Lottie JSON. Detected by content, never by name.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Safety limits for untrusted input. Every value can be overridden (CLI flags, server env).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input (compressed `.tgs` or plain JSON), in bytes. Default 10 MiB.
    pub max_input_bytes: usize,
    /// Largest accepted JSON after gunzip, in bytes (guards against gzip bombs). Default 64 MiB.
    pub max_json_bytes: usize,
    /// Largest output width or height, in pixels. Default 2048.
    pub max_output_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 10 * 1024 * 1024,
            max_json_bytes: 64 * 1024 * 1024,
            max_output_side: 2048,
        }
    }
}

/// Why a conversion failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum PipelineError {
    /// The input is larger than [`Limits::max_input_bytes`].
    InputTooLarge {
        /// Input size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The input starts with the gzip magic but does not gunzip.
    BadGzip(String),
    /// The (gunzipped) input is not JSON.
    NotJson(String),
    /// The JSON is not a Lottie animation.
    NotLottie(String),
    /// The animation has a value the engine cannot work with.
    InvalidAnimation(String),
    /// The animation or its decompressed size exceeds a safety limit.
    LimitExceeded(String),
    /// The requested frame does not exist.
    FrameOutOfRange {
        /// The requested frame index.
        frame: u64,
        /// Number of frames; valid indices are `0..total`.
        total: u32,
    },
    /// The requested output size is zero or over [`Limits::max_output_side`].
    BadSize(String),
    /// Encoding the image failed.
    Encode(EncodeError),
}

impl PipelineError {
    /// Returns the stable snake_case code of this error (used in HTTP `{code, message}` bodies).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InputTooLarge { .. } => "input_too_large",
            Self::BadGzip(_) => "bad_gzip",
            Self::NotJson(_) => "not_json",
            Self::NotLottie(_) => "not_lottie",
            Self::InvalidAnimation(_) => "invalid_animation",
            Self::LimitExceeded(_) => "limit_exceeded",
            Self::FrameOutOfRange { .. } => "frame_out_of_range",
            Self::BadSize(_) => "bad_size",
            Self::Encode(_) => "encode_failed",
        }
    }
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InputTooLarge { size, limit } => {
                write!(f, "input is {size} bytes; the limit is {limit} bytes")
            }
            Self::BadGzip(msg) => {
                write!(f, "input looks gzipped (.tgs) but does not gunzip: {msg}")
            }
            Self::NotJson(msg) => write!(f, "input is not JSON: {msg}"),
            Self::NotLottie(msg) => write!(f, "input is not a Lottie animation: {msg}"),
            Self::InvalidAnimation(msg) => write!(f, "invalid animation: {msg}"),
            Self::LimitExceeded(msg) => write!(f, "{msg}"),
            Self::FrameOutOfRange { frame, total } => write!(
                f,
                "frame {frame} is out of range; valid frames are 0..={}",
                total.saturating_sub(1)
            ),
            Self::BadSize(msg) => write!(f, "{msg}"),
            Self::Encode(err) => write!(f, "encoding failed: {err}"),
        }
    }
}

impl std::error::Error for PipelineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Encode(err) => Some(err),
            _ => None,
        }
    }
}

impl From<EncodeError> for PipelineError {
    fn from(err: EncodeError) -> Self {
        Self::Encode(err)
    }
}

impl From<renderer::Error> for PipelineError {
    fn from(err: renderer::Error) -> Self {
        match err {
            renderer::Error::Json(err) => Self::NotJson(err.to_string()),
            renderer::Error::NotLottie(msg) => Self::NotLottie(msg),
            renderer::Error::LimitExceeded(msg) => Self::LimitExceeded(msg),
            other => Self::InvalidAnimation(other.to_string()),
        }
    }
}

/// A straight-alpha (un-premultiplied) RGBA8 image, row-major, 4 bytes per pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub data: Vec<u8>,
}

/// Returns the Lottie JSON in `input`: gunzipped when it starts with the gzip magic, else as is.
///
/// # Errors
///
/// [`PipelineError::InputTooLarge`], [`PipelineError::BadGzip`], or
/// [`PipelineError::LimitExceeded`] when the gunzipped size exceeds [`Limits::max_json_bytes`].
pub fn decode<'a>(input: &'a [u8], limits: &Limits) -> Result<Cow<'a, [u8]>, PipelineError> {
    if input.len() > limits.max_input_bytes {
        return Err(PipelineError::InputTooLarge {
            size: input.len(),
            limit: limits.max_input_bytes,
        });
    }
    if !input.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(input));
    }
    let mut json = Vec::with_capacity(input.len().saturating_mul(8).min(limits.max_json_bytes));
    // Read one byte past the limit to tell "exactly at the limit" from "over it" without
    // inflating a gzip bomb any further.
    let cap = u64::try_from(limits.max_json_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    flate2::read::MultiGzDecoder::new(input)
        .take(cap)
        .read_to_end(&mut json)
        .map_err(|err| PipelineError::BadGzip(err.to_string()))?;
    if json.len() > limits.max_json_bytes {
        return Err(PipelineError::LimitExceeded(format!(
            "gunzipped input exceeds {} bytes",
            limits.max_json_bytes
        )));
    }
    Ok(Cow::Owned(json))
}

/// Parses Lottie JSON into an [`Animation`].
///
/// # Errors
///
/// [`PipelineError::NotJson`], [`PipelineError::NotLottie`], [`PipelineError::InvalidAnimation`]
/// or [`PipelineError::LimitExceeded`].
pub fn parse(json: &[u8]) -> Result<Animation, PipelineError> {
    if json.iter().all(u8::is_ascii_whitespace) {
        return Err(PipelineError::NotJson("input is empty".into()));
    }
    Ok(Animation::from_slice(json)?)
}

/// Decodes and parses `input` (`.tgs` or Lottie JSON).
///
/// # Errors
///
/// See [`decode`] and [`parse`].
pub fn load(input: &[u8], limits: &Limits) -> Result<Animation, PipelineError> {
    parse(&decode(input, limits)?)
}

/// Returns the output size for a request: the composition size by default; with only one side
/// given, the other follows the composition's aspect ratio; with both, exactly that.
///
/// # Errors
///
/// [`PipelineError::BadSize`] when a side is 0 or exceeds [`Limits::max_output_side`].
pub fn output_size(
    animation: &Animation,
    width: Option<u32>,
    height: Option<u32>,
    limits: &Limits,
) -> Result<(u32, u32), PipelineError> {
    let (cw, ch) = (animation.width(), animation.height());
    let derived = |side: u32, ratio: f64| -> u32 {
        let v = (f64::from(side) * ratio).round();
        if v >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            (v as u32).max(1)
        }
    };
    let (w, h) = match (width, height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, derived(w, ch / cw)),
        (None, Some(h)) => (derived(h, cw / ch), h),
        (None, None) => (derived(1, cw), derived(1, ch)),
    };
    let max = limits.max_output_side;
    if width == Some(0) || height == Some(0) {
        return Err(PipelineError::BadSize(
            "width and height must be at least 1".into(),
        ));
    }
    if w == 0 || h == 0 {
        return Err(PipelineError::BadSize(format!(
            "output size {w}x{h} is empty; width and height must be at least 1"
        )));
    }
    if w > max || h > max {
        let hint = if width.is_none() && height.is_none() {
            "; pass a smaller width or height"
        } else {
            ""
        };
        return Err(PipelineError::BadSize(format!(
            "output size {w}x{h} exceeds the limit of {max}x{max} pixels{hint}"
        )));
    }
    Ok((w, h))
}

/// Returns the composition time of frame `index`: `ip + index`.
///
/// # Errors
///
/// [`PipelineError::FrameOutOfRange`] when `index >= total_frames`.
pub fn frame_time(animation: &Animation, index: u64) -> Result<f64, PipelineError> {
    let total = animation.total_frames();
    if index >= u64::from(total) {
        return Err(PipelineError::FrameOutOfRange {
            frame: index,
            total,
        });
    }
    Ok(animation.in_point() + index as f64)
}

/// `k` evenly spaced frame indices of `0..n`, first and last included, de-duplicated:
/// `f_i = floor(i (n-1) / (k-1) + 1/2)` in exact integer arithmetic (as `lottie_ref.py`).
pub fn select_frames(n: u32, k: Option<u32>) -> Vec<u32> {
    let n = n.max(1);
    match k {
        None => (0..n).collect(),
        Some(k) if k >= n => (0..n).collect(),
        Some(k) if k <= 1 => vec![0],
        Some(k) => {
            let (n, k) = (u64::from(n), u64::from(k));
            let mut v: Vec<u32> = (0..k)
                .map(|i| ((2 * i * (n - 1) + (k - 1)) / (2 * (k - 1))) as u32)
                .collect();
            v.dedup();
            v
        }
    }
}

/// Everything needed to render frames, reused across calls: the engine's scratch buffers, the
/// draw list, the rasterizer's contexts and the pixmap. Keep one per thread.
#[derive(Debug, Default)]
pub struct FrameRenderer {
    renderer: Renderer,
    list: DrawList,
    rasterizer: Rasterizer,
    pixmap: Option<Pixmap>,
}

impl FrameRenderer {
    /// Creates a frame renderer with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renders frame `index` at `width` x `height` into the internal premultiplied pixmap and
    /// returns it. This is the whole render cost (evaluate + rasterize), without conversion.
    ///
    /// # Errors
    ///
    /// [`PipelineError::FrameOutOfRange`] or [`PipelineError::BadSize`] (a side of 0 or over 65535).
    pub fn render_premultiplied(
        &mut self,
        animation: &Animation,
        index: u64,
        width: u32,
        height: u32,
    ) -> Result<&Pixmap, PipelineError> {
        let time = frame_time(animation, index)?;
        let side = |v: u32| u16::try_from(v).ok().filter(|&v| v > 0);
        let (Some(w), Some(h)) = (side(width), side(height)) else {
            return Err(PipelineError::BadSize(format!(
                "output size {width}x{height} is not between 1x1 and 65535x65535"
            )));
        };
        self.renderer.evaluate(animation, time, &mut self.list);
        let pixmap = self.pixmap.get_or_insert_with(|| Pixmap::new(w, h));
        self.rasterizer
            .render(&self.list, &RasterSettings::new(w, h), pixmap);
        Ok(pixmap)
    }

    /// Renders frame `index` at `width` x `height` as a straight-alpha [`Image`].
    ///
    /// # Errors
    ///
    /// See [`FrameRenderer::render_premultiplied`].
    pub fn render(
        &mut self,
        animation: &Animation,
        index: u64,
        width: u32,
        height: u32,
    ) -> Result<Image, PipelineError> {
        let pixmap = self.render_premultiplied(animation, index, width, height)?;
        let mut data = Vec::new();
        raster::unpremultiply_into(pixmap, &mut data);
        Ok(Image {
            width,
            height,
            data,
        })
    }
}

thread_local! {
    static FRAME_RENDERER: RefCell<FrameRenderer> = RefCell::new(FrameRenderer::new());
}

/// Renders frame `index` of `animation` at `width` x `height` with this thread's reusable
/// [`FrameRenderer`].
///
/// # Errors
///
/// See [`FrameRenderer::render_premultiplied`].
pub fn render_frame(
    animation: &Animation,
    index: u64,
    width: u32,
    height: u32,
) -> Result<Image, PipelineError> {
    FRAME_RENDERER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut renderer) => renderer.render(animation, index, width, height),
        // Re-entered from within a render (not expected): use a fresh renderer.
        Err(_) => FrameRenderer::new().render(animation, index, width, height),
    })
}

/// Returns the `info` JSON of an animation: `{width, height, totalFrames, frameRate, duration,
/// layers, assets, version, name, warnings}`.
pub fn info_json(animation: &Animation) -> serde_json::Value {
    // Whole numbers print as integers (`512`, not `512.0`), as they appear in the Lottie file.
    let num = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            serde_json::Value::from(v as i64)
        } else {
            serde_json::Value::from(v)
        }
    };
    serde_json::json!({
        "width": num(animation.width()),
        "height": num(animation.height()),
        "totalFrames": animation.total_frames(),
        "frameRate": num(animation.frame_rate()),
        "duration": animation.duration(),
        "layers": animation.layer_count(),
        "assets": animation.asset_count(),
        "version": animation.version(),
        "name": animation.name(),
        "warnings": animation.warnings(),
    })
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
    fn decode_rejects_gzip_bomb() {
        let limits = Limits {
            max_json_bytes: 1000,
            ..Limits::default()
        };
        let err = decode(&gzip(&[b' '; 5000]), &limits).unwrap_err();
        assert_eq!(err.code(), "limit_exceeded");
    }

    #[test]
    fn decode_rejects_corrupt_gzip() {
        let mut bad = gzip(SQUARE);
        bad.truncate(12);
        assert_eq!(
            decode(&bad, &Limits::default()).unwrap_err().code(),
            "bad_gzip"
        );
    }

    #[test]
    fn parse_errors_have_codes() {
        assert_eq!(parse(b"").unwrap_err().code(), "not_json");
        assert_eq!(parse(b"{oops").unwrap_err().code(), "not_json");
        assert_eq!(parse(b"[1, 2]").unwrap_err().code(), "not_lottie");
    }

    #[test]
    fn output_size_keeps_aspect() {
        let anim = parse(SQUARE).unwrap();
        let limits = Limits::default();
        assert_eq!(output_size(&anim, None, None, &limits).unwrap(), (200, 100));
        assert_eq!(
            output_size(&anim, Some(100), None, &limits).unwrap(),
            (100, 50)
        );
        assert_eq!(
            output_size(&anim, None, Some(50), &limits).unwrap(),
            (100, 50)
        );
        assert_eq!(
            output_size(&anim, Some(64), Some(64), &limits).unwrap(),
            (64, 64)
        );
        assert_eq!(
            output_size(&anim, Some(0), None, &limits)
                .unwrap_err()
                .code(),
            "bad_size"
        );
        assert_eq!(
            output_size(&anim, Some(5000), None, &limits)
                .unwrap_err()
                .code(),
            "bad_size"
        );
    }

    #[test]
    fn frame_out_of_range_names_valid_range() {
        let anim = parse(SQUARE).unwrap();
        let err = frame_time(&anim, 30).unwrap_err();
        assert_eq!(
            err.to_string(),
            "frame 30 is out of range; valid frames are 0..=29"
        );
        assert_eq!(frame_time(&anim, 29).unwrap(), 29.0);
    }

    #[test]
    fn select_frames_matches_reference_tool() {
        // Values from lottie_ref.py's select_frames.
        assert_eq!(select_frames(180, Some(5)), vec![0, 45, 90, 134, 179]);
        assert_eq!(select_frames(3, Some(5)), vec![0, 1, 2]);
        assert_eq!(select_frames(10, Some(1)), vec![0]);
        assert_eq!(select_frames(4, None), vec![0, 1, 2, 3]);
    }

    #[test]
    fn render_frame_has_requested_size() {
        let anim = parse(SQUARE).unwrap();
        let img = render_frame(&anim, 0, 20, 10).unwrap();
        assert_eq!((img.width, img.height, img.data.len()), (20, 10, 800));
    }
}

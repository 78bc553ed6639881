//! Lossy WebP: our own VP8 key-frame encoder (RFC 6386) with alpha in an `ALPH` chunk.
//!
//! Pure Rust, written from the specifications: RFC 6386 for the VP8 bitstream, and the WebP
//! container and alpha specifications (<https://developers.google.com/speed/webp/docs/riff_container>).
//!
//! The encoder is built for stickers, which are mostly flat colour on a transparent
//! background:
//!
//! - fully transparent pixels are "don't care": their residual is zero, so fully transparent
//!   macroblocks are skipped (a few bits each) and edge blocks cost what their visible pixels
//!   cost;
//! - each macroblock chooses 16x16 or 4x4 luma prediction by rate-distortion cost, except when
//!   16x16 prediction alone is already near-exact (flat areas);
//! - token probabilities are re-estimated per frame and sent when that pays.
//!
//! [`encode_lossy_frame`] returns the `ALPH` and `VP8 ` payloads separately for animation
//! containers; [`encode_lossy_webp`] wraps them in a still-image file. The `_with` variants
//! take [`LossyOptions`], whose [`Effort::Fast`] trades some size for speed. Either is a fine fuzzing
//! entry point: any [`Image`] with a matching buffer is valid input.

mod alpha;
mod analysis;
mod bool_encoder;
mod dct;
mod frame;
mod modes;
mod predict;
mod prefix_code;
mod quant;
mod tables;
mod tokens;
mod yuv;

use super::{EncodeError, Image, check_buffer};

/// Largest width or height a VP8 frame header can hold.
pub const MAX_DIMENSION: u32 = 16383;

/// One lossy frame as chunk payloads, ready for a still (`VP8X`) or animated (`ANMF`) container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LossyFrame {
    /// The `ALPH` chunk payload, or `None` when every pixel is opaque.
    pub alpha: Option<Vec<u8>>,
    /// The `VP8 ` chunk payload: a key frame.
    pub vp8: Vec<u8>,
}

/// How hard the encoder searches for prediction modes: the speed side of the trade-off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Effort {
    /// 16x16 and 4x4 luma prediction chosen by rate and distortion: the smallest files.
    #[default]
    Full,
    /// 16x16 luma prediction only (no 4x4 search): about a fifth fewer instructions, files
    /// about 17% larger at the same quality (`benches/README.md` has the measured trade-off).
    /// Meant for the many frames of an animation.
    Fast,
}

/// Settings of the lossy encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LossyOptions {
    /// 0-100, libwebp's scale; higher is finer.
    pub quality: u8,
    /// Mode search effort.
    pub effort: Effort,
}

impl LossyOptions {
    /// Full effort at `quality`.
    pub fn new(quality: u8) -> Self {
        Self {
            quality,
            effort: Effort::Full,
        }
    }
}

/// Encodes `image` as one lossy frame at `quality` (0-100, libwebp's scale; higher is finer),
/// with full effort.
///
/// # Errors
///
/// As [`encode_lossy_frame_with`].
pub fn encode_lossy_frame(image: &Image, quality: u8) -> Result<LossyFrame, EncodeError> {
    encode_lossy_frame_with(image, &LossyOptions::new(quality))
}

/// Encodes `image` as one lossy frame with `options`.
///
/// # Errors
///
/// [`EncodeError::BadBuffer`] when the buffer does not match the size,
/// [`EncodeError::Dimensions`] for a side of 0 or above [`MAX_DIMENSION`],
/// and [`EncodeError::LossyTooLarge`] when the mode partition overflows (enormous images only).
pub fn encode_lossy_frame_with(
    image: &Image,
    options: &LossyOptions,
) -> Result<LossyFrame, EncodeError> {
    check_buffer(image)?;
    let (width, height) = (image.width, image.height);
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(EncodeError::Dimensions { width, height });
    }
    let planes = yuv::Planes::from_image(image);
    let settings = analysis::Settings {
        q_index: quant::quality_to_index(options.quality),
        sub_blocks: options.effort == Effort::Full,
    };
    let vp8 =
        frame::encode_frame(&planes, width, height, settings).ok_or(EncodeError::LossyTooLarge)?;
    let alpha = if planes.is_opaque() {
        None
    } else {
        Some(alpha::encode_alpha(&planes.alpha, width as usize))
    };
    Ok(LossyFrame { alpha, vp8 })
}

/// Encodes `image` as a complete lossy WebP file at `quality` with full effort: `VP8X` +
/// `ALPH` + `VP8 ` when any pixel is not opaque, a plain `VP8 ` file otherwise.
///
/// # Errors
///
/// As [`encode_lossy_frame_with`].
pub fn encode_lossy_webp(image: &Image, quality: u8) -> Result<Vec<u8>, EncodeError> {
    encode_lossy_webp_with(image, &LossyOptions::new(quality))
}

/// [`encode_lossy_webp`] with `options`.
///
/// # Errors
///
/// As [`encode_lossy_frame_with`].
pub fn encode_lossy_webp_with(
    image: &Image,
    options: &LossyOptions,
) -> Result<Vec<u8>, EncodeError> {
    let frame = encode_lossy_frame_with(image, options)?;
    let mut body = Vec::new();
    if let Some(alpha) = &frame.alpha {
        let mut vp8x = [0_u8; 10];
        vp8x[0] = 0x10; // alpha
        vp8x[4..7].copy_from_slice(&(image.width - 1).to_le_bytes()[..3]);
        vp8x[7..10].copy_from_slice(&(image.height - 1).to_le_bytes()[..3]);
        put_chunk(&mut body, b"VP8X", &vp8x);
        put_chunk(&mut body, b"ALPH", alpha);
    }
    put_chunk(&mut body, b"VP8 ", &frame.vp8);
    let mut out = Vec::with_capacity(12 + body.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(4 + body.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&body);
    Ok(out)
}

/// Appends a RIFF chunk, padded to an even length.
fn put_chunk(out: &mut Vec<u8>, tag: &[u8; 4], payload: &[u8]) {
    out.extend_from_slice(tag);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        out.push(0);
    }
}

#[cfg(test)]
mod tests;

//! Image encoders: straight-alpha RGBA8 [`Image`]s into PNG and WebP files, one function per
//! format, and timed frames into animated WebP, APNG and GIF ([`anim`]); one typed error.

pub mod anim;
mod png;
pub mod vp8;
mod webp;

use std::fmt;
use std::str::FromStr;

pub use self::png::{encode_png, encode_png_premultiplied};
pub use self::webp::encode_webp;

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

/// An output image format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// PNG, 8-bit RGBA.
    #[default]
    Png,
    /// WebP: lossless VP8L at quality 100, lossy VP8 with lossless alpha below; animated WebP
    /// for a whole animation.
    WebP,
    /// Animated PNG (a still one is a plain PNG).
    Apng,
    /// GIF: 255 colours and 1-bit transparency; animated for a whole animation.
    Gif,
}

impl ImageFormat {
    /// Returns the MIME type, e.g. `image/png`.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::WebP => "image/webp",
            Self::Apng => "image/apng",
            Self::Gif => "image/gif",
        }
    }

    /// Returns the usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::WebP => "webp",
            Self::Apng => "apng",
            Self::Gif => "gif",
        }
    }

    /// Returns `true` for the formats whose files are animations unless a single frame is asked
    /// for (APNG, GIF); PNG and WebP default to a still.
    pub fn is_animated_by_default(self) -> bool {
        matches!(self, Self::Apng | Self::Gif)
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for ImageFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "png" => Ok(Self::Png),
            "webp" => Ok(Self::WebP),
            "apng" => Ok(Self::Apng),
            "gif" => Ok(Self::Gif),
            _ => Err(format!(
                "unknown format `{s}`; expected `png`, `webp`, `apng` or `gif`"
            )),
        }
    }
}

/// Why an image could not be encoded.
#[derive(Debug)]
#[non_exhaustive]
pub enum EncodeError {
    /// The pixel buffer does not match the image size.
    BadBuffer {
        /// Expected length in bytes.
        expected: usize,
        /// Actual length in bytes.
        actual: usize,
    },
    /// The PNG encoder failed.
    Png(::png::EncodingError),
    /// The WebP encoder failed.
    WebP(image_webp::EncodingError),
    /// The GIF encoder failed.
    Gif(::gif::EncodingError),
    /// An animation could not be assembled (frame size, timing, container limits).
    Animation(String),
    /// The image is empty or too large for a lossy WebP frame.
    Dimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The lossy encoder's mode partition outgrew its 19-bit size field.
    LossyTooLarge,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadBuffer { expected, actual } => {
                write!(f, "pixel buffer has {actual} bytes; expected {expected}")
            }
            Self::Png(err) => write!(f, "png: {err}"),
            Self::WebP(err) => write!(f, "webp: {err}"),
            Self::Gif(err) => write!(f, "gif: {err}"),
            Self::Animation(msg) => write!(f, "animation: {msg}"),
            Self::Dimensions { width, height } => write!(
                f,
                "image is {width}x{height}; lossy webp needs 1 to {} pixels per side",
                vp8::MAX_DIMENSION
            ),
            Self::LossyTooLarge => {
                f.write_str("lossy webp mode data is too large; use a smaller image")
            }
        }
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::BadBuffer { .. }
            | Self::Animation(_)
            | Self::Dimensions { .. }
            | Self::LossyTooLarge => None,
            Self::Png(err) => Some(err),
            Self::WebP(err) => Some(err),
            Self::Gif(err) => Some(err),
        }
    }
}

/// Encodes `image` as a still `format`. `quality` (1-100) matters for WebP only: 100 is exact
/// lossless, below is lossy on libwebp's scale. A still APNG is a plain PNG; a still GIF is one
/// frame with its own palette.
///
/// # Errors
///
/// [`EncodeError`] when the buffer does not match the size or the encoder fails.
pub fn encode(image: &Image, format: ImageFormat, quality: u8) -> Result<Vec<u8>, EncodeError> {
    use anim::AnimationEncoder as _;
    match format {
        ImageFormat::Png | ImageFormat::Apng => encode_png(image),
        ImageFormat::WebP => encode_webp(image, quality),
        ImageFormat::Gif => {
            check_buffer(image)?;
            let timeline = anim::Timeline {
                width: image.width,
                height: image.height,
                timescale: 100,
                loop_count: 0,
            };
            let mut encoder = Box::new(anim::GifEncoder::new(
                timeline,
                std::slice::from_ref(image),
            )?);
            encoder.add_frames(vec![anim::TimedFrame {
                image: image.clone(),
                start: 0,
                end: 1,
            }])?;
            encoder.finish()
        }
    }
}

fn check_buffer(image: &Image) -> Result<(), EncodeError> {
    let expected = image.width as usize * image.height as usize * 4;
    if image.data.len() == expected {
        Ok(())
    } else {
        Err(EncodeError::BadBuffer {
            expected,
            actual: image.data.len(),
        })
    }
}

//! Loading untrusted bytes: size limits, gzip detection (`.tgs`) and the entry points
//! [`Animation::load`] and [`Animation::from_slice`].

use std::borrow::Cow;
use std::io::Read as _;

use crate::error::Error;
use crate::model::Animation;

/// The gzip magic number: `.tgs` files are gzipped Lottie JSON. Detected by content, never by name.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Size limits for untrusted input, checked before and while decompressing.
///
/// The model has limits of its own that no setting changes ([`MAX_LAYERS`](crate::MAX_LAYERS) and
/// the other `MAX_*` constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadLimits {
    /// Largest accepted input (gzipped `.tgs` or plain JSON), in bytes. Default 10 MiB.
    pub max_input_bytes: usize,
    /// Largest accepted JSON after gunzip, in bytes (guards against gzip bombs). Default 64 MiB.
    pub max_json_bytes: usize,
    /// Most pixels of all embedded images together (`assets[].p` data URIs), checked from each
    /// image's header before it is decoded: a few kilobytes of PNG can claim gigapixels. They
    /// stay decoded, at 4 bytes a pixel, as long as the animation lives
    /// ([`Animation::image_bytes`]). Default 16 Mi pixels (64 MiB), e.g. 64 images of 512x512.
    pub max_image_pixels: u64,
}

impl Default for LoadLimits {
    fn default() -> Self {
        Self {
            max_input_bytes: 10 * 1024 * 1024,
            max_json_bytes: 64 * 1024 * 1024,
            max_image_pixels: 16 * 1024 * 1024,
        }
    }
}

/// Returns the Lottie JSON in `input`: gunzipped when it starts with the gzip magic, else as is.
///
/// Use it with [`Animation::from_slice`] when the JSON itself is needed (as a cache key, say);
/// otherwise [`Animation::load`] does both.
///
/// # Errors
///
/// [`Error::InputTooLarge`], [`Error::Gzip`], or [`Error::LimitExceeded`] when the gunzipped
/// size exceeds [`LoadLimits::max_json_bytes`].
pub fn decompress<'a>(input: &'a [u8], limits: &LoadLimits) -> Result<Cow<'a, [u8]>, Error> {
    if input.len() > limits.max_input_bytes {
        return Err(Error::InputTooLarge {
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
        .map_err(Error::Gzip)?;
    if json.len() > limits.max_json_bytes {
        return Err(Error::LimitExceeded(format!(
            "gunzipped input exceeds {} bytes",
            limits.max_json_bytes
        )));
    }
    Ok(Cow::Owned(json))
}

impl Animation {
    /// Loads a `.tgs` sticker or Lottie JSON (told apart by content) within `limits`.
    ///
    /// Unsupported features are skipped and listed in [`Animation::warnings`].
    ///
    /// # Errors
    ///
    /// See [`decompress`] and [`Animation::from_slice`].
    pub fn load(input: &[u8], limits: &LoadLimits) -> Result<Self, Error> {
        Self::from_slice_within(&decompress(input, limits)?, limits)
    }

    /// Parses Lottie JSON (already gunzipped).
    ///
    /// Unsupported features are skipped and listed in [`Animation::warnings`].
    ///
    /// # Errors
    ///
    /// [`Error::EmptyInput`], [`Error::Json`], [`Error::NotLottie`], [`Error::Invalid`], or
    /// [`Error::LimitExceeded`] when the animation exceeds a safety limit (size, layer count,
    /// nesting depth, keyframe count).
    pub fn from_slice(json: &[u8]) -> Result<Self, Error> {
        Self::from_slice_within(json, &LoadLimits::default())
    }

    /// Like [`Animation::from_slice`], with the model limits of `limits`
    /// ([`LoadLimits::max_image_pixels`]; the byte limits apply to [`decompress`]).
    ///
    /// # Errors
    ///
    /// As [`Animation::from_slice`].
    pub fn from_slice_within(json: &[u8], limits: &LoadLimits) -> Result<Self, Error> {
        if json.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::EmptyInput);
        }
        super::import(json, limits)
    }
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
    fn decompress_detects_gzip_by_content() {
        let limits = LoadLimits::default();
        assert_eq!(&*decompress(&gzip(SQUARE), &limits).unwrap(), SQUARE);
        assert_eq!(&*decompress(SQUARE, &limits).unwrap(), SQUARE);
    }

    #[test]
    fn decompress_rejects_gzip_bomb() {
        let limits = LoadLimits {
            max_json_bytes: 1000,
            ..LoadLimits::default()
        };
        let err = decompress(&gzip(&[b' '; 5000]), &limits).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded(_)), "{err}");
    }

    #[test]
    fn decompress_rejects_corrupt_gzip_and_large_input() {
        let mut bad = gzip(SQUARE);
        bad.truncate(12);
        let err = decompress(&bad, &LoadLimits::default()).unwrap_err();
        assert!(matches!(err, Error::Gzip(_)), "{err}");
        let limits = LoadLimits {
            max_input_bytes: 10,
            ..LoadLimits::default()
        };
        let err = decompress(SQUARE, &limits).unwrap_err();
        assert!(
            matches!(err, Error::InputTooLarge { limit: 10, .. }),
            "{err}"
        );
    }

    #[test]
    fn load_reads_tgs_and_json_alike() {
        let limits = LoadLimits::default();
        let a = Animation::load(&gzip(SQUARE), &limits).unwrap();
        let b = Animation::load(SQUARE, &limits).unwrap();
        assert_eq!((a.width(), a.height()), (b.width(), b.height()));
    }

    #[test]
    fn from_slice_errors_are_typed() {
        assert!(matches!(
            Animation::from_slice(b" \n"),
            Err(Error::EmptyInput)
        ));
        assert!(matches!(
            Animation::from_slice(b"{oops"),
            Err(Error::Json(_))
        ));
        assert!(matches!(
            Animation::from_slice(b"[1, 2]"),
            Err(Error::NotLottie(_))
        ));
    }
}

//! WebP encoding with image-webp (pure Rust, lossless VP8L only).
//!
//! There is no pure-Rust lossy VP8 encoder we can use, so `quality` maps to a *near-lossless*
//! pre-pass, as libwebp's `-near_lossless` does: below 100, the colour channels of each pixel are
//! rounded to fewer significant bits, which makes the lossless coder's job far easier while staying
//! visually identical at the default (90). Alpha is never touched, so edges keep their coverage.

use image_webp::{ColorType, WebPEncoder};

use super::Image;
use super::{EncodeError, check_buffer};

/// Encodes `image` as a lossless WebP; `quality` below 100 quantises colour channels first (see the
/// module docs): 100 exact, 80-99 drop 1 bit, 60-79 2 bits, 40-59 3 bits, 1-39 4 bits.
///
/// # Errors
///
/// [`EncodeError`] when the buffer does not match the size or the encoder fails.
pub fn encode_webp(image: &Image, quality: u8) -> Result<Vec<u8>, EncodeError> {
    check_buffer(image)?;
    let bits = dropped_bits(quality);
    let quantised;
    let data = if bits == 0 {
        &image.data
    } else {
        quantised = quantise(&image.data, bits);
        &quantised
    };
    let mut out = Vec::new();
    WebPEncoder::new(&mut out)
        .encode(data, image.width, image.height, ColorType::Rgba8)
        .map_err(EncodeError::WebP)?;
    Ok(out)
}

fn dropped_bits(quality: u8) -> u32 {
    match quality {
        100.. => 0,
        80..=99 => 1,
        60..=79 => 2,
        40..=59 => 3,
        _ => 4,
    }
}

/// Rounds R, G and B to multiples of `2^bits` (to nearest, clamped so 255 stays 255).
fn quantise(data: &[u8], bits: u32) -> Vec<u8> {
    let step = 1_u16 << bits;
    let round = |c: u8| -> u8 {
        let v = (u16::from(c) + step / 2) / step * step;
        v.min(255) as u8
    };
    data.chunks_exact(4)
        .flat_map(|px| [round(px[0]), round(px[1]), round(px[2]), px[3]])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Image {
        Image {
            width: 4,
            height: 4,
            data: (0..64).map(|v| (v * 37 % 256) as u8).collect(),
        }
    }

    fn decode(bytes: &[u8]) -> Vec<u8> {
        let mut decoder = image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).unwrap();
        let mut buf = vec![0; decoder.output_buffer_size().unwrap()];
        decoder.read_image(&mut buf).unwrap();
        buf
    }

    #[test]
    fn webp_quality_100_is_lossless() {
        let img = image();
        assert_eq!(decode(&encode_webp(&img, 100).unwrap()), img.data);
    }

    #[test]
    fn webp_lower_quality_keeps_alpha_and_stays_close() {
        let img = image();
        let out = decode(&encode_webp(&img, 50).unwrap());
        for (a, b) in img.data.chunks(4).zip(out.chunks(4)) {
            assert_eq!(a[3], b[3], "alpha is exact");
            for c in 0..3 {
                assert!(a[c].abs_diff(b[c]) <= 4, "{a:?} vs {b:?}");
            }
        }
    }
}

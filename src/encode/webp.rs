//! WebP encoding: exact lossless VP8L (image-webp) at quality 100, our lossy VP8 encoder
//! ([`super::vp8`]) with a lossless alpha plane below.

use image_webp::{ColorType, WebPEncoder};

use super::Image;
use super::vp8::encode_lossy_webp;
use super::{EncodeError, check_buffer};

/// Encodes `image` as a WebP file: lossless VP8L (exact pixels) when `quality` is 100, lossy
/// VP8 with exact alpha below (`quality` on libwebp's scale, so 75 means what it means there).
///
/// # Errors
///
/// [`EncodeError`] when the buffer does not match the size or the encoder fails.
pub fn encode_webp(image: &Image, quality: u8) -> Result<Vec<u8>, EncodeError> {
    if quality < 100 {
        return encode_lossy_webp(image, quality);
    }
    check_buffer(image)?;
    let mut out = Vec::new();
    WebPEncoder::new(&mut out)
        .encode(&image.data, image.width, image.height, ColorType::Rgba8)
        .map_err(EncodeError::WebP)?;
    Ok(out)
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
        let bytes = encode_webp(&img, 100).unwrap();
        assert_eq!(&bytes[12..16], b"VP8L", "lossless chunk");
        assert_eq!(decode(&bytes), img.data);
    }

    #[test]
    fn webp_lower_quality_is_lossy_with_exact_alpha() {
        let img = image();
        let bytes = encode_webp(&img, 50).unwrap();
        assert_eq!(&bytes[12..16], b"VP8X", "extended format for alpha");
        let out = decode(&bytes);
        for (a, b) in img.data.chunks(4).zip(out.chunks(4)) {
            assert_eq!(a[3], b[3], "alpha is exact");
        }
    }
}

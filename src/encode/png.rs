//! PNG encoding (the `png` crate with its fdeflate fast path).

use super::Image;
use super::{EncodeError, check_buffer};

/// Encodes `image` as an 8-bit RGBA PNG.
///
/// Uses `Compression::Fast` (fdeflate): on sticker frames it is several times faster than zlib's
/// default level for files a little larger, and encoding dominates a converter's cost.
///
/// # Errors
///
/// [`EncodeError`] when the buffer does not match the size or the encoder fails.
pub fn encode_png(image: &Image) -> Result<Vec<u8>, EncodeError> {
    check_buffer(image)?;
    let mut out = Vec::with_capacity(image.data.len() / 4);
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(EncodeError::Png)?;
    writer
        .write_image_data(&image.data)
        .map_err(EncodeError::Png)?;
    writer.finish().map_err(EncodeError::Png)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trips() {
        let image = Image {
            width: 3,
            height: 2,
            data: (0..24).map(|v| v * 10).collect(),
        };
        let bytes = encode_png(&image).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        assert_eq!(buf, image.data);
    }

    #[test]
    fn png_rejects_short_buffer() {
        let image = Image {
            width: 3,
            height: 2,
            data: vec![0; 5],
        };
        assert!(matches!(
            encode_png(&image),
            Err(EncodeError::BadBuffer { .. })
        ));
    }
}

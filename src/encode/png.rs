//! PNG encoding (the `png` crate with its fdeflate fast path and the Paeth filter on every row).

use super::Image;
use super::{EncodeError, check_buffer};

/// Encodes `image` as an 8-bit RGBA PNG.
///
/// fdeflate (`DeflateCompression::FdeflateUltraFast`) with the Paeth filter on every row. Over
/// frame 30 of the 512x512 corpus stickers (`cargo bench --bench encode_corpus`, see
/// `benches/README.md`) that takes about 0.6x the time of the crate's `Compression::Fast`, which
/// tries all five filters on each row, for files 5 % larger in total; Up or Sub alone are faster
/// still but 20-25 % larger, zlib level 1 is slower and larger.
///
/// # Errors
///
/// [`EncodeError`] when the buffer does not match the size or the encoder fails.
pub fn encode_png(image: &Image) -> Result<Vec<u8>, EncodeError> {
    check_buffer(image)?;
    // Sticker frames compress to 3-10 % of their pixels; a small start keeps the buffer out of
    // the allocator's mmap path, and it grows by doubling when needed.
    let mut out = Vec::with_capacity(image.data.len() / 16);
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_deflate_compression(png::DeflateCompression::FdeflateUltraFast);
    encoder.set_filter(png::Filter::Paeth);
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

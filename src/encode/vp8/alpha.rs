//! The `ALPH` chunk: the alpha plane as a header-less VP8L image stream (WebP container
//! specification, "Alpha").

use image_webp::{ColorType, WebPEncoder};

use crate::encode::{EncodeError, Image};

/// `ALPH` header byte: no pre-processing, no filtering, compression method 1 (lossless).
const HEADER_LOSSLESS: u8 = 0b0000_0001;

/// Length of the VP8L header that the `ALPH` stream leaves out: the signature byte, 14-bit
/// width and height, the alpha hint and the 3-bit version, 40 bits in all.
const VP8L_HEADER: usize = 5;

/// Encodes the alpha of `image` as an `ALPH` chunk payload.
///
/// The spec stores alpha as the green channel of a VP8L image stream whose dimensions are
/// implicit; image-webp's lossless encoder writes a grey image (alpha in all three colour
/// channels, which its subtract-green transform turns into zero red and blue), and the
/// stream is taken from behind the VP8L header.
///
/// # Errors
///
/// [`EncodeError::WebP`] when the lossless encoder fails.
pub(super) fn encode_alpha(image: &Image) -> Result<Vec<u8>, EncodeError> {
    let alpha: Vec<u8> = image.data.chunks_exact(4).map(|px| px[3]).collect();
    let mut file = Vec::new();
    let mut encoder = WebPEncoder::new(&mut file);
    // Without the predictor transform: on sticker alpha (long runs of 0 and 255, thin
    // anti-aliased edges) backward references alone do better, and faster (measured on the
    // corpus: 6 % smaller files overall).
    let mut params = image_webp::EncoderParams::default();
    params.use_predictor_transform = false;
    encoder.set_params(params);
    encoder
        .encode(&alpha, image.width, image.height, ColorType::L8)
        .map_err(EncodeError::WebP)?;
    // RIFF header (12 bytes), then the `VP8L` chunk's tag and length.
    let stream = file
        .get(12..20)
        .filter(|chunk| &chunk[..4] == b"VP8L")
        .and_then(|chunk| {
            let len = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]) as usize;
            file.get(20 + VP8L_HEADER..20 + len)
        })
        .ok_or(EncodeError::LossyAlpha)?;
    let mut out = Vec::with_capacity(1 + stream.len());
    out.push(HEADER_LOSSLESS);
    out.extend_from_slice(stream);
    Ok(out)
}

//! Image assets (`assets[]` with `p` a `data:` URI and `e: 1`) and image layers (`ty: 2`).
//!
//! Embedded PNG and JPEG images are decoded once, here, into premultiplied RGBA8 shared by every
//! layer that shows them (and by every frame's draw commands). The decoded size is bounded by
//! [`LoadLimits::max_image_pixels`] before anything is allocated. External files (`e: 0`, or a
//! path instead of a data URI) are never read, so a server cannot be made to open a path named by
//! an upload; such layers are skipped with a warning, as are images in other formats.

use std::collections::HashMap;
use std::io::Cursor;

use base64::Engine as _;
use peniko::{Blob, ImageAlphaType, ImageData, ImageFormat};

use super::json::{Value, int_at, num_at, str_at};
use super::{Ctx, LoadLimits};
use crate::error::Error;
use crate::model::layer::LayerContent;

/// A decoded image asset.
#[derive(Clone, Debug)]
pub(crate) struct ImageAsset {
    /// The pixels, premultiplied RGBA8.
    pub(crate) data: ImageData,
    /// Size the image is drawn at, in layer units (`w`, `h`; the pixel size when absent).
    pub(crate) width: f64,
    pub(crate) height: f64,
}

/// The image assets of a file, by `id`; assets that cannot be drawn map to `None` with a
/// warning given (once) when a layer uses them.
#[derive(Debug, Default)]
pub(crate) struct Images {
    by_id: HashMap<String, Result<ImageAsset, &'static str>>,
    /// Decoded pixels so far, against [`LoadLimits::max_image_pixels`].
    pub(crate) pixels: u64,
}

/// Decodes every image asset of `assets` (entries with `p` and no `layers`) within `limits`.
///
/// # Errors
///
/// [`Error::LimitExceeded`] when the images together hold more than
/// [`LoadLimits::max_image_pixels`] pixels (checked from their headers, before decoding).
pub(crate) fn import_assets(assets: &[Value<'_>], limits: &LoadLimits) -> Result<Images, Error> {
    let mut images = Images::default();
    for asset in assets {
        if asset.get("layers").is_some() {
            continue;
        }
        let (Some(id), Some(p)) = (super::asset_id(asset), str_at(asset, "p")) else {
            continue;
        };
        let embedded = int_at(asset, "e") == Some(1);
        let decoded = match data_uri_payload(p) {
            Some(payload) if embedded => decode(&payload, limits, &mut images.pixels)?,
            _ => Err(
                "image layers showing external files (`e: 0`, not a data URI) are not supported",
            ),
        };
        let decoded = decoded.map(|data| {
            let size = |key, px: u32| {
                num_at(asset, key)
                    .filter(|v| *v > 0.0)
                    .unwrap_or(f64::from(px))
            };
            ImageAsset {
                width: size("w", data.width),
                height: size("h", data.height),
                data,
            }
        });
        images.by_id.insert(id, decoded);
    }
    Ok(images)
}

/// The content of an image layer (`ty: 2`, `refId`).
pub(crate) fn layer(v: &Value<'_>, ctx: &mut Ctx<'_>) -> LayerContent {
    let asset = str_at(v, "refId").and_then(|id| ctx.images.by_id.get(id));
    match asset {
        Some(Ok(image)) => LayerContent::Image {
            image: image.data.clone(),
            width: image.width,
            height: image.height,
        },
        Some(Err(why)) => {
            let why = *why;
            ctx.warn(why);
            LayerContent::None
        }
        None => {
            ctx.warn("an image layer refers to a missing image asset");
            LayerContent::None
        }
    }
}

/// The bytes of a base64 `data:` URI, `None` for anything else.
fn data_uri_payload(p: &str) -> Option<Vec<u8>> {
    let rest = p.strip_prefix("data:")?;
    let (header, data) = rest.split_once(',')?;
    if !header.ends_with(";base64") {
        return None;
    }
    // Exporters sometimes wrap long lines or drop the padding; accept both.
    let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(compact).ok()
}

/// Why an image could not be decoded (a warning, not an error).
type Unsupported = &'static str;

/// Decodes a PNG or JPEG (told apart by content, not by the URI's MIME type) into premultiplied
/// RGBA8, adding its pixels to `pixels`.
fn decode(
    bytes: &[u8],
    limits: &LoadLimits,
    pixels: &mut u64,
) -> Result<Result<ImageData, Unsupported>, Error> {
    let decoded = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes, limits, pixels)?
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        decode_jpeg(bytes, limits, pixels)?
    } else {
        return Ok(Err(
            "embedded images other than PNG and JPEG are not supported",
        ));
    };
    Ok(decoded.map(|(width, height, mut rgba)| {
        premultiply(&mut rgba);
        ImageData {
            data: Blob::from(rgba),
            format: ImageFormat::Rgba8,
            alpha_type: ImageAlphaType::AlphaPremultiplied,
            width,
            height,
        }
    }))
}

/// Straight RGBA8 and its size.
type Rgba = (u32, u32, Vec<u8>);

/// Adds `width x height` to `pixels`, or fails when that passes the limit (or the side limit
/// the rasterizer has).
fn reserve(width: u32, height: u32, limits: &LoadLimits, pixels: &mut u64) -> Result<(), Error> {
    let total = pixels.saturating_add(u64::from(width) * u64::from(height));
    if total > limits.max_image_pixels {
        return Err(Error::LimitExceeded(format!(
            "embedded images hold more than {} pixels ({width}x{height} brings them to {total}; \
             max_image_pixels)",
            limits.max_image_pixels
        )));
    }
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(Error::LimitExceeded(format!(
            "an embedded image is {width}x{height}; images are limited to {MAX_IMAGE_SIDE} pixels \
             a side"
        )));
    }
    *pixels = total;
    Ok(())
}

/// Largest embedded image side, in pixels (the rasterizer's images have 16-bit sizes).
pub const MAX_IMAGE_SIDE: u32 = 16384;

fn decode_png(
    bytes: &[u8],
    limits: &LoadLimits,
    pixels: &mut u64,
) -> Result<Result<Rgba, Unsupported>, Error> {
    const BROKEN: Unsupported = "an embedded PNG image could not be decoded; it is not drawn";
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let Ok(mut reader) = decoder.read_info() else {
        return Ok(Err(BROKEN));
    };
    let (width, height) = reader.info().size();
    reserve(width, height, limits, pixels)?;
    let Some(size) = reader.output_buffer_size() else {
        return Ok(Err(BROKEN));
    };
    let mut buf = vec![0; size];
    let Ok(frame) = reader.next_frame(&mut buf) else {
        return Ok(Err(BROKEN));
    };
    buf.truncate(frame.buffer_size());
    let rgba = match frame.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => expand(&buf, 3, |p| [p[0], p[1], p[2], 255]),
        png::ColorType::GrayscaleAlpha => expand(&buf, 2, |p| [p[0], p[0], p[0], p[1]]),
        png::ColorType::Grayscale => expand(&buf, 1, |p| [p[0], p[0], p[0], 255]),
        png::ColorType::Indexed => return Ok(Err(BROKEN)),
    };
    Ok(Ok((width, height, rgba)))
}

fn decode_jpeg(
    bytes: &[u8],
    limits: &LoadLimits,
    pixels: &mut u64,
) -> Result<Result<Rgba, Unsupported>, Error> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;

    const BROKEN: Unsupported = "an embedded JPEG image could not be decoded; it is not drawn";
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGBA)
        .set_max_width(MAX_IMAGE_SIDE as usize)
        .set_max_height(MAX_IMAGE_SIDE as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    if decoder.decode_headers().is_err() {
        return Ok(Err(BROKEN));
    }
    let Some(info) = decoder.info() else {
        return Ok(Err(BROKEN));
    };
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    reserve(width, height, limits, pixels)?;
    match decoder.decode() {
        Ok(rgba) if rgba.len() == width as usize * height as usize * 4 => {
            Ok(Ok((width, height, rgba)))
        }
        _ => Ok(Err(BROKEN)),
    }
}

/// Widens `n`-channel pixels to RGBA with `f`.
fn expand(buf: &[u8], n: usize, f: impl Fn(&[u8]) -> [u8; 4]) -> Vec<u8> {
    buf.chunks_exact(n).flat_map(f).collect()
}

/// Premultiplies straight RGBA8 in place, rounding to nearest (`lottie_ref.py`'s formula).
fn premultiply(rgba: &mut [u8]) {
    for px in rgba.chunks_exact_mut(4) {
        let a = u16::from(px[3]);
        if a == 255 {
            continue;
        }
        for c in &mut px[..3] {
            *c = ((u16::from(*c) * a + 127) / 255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::json::leak;

    /// A PNG of `w x h` straight RGBA pixels, all `px`.
    pub(crate) fn png_bytes(w: u32, h: u32, px: [u8; 4]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        let data: Vec<u8> = (0..w * h).flat_map(|_| px).collect();
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        out
    }

    fn data_uri(bytes: &[u8], mime: &str) -> String {
        format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }

    #[test]
    fn image_png_is_decoded_premultiplied() {
        let uri = data_uri(&png_bytes(3, 2, [200, 100, 50, 128]), "image/png");
        let assets = [leak(
            sonic_rs::json!({"id": "i", "w": 6, "h": 4, "e": 1, "p": uri}),
        )];
        let images = import_assets(&assets, &LoadLimits::default()).unwrap();
        let image = images.by_id["i"].as_ref().unwrap();
        assert_eq!((image.data.width, image.data.height), (3, 2));
        assert_eq!((image.width, image.height), (6.0, 4.0));
        assert_eq!(&image.data.data.data()[..4], &[100, 50, 25, 128]);
        assert_eq!(images.pixels, 6);
    }

    #[test]
    fn image_pixels_are_bounded_before_decoding() {
        let uri = data_uri(&png_bytes(100, 100, [0, 0, 0, 255]), "image/png");
        let asset = leak(sonic_rs::json!({"id": "i", "e": 1, "p": uri}));
        let limits = LoadLimits {
            max_image_pixels: 15_000,
            ..LoadLimits::default()
        };
        // One image fits, two do not.
        assert!(import_assets(std::slice::from_ref(&asset), &limits).is_ok());
        let err = import_assets(&[asset, asset], &limits).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded(_)), "{err}");
        assert!(err.to_string().contains("max_image_pixels"), "{err}");
    }

    #[test]
    fn image_layer_draws_a_faded_image_fill() {
        let uri = data_uri(&png_bytes(4, 2, [10, 20, 30, 255]), "image/png");
        let json = serde_json::json!({
            "v": "5.7.0", "fr": 30, "ip": 0, "op": 10, "w": 64, "h": 64,
            "assets": [{"id": "img", "w": 8, "h": 8, "e": 1, "p": uri}],
            "layers": [{"ty": 2, "refId": "img", "ip": 0, "op": 10, "st": 0,
                        "ks": {"o": {"a": 0, "k": 40}, "p": {"a": 0, "k": [10, 20]}}}]
        });
        let anim = crate::Animation::from_slice(json.to_string().as_bytes()).unwrap();
        assert!(anim.warnings().is_empty(), "{:?}", anim.warnings());
        assert_eq!(anim.image_bytes(), 4 * 2 * 4);
        let mut list = crate::DrawList::default();
        crate::Evaluator::new().evaluate(&anim, anim.frame_time(0).unwrap(), &mut list);
        let [
            crate::DrawCommand::Fill {
                transform,
                brush: peniko::Brush::Image(brush),
                ..
            },
        ] = &list.commands[..]
        else {
            panic!("one image fill: {:?}", list.commands);
        };
        assert!((brush.sampler.alpha - 0.4).abs() < 1e-6);
        // Pixel (4, 2), the far corner of the 4x2 image, lands at the asset's (8, 8) + p.
        assert_eq!(
            *transform * kurbo::Point::new(4.0, 2.0),
            kurbo::Point::new(18.0, 28.0)
        );
    }

    #[test]
    fn image_external_and_broken_are_not_drawn() {
        let png = data_uri(&png_bytes(2, 2, [1, 2, 3, 255]), "image/png");
        let assets = [
            leak(sonic_rs::json!({"id": "ext", "e": 0, "u": "images/", "p": "img_0.png"})),
            leak(sonic_rs::json!({"id": "abs", "e": 0, "u": "/etc/", "p": png})),
            leak(sonic_rs::json!({"id": "gif", "e": 1, "p": data_uri(b"GIF89a....", "image/gif")})),
            leak(
                sonic_rs::json!({"id": "cut", "e": 1, "p": data_uri(&[0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0], "image/png")}),
            ),
        ];
        let images = import_assets(&assets, &LoadLimits::default()).unwrap();
        for id in ["ext", "abs", "gif", "cut"] {
            assert!(images.by_id[id].is_err(), "{id}");
        }
    }
}

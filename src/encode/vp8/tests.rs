//! End-to-end tests: every output decodes (image-webp here, libwebp through Pillow when the
//! reference venv exists) with the right size, exact alpha and a colour PSNR floor.

use super::*;

/// A sticker-like test image: a shaded disc with an anti-aliased edge, stripes and a flat
/// square, on a transparent background.
pub(crate) fn sticker(width: u32, height: u32) -> Image {
    let (w, h) = (f64::from(width), f64::from(height));
    let mut data = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let d = ((fx - w / 2.0).powi(2) + (fy - h / 2.0).powi(2)).sqrt();
            let radius = w.min(h) * 0.4;
            let cover = (radius - d + 0.5).clamp(0.0, 1.0);
            // Luma stripes 4 pixels wide over colour gradients.
            let stripe = if (x / 4) % 2 == 0 { 0.0 } else { 30.0 };
            let mut px = [
                (200.0 * fx / w + stripe) as u8,
                (200.0 - 150.0 * fy / h + stripe) as u8,
                (120.0 + stripe) as u8,
                (cover * 255.0).round() as u8,
            ];
            if fx < w * 0.3 && fy < h * 0.3 {
                px = [250, 210, 30, 255];
            }
            data.extend_from_slice(&px);
        }
    }
    Image {
        width,
        height,
        data,
    }
}

/// Decodes with image-webp into straight RGBA.
pub(crate) fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder =
        image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).expect("webp header parses");
    let (w, h) = decoder.dimensions();
    let mut buf = vec![0; decoder.output_buffer_size().expect("size")];
    decoder.read_image(&mut buf).expect("webp decodes");
    let rgba = if decoder.has_alpha() {
        buf
    } else {
        buf.chunks_exact(3)
            .flat_map(|px| [px[0], px[1], px[2], 255])
            .collect()
    };
    (w, h, rgba)
}

/// PSNR of premultiplied RGBA, in dB (99 for identical images).
pub(crate) fn psnr_premultiplied(a: &[u8], b: &[u8]) -> f64 {
    let pm = |px: &[u8]| -> [f64; 4] {
        let alpha = f64::from(px[3]) / 255.0;
        [
            f64::from(px[0]) * alpha,
            f64::from(px[1]) * alpha,
            f64::from(px[2]) * alpha,
            f64::from(px[3]),
        ]
    };
    let mut sum = 0.0;
    for (pa, pb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        let (x, y) = (pm(pa), pm(pb));
        sum += (0..4).map(|i| (x[i] - y[i]).powi(2)).sum::<f64>();
    }
    let mse = sum / a.len() as f64;
    if mse == 0.0 {
        99.0
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

/// Encodes, decodes, and checks size, exact alpha and PSNR; returns the file size.
fn round_trip(image: &Image, quality: u8, min_psnr: f64) -> usize {
    let bytes = encode_lossy_webp(image, quality).expect("encodes");
    let (w, h, out) = decode(&bytes);
    assert_eq!((w, h), (image.width, image.height), "decoded size");
    for (i, (a, b)) in image.data.chunks(4).zip(out.chunks(4)).enumerate() {
        assert_eq!(a[3], b[3], "alpha of pixel {i} is exact");
    }
    let psnr = psnr_premultiplied(&image.data, &out);
    assert!(
        psnr >= min_psnr,
        "{}x{} q{quality}: PSNR {psnr:.2} dB < {min_psnr}",
        image.width,
        image.height
    );
    bytes.len()
}

#[test]
fn lossy_sticker_decodes_with_alpha_and_quality() {
    round_trip(&sticker(128, 128), 75, 38.0);
}

#[test]
fn fast_effort_decodes_and_trades_size_for_speed() {
    let image = sticker(128, 128);
    let full = encode_lossy_webp(&image, 75).expect("encodes");
    let options = LossyOptions {
        quality: 75,
        effort: Effort::Fast,
    };
    let fast = encode_lossy_webp_with(&image, &options).expect("encodes");
    let (w, h, out) = decode(&fast);
    assert_eq!((w, h), (128, 128), "decoded size");
    assert!(
        image
            .data
            .chunks(4)
            .zip(out.chunks(4))
            .all(|(a, b)| a[3] == b[3]),
        "alpha is exact"
    );
    let psnr = psnr_premultiplied(&image.data, &out);
    assert!(psnr >= 36.0, "fast effort PSNR {psnr:.2} dB");
    assert_ne!(
        fast, full,
        "the fast mode searches less, so its stream differs"
    );
}

#[test]
fn lossy_high_quality_is_close() {
    round_trip(&sticker(96, 80), 95, 38.0);
}

#[test]
fn lossy_odd_sizes_decode() {
    // Tiny images hold more colour detail than 4:2:0 chroma can carry: their floor is lower.
    for (w, h, floor) in [
        (1, 1, 24.0),
        (2, 3, 15.0),
        (15, 16, 26.0),
        (17, 33, 30.0),
        (33, 17, 30.0),
        (100, 7, 30.0),
    ] {
        round_trip(&sticker(w, h), 75, floor);
    }
}

#[test]
fn lossy_size_falls_with_quality() {
    let image = sticker(128, 128);
    let sizes: Vec<usize> = [95, 75, 40, 5]
        .iter()
        .map(|&q| round_trip(&image, q, 20.0))
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] > w[1]),
        "sizes at q95, 75, 40, 5: {sizes:?}"
    );
}

#[test]
fn lossy_fully_transparent_costs_almost_nothing() {
    let image = Image {
        width: 512,
        height: 512,
        data: vec![0; 512 * 512 * 4],
    };
    let frame = encode_lossy_frame(&image, 75).unwrap();
    assert!(frame.alpha.is_some(), "alpha chunk present");
    assert!(
        frame.vp8.len() < 700,
        "1024 transparent macroblocks took {} bytes",
        frame.vp8.len()
    );
    round_trip(&image, 75, 99.0);
}

#[test]
fn lossy_opaque_is_a_plain_vp8_file() {
    let mut image = sticker(48, 40);
    for px in image.data.chunks_exact_mut(4) {
        px[3] = 255;
    }
    let bytes = encode_lossy_webp(&image, 80).unwrap();
    assert_eq!(&bytes[12..16], b"VP8 ", "simple format, no VP8X");
    round_trip(&image, 80, 28.0);
}

#[test]
fn lossy_flat_colour_is_exact_enough_and_tiny() {
    let image = Image {
        width: 64,
        height: 64,
        data: [30, 144, 255, 255].repeat(64 * 64),
    };
    let size = round_trip(&image, 75, 40.0);
    assert!(size < 200, "flat 64x64 took {size} bytes");
}

#[test]
fn lossy_rejects_bad_dimensions() {
    let empty = Image {
        width: 0,
        height: 4,
        data: vec![],
    };
    assert!(matches!(
        encode_lossy_webp(&empty, 75),
        Err(EncodeError::Dimensions { .. })
    ));
}

/// Decodes with libwebp (Pillow in the reference venv); skips, saying so, without the venv.
#[test]
fn lossy_decodes_with_libwebp() {
    let python = std::path::Path::new("/root/.cache/lottie-ref-venv/bin/python");
    if !python.exists() {
        eprintln!(
            "SKIPPED lossy_decodes_with_libwebp: no reference venv at {}; run ../shared/tools/setup.sh",
            python.display()
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("tgs-vp8-libwebp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [(128, 128, 75), (17, 33, 75), (1, 1, 50), (64, 48, 95)];
    for &(w, h, q) in &cases {
        let image = sticker(w, h);
        let path = dir.join(format!("{w}x{h}.webp"));
        std::fs::write(&path, encode_lossy_webp(&image, q).unwrap()).unwrap();
        let raw = dir.join(format!("{w}x{h}.rgba"));
        let script = "import sys; from PIL import Image; im = Image.open(sys.argv[1]); \
                      im.load(); open(sys.argv[2], 'wb').write(im.convert('RGBA').tobytes()); \
                      print(im.size[0], im.size[1])";
        let out = std::process::Command::new(python)
            .args(["-c", script])
            .arg(&path)
            .arg(&raw)
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "libwebp rejects {w}x{h}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("{w} {h}"),
            "size"
        );
        let pixels = std::fs::read(&raw).unwrap();
        for (i, (a, b)) in image.data.chunks(4).zip(pixels.chunks(4)).enumerate() {
            assert_eq!(a[3], b[3], "libwebp alpha of pixel {i} of {w}x{h}");
        }
        let psnr = psnr_premultiplied(&image.data, &pixels);
        assert!(psnr > 30.0, "libwebp {w}x{h} q{q}: PSNR {psnr:.2}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn lossy_alpha_file_has_vp8x_alph_vp8_in_order() {
    let bytes = encode_lossy_webp(&sticker(40, 24), 75).unwrap();
    assert_eq!(&bytes[..4], b"RIFF", "RIFF");
    let riff_len = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff_len + 8, bytes.len(), "RIFF size covers the file");
    let mut tags = Vec::new();
    let mut pos = 12;
    while pos + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
        tags.push(String::from_utf8_lossy(&bytes[pos..pos + 4]).into_owned());
        pos += 8 + len + len % 2;
    }
    assert_eq!(tags, ["VP8X", "ALPH", "VP8 "], "chunk order");
    assert_eq!(bytes[20] & 0x10, 0x10, "VP8X alpha flag");
    assert_eq!(pos, bytes.len(), "chunks fill the file");
}

#[test]
fn lossy_random_images_decode_with_exact_alpha() {
    // Noise is the worst case for the coder (every level large, every mode tried): sizes 1-40,
    // random colour and alpha, several qualities.
    let mut state = 0x9e37_79b9_u32;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    for case in 0..24 {
        let (w, h) = (1 + next() % 40, 1 + next() % 40);
        let data = (0..w * h * 4)
            .map(|i| {
                let r = next();
                // Alpha: mostly 0 or 255, as stickers, with some in between.
                if i % 4 == 3 {
                    [0, 255, 255, (r >> 8) as u8][(r % 4) as usize]
                } else {
                    r as u8
                }
            })
            .collect();
        let image = Image {
            width: w,
            height: h,
            data,
        };
        let quality = [1, 30, 75, 99][case % 4];
        round_trip(&image, quality as u8, 5.0);
    }
}

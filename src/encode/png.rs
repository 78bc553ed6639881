//! PNG encoding: our own row filter in front of fdeflate, the `png` crate for the file around it.
//!
//! The `png` crate writes the signature, `IHDR`, the `IDAT` chunk (length, type, CRC) and `IEND`;
//! fdeflate makes the zlib stream. What this module does itself is the filter pass, because the
//! crate's one-filter mode cannot pick per row, reads the whole image from one buffer, and feeds
//! fdeflate through a `Cursor` a row at a time. Here:
//!
//! - A fully transparent row (all zero, common at a sticker's top and bottom) gets filter None
//!   without any arithmetic: its bytes are zero as they stand, and fdeflate codes them as a run.
//!   Every other row gets Paeth, the filter that was already chosen for every row (see
//!   [`encode_png`]).
//! - Rows come from a [`RgbaRows`] source one at a time, so a premultiplied [`Pixmap`] is made
//!   straight a row at a time into a small buffer that stays in cache
//!   ([`encode_png_premultiplied`]), instead of into a frame-sized copy first.
//! - fdeflate writes into a plain `Vec` kept per thread between images.

use std::cell::RefCell;
use std::io;

use raster::Pixmap;

use super::Image;
use super::{EncodeError, check_buffer};

/// PNG filter types (PNG spec, 9.2).
const FILTER_NONE: u8 = 0;
const FILTER_PAETH: u8 = 4;

/// Bytes per pixel of 8-bit RGBA.
const BPP: usize = 4;

/// Straight-alpha 8-bit RGBA rows, top to bottom, for the PNG encoder.
trait RgbaRows {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);

    /// Writes row `y` (straight RGBA8, `width * 4` bytes) into `out`.
    fn read_row(&self, y: u32, out: &mut [u8]);
}

impl RgbaRows for Image {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn read_row(&self, y: u32, out: &mut [u8]) {
        let start = y as usize * out.len();
        out.copy_from_slice(&self.data[start..start + out.len()]);
    }
}

impl RgbaRows for Pixmap {
    fn size(&self) -> (u32, u32) {
        (self.width(), self.height())
    }

    fn read_row(&self, y: u32, out: &mut [u8]) {
        self.write_straight_row(y, out);
    }
}

/// Encodes `image` as an 8-bit RGBA PNG.
///
/// Every row that is not fully transparent gets the Paeth filter, and fdeflate compresses.
/// Over frame 30 of the 512x512 corpus stickers (`cargo bench --bench encode_corpus`, see
/// `benches/README.md`) Paeth on every row took about 0.6x the time of the `png` crate's
/// `Compression::Fast`, which tries all five filters on each row, for files 5 % larger in
/// total; Up or Sub alone are faster still but 20-25 % larger, zlib level 1 is slower and
/// larger.
///
/// # Errors
///
/// [`EncodeError`] when the buffer does not match the size or the encoder fails.
pub fn encode_png(image: &Image) -> Result<Vec<u8>, EncodeError> {
    check_buffer(image)?;
    encode_rows(image)
}

/// Encodes a premultiplied `pixmap` as an 8-bit RGBA (straight alpha) PNG: the same file as
/// [`encode_png`] of the pixmap's straight-alpha image, without making that image first.
///
/// # Errors
///
/// [`EncodeError`] when the encoder fails.
pub fn encode_png_premultiplied(pixmap: &Pixmap) -> Result<Vec<u8>, EncodeError> {
    encode_rows(pixmap)
}

thread_local! {
    /// The zlib stream of the image being encoded, kept between images so that its buffer is
    /// not grown again for each one.
    static ZLIB: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Largest zlib buffer a thread keeps between images: a 512x512 sticker frame needs 15-170 KB;
/// a rare large one (2048x2048, or noise stored uncompressed) gives its buffer back.
const ZLIB_KEPT_BYTES: usize = 2 << 20;

/// Encodes the rows of `source` as a PNG.
fn encode_rows(source: &(impl RgbaRows + ?Sized)) -> Result<Vec<u8>, EncodeError> {
    ZLIB.with(|cell| match cell.try_borrow_mut() {
        Ok(mut zlib) => {
            let encoded = encode_rows_with(source, &mut zlib);
            if zlib.capacity() > ZLIB_KEPT_BYTES {
                *zlib = Vec::new();
            }
            encoded
        }
        // Only if an encode re-entered itself on this thread: use a fresh buffer.
        Err(_) => encode_rows_with(source, &mut Vec::new()),
    })
}

fn encode_rows_with(
    source: &(impl RgbaRows + ?Sized),
    zlib: &mut Vec<u8>,
) -> Result<Vec<u8>, EncodeError> {
    let (width, height) = source.size();
    let row_len = width as usize * BPP;
    zlib.clear();
    compress_filtered(source, row_len, height, zlib)?;
    let stored =
        fdeflate::StoredOnlyCompressor::<()>::compressed_size((row_len + 1) * height as usize);
    if zlib.len() > stored {
        // Noise-like pixels that fdeflate's fixed codes make larger: store them instead, as the
        // `png` crate does.
        zlib.clear();
        compress_stored(source, row_len, height, zlib)?;
    }
    // Sticker frames compress to 3-10 % of their pixels; what is not the zlib stream is the
    // signature and three chunk headers.
    let mut out = Vec::with_capacity(zlib.len() + 64);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(EncodeError::Png)?;
    writer
        .write_chunk(png::chunk::IDAT, zlib)
        .map_err(EncodeError::Png)?;
    writer.finish().map_err(EncodeError::Png)?;
    Ok(out)
}

/// Filters every row of `source` (None for a transparent row, Paeth for the others) and
/// compresses them with fdeflate into `zlib`.
fn compress_filtered(
    source: &(impl RgbaRows + ?Sized),
    row_len: usize,
    height: u32,
    zlib: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let mut compressor = fdeflate::Compressor::new(zlib).map_err(io_error)?;
    let mut previous = vec![0; row_len];
    let mut current = vec![0; row_len];
    // The filter byte and the filtered row, as the zlib stream has them.
    let mut filtered = vec![0; row_len + 1];
    for y in 0..height {
        source.read_row(y, &mut current);
        if is_zero(&current) {
            filtered.fill(0);
            filtered[0] = FILTER_NONE;
        } else {
            filtered[0] = FILTER_PAETH;
            paeth(&previous, &current, &mut filtered[1..]);
        }
        compressor.write_data(&filtered).map_err(io_error)?;
        std::mem::swap(&mut previous, &mut current);
    }
    compressor.finish().map_err(io_error)?;
    Ok(())
}

/// Writes the rows of `source` unfiltered in stored (uncompressed) deflate blocks into `zlib`.
fn compress_stored(
    source: &(impl RgbaRows + ?Sized),
    row_len: usize,
    height: u32,
    zlib: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let mut compressor = fdeflate::StoredOnlyCompressor::new(io::Cursor::new(std::mem::take(zlib)))
        .map_err(io_error)?;
    let mut row = vec![0; row_len + 1];
    row[0] = FILTER_NONE;
    for y in 0..height {
        source.read_row(y, &mut row[1..]);
        compressor.write_data(&row).map_err(io_error)?;
    }
    *zlib = compressor.finish().map_err(io_error)?.into_inner();
    Ok(())
}

fn io_error(err: io::Error) -> EncodeError {
    EncodeError::Png(png::EncodingError::IoError(err))
}

/// Whether every byte of `row` is zero (a transparent row of straight RGBA).
fn is_zero(row: &[u8]) -> bool {
    // OR-ing blocks of 64 bytes vectorises; `all` byte by byte would not.
    let mut blocks = row.chunks_exact(64);
    let blocks_zero = blocks.all(|block| block.iter().fold(0, |acc, &b| acc | b) == 0);
    blocks_zero && blocks.remainder().iter().all(|&b| b == 0)
}

/// The Paeth filter of `current` against `previous` (the row above; zeros for the first row)
/// into `out`, all three `width * 4` bytes.
///
/// The predictor of a byte x, with a its left neighbour, b the one above and c the one above
/// left (0 outside the image), is whichever of a, b, c is closest to a + b - c, preferring a
/// then b on ties (PNG spec, 9.4). Nothing depends on an earlier output, so every byte is
/// independent of the others, and the loop is compiled for the widest vector instructions the
/// CPU has (`fearless_simd`'s runtime dispatch, as the rasterizer does: AVX-512 or AVX2 here, 64
/// or 32 bytes per instruction, instead of the 16 of the SSE2 baseline).
fn paeth(previous: &[u8], current: &[u8], out: &mut [u8]) {
    let level = fearless_simd::Level::new();
    fearless_simd::dispatch!(level, simd => paeth_with(simd, previous, current, out));
}

#[inline(always)]
fn paeth_with<S: fearless_simd::Simd>(simd: S, previous: &[u8], current: &[u8], out: &mut [u8]) {
    simd.vectorize(
        #[inline(always)]
        || paeth_rows(previous, current, out),
    );
}

#[inline(always)]
fn paeth_rows(previous: &[u8], current: &[u8], out: &mut [u8]) {
    let len = current.len().min(previous.len()).min(out.len());
    // The first pixel has a = c = 0, so its predictor is b.
    for i in 0..len.min(BPP) {
        out[i] = current[i].wrapping_sub(previous[i]);
    }
    if len <= BPP {
        return;
    }
    const BLOCK: usize = 64;
    let x = &current[BPP..len];
    let a = &current[..len - BPP];
    let b = &previous[BPP..len];
    let c = &previous[..len - BPP];
    let mut out_blocks = out[BPP..len].chunks_exact_mut(BLOCK);
    let mut x_blocks = x.chunks_exact(BLOCK);
    let mut a_blocks = a.chunks_exact(BLOCK);
    let mut b_blocks = b.chunks_exact(BLOCK);
    let mut c_blocks = c.chunks_exact(BLOCK);
    for ((((o, x), a), b), c) in (&mut out_blocks)
        .zip(&mut x_blocks)
        .zip(&mut a_blocks)
        .zip(&mut b_blocks)
        .zip(&mut c_blocks)
    {
        for i in 0..BLOCK {
            o[i] = x[i].wrapping_sub(predict(a[i], b[i], c[i]));
        }
    }
    for ((((o, &x), &a), &b), &c) in out_blocks
        .into_remainder()
        .iter_mut()
        .zip(x_blocks.remainder())
        .zip(a_blocks.remainder())
        .zip(b_blocks.remainder())
        .zip(c_blocks.remainder())
    {
        *o = x.wrapping_sub(predict(a, b, c));
    }
}

/// The Paeth predictor of one byte (PNG spec, 9.4), branch-free and in 8-bit arithmetic, so
/// that a vector register holds 16 bytes.
///
/// With p = a + b - c: pa = |p - a| = |b - c| and pb = |p - b| = |a - c| fit a byte. pc =
/// |p - c| = |(a - c) + (b - c)| is |pa - pb| when a and b lie on either side of c; when they
/// lie on the same side it is pa + pb, never below pa or pb, so c cannot win (it needs pc
/// strictly below both) and 255 stands in for it.
#[inline(always)]
fn predict(a: u8, b: u8, c: u8) -> u8 {
    let pa = b.max(c) - b.min(c);
    let pb = a.max(c) - a.min(c);
    let pc = if (a < c) != (b < c) {
        pa.max(pb) - pa.min(pb)
    } else {
        u8::MAX
    };
    let b_or_c = if pb <= pc { b } else { c };
    if pa <= pb && pa <= pc { a } else { b_or_c }
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

    /// Decodes `bytes` with the `image` crate's PNG decoder into RGBA8.
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoded = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
            .expect("the PNG decodes")
            .into_rgba8();
        (decoded.width(), decoded.height(), decoded.into_raw())
    }

    /// A small deterministic generator (xorshift), for pixels.
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn every_kind_of_row_round_trips() {
        // 37 pixels wide (a row is 148 bytes: two 64-byte blocks and a remainder), rows:
        // transparent, noise, transparent again, a flat colour, a ramp, noise.
        let (width, height) = (37_u32, 6_u32);
        let row = width as usize * 4;
        let mut data = vec![0; row * height as usize];
        data[row..2 * row].copy_from_slice(&noise(row, 1));
        for px in data[3 * row..4 * row].chunks_exact_mut(4) {
            px.copy_from_slice(&[200, 10, 30, 255]);
        }
        for (i, b) in data[4 * row..5 * row].iter_mut().enumerate() {
            *b = (i * 7) as u8;
        }
        data[5 * row..].copy_from_slice(&noise(row, 2));
        let image = Image {
            width,
            height,
            data,
        };
        let bytes = encode_png(&image).unwrap();
        assert_eq!(decode(&bytes), (width, height, image.data));
    }

    #[test]
    fn narrow_and_noisy_images_round_trip() {
        // One pixel wide (no byte has a left neighbour), and pure noise, which fdeflate's
        // fixed codes would make larger than stored blocks.
        for (width, height, seed) in [(1, 5, 3), (2, 1, 4), (64, 64, 5)] {
            let image = Image {
                width,
                height,
                data: noise(width as usize * height as usize * 4, seed),
            };
            let bytes = encode_png(&image).unwrap();
            assert_eq!(decode(&bytes), (width, height, image.data));
        }
        let noisy = Image {
            width: 64,
            height: 64,
            data: noise(64 * 64 * 4, 6),
        };
        let stored = fdeflate::StoredOnlyCompressor::<()>::compressed_size((64 * 4 + 1) * 64);
        assert!(encode_png(&noisy).unwrap().len() <= stored + 64);
    }

    #[test]
    fn transparent_rows_are_a_run() {
        let transparent = Image {
            width: 256,
            height: 256,
            data: vec![0; 256 * 256 * 4],
        };
        let bytes = encode_png(&transparent).unwrap();
        // Runs of 258 zeros (deflate's longest match), a few bits each: under 1 % of the pixels.
        assert!(bytes.len() < 256 * 256 * 4 / 100, "{} bytes", bytes.len());
        assert_eq!(decode(&bytes).2, transparent.data);
    }

    #[test]
    fn premultiplied_pixmap_encodes_as_its_straight_image() {
        // A half-transparent red square over part of the canvas: opaque, transparent and
        // partly transparent pixels, rows with and without content.
        let json = br#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":64,"h":48,"layers":[
            {"ty":4,"ip":0,"op":30,"st":0,"ks":{"o":{"a":0,"k":60}},"shapes":[
                {"ty":"rc","p":{"a":0,"k":[30,20]},"s":{"a":0,"k":[30,22]},"r":{"a":0,"k":4}},
                {"ty":"fl","c":{"a":0,"k":[1,0.2,0.1,1]},"o":{"a":0,"k":100}}]},
            {"ty":4,"ip":0,"op":30,"st":0,"ks":{},"shapes":[
                {"ty":"el","p":{"a":0,"k":[40,30]},"s":{"a":0,"k":[20,20]}},
                {"ty":"fl","c":{"a":0,"k":[0.1,0.4,0.9,1]},"o":{"a":0,"k":100}}]}]}"#;
        let animation = renderer::Animation::from_slice(json).unwrap();
        let pixmap =
            crate::pipeline::render_pixmap(&animation, 0, 64, 48, &renderer::Budget::default())
                .unwrap();
        let straight = Image {
            width: 64,
            height: 48,
            data: pixmap.to_straight_rgba8(),
        };
        let alphas: Vec<u8> = straight.data.iter().skip(3).step_by(4).copied().collect();
        assert!(alphas.contains(&0) && alphas.contains(&255));
        assert!(alphas.iter().any(|&a| a > 0 && a < 255), "no partial alpha");
        let bytes = encode_png_premultiplied(&pixmap).unwrap();
        assert_eq!(bytes, encode_png(&straight).unwrap());
        assert_eq!(decode(&bytes), (64, 48, straight.data));
    }

    #[test]
    fn a_large_image_does_not_stay_in_the_thread_buffer() {
        // 4 MiB of noise, stored uncompressed: the zlib buffer outgrows what a thread keeps.
        let big = Image {
            width: 1024,
            height: 1024,
            data: noise(1024 * 1024 * 4, 7),
        };
        assert!(encode_png(&big).unwrap().len() > 4 << 20);
        assert!(ZLIB.with(|zlib| zlib.borrow().capacity()) <= ZLIB_KEPT_BYTES);
        let small = Image {
            width: 64,
            height: 64,
            data: noise(64 * 64 * 4, 8),
        };
        encode_png(&small).unwrap();
        assert!(
            ZLIB.with(|zlib| zlib.borrow().capacity()) > 0,
            "a small buffer is kept"
        );
    }

    /// The predictor as the PNG spec writes it.
    fn spec_predict(a: u8, b: u8, c: u8) -> u8 {
        let p = i16::from(a) + i16::from(b) - i16::from(c);
        let pa = (p - i16::from(a)).abs();
        let pb = (p - i16::from(b)).abs();
        let pc = (p - i16::from(c)).abs();
        if pa <= pb && pa <= pc {
            a
        } else if pb <= pc {
            b
        } else {
            c
        }
    }

    #[test]
    fn predictor_matches_the_spec_for_every_input() {
        for a in 0..=255 {
            for b in 0..=255 {
                for c in 0..=255 {
                    assert_eq!(predict(a, b, c), spec_predict(a, b, c), "a={a} b={b} c={c}");
                }
            }
        }
    }
}

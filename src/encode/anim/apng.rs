//! APNG: each frame compressed by the png crate (in parallel), the animation chunks (`acTL`,
//! `fcTL`, `fdAT`) written here.
//!
//! The png crate's own APNG writer wants the frame count before the first frame and compresses
//! frames one after another; merging identical frames makes the count known only at the end, and
//! compression is most of the cost. So every frame is a PNG of its own, whose zlib stream (its
//! `IDAT` data) becomes the frame's `IDAT` (first frame) or `fdAT` (later frames). Chunk layout
//! from the APNG spec (<https://wiki.mozilla.org/APNG_Specification>).
//!
//! Frames are exact RGBA compressed fast ([`ApngEncoder::new`]), or, for size-limited presets,
//! indices into one palette shared by every frame (`PLTE` + `tRNS`, so edges keep their alpha)
//! compressed with deflate's strongest level ([`ApngEncoder::indexed`]): a quarter of the bytes
//! to deflate, and much smaller files, for a few times the time.

use rayon::prelude::*;

use super::palette::Palette;
use super::{
    AnimationEncoder, Rect, TimedFrame, Timeline, changed_rects, check_frame, crop, to_units,
};
use crate::encode::{EncodeError, Image, check_buffer, encode_png};

/// The deflate level of indexed frames: flate2's strongest (`miniz_oxide`, pure Rust).
const INDEXED_DEFLATE_LEVEL: u8 = 9;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A compressed frame: its rectangle, its zlib stream and its delay as a fraction of a second.
#[derive(Debug)]
struct Compressed {
    rect: Rect,
    zlib: Vec<u8>,
    delay_num: u16,
    delay_den: u16,
}

/// Writes an APNG; frames are compressed as they come and kept compressed.
#[derive(Debug)]
pub struct ApngEncoder {
    timeline: Timeline,
    ihdr: Option<Vec<u8>>,
    frames: Vec<Compressed>,
    /// The last frame added: what the canvas shows before the next one.
    previous: Option<Image>,
    /// The shared palette of indexed frames, with its `PLTE` and `tRNS` data.
    indexed: Option<(Palette, Vec<u8>, Vec<u8>)>,
}

impl ApngEncoder {
    /// Starts an animation on `timeline` of exact RGBA frames.
    pub fn new(timeline: Timeline) -> Self {
        Self {
            timeline,
            ihdr: None,
            frames: Vec::new(),
            previous: None,
            indexed: None,
        }
    }

    /// Starts an animation on `timeline` of indexed-colour frames: one palette of `colours`
    /// entries (2-255) learnt from `sample` (a few frames spread over the animation), plus one
    /// for transparent pixels.
    pub fn indexed(timeline: Timeline, sample: &[Image], colours: usize) -> Self {
        let palette = Palette::learn(sample, colours);
        let (plte, trns) = (palette.plte(), palette.trns());
        Self {
            indexed: Some((palette, plte, trns)),
            ..Self::new(timeline)
        }
    }

    /// A PNG file of `image` alone, in this animation's colour type.
    fn encode(&self, image: &Image) -> Result<Vec<u8>, EncodeError> {
        let Some((palette, plte, trns)) = &self.indexed else {
            return encode_png(image);
        };
        check_buffer(image)?;
        let indices = palette.indices(image);
        let mut out = Vec::with_capacity(indices.len() / 16);
        let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(plte.as_slice());
        encoder.set_trns(trns.as_slice());
        encoder.set_deflate_compression(png::DeflateCompression::Level(INDEXED_DEFLATE_LEVEL));
        // Indices are not magnitudes, so prediction filters rarely help them.
        encoder.set_filter(png::Filter::NoFilter);
        let mut writer = encoder.write_header().map_err(EncodeError::Png)?;
        writer
            .write_image_data(&indices)
            .map_err(EncodeError::Png)?;
        writer.finish().map_err(EncodeError::Png)?;
        Ok(out)
    }

    /// The delay of a frame: exactly `ticks/timescale` when both fit 16 bits, else milliseconds
    /// with the ends rounded (durations still sum to the rounded total).
    fn delay(&self, frame: &TimedFrame) -> (u16, u16) {
        let ts = self.timeline.timescale;
        let ticks = frame.end - frame.start;
        match (u16::try_from(ticks), u16::try_from(ts)) {
            (Ok(num), Ok(den)) => (num, den),
            _ => {
                let ms = to_units(frame.end, ts, 1000) - to_units(frame.start, ts, 1000);
                (u16::try_from(ms).unwrap_or(u16::MAX), 1000)
            }
        }
    }
}

impl AnimationEncoder for ApngEncoder {
    fn add_frames(&mut self, mut frames: Vec<TimedFrame>) -> Result<(), EncodeError> {
        for frame in &frames {
            check_frame(frame, &self.timeline)?;
        }
        // After the first (the default image, always whole), each frame is the rectangle where
        // it differs from the one before, drawn with blend_op SOURCE: exact, and much smaller.
        let rects = changed_rects(self.previous.as_ref(), &frames, |rect| rect);
        let files: Vec<Result<Vec<u8>, EncodeError>> = frames
            .par_iter()
            .zip(&rects)
            .map(|(f, &rect)| {
                if rect == Rect::full(&f.image) {
                    self.encode(&f.image)
                } else {
                    self.encode(&crop(&f.image, rect))
                }
            })
            .collect();
        for ((frame, file), &rect) in frames.iter().zip(files).zip(&rects) {
            let file = file?;
            let mut zlib = Vec::with_capacity(file.len());
            for (kind, data) in png_chunks(&file)? {
                match &kind {
                    b"IHDR" if self.ihdr.is_none() => self.ihdr = Some(data.to_vec()),
                    b"IDAT" => zlib.extend_from_slice(data),
                    _ => {}
                }
            }
            let (delay_num, delay_den) = self.delay(frame);
            self.frames.push(Compressed {
                rect,
                zlib,
                delay_num,
                delay_den,
            });
        }
        if let Some(last) = frames.pop() {
            self.previous = Some(last.image);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>, EncodeError> {
        let Some(ihdr) = &self.ihdr else {
            return Err(EncodeError::Animation("an animation needs a frame".into()));
        };
        let size: usize = self.frames.iter().map(|f| f.zlib.len() + 64).sum();
        let mut out = Vec::with_capacity(size + 64);
        out.extend_from_slice(&SIGNATURE);
        put_chunk(&mut out, b"IHDR", ihdr);
        if let Some((_, plte, trns)) = &self.indexed {
            put_chunk(&mut out, b"PLTE", plte);
            put_chunk(&mut out, b"tRNS", trns);
        }
        let count = u32::try_from(self.frames.len()).unwrap_or(u32::MAX);
        let mut actl = Vec::with_capacity(8);
        actl.extend_from_slice(&count.to_be_bytes());
        actl.extend_from_slice(&u32::from(self.timeline.loop_count).to_be_bytes());
        put_chunk(&mut out, b"acTL", &actl);
        // fcTL and fdAT share one sequence counter.
        let mut sequence = 0_u32;
        for (k, frame) in self.frames.iter().enumerate() {
            let mut fctl = Vec::with_capacity(26);
            fctl.extend_from_slice(&sequence.to_be_bytes());
            sequence += 1;
            fctl.extend_from_slice(&frame.rect.width.to_be_bytes());
            fctl.extend_from_slice(&frame.rect.height.to_be_bytes());
            fctl.extend_from_slice(&frame.rect.x.to_be_bytes());
            fctl.extend_from_slice(&frame.rect.y.to_be_bytes());
            fctl.extend_from_slice(&frame.delay_num.to_be_bytes());
            fctl.extend_from_slice(&frame.delay_den.to_be_bytes());
            // dispose_op NONE; blend_op SOURCE: the frame replaces the canvas, transparent
            // pixels included.
            fctl.extend_from_slice(&[0, 0]);
            put_chunk(&mut out, b"fcTL", &fctl);
            if k == 0 {
                put_chunk(&mut out, b"IDAT", &frame.zlib);
            } else {
                let mut fdat = Vec::with_capacity(frame.zlib.len() + 4);
                fdat.extend_from_slice(&sequence.to_be_bytes());
                sequence += 1;
                fdat.extend_from_slice(&frame.zlib);
                put_chunk(&mut out, b"fdAT", &fdat);
            }
        }
        put_chunk(&mut out, b"IEND", &[]);
        Ok(out)
    }
}

/// A PNG chunk's type and data.
type Chunk<'a> = ([u8; 4], &'a [u8]);

/// The chunks of a PNG file (after the signature).
fn png_chunks(file: &[u8]) -> Result<Vec<Chunk<'_>>, EncodeError> {
    let bad = || EncodeError::Animation("png frame: malformed chunk".into());
    let mut rest = file.get(SIGNATURE.len()..).ok_or_else(bad)?;
    let mut chunks = Vec::new();
    while rest.len() >= 12 {
        let len = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        let kind: [u8; 4] = rest[4..8].try_into().expect("4 bytes");
        let data = rest.get(8..8 + len).ok_or_else(bad)?;
        chunks.push((kind, data));
        rest = rest.get(12 + len..).ok_or_else(bad)?;
    }
    Ok(chunks)
}

/// Appends a PNG chunk: length, type, data, CRC-32 of type and data.
fn put_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apng_decodes_with_the_png_crate() {
        let timeline = Timeline {
            width: 2,
            height: 2,
            timescale: 60,
            loop_count: 0,
        };
        let frame = |v: u8, start, end| TimedFrame {
            image: Image {
                width: 2,
                height: 2,
                data: vec![v; 16],
            },
            start,
            end,
        };
        let mut enc = Box::new(ApngEncoder::new(timeline));
        enc.add_frames(vec![frame(1, 0, 1), frame(2, 1, 4)])
            .unwrap();
        let file = enc.finish().unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(file))
            .read_info()
            .unwrap();
        let actl = reader.info().animation_control.unwrap();
        assert_eq!((actl.num_frames, actl.num_plays), (2, 0));
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let mut delays = Vec::new();
        let mut firsts = Vec::new();
        for _ in 0..2 {
            reader.next_frame(&mut buf).unwrap();
            let fc = reader.info().frame_control.unwrap();
            delays.push((fc.delay_num, fc.delay_den));
            firsts.push(buf[0]);
        }
        assert_eq!(delays, vec![(1, 60), (3, 60)]);
        assert_eq!(firsts, vec![1, 2]);
    }

    #[test]
    fn indexed_apng_decodes_with_its_palette_alpha_and_timing() {
        // 16x16 frames: a red square with a half-transparent edge moving right on transparency.
        let frame = |k: usize| {
            let data = (0..256)
                .flat_map(|i| {
                    let (x, y) = (i % 16, i / 16);
                    if (4 + k..8 + k).contains(&x) && (4..12).contains(&y) {
                        [220, 30, 30, 255]
                    } else if x == 8 + k && (4..12).contains(&y) {
                        [220, 30, 30, 128]
                    } else {
                        [0, 0, 0, 0]
                    }
                })
                .collect();
            TimedFrame {
                image: Image {
                    width: 16,
                    height: 16,
                    data,
                },
                start: k as u64 * 2,
                end: k as u64 * 2 + 2,
            }
        };
        let frames: Vec<TimedFrame> = (0..4).map(frame).collect();
        let timeline = Timeline {
            width: 16,
            height: 16,
            timescale: 60,
            loop_count: 0,
        };
        let sample: Vec<Image> = frames.iter().map(|f| f.image.clone()).collect();
        let mut enc = Box::new(ApngEncoder::indexed(timeline, &sample, 32));
        enc.add_frames(frames[..3].to_vec()).unwrap();
        enc.add_frames(frames[3..].to_vec()).unwrap();
        let file = enc.finish().unwrap();
        let reader = png::Decoder::new(std::io::Cursor::new(file.clone()))
            .read_info()
            .unwrap();
        let info = reader.info();
        assert_eq!(info.color_type, png::ColorType::Indexed);
        assert_eq!(info.animation_control.map(|a| a.num_plays), Some(0));
        use image::AnimationDecoder as _;
        let decoder = image::codecs::png::PngDecoder::new(std::io::Cursor::new(file)).unwrap();
        let decoded: Vec<image::Frame> = decoder
            .apng()
            .unwrap()
            .into_frames()
            .map(Result::unwrap)
            .collect();
        assert_eq!(decoded.len(), 4);
        for (got, want) in decoded.iter().zip(&frames) {
            assert_eq!(got.delay().numer_denom_ms(), (100, 3), "2/60 s");
            let pixels = got.buffer().as_raw();
            for (g, w) in pixels.chunks_exact(4).zip(want.image.data.chunks_exact(4)) {
                assert!(g[3].abs_diff(w[3]) <= 4, "alpha {g:?} for {w:?}");
                if w[3] > 0 {
                    let err = (0..3).map(|c| g[c].abs_diff(w[c])).max().unwrap();
                    assert!(err <= 8, "{g:?} for {w:?}");
                }
            }
        }
    }
}

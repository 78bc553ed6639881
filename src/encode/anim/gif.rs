//! Animated GIF: one global palette from `NeuQuant` (`color_quant`), 1-bit transparency, frames
//! mapped and LZW-compressed in parallel, written by the `gif` crate.
//!
//! Why one global palette: a palette per frame costs a `NeuQuant` run per frame and makes flat
//! areas flicker between frames whose palettes differ; a sticker's colours hardly change over
//! its three seconds, so the palette is learnt once from a few frames spread over the animation.
//! Why `NeuQuant`: it is MIT-licensed pure Rust without dependencies (imagequant is GPL), and its
//! 255 learnt colours are good on the flat fills and anti-aliased edges stickers are made of.
//!
//! Pixels with alpha below 128 become the transparent index (a clean 1-bit edge, with the
//! straight colour on the kept side, so no dark fringe); a caller that wants a matte composites
//! the frames over its colour first, and then no index is transparent.

use std::borrow::Cow;
use std::collections::HashMap;

use color_quant::NeuQuant;
use gif::{DisposalMethod, Frame, Repeat};
use rayon::prelude::*;

use super::{AnimationEncoder, TimedFrame, Timeline, check_frame, to_units};
use crate::encode::{EncodeError, Image};

/// The palette index kept for transparent pixels.
const TRANSPARENT: u8 = 255;
/// Opaque colours in the palette (one index is kept for transparency).
const COLOURS: usize = 255;
/// Bits per channel of the colour -> index lookup table.
const TABLE_BITS: u32 = 6;
/// At most this many pixels train the network (a subsample of the sample frames).
const MAX_TRAINING_PIXELS: usize = 1 << 18;
/// `NeuQuant`'s sampling factor: 1 is best and slowest, 10 the author's recommended compromise.
const SAMPLE_FACTOR: i32 = 10;
/// Alpha at or above which a pixel is drawn (GIF has 1-bit transparency).
const ALPHA_THRESHOLD: u8 = 128;

/// Writes an animated GIF with one global palette; frames are streamed into the file.
pub struct GifEncoder {
    timeline: Timeline,
    encoder: gif::Encoder<Vec<u8>>,
    /// Palette index of each colour, by its top [`TABLE_BITS`] bits per channel.
    table: Vec<u8>,
    count: usize,
}

impl std::fmt::Debug for GifEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GifEncoder")
            .field("timeline", &self.timeline)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl GifEncoder {
    /// Starts an animation on `timeline` whose palette is learnt from `sample` (a few frames
    /// spread over the animation; their opaque pixels count).
    ///
    /// # Errors
    ///
    /// [`EncodeError::Animation`] when the canvas is larger than 65535x65535, [`EncodeError::Gif`]
    /// when the header cannot be written.
    pub fn new(timeline: Timeline, sample: &[Image]) -> Result<Self, EncodeError> {
        let (Ok(width), Ok(height)) = (
            u16::try_from(timeline.width),
            u16::try_from(timeline.height),
        ) else {
            return Err(EncodeError::Animation(format!(
                "a GIF is at most 65535x65535, not {}x{}",
                timeline.width, timeline.height
            )));
        };
        let pixels = training_pixels(sample);
        let quant = NeuQuant::new(SAMPLE_FACTOR, COLOURS, &pixels);
        let table = lookup_table(&quant);
        let mut palette = quant.color_map_rgb();
        snap_to_modes(&mut palette, &table, &pixels);
        palette.resize(256 * 3, 0);
        let mut encoder =
            gif::Encoder::new(Vec::new(), width, height, &palette).map_err(EncodeError::Gif)?;
        let repeat = match timeline.loop_count {
            0 => Repeat::Infinite,
            n => Repeat::Finite(n),
        };
        encoder.set_repeat(repeat).map_err(EncodeError::Gif)?;
        Ok(Self {
            timeline,
            encoder,
            table,
            count: 0,
        })
    }

    /// Maps `image` to palette indices and LZW-compresses it; independent of other frames.
    fn compress(&self, frame: &TimedFrame) -> Frame<'static> {
        let mut transparent = false;
        let indices: Vec<u8> = frame
            .image
            .data
            .chunks_exact(4)
            .map(|px| {
                if px[3] < ALPHA_THRESHOLD {
                    transparent = true;
                    TRANSPARENT
                } else {
                    self.table[table_key(px[0], px[1], px[2])]
                }
            })
            .collect();
        let ts = self.timeline.timescale;
        let cs = to_units(frame.end, ts, 100) - to_units(frame.start, ts, 100);
        let mut out = Frame {
            width: self.timeline.width as u16,
            height: self.timeline.height as u16,
            delay: u16::try_from(cs).unwrap_or(u16::MAX),
            // Every frame covers the whole canvas: restoring it to the background (transparent)
            // afterwards means the next frame's transparent pixels never show this one.
            dispose: DisposalMethod::Background,
            transparent: transparent.then_some(TRANSPARENT),
            buffer: Cow::Owned(indices),
            ..Frame::default()
        };
        out.make_lzw_pre_encoded();
        out
    }
}

impl AnimationEncoder for GifEncoder {
    fn add_frames(&mut self, frames: Vec<TimedFrame>) -> Result<(), EncodeError> {
        for frame in &frames {
            check_frame(frame, &self.timeline)?;
        }
        let compressed: Vec<Frame<'static>> = frames.par_iter().map(|f| self.compress(f)).collect();
        for frame in &compressed {
            self.encoder
                .write_lzw_pre_encoded_frame(frame)
                .map_err(EncodeError::Gif)?;
            self.count += 1;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>, EncodeError> {
        if self.count == 0 {
            return Err(EncodeError::Animation("an animation needs a frame".into()));
        }
        self.encoder.into_inner().map_err(EncodeError::Gif)
    }
}

/// The opaque pixels of `sample` as RGBA, evenly subsampled to at most
/// [`MAX_TRAINING_PIXELS`], never empty (`NeuQuant` needs pixels to learn from).
fn training_pixels(sample: &[Image]) -> Vec<u8> {
    let total: usize = sample.iter().map(|i| i.data.len() / 4).sum();
    let step = total.div_ceil(MAX_TRAINING_PIXELS).max(1);
    let mut pixels: Vec<u8> = sample
        .iter()
        .flat_map(|image| image.data.chunks_exact(4).step_by(step))
        .filter(|px| px[3] >= ALPHA_THRESHOLD)
        .flat_map(|px| [px[0], px[1], px[2], 255])
        .collect();
    if pixels.len() < 4 * 64 {
        // A (nearly) transparent sample: any palette will do; grey ramp to train on.
        pixels.extend((0..=255_u8).flat_map(|v| [v, v, v, 255]));
    }
    pixels
}

/// Replaces each palette entry by the most frequent exact colour among the training pixels it
/// stands for, when that colour is most of them.
///
/// `NeuQuant`'s entries are averages that land a level or two off: a flat fill or a matte then
/// comes out as (1, 254, 0) instead of (0, 255, 0). Sticker pixels are mostly flat fills, so the
/// dominant colour of a cell is usually one exact fill colour, and taking it makes those exact.
fn snap_to_modes(palette: &mut [u8], table: &[u8], pixels: &[u8]) {
    let mut counts: HashMap<[u8; 3], u32> = HashMap::new();
    for px in pixels.chunks_exact(4) {
        *counts.entry([px[0], px[1], px[2]]).or_default() += 1;
    }
    // Per palette index: pixels it stands for, and its most frequent colour with its count.
    let mut totals = vec![0_u32; COLOURS];
    let mut modes = vec![(0_u32, [0_u8; 3]); COLOURS];
    for (colour, count) in counts {
        let index = usize::from(table[table_key(colour[0], colour[1], colour[2])]);
        totals[index] += count;
        if (count, colour) > modes[index] {
            modes[index] = (count, colour);
        }
    }
    for (index, (count, colour)) in modes.into_iter().enumerate() {
        if count * 2 > totals[index] {
            palette[3 * index..3 * index + 3].copy_from_slice(&colour);
        }
    }
}

fn table_key(r: u8, g: u8, b: u8) -> usize {
    let shift = 8 - TABLE_BITS;
    (usize::from(r >> shift) << (2 * TABLE_BITS))
        | (usize::from(g >> shift) << TABLE_BITS)
        | usize::from(b >> shift)
}

/// The palette index of every cell of the colour cube, each cell looked up at its centre.
fn lookup_table(quant: &NeuQuant) -> Vec<u8> {
    let shift = 8 - TABLE_BITS;
    let half = 1_u8 << (shift - 1);
    let cells = 1_usize << (3 * TABLE_BITS);
    (0..cells)
        .into_par_iter()
        .map(|key| {
            let channel = |k: usize| ((k & ((1 << TABLE_BITS) - 1)) as u8) << shift | half;
            let (r, g, b) = (
                channel(key >> (2 * TABLE_BITS)),
                channel(key >> TABLE_BITS),
                channel(key),
            );
            // Palette indices are 0..COLOURS, never the transparent index.
            quant.index_of(&[r, g, b, 255]) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(px: [u8; 4]) -> Image {
        Image {
            width: 4,
            height: 2,
            data: px.repeat(8),
        }
    }

    #[test]
    fn gif_keeps_delays_transparency_and_colours() {
        let timeline = Timeline {
            width: 4,
            height: 2,
            timescale: 100,
            loop_count: 0,
        };
        let red = image([250, 0, 0, 255]);
        let clear = image([0, 0, 0, 10]);
        let mut enc = Box::new(GifEncoder::new(timeline, std::slice::from_ref(&red)).unwrap());
        let frames = vec![
            TimedFrame {
                image: red,
                start: 0,
                end: 2,
            },
            TimedFrame {
                image: clear,
                start: 2,
                end: 7,
            },
        ];
        enc.add_frames(frames).unwrap();
        let file = enc.finish().unwrap();
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let mut decoder = options.read_info(std::io::Cursor::new(file)).unwrap();
        assert_eq!(decoder.repeat(), Repeat::Infinite);
        let first = decoder.read_next_frame().unwrap().unwrap().clone();
        assert_eq!(first.delay, 2);
        let px = &first.buffer[..4];
        assert!(
            px[0] >= 240 && px[1] <= 8 && px[2] <= 8 && px[3] == 255,
            "{px:?}"
        );
        let second = decoder.read_next_frame().unwrap().unwrap().clone();
        assert_eq!(second.delay, 5);
        assert_eq!(&second.buffer[..4], &[0, 0, 0, 0], "transparent index");
        assert!(decoder.read_next_frame().unwrap().is_none(), "two frames");
    }
}

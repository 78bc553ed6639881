//! Animated GIF: one global palette from `NeuQuant` (`color_quant`), 1-bit transparency, frames
//! mapped and LZW-compressed in parallel, written by the `gif` crate.
//!
//! Why one global palette: a palette per frame costs a `NeuQuant` run per frame and makes flat
//! areas flicker between frames whose palettes differ; a sticker's colours hardly change over
//! its three seconds, so the palette is learnt once from a few frames spread over the animation.
//! Why `NeuQuant`: it is MIT-licensed pure Rust without dependencies (imagequant is GPL), and its
//! 255 learnt colours are good on the flat fills and anti-aliased edges stickers are made of.
//!
//! After the first, a frame is only its changed rectangle, unchanged pixels left to the canvas
//! (see `Plan` for when a frame must be whole instead).
//!
//! Pixels with alpha below 128 become the transparent index (a clean 1-bit edge, with the
//! straight colour on the kept side, so no dark fringe); a caller that wants a matte composites
//! the frames over its colour first, and then no index is transparent.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};

use color_quant::NeuQuant;
use gif::{DisposalMethod, Frame, Repeat};
use rayon::prelude::*;

use super::palette::{SAMPLE_FACTOR, training_pixels};
use super::{AnimationEncoder, Rect, TimedFrame, Timeline, changed_rect, check_frame, to_units};
use crate::encode::{EncodeError, Image};

/// The palette index kept for transparent pixels.
const TRANSPARENT: u8 = 255;
/// Opaque colours in the palette (one index is kept for transparency).
const COLOURS: usize = 255;
/// Bits per channel of the colour -> index lookup table.
const TABLE_BITS: u32 = 6;
/// Alpha at or above which a pixel is drawn (GIF has 1-bit transparency).
const ALPHA_THRESHOLD: u8 = 128;

/// Writes an animated GIF with one global palette; frames are streamed into the file.
pub struct GifEncoder {
    timeline: Timeline,
    encoder: gif::Encoder<Vec<u8>>,
    /// Palette index of each colour, by its top [`TABLE_BITS`] bits per channel.
    table: PaletteTable,
    count: usize,
    /// The last frame written: what the canvas shows.
    previous: Option<Image>,
    /// The last frame added, not yet written.
    held: Option<TimedFrame>,
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
        let pixels = training_pixels(sample, |px| {
            (px[3] >= ALPHA_THRESHOLD).then_some([px[0], px[1], px[2], 255])
        });
        let quant = NeuQuant::new(SAMPLE_FACTOR, COLOURS, &pixels);
        let mut palette = quant.color_map_rgb();
        let table = PaletteTable::new(quant);
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
            previous: None,
            held: None,
        })
    }

    /// Maps `plan.frame` (or its changed rectangle) to palette indices and LZW-compresses it;
    /// independent of other frames, so frames compress in parallel.
    fn compress(&self, plan: &Plan<'_>) -> Frame<'static> {
        let image = &plan.frame.image;
        let rect = plan.rect;
        let stride = image.width as usize * 4;
        let mut transparent = false;
        let mut indices = Vec::with_capacity(rect.width as usize * rect.height as usize);
        for y in rect.y as usize..(rect.y + rect.height) as usize {
            let span =
                y * stride + rect.x as usize * 4..y * stride + (rect.x + rect.width) as usize * 4;
            let row = &image.data[span.clone()];
            let before = plan.previous.map(|p| &p.data[span]);
            for (x, px) in row.chunks_exact(4).enumerate() {
                // In a delta frame an unchanged pixel is left to the canvas, which shows it.
                let unchanged = before.is_some_and(|b| &b[4 * x..4 * x + 4] == px);
                if px[3] < ALPHA_THRESHOLD || unchanged {
                    transparent = true;
                    indices.push(TRANSPARENT);
                } else {
                    indices.push(self.table.index(px[0], px[1], px[2]));
                }
            }
        }
        let ts = self.timeline.timescale;
        let frame = plan.frame;
        let cs = to_units(frame.end, ts, 100) - to_units(frame.start, ts, 100);
        let mut out = Frame {
            left: rect.x as u16,
            top: rect.y as u16,
            width: rect.width as u16,
            height: rect.height as u16,
            delay: u16::try_from(cs).unwrap_or(u16::MAX),
            dispose: if plan.clear_after {
                DisposalMethod::Background
            } else {
                DisposalMethod::Keep
            },
            transparent: transparent.then_some(TRANSPARENT),
            buffer: Cow::Owned(indices),
            ..Frame::default()
        };
        out.make_lzw_pre_encoded();
        out
    }

    /// Compresses and writes `frames`; `next` is the frame after the last (if any), whose
    /// pixels decide whether the last one must clear the canvas after itself.
    fn write(
        &mut self,
        frames: &[TimedFrame],
        next: Option<&TimedFrame>,
    ) -> Result<(), EncodeError> {
        let plans: Vec<Plan<'_>> = (0..frames.len())
            .map(|k| {
                let previous = if k == 0 {
                    self.previous.as_ref()
                } else {
                    Some(&frames[k - 1].image)
                };
                let after = frames.get(k + 1).or(next).map(|f| &f.image);
                plan(previous, &frames[k], after)
            })
            .collect();
        let compressed: Vec<Frame<'static>> = plans.par_iter().map(|p| self.compress(p)).collect();
        for frame in &compressed {
            self.encoder
                .write_lzw_pre_encoded_frame(frame)
                .map_err(EncodeError::Gif)?;
            self.count += 1;
        }
        if let Some(last) = frames.last() {
            self.previous = Some(last.image.clone());
        }
        Ok(())
    }
}

/// How one frame is written.
///
/// GIF can leave a pixel unchanged (the transparent index) but cannot make a drawn pixel
/// transparent again, except by clearing a frame's whole rectangle after it is shown (disposal
/// "restore to background"). So a frame is a *delta* (the changed rectangle, unchanged pixels
/// left to the canvas; disposal "keep") unless the frame after it erases something, in which
/// case it is *whole* and cleared after itself; the frame after a cleared one is whole too.
/// By induction the canvas before each frame is exactly the frame before it.
#[derive(Debug)]
struct Plan<'a> {
    frame: &'a TimedFrame,
    /// The frame before, when this one is a delta against it.
    previous: Option<&'a Image>,
    rect: Rect,
    clear_after: bool,
}

fn plan<'a>(previous: Option<&'a Image>, frame: &'a TimedFrame, next: Option<&Image>) -> Plan<'a> {
    let clear_after = next.is_some_and(|n| erases(&frame.image, n));
    let previous = previous.filter(|p| !clear_after && !erases(p, &frame.image));
    let rect = previous.map_or_else(
        || Rect::full(&frame.image),
        |p| changed_rect(p, &frame.image),
    );
    Plan {
        frame,
        previous,
        rect,
        clear_after,
    }
}

/// Returns `true` when a pixel drawn in `before` is transparent in `after`.
fn erases(before: &Image, after: &Image) -> bool {
    before
        .data
        .chunks_exact(4)
        .zip(after.data.chunks_exact(4))
        .any(|(b, a)| b[3] >= ALPHA_THRESHOLD && a[3] < ALPHA_THRESHOLD)
}

impl AnimationEncoder for GifEncoder {
    fn add_frames(&mut self, frames: Vec<TimedFrame>) -> Result<(), EncodeError> {
        for frame in &frames {
            check_frame(frame, &self.timeline)?;
        }
        // The last frame waits for the next batch: its disposal depends on the frame after it.
        let mut queue: Vec<TimedFrame> = self.held.take().into_iter().chain(frames).collect();
        let held = queue.pop();
        let result = self.write(&queue, held.as_ref());
        self.held = held;
        result
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<u8>, EncodeError> {
        if let Some(last) = self.held.take() {
            self.write(std::slice::from_ref(&last), None)?;
        }
        if self.count == 0 {
            return Err(EncodeError::Animation("an animation needs a frame".into()));
        }
        self.encoder.into_inner().map_err(EncodeError::Gif)
    }
}

/// Replaces each palette entry by the most frequent exact colour among the training pixels it
/// stands for, when that colour is most of them.
///
/// `NeuQuant`'s entries are averages that land a level or two off: a flat fill or a matte then
/// comes out as (1, 254, 0) instead of (0, 255, 0). Sticker pixels are mostly flat fills, so the
/// dominant colour of a cell is usually one exact fill colour, and taking it makes those exact.
fn snap_to_modes(palette: &mut [u8], table: &PaletteTable, pixels: &[u8]) {
    let mut counts: HashMap<[u8; 3], u32> = HashMap::new();
    for px in pixels.chunks_exact(4) {
        *counts.entry([px[0], px[1], px[2]]).or_default() += 1;
    }
    // Per palette index: pixels it stands for, and its most frequent colour with its count.
    let mut totals = vec![0_u32; COLOURS];
    let mut modes = vec![(0_u32, [0_u8; 3]); COLOURS];
    for (colour, count) in counts {
        let index = usize::from(table.index(colour[0], colour[1], colour[2]));
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
/// The colour -> palette index map, filled in as colours are met: a sticker uses a few thousand
/// of the 2^18 cells, and searching the network for every cell up front cost about 80 ms per GIF
/// whatever its size. Frames are mapped in parallel; two threads meeting a new cell at once both
/// search it and store the same index.
struct PaletteTable {
    quant: NeuQuant,
    /// Per cell: the palette index, or [`UNKNOWN`](Self::UNKNOWN) until first met.
    cells: Vec<AtomicU8>,
}

impl PaletteTable {
    /// Never a palette index: the network's indices are `0..COLOURS` and `COLOURS` is 255.
    const UNKNOWN: u8 = TRANSPARENT;

    fn new(quant: NeuQuant) -> Self {
        let cells = (0..1_usize << (3 * TABLE_BITS))
            .map(|_| AtomicU8::new(Self::UNKNOWN))
            .collect();
        Self { quant, cells }
    }

    /// The palette index for `(r, g, b)`: the network's choice for the centre of its cell.
    fn index(&self, r: u8, g: u8, b: u8) -> u8 {
        let cell = &self.cells[table_key(r, g, b)];
        let known = cell.load(Ordering::Relaxed);
        if known != Self::UNKNOWN {
            return known;
        }
        let shift = 8 - TABLE_BITS;
        let half = 1_u8 << (shift - 1);
        let centre = |c: u8| (c >> shift) << shift | half;
        // Palette indices are 0..COLOURS, never the transparent index.
        let index = self.quant.index_of(&[centre(r), centre(g), centre(b), 255]) as u8;
        cell.store(index, Ordering::Relaxed);
        index
    }
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
    fn gif_delta_frames_compose_to_the_frames_even_when_pixels_vanish() {
        const RED: [u8; 4] = [250, 0, 0, 255];
        const BLUE: [u8; 4] = [0, 0, 250, 255];
        const GREEN: [u8; 4] = [0, 250, 0, 255];
        const NONE: [u8; 4] = [0, 0, 0, 0];
        let make = |pixels: &dyn Fn(usize) -> [u8; 4]| Image {
            width: 8,
            height: 4,
            data: (0..32).flat_map(pixels).collect(),
        };
        let images = [
            make(&|i| if i % 8 < 4 { RED } else { NONE }),
            // One pixel changes colour: a delta frame.
            make(&|i| {
                if i == 9 {
                    BLUE
                } else if i % 8 < 4 {
                    RED
                } else {
                    NONE
                }
            }),
            // The top rows vanish: the frame before must clear after itself.
            make(&|i| if i >= 16 && i % 8 < 4 { RED } else { NONE }),
            // And one pixel appears where nothing was.
            make(&|i| {
                if i == 7 {
                    GREEN
                } else if i >= 16 && i % 8 < 4 {
                    RED
                } else {
                    NONE
                }
            }),
        ];
        let timeline = Timeline {
            width: 8,
            height: 4,
            timescale: 100,
            loop_count: 0,
        };
        let mut enc = Box::new(GifEncoder::new(timeline, &images).unwrap());
        let frames: Vec<TimedFrame> = images
            .iter()
            .enumerate()
            .map(|(k, image)| TimedFrame {
                image: image.clone(),
                start: k as u64,
                end: k as u64 + 1,
            })
            .collect();
        // Batches of 3 and 1: the held frame crosses a batch.
        enc.add_frames(frames[..3].to_vec()).unwrap();
        enc.add_frames(frames[3..].to_vec()).unwrap();
        let file = enc.finish().unwrap();
        use image::AnimationDecoder as _;
        let decoded: Vec<Vec<u8>> = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(file))
            .unwrap()
            .into_frames()
            .map(|f| f.unwrap().into_buffer().into_raw())
            .collect();
        assert_eq!(decoded.len(), 4);
        for (k, (got, want)) in decoded.iter().zip(&images).enumerate() {
            for (i, (g, w)) in got.chunks(4).zip(want.data.chunks(4)).enumerate() {
                if w[3] == 0 {
                    assert_eq!(g[3], 0, "frame {k} pixel {i} is transparent");
                } else {
                    assert_eq!(g, w, "frame {k} pixel {i}");
                }
            }
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

//! Animated containers: timed straight-alpha frames into animated WebP, APNG and GIF files.
//!
//! An encoder takes its frames in order, a batch at a time ([`AnimationEncoder::add_frames`]), so
//! the pipeline can stream a long animation through it without holding every frame: each batch's
//! frames are compressed in parallel (rayon) and appended in order. Only the compressed frames
//! are kept until [`AnimationEncoder::finish`] writes the file (APNG needs the frame count up
//! front).
//!
//! Timing is exact in the encoder's own unit: frame times are ticks of a [`Timeline::timescale`],
//! and each format turns the *end* of every frame into its unit with the same rounding, so frame
//! durations add up to the animation's duration rounded once (WebP milliseconds, GIF
//! hundredths, APNG `num/den` exactly when the timescale fits 16 bits).

mod apng;
mod gif;
mod palette;
mod webp;

pub use self::apng::ApngEncoder;
pub use self::gif::GifEncoder;
pub use self::webp::{AnimatedWebPEncoder, FrameEncoder, StillWebPFrames, WebPFrame};

use super::{EncodeError, Image};

/// One frame of an animation and when it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedFrame {
    /// The pixels, straight alpha, the canvas size.
    pub image: Image,
    /// Tick at which the frame appears.
    pub start: u64,
    /// Tick at which the next frame replaces it (or the animation ends); `> start`.
    pub end: u64,
}

/// The shape and clock of an animation file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// Canvas width in pixels.
    pub width: u32,
    /// Canvas height in pixels.
    pub height: u32,
    /// Ticks per second of [`TimedFrame::start`] and [`TimedFrame::end`].
    pub timescale: u32,
    /// How many times the animation plays; 0 loops forever.
    pub loop_count: u16,
}

/// An encoder of one animated format (see the module docs).
pub trait AnimationEncoder: Send {
    /// Appends `frames`, in order, after those already added.
    ///
    /// # Errors
    ///
    /// [`EncodeError`] when a frame does not match the canvas or a codec fails.
    fn add_frames(&mut self, frames: Vec<TimedFrame>) -> Result<(), EncodeError>;

    /// Writes the file.
    ///
    /// # Errors
    ///
    /// [`EncodeError`] when no frame was added or a codec fails.
    fn finish(self: Box<Self>) -> Result<Vec<u8>, EncodeError>;
}

/// Returns `ticks` of `timescale` in units of `1/unit` seconds, rounded to nearest.
///
/// Durations are differences of rounded *ends* (`to_units(end) - to_units(start)`), so they sum
/// to the whole animation rounded once, never accumulating each frame's rounding.
pub(crate) fn to_units(ticks: u64, timescale: u32, unit: u32) -> u64 {
    let ts = u128::from(timescale.max(1));
    ((u128::from(ticks) * u128::from(unit) + ts / 2) / ts) as u64
}

/// A rectangle of the canvas, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rect {
    pub(crate) x: u32,
    pub(crate) y: u32,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

impl Rect {
    /// The whole of `image`.
    pub(crate) fn full(image: &Image) -> Self {
        Self {
            x: 0,
            y: 0,
            width: image.width,
            height: image.height,
        }
    }

    /// The rectangle grown to start on even coordinates (WebP stores `x / 2` and `y / 2`).
    pub(crate) fn to_even_origin(self) -> Self {
        let (x, y) = (self.x & !1, self.y & !1);
        Self {
            x,
            y,
            width: self.width + (self.x - x),
            height: self.height + (self.y - y),
        }
    }
}

/// For each of `frames`, the rectangle it must replace: the whole frame when nothing came before
/// it (`previous` is the last frame of the batch before), else [`changed_rect`] against the frame
/// before, adjusted by `adjust` (a container's alignment rule).
pub(crate) fn changed_rects(
    previous: Option<&Image>,
    frames: &[TimedFrame],
    adjust: impl Fn(Rect) -> Rect,
) -> Vec<Rect> {
    (0..frames.len())
        .map(|k| {
            let before = if k == 0 {
                previous
            } else {
                Some(&frames[k - 1].image)
            };
            before.map_or_else(
                || Rect::full(&frames[k].image),
                |p| adjust(changed_rect(p, &frames[k].image)),
            )
        })
        .collect()
}

/// The smallest rectangle holding every pixel where `next` differs from `previous` (same size);
/// a 1x1 rectangle at the origin when they are equal.
pub(crate) fn changed_rect(previous: &Image, next: &Image) -> Rect {
    let stride = next.width as usize * 4;
    let rows = previous
        .data
        .chunks_exact(stride)
        .zip(next.data.chunks_exact(stride));
    let (mut top, mut bottom) = (None, 0);
    // Columns `left..=right` are known to change; `left > right` while none is.
    let (mut left, mut right) = (next.width as usize, 0);
    for (y, (a, b)) in rows.enumerate() {
        if a == b {
            continue;
        }
        top.get_or_insert(y);
        bottom = y;
        // Only the parts of the row outside the columns already known to change need a look.
        if let Some(first) = first_difference(&a[..left * 4], &b[..left * 4]) {
            left = first / 4;
        }
        let from = (right + 1).max(left) * 4;
        if let Some(last) = last_difference(&a[from..], &b[from..]) {
            right = (from + last) / 4;
        }
        right = right.max(left);
    }
    match top {
        None => Rect {
            x: 0,
            y: 0,
            width: 1,
            height: 1,
        },
        Some(top) => Rect {
            x: left as u32,
            y: top as u32,
            width: (right - left + 1) as u32,
            height: (bottom - top + 1) as u32,
        },
    }
}

/// Index of the first byte where `a` and `b` (same length) differ, compared 8 bytes at a time.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let (wa, ta) = a.as_chunks::<8>();
    let (wb, tb) = b.as_chunks::<8>();
    for (i, (x, y)) in wa.iter().zip(wb).enumerate() {
        let d = u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y);
        if d != 0 {
            return Some(i * 8 + d.trailing_zeros() as usize / 8);
        }
    }
    let base = wa.len() * 8;
    ta.iter()
        .zip(tb)
        .position(|(x, y)| x != y)
        .map(|i| base + i)
}

/// Index of the last byte where `a` and `b` (same length) differ, compared 8 bytes at a time.
fn last_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let (ha, wa) = a.as_rchunks::<8>();
    let (hb, wb) = b.as_rchunks::<8>();
    for (i, (x, y)) in wa.iter().zip(wb).enumerate().rev() {
        let d = u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y);
        if d != 0 {
            return Some(ha.len() + i * 8 + 7 - d.leading_zeros() as usize / 8);
        }
    }
    ha.iter().zip(hb).rposition(|(x, y)| x != y)
}

/// The pixels of `rect` of `image`.
pub(crate) fn crop(image: &Image, rect: Rect) -> Image {
    let stride = image.width as usize * 4;
    let (x, w) = (rect.x as usize * 4, rect.width as usize * 4);
    let mut data = Vec::with_capacity(w * rect.height as usize);
    for row in image
        .data
        .chunks_exact(stride)
        .skip(rect.y as usize)
        .take(rect.height as usize)
    {
        data.extend_from_slice(&row[x..x + w]);
    }
    Image {
        width: rect.width,
        height: rect.height,
        data,
    }
}

/// Checks that `frame` fits the canvas of `timeline` and has a positive duration.
fn check_frame(frame: &TimedFrame, timeline: &Timeline) -> Result<(), EncodeError> {
    super::check_buffer(&frame.image)?;
    if (frame.image.width, frame.image.height) != (timeline.width, timeline.height) {
        return Err(EncodeError::Animation(format!(
            "frame is {}x{}; the canvas is {}x{}",
            frame.image.width, frame.image.height, timeline.width, timeline.height
        )));
    }
    if frame.end <= frame.start {
        return Err(EncodeError::Animation(format!(
            "frame ends at tick {} before it starts at {}",
            frame.end, frame.start
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three 6x5 frames: opaque, then a changed opaque pixel and one turned transparent, then
    /// back; so sub-rectangles must replace, not blend.
    fn frames() -> Vec<TimedFrame> {
        let base: Vec<u8> = (0..30_u8)
            .flat_map(|i| [i * 8, 255 - i * 8, 100, 255])
            .collect();
        let mut second = base.clone();
        second[(6 + 3) * 4..(6 + 3) * 4 + 4].copy_from_slice(&[1, 2, 3, 255]);
        second[(3 * 6 + 4) * 4..(3 * 6 + 4) * 4 + 4].copy_from_slice(&[0, 0, 0, 0]);
        [base.clone(), second, base]
            .into_iter()
            .enumerate()
            .map(|(k, data)| TimedFrame {
                image: Image {
                    width: 6,
                    height: 5,
                    data,
                },
                start: k as u64,
                end: k as u64 + 1,
            })
            .collect()
    }

    fn decoded(bytes: Vec<u8>, webp: bool) -> Vec<Vec<u8>> {
        use image::AnimationDecoder as _;
        let cursor = std::io::Cursor::new(bytes);
        let frames = if webp {
            image::codecs::webp::WebPDecoder::new(cursor)
                .unwrap()
                .into_frames()
        } else {
            let decoder = image::codecs::png::PngDecoder::new(cursor).unwrap();
            decoder.apng().unwrap().into_frames()
        };
        frames
            .map(|f| f.unwrap().into_buffer().into_raw())
            .collect()
    }

    #[test]
    fn sub_rectangle_frames_compose_to_the_exact_frames() {
        let timeline = Timeline {
            width: 6,
            height: 5,
            timescale: 10,
            loop_count: 0,
        };
        let expected: Vec<Vec<u8>> = frames().into_iter().map(|f| f.image.data).collect();
        let mut webp =
            Box::new(AnimatedWebPEncoder::new(timeline, StillWebPFrames::new(100)).unwrap());
        let mut apng = Box::new(ApngEncoder::new(timeline));
        // Two batches, so the frame before a batch's first comes from the previous batch.
        let mut all = frames();
        let last = all.split_off(2);
        webp.add_frames(all.clone()).unwrap();
        webp.add_frames(last.clone()).unwrap();
        apng.add_frames(all).unwrap();
        apng.add_frames(last).unwrap();
        assert_eq!(decoded(webp.finish().unwrap(), true), expected, "webp");
        assert_eq!(decoded(apng.finish().unwrap(), false), expected, "apng");
    }

    #[test]
    fn changed_rect_bounds_the_differences() {
        let blank = Image {
            width: 5,
            height: 4,
            data: vec![0; 80],
        };
        let mut next = blank.clone();
        next.data[(5 + 3) * 4 + 1] = 9; // (3, 1)
        next.data[(2 * 5 + 1) * 4 + 3] = 9; // (1, 2)
        let rect = changed_rect(&blank, &next);
        assert_eq!(
            rect,
            Rect {
                x: 1,
                y: 1,
                width: 3,
                height: 2
            }
        );
        assert_eq!(
            rect.to_even_origin(),
            Rect {
                x: 0,
                y: 0,
                width: 4,
                height: 3
            }
        );
        let cropped = crop(&next, rect);
        assert_eq!((cropped.width, cropped.height), (3, 2));
        assert_eq!(cropped.data[2 * 4 + 1], 9, "(3, 1) is (2, 0) of the crop");
        assert_eq!(changed_rect(&blank, &blank).width, 1, "equal frames: 1x1");
    }

    #[test]
    fn changed_rect_matches_a_pixel_by_pixel_search() {
        // Scattered changes on canvases whose rows are not a multiple of 8 bytes wide either.
        let mut seed = 0x2545_f491_u32;
        let mut rand = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize % n
        };
        for (w, h) in [(1, 1), (3, 2), (17, 9), (40, 33)] {
            let blank = Image {
                width: w,
                height: h,
                data: vec![7; (w * h * 4) as usize],
            };
            for changes in 1..6 {
                let mut next = blank.clone();
                let mut expected: Option<(usize, usize, usize, usize)> = None;
                for _ in 0..changes {
                    let (x, y) = (rand(w as usize), rand(h as usize));
                    next.data[(y * w as usize + x) * 4 + rand(4)] ^= 1 + rand(200) as u8;
                    let e = expected.get_or_insert((x, y, x, y));
                    *e = (e.0.min(x), e.1.min(y), e.2.max(x), e.3.max(y));
                }
                let (x0, y0, x1, y1) = expected.unwrap();
                let want = Rect {
                    x: x0 as u32,
                    y: y0 as u32,
                    width: (x1 - x0 + 1) as u32,
                    height: (y1 - y0 + 1) as u32,
                };
                assert_eq!(
                    changed_rect(&blank, &next),
                    want,
                    "{w}x{h}, {changes} changes"
                );
            }
        }
    }

    #[test]
    fn to_units_rounds_ends_so_durations_sum_exactly() {
        // 180 frames at 60 fps in milliseconds: 17, 16, 17, ... summing to 3000.
        let ms: Vec<u64> = (0..180)
            .map(|k| to_units(k + 1, 60, 1000) - to_units(k, 60, 1000))
            .collect();
        assert_eq!(ms.iter().sum::<u64>(), 3000);
        assert!(ms.iter().all(|&d| d == 16 || d == 17), "{ms:?}");
        assert_eq!(to_units(3, 100, 100), 3);
    }
}

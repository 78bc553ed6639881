//! Whole-animation export: frame selection, resampling to the output frame rate, parallel
//! rendering, merging of identical frames, and streaming into an animated encoder.
//!
//! Timing is exact: the output has its own clock (ticks of a timescale), frame `j` starts at tick
//! `round(j * timescale / fps)` and the last frame ends at the selection's duration, so the
//! frame durations add up to the duration. The source time of frame `j` follows from its start
//! tick, so an output rate other than the animation's (`fps`, or GIF's hundredths of a second)
//! samples the animation between its own frames rather than playing it faster or slower.

use std::cell::RefCell;

use raster::{Budget, Pixmap, Time};
use rayon::prelude::*;
use renderer::Animation;

use super::{Limits, PipelineError, new_pixmap, render_frame, render_pixmap};
use crate::encode::anim::{
    AnimatedWebPEncoder, AnimationEncoder, ApngEncoder, GifEncoder, StillWebPFrames, TimedFrame,
    Timeline,
};
use crate::encode::{self, Image, ImageFormat};

/// Highest output frame rate accepted (`fps`).
pub const MAX_FPS: f64 = 120.0;

/// Fewest hundredths of a second a GIF frame lasts: browsers show shorter delays as 1/10 s, so
/// GIF output is at most 50 fps.
const GIF_MIN_DELAY_CS: u32 = 2;

/// Frames rendered for the GIF palette, spread over the animation.
const PALETTE_SAMPLE_FRAMES: usize = 8;

/// Which frames a conversion takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameSelection {
    /// One frame: a still image.
    One(u64),
    /// The whole animation.
    All,
    /// Frames `start..=end` as an animation.
    Range {
        /// First frame index.
        start: u64,
        /// Last frame index, included.
        end: u64,
    },
}

impl FrameSelection {
    /// Parses `frame`: a frame index or `all`.
    ///
    /// # Errors
    ///
    /// A message naming the value.
    pub fn parse_frame(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(Self::All);
        }
        text.parse()
            .map(Self::One)
            .map_err(|_| format!("frame must be a frame index or `all`, got {text:?}"))
    }

    /// Parses `frames`: `START-END` (both included) or `all`.
    ///
    /// # Errors
    ///
    /// A message naming the value.
    pub fn parse_range(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(Self::All);
        }
        let bad = || format!("frames must be START-END (e.g. 0-59) or `all`, got {text:?}");
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let start: u64 = start.trim().parse().map_err(|_| bad())?;
        let end: u64 = end.trim().parse().map_err(|_| bad())?;
        if start > end {
            return Err(format!("frames {text:?}: the start is after the end"));
        }
        Ok(Self::Range { start, end })
    }

    /// The selection when none is given: the whole animation for APNG and GIF, frame 0 else.
    pub fn default_for(format: ImageFormat) -> Self {
        if format.is_animated_by_default() {
            Self::All
        } else {
            Self::One(0)
        }
    }
}

/// Parses a matte colour, `#rrggbb` or `rrggbb`.
///
/// # Errors
///
/// A message naming the value.
pub fn parse_color(text: &str) -> Result<[u8; 3], String> {
    let hex = text.trim();
    let hex = hex.strip_prefix('#').unwrap_or(hex);
    let bad = || format!("background must be a colour #rrggbb, got {text:?}");
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
    Ok([channel(0)?, channel(2)?, channel(4)?])
}

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExportOptions {
    /// Output format.
    pub format: ImageFormat,
    /// Which frames.
    pub frames: FrameSelection,
    /// Output frame rate; `None` keeps the animation's (GIF: the nearest whole number of
    /// hundredths, at most 50 fps).
    pub fps: Option<f64>,
    /// WebP quality 1-100.
    pub quality: u8,
    /// Matte colour: frames are composited over it and come out opaque.
    pub background: Option<[u8; 3]>,
    /// Output width in pixels (from [`super::output_size`]).
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
}

/// An exported file and what went into it.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// The file.
    pub bytes: Vec<u8>,
    /// Frames written into the file (identical consecutive frames count once).
    pub frames_encoded: u32,
    /// Frames rendered: the output frames of the selection at the output rate.
    pub frames_rendered: u32,
    /// The output frame rate (the animation's own for a still).
    pub fps: f64,
}

/// Exports `animation` as `options` say: a still for [`FrameSelection::One`], else an animation.
///
/// # Errors
///
/// [`PipelineError::FrameOutOfRange`], [`PipelineError::InvalidOption`] for an `fps` outside
/// `(0, 120]`, [`PipelineError::LimitExceeded`] over [`Limits::max_export_frames`] or
/// [`Limits::max_export_pixels`], or [`PipelineError::Encode`].
pub fn export(
    animation: &Animation,
    options: &ExportOptions,
    limits: &Limits,
) -> Result<Export, PipelineError> {
    if let FrameSelection::One(index) = options.frames {
        return Ok(Export {
            bytes: export_still(animation, index, options, limits)?,
            frames_encoded: 1,
            frames_rendered: 1,
            fps: animation.frame_rate(),
        });
    }
    let (start, end) = selected_range(animation, options.frames)?;
    let schedule = Schedule::checked(animation, start, end, options, limits)?;
    let timeline = schedule.timeline(options);
    let mut encoder = new_encoder(options.format, timeline, options.quality, || {
        let sample = palette_sample(schedule.starts.len());
        render_all(animation, &schedule, &sample, options, &limits.budget)
    })?;
    let mut encoded = 0_u32;
    render_merged(animation, &schedule, options, &limits.budget, |batch| {
        encoded += batch.len() as u32;
        encoder.add_frames(batch)?;
        Ok(())
    })?;
    Ok(Export {
        bytes: encoder.finish()?,
        frames_encoded: encoded,
        frames_rendered: schedule.starts.len() as u32,
        fps: schedule.fps,
    })
}

/// Renders frame `index` at the size of `options` and encodes it as a still. A PNG without a
/// background is encoded from the rasterizer's premultiplied pixmap, a row at a time, without a
/// straight-alpha copy of the frame first.
fn export_still(
    animation: &Animation,
    index: u64,
    options: &ExportOptions,
    limits: &Limits,
) -> Result<Vec<u8>, PipelineError> {
    if matches!(options.format, ImageFormat::Png | ImageFormat::Apng)
        && options.background.is_none()
    {
        let pixmap = render_pixmap(
            animation,
            index,
            options.width,
            options.height,
            &limits.budget,
        )?;
        return Ok(encode::encode_png_premultiplied(&pixmap)?);
    }
    let image = render_still(animation, index, options, limits)?;
    Ok(encode::encode(&image, options.format, options.quality)?)
}

/// Renders frame `index` at the size of `options`, matted if asked.
pub(super) fn render_still(
    animation: &Animation,
    index: u64,
    options: &ExportOptions,
    limits: &Limits,
) -> Result<Image, PipelineError> {
    let mut image = render_frame(
        animation,
        index,
        options.width,
        options.height,
        &limits.budget,
    )?;
    if let Some(bg) = options.background {
        matte(&mut image, bg);
    }
    Ok(image)
}

/// The frames of an animated export, rendered once and merged, kept so that they can be encoded
/// more than once (a preset's quality steps).
#[derive(Debug)]
pub(super) struct RenderedAnimation {
    /// The merged frames, in order.
    pub(super) frames: Vec<TimedFrame>,
    /// The canvas and clock of the frames.
    pub(super) timeline: Timeline,
    /// The output frame rate.
    pub(super) fps: f64,
    /// Frames rendered before merging.
    pub(super) frames_rendered: u32,
}

impl RenderedAnimation {
    /// The duration of the frames in milliseconds.
    pub(super) fn duration_ms(&self) -> f64 {
        let end = self.frames.last().map_or(0, |f| f.end);
        end as f64 * 1000.0 / f64::from(self.timeline.timescale)
    }
}

/// Renders the animation `options` select (not [`FrameSelection::One`]) and merges identical
/// consecutive frames, holding every frame: `frames x width x height x 4` bytes.
///
/// # Errors
///
/// As [`export`].
pub(super) fn render_animation(
    animation: &Animation,
    options: &ExportOptions,
    limits: &Limits,
) -> Result<RenderedAnimation, PipelineError> {
    let (start, end) = selected_range(animation, options.frames)?;
    let schedule = Schedule::checked(animation, start, end, options, limits)?;
    let mut frames = Vec::new();
    render_merged(animation, &schedule, options, &limits.budget, |batch| {
        frames.extend(batch);
        Ok(())
    })?;
    Ok(RenderedAnimation {
        frames,
        timeline: schedule.timeline(options),
        fps: schedule.fps,
        frames_rendered: schedule.starts.len() as u32,
    })
}

/// Encodes `rendered` as `format` at `quality` (frames are copied a batch at a time, so
/// `rendered` can be encoded again); an APNG with `palette` is indexed colour with that many
/// palette entries ([`ApngEncoder::indexed`]).
///
/// # Errors
///
/// [`PipelineError::Encode`].
pub(super) fn encode_animation(
    rendered: &RenderedAnimation,
    format: ImageFormat,
    quality: u8,
    palette: Option<usize>,
) -> Result<Vec<u8>, PipelineError> {
    let sample = || -> Vec<Image> {
        palette_sample(rendered.frames.len())
            .into_iter()
            .map(|k| rendered.frames[k].image.clone())
            .collect()
    };
    let mut encoder: Box<dyn AnimationEncoder> = match (format, palette) {
        (ImageFormat::Apng, Some(colours)) => {
            Box::new(ApngEncoder::indexed(rendered.timeline, &sample(), colours))
        }
        _ => new_encoder(format, rendered.timeline, quality, || Ok(sample()))?,
    };
    // Larger batches than when rendering: nothing to overlap with, so fewer waits for the
    // slowest frame of a batch.
    for batch in rendered.frames.chunks(4 * batch_len()) {
        encoder.add_frames(batch.to_vec())?;
    }
    Ok(encoder.finish()?)
}

/// The source frames `start..end` that `frames` selects; `FrameSelection::One(k)` is `k..k+1`.
fn selected_range(
    animation: &Animation,
    frames: FrameSelection,
) -> Result<(u64, u64), PipelineError> {
    let total = animation.total_frames();
    let (start, end) = match frames {
        FrameSelection::All => return Ok((0, u64::from(total))),
        FrameSelection::One(index) => (index, index),
        FrameSelection::Range { start, end } => (start, end),
    };
    if end >= u64::from(total) {
        return Err(PipelineError::FrameOutOfRange { frame: end, total });
    }
    Ok((start, end + 1))
}

/// An encoder for `format`; GIF learns its palette from the frames `sample` renders.
fn new_encoder(
    format: ImageFormat,
    timeline: Timeline,
    quality: u8,
    sample: impl FnOnce() -> Result<Vec<Image>, PipelineError>,
) -> Result<Box<dyn AnimationEncoder>, PipelineError> {
    Ok(match format {
        ImageFormat::WebP => Box::new(AnimatedWebPEncoder::new(
            timeline,
            StillWebPFrames::new(quality),
        )?),
        ImageFormat::Png | ImageFormat::Apng => Box::new(ApngEncoder::new(timeline)),
        ImageFormat::Gif => Box::new(GifEncoder::new(timeline, &sample()?)?),
    })
}

/// Output frames whose pixels teach the GIF palette, spread over `frames` frames.
fn palette_sample(frames: usize) -> Vec<usize> {
    super::select_frames(frames as u32, Some(PALETTE_SAMPLE_FRAMES as u32))
        .into_iter()
        .map(|k| k as usize)
        .collect()
}

/// Consecutive output frames that one thread renders in order, each painted from the one before
/// (only what changed, see [`raster::FrameRenderer`]), the first drawn whole. Fixed, so that the
/// pixels do not depend on how the frames are spread over threads: a frame painted from the one
/// before can differ from the frame drawn whole by one in a channel.
const RUN_LEN: usize = 8;

/// Frames rendered (in parallel) per batch: whole runs, one per thread, at least two and at
/// most four (at most 64 frames held, two batches, however many cores; the batch being encoded
/// keeps the other cores busy).
fn batch_len() -> usize {
    RUN_LEN * rayon::current_num_threads().clamp(2, 4)
}

/// Renders every frame of `schedule` in parallel batches, in order, merging identical
/// consecutive frames, and hands the merged frames to `sink` a batch at a time.
///
/// Streamed: batch `k` goes to `sink` (which compresses it in parallel) while batch `k + 1`
/// renders, both on the rayon pool, so neither waits for the other's slowest frame and both
/// cores stay busy; at most two batches of frames are held.
fn render_merged(
    animation: &Animation,
    schedule: &Schedule,
    options: &ExportOptions,
    budget: &Budget,
    mut sink: impl FnMut(Vec<TimedFrame>) -> Result<(), PipelineError> + Send,
) -> Result<(), PipelineError> {
    let mut pending: Option<TimedFrame> = None;
    let indices: Vec<usize> = (0..schedule.starts.len()).collect();
    let mut batches = indices.chunks(batch_len());
    let mut next = batches.next();
    let mut ready: Option<Vec<TimedFrame>> = None;
    loop {
        let (rendered, sunk) = rayon::join(
            || next.map(|b| render_all(animation, schedule, b, options, budget)),
            || ready.take().map_or(Ok(()), &mut sink),
        );
        sunk?;
        let (Some(images), Some(batch_indices)) = (rendered, next) else {
            break;
        };
        let mut batch = Vec::with_capacity(batch_indices.len());
        for (&j, image) in batch_indices.iter().zip(images?) {
            let (start, end) = (schedule.starts[j], schedule.end_of(j));
            // An unchanged frame only lengthens the one before it.
            if let Some(last) = pending.as_mut().filter(|p| p.image.data == image.data) {
                last.end = end;
                continue;
            }
            batch.extend(pending.replace(TimedFrame { image, start, end }));
        }
        ready = (!batch.is_empty()).then_some(batch);
        next = batches.next();
    }
    if let Some(last) = pending {
        sink(vec![last])?;
    }
    Ok(())
}

/// When each output frame starts, in ticks, and which source time it shows.
#[derive(Debug)]
struct Schedule {
    timescale: u32,
    fps: f64,
    /// Start tick of each output frame, strictly increasing.
    starts: Vec<u64>,
    /// Tick at which the last frame ends: the selection's duration.
    end: u64,
    /// Source time of the selection's first frame, in source frames.
    first: f64,
    /// Source frames per second.
    frame_rate: f64,
}

impl Schedule {
    /// [`Schedule::new`] within the export limits of `limits`.
    fn checked(
        animation: &Animation,
        start: u64,
        end: u64,
        options: &ExportOptions,
        limits: &Limits,
    ) -> Result<Self, PipelineError> {
        let schedule = Self::new(animation, start, end, options, limits.max_export_frames)?;
        let frames = schedule.starts.len();
        if frames as u64 > u64::from(limits.max_export_frames) {
            return Err(PipelineError::LimitExceeded(format!(
                "the export has more than {} frames, the limit; pass a lower fps or fewer frames",
                limits.max_export_frames
            )));
        }
        let (w, h) = (options.width, options.height);
        let pixels = frames as u64 * u64::from(w) * u64::from(h);
        if pixels > limits.max_export_pixels {
            return Err(PipelineError::LimitExceeded(format!(
                "the export is {frames} frames of {w}x{h}, {pixels} pixels; the limit is {} \
                 (pass a smaller size, a lower fps or fewer frames)",
                limits.max_export_pixels
            )));
        }
        Ok(schedule)
    }

    /// The canvas and clock of the output, looping forever.
    fn timeline(&self, options: &ExportOptions) -> Timeline {
        Timeline {
            width: options.width,
            height: options.height,
            timescale: self.timescale,
            loop_count: 0,
        }
    }

    /// The schedule of source frames `start..end` at the output rate of `options`, with at
    /// most `max_frames + 1` frames (a hostile `op` must not make it allocate without bound;
    /// the caller refuses more than `max_frames`).
    fn new(
        animation: &Animation,
        start: u64,
        end: u64,
        options: &ExportOptions,
        max_frames: u32,
    ) -> Result<Self, PipelineError> {
        let frame_rate = animation.frame_rate();
        let requested = match options.fps {
            Some(fps) if !(fps > 0.0 && fps <= MAX_FPS) => {
                return Err(PipelineError::InvalidOption(format!(
                    "fps must be above 0 and at most {MAX_FPS}, got {fps}"
                )));
            }
            Some(fps) => fps,
            None => frame_rate,
        };
        let (timescale, fps) = if options.format == ImageFormat::Gif {
            // GIF counts hundredths of a second: the nearest whole delay, at least 2.
            let cs = ((100.0 / requested).round() as u32).max(GIF_MIN_DELAY_CS);
            (100, 100.0 / f64::from(cs))
        } else if requested.fract() == 0.0 && requested <= f64::from(u16::MAX) {
            (requested as u32, requested)
        } else {
            (1000, requested)
        };
        let first = animation.in_point() + start as f64;
        let last = (animation.in_point() + end as f64).min(animation.out_point());
        let duration = (last - first).max(0.0) / frame_rate;
        let end_tick = ((duration * f64::from(timescale)).round() as u64).max(1);
        let mut starts = Vec::new();
        for j in 0_u64.. {
            let tick = (j as f64 * f64::from(timescale) / fps).round() as u64;
            if tick >= end_tick || starts.len() > max_frames as usize {
                break;
            }
            if starts.last() != Some(&tick) {
                starts.push(tick);
            }
        }
        Ok(Self {
            timescale,
            fps,
            starts,
            end: end_tick,
            first,
            frame_rate,
        })
    }

    fn end_of(&self, j: usize) -> u64 {
        self.starts.get(j + 1).copied().unwrap_or(self.end)
    }

    /// The source time of output frame `j`.
    fn time(&self, j: usize) -> Time {
        let seconds = self.starts[j] as f64 / f64::from(self.timescale);
        Time::from_frames(self.first + seconds * self.frame_rate)
    }
}

thread_local! {
    /// Each render thread's pixmap, kept between frames of the same size.
    static PIXMAP: RefCell<Option<Pixmap>> = const { RefCell::new(None) };
}

/// Renders output frames `indices` in parallel, in order, matted if asked.
fn render_all(
    animation: &Animation,
    schedule: &Schedule,
    indices: &[usize],
    options: &ExportOptions,
    budget: &Budget,
) -> Result<Vec<Image>, PipelineError> {
    let (w, h) = (options.width, options.height);
    // Batches start at multiples of RUN_LEN, so runs do too.
    let runs: Vec<Vec<Image>> = indices
        .par_chunks(RUN_LEN)
        .map(|run| {
            PIXMAP.with(|cell| -> Result<Vec<Image>, PipelineError> {
                let mut slot = cell.borrow_mut();
                let pixmap = match slot.take() {
                    Some(p) if (p.width(), p.height()) == (w, h) => slot.insert(p),
                    _ => slot.insert(new_pixmap(w, h)?),
                };
                pixmap.forget_frame();
                let mut images = Vec::with_capacity(run.len());
                for &j in run {
                    raster::render_within(animation, schedule.time(j), budget, pixmap)?;
                    let mut data = Vec::new();
                    pixmap.write_straight_rgba8(&mut data);
                    let mut image = Image {
                        width: w,
                        height: h,
                        data,
                    };
                    if let Some(bg) = options.background {
                        matte(&mut image, bg);
                    }
                    images.push(image);
                }
                Ok(images)
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(runs.into_iter().flatten().collect())
}

/// Composites straight-alpha `image` over the opaque colour `bg`.
fn matte(image: &mut Image, bg: [u8; 3]) {
    for px in image.data.chunks_exact_mut(4) {
        let a = u16::from(px[3]);
        for c in 0..3 {
            let v = u16::from(px[c]) * a + u16::from(bg[c]) * (255 - a);
            px[c] = ((v + 127) / 255) as u8;
        }
        px[3] = 255;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn animation(fr: f64, op: f64) -> Animation {
        let json = format!(r#"{{"v":"5.7.0","fr":{fr},"ip":0,"op":{op},"w":8,"h":8,"layers":[]}}"#);
        Animation::from_slice(json.as_bytes()).unwrap()
    }

    fn options(format: ImageFormat, fps: Option<f64>) -> ExportOptions {
        ExportOptions {
            format,
            frames: FrameSelection::All,
            fps,
            quality: 100,
            background: None,
            width: 8,
            height: 8,
        }
    }

    fn durations(s: &Schedule) -> Vec<u64> {
        (0..s.starts.len())
            .map(|j| s.end_of(j) - s.starts[j])
            .collect()
    }

    #[test]
    fn schedule_keeps_the_animation_rate_for_webp() {
        let anim = animation(60.0, 180.0);
        let s = Schedule::new(&anim, 0, 180, &options(ImageFormat::WebP, None), 1000).unwrap();
        assert_eq!((s.timescale, s.starts.len(), s.end), (60, 180, 180));
        assert_eq!(s.time(45), Time::from_frames(45.0));
    }

    #[test]
    fn schedule_resamples_60_fps_to_50_for_gif() {
        let anim = animation(60.0, 180.0);
        let s = Schedule::new(&anim, 0, 180, &options(ImageFormat::Gif, None), 1000).unwrap();
        assert_eq!((s.timescale, s.fps, s.starts.len()), (100, 50.0, 150));
        assert!(durations(&s).iter().all(|&d| d == 2), "2 cs each");
        // Output frame 5 is at 0.1 s: source frame 6.
        assert_eq!(s.time(5), Time::from_frames(6.0));
        // 30 fps: 3 cs (33.3 fps), the last frame shorter so the total stays 3 s.
        let anim = animation(30.0, 90.0);
        let s = Schedule::new(&anim, 0, 90, &options(ImageFormat::Gif, None), 1000).unwrap();
        let d = durations(&s);
        assert_eq!((d.len(), d.iter().sum::<u64>()), (100, 300));
        assert_eq!(d.last(), Some(&3));
    }

    #[test]
    fn schedule_with_fractional_fps_counts_milliseconds() {
        let anim = animation(60.0, 180.0);
        let s = Schedule::new(
            &anim,
            30,
            90,
            &options(ImageFormat::WebP, Some(29.97)),
            1000,
        )
        .unwrap();
        assert_eq!(s.timescale, 1000);
        assert_eq!(
            durations(&s).iter().sum::<u64>(),
            1000,
            "60 frames at 60 fps"
        );
        assert_eq!(s.time(0), Time::from_frames(30.0));
        let err = Schedule::new(&anim, 0, 180, &options(ImageFormat::WebP, Some(0.0)), 1000);
        assert!(matches!(err, Err(PipelineError::InvalidOption(_))));
    }

    #[test]
    fn export_merges_identical_frames_and_checks_limits() {
        // An empty animation: every frame is the same, so one frame lasts the whole 1.5 s.
        let anim = animation(30.0, 45.0);
        let out = export(&anim, &options(ImageFormat::Apng, None), &Limits::default()).unwrap();
        assert_eq!((out.frames_rendered, out.frames_encoded), (45, 1));
        let limits = Limits {
            max_export_frames: 44,
            ..Limits::default()
        };
        let err = export(&anim, &options(ImageFormat::Apng, None), &limits).unwrap_err();
        assert!(matches!(err, PipelineError::LimitExceeded(_)), "{err}");
        let limits = Limits {
            max_export_pixels: 8 * 8 * 44,
            ..Limits::default()
        };
        let err = export(&anim, &options(ImageFormat::Gif, None), &limits).unwrap_err();
        assert!(err.to_string().contains("pixels"), "{err}");
        // A billion frames are refused before any schedule or frame is made for them.
        let huge = animation(60.0, 1.0e9);
        let err = export(&huge, &options(ImageFormat::WebP, None), &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the export has more than 600 frames, the limit; pass a lower fps or fewer frames"
        );
    }

    #[test]
    fn frame_selection_and_colour_parse() {
        assert_eq!(FrameSelection::parse_frame("all"), Ok(FrameSelection::All));
        assert_eq!(FrameSelection::parse_frame("7"), Ok(FrameSelection::One(7)));
        assert!(FrameSelection::parse_frame("-1").is_err(), "negative");
        assert_eq!(
            FrameSelection::parse_range("10-20"),
            Ok(FrameSelection::Range { start: 10, end: 20 })
        );
        assert!(FrameSelection::parse_range("20-10").is_err(), "reversed");
        assert!(FrameSelection::parse_range("5").is_err(), "no dash");
        assert_eq!(parse_color("#ff8000"), Ok([255, 128, 0]));
        assert_eq!(parse_color("FF8000"), Ok([255, 128, 0]));
        assert!(parse_color("#ff80").is_err(), "short");
        assert!(parse_color("#gg8000").is_err(), "not hex");
    }

    #[test]
    fn matte_composites_over_the_colour() {
        let mut image = Image {
            width: 2,
            height: 1,
            data: vec![255, 0, 0, 128, 9, 9, 9, 0],
        };
        matte(&mut image, [0, 0, 255]);
        assert_eq!(image.data, vec![128, 0, 127, 255, 0, 0, 255, 255]);
    }
}

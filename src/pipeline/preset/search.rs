//! The search down frame rate and quality steps for a file that fits a [`Rule`] (the order of
//! preference is in the [module docs](super)).

use renderer::Animation;

use super::{Preset, Rule};
use crate::encode::{self, Image, ImageFormat};
use crate::pipeline::animation::{RenderedAnimation, encode_animation, render_animation};
use crate::pipeline::{Export, ExportOptions, Limits, PipelineError};

/// What the steps of one frame rate gave.
type Found = Option<(u8, Vec<u8>)>;

/// The state of one preset search.
pub(super) struct Search<'a> {
    pub(super) rule: &'a Rule,
    pub(super) preset: Preset,
    pub(super) format: ImageFormat,
    pub(super) attempts: u32,
    /// The smallest file made: its size, frame rate and quality.
    pub(super) smallest: Option<(usize, Option<f64>, u8)>,
}

impl Search<'_> {
    /// Searches frame rates (see the module docs); `None` when nothing fits.
    pub(super) fn animation(
        &mut self,
        animation: &Animation,
        mut options: ExportOptions,
        limits: &Limits,
    ) -> Result<Option<(Export, Option<f64>, u8)>, PipelineError> {
        let rates = frame_rates(self.rule, animation.frame_rate());
        let steps = self.rule.quality_steps;
        let above_floor = steps.iter().take_while(|&&q| q >= self.rule.floor).count();
        // Sizes at the rate before, per quality, to predict this rate's.
        let mut previous: Option<(f64, Vec<(u8, usize)>)> = None;
        let mut k = 0;
        while k < rates.len() {
            let fps = rates[k];
            let last = k + 1 == rates.len();
            options.fps = Some(fps);
            let rendered = render_animation(animation, &options, limits)?;
            self.check_duration(&rendered)?;
            let predicted = |q: u8| {
                previous.as_ref().and_then(|(rate, sizes)| {
                    let size = sizes.iter().find(|s| s.0 == q)?.1;
                    Some(size as f64 * fps / rate)
                })
            };
            let (lossless, lossy): (&[u8], &[u8]) =
                if self.format == ImageFormat::WebP && steps.first() == Some(&100) {
                    steps.split_at(1)
                } else {
                    steps.split_at(0)
                };
            let lossy = if last {
                lossy
            } else {
                &lossy[..above_floor - lossless.len()]
            };
            let mut sizes = Vec::new();
            let format = self.format;
            let mut encode = |q: u8| -> Result<Vec<u8>, PipelineError> {
                let bytes = encode_frames(&rendered, format, q)?;
                sizes.push((q, bytes.len()));
                Ok(bytes)
            };
            let mut found: Found = None;
            // Exact frames first, unless the rate before says they cannot fit.
            if let Some(&q) = lossless.first()
                && predicted(q).is_none_or(|p| p <= self.rule.max_bytes as f64)
            {
                found = self.qualities(&[q], 0, Some(fps), &mut encode)?;
            }
            if found.is_none() {
                // Start where the rate before ended: the highest quality predicted to fit.
                let start = lossy
                    .iter()
                    .position(|&q| predicted(q).is_some_and(|p| p <= self.rule.max_bytes as f64))
                    .or(previous.as_ref().map(|_| lossy.len().saturating_sub(1)))
                    .unwrap_or(0);
                found = self.qualities(lossy, start, Some(fps), &mut encode)?;
            }
            if let Some((quality, bytes)) = found {
                let export = Export {
                    frames_encoded: rendered.frames.len() as u32,
                    frames_rendered: rendered.frames_rendered,
                    fps: rendered.fps,
                    bytes,
                };
                return Ok(Some((export, Some(fps), quality)));
            }
            // Skip the rates predicted to stay too large, but never the last.
            let smallest = sizes.iter().map(|s| s.1).min().unwrap_or(usize::MAX) as f64;
            k += 1;
            while k + 1 < rates.len() && smallest * rates[k] / fps > self.rule.max_bytes as f64 {
                k += 1;
            }
            previous = Some((fps, sizes));
        }
        Ok(None)
    }

    /// The highest of `steps` (highest first; size falls along them) whose file fits, probing
    /// index `start` first and then bisecting; `fps` is for the record.
    pub(super) fn qualities(
        &mut self,
        steps: &[u8],
        start: usize,
        fps: Option<f64>,
        encode: &mut dyn FnMut(u8) -> Result<Vec<u8>, PipelineError>,
    ) -> Result<Found, PipelineError> {
        // The answer is an index in lo..=hi; hi == steps.len() means none fits.
        let (mut lo, mut hi) = (0, steps.len());
        let mut best: Found = None;
        let mut probe = start.min(steps.len().saturating_sub(1));
        while lo < hi {
            let q = steps[probe];
            let bytes = encode(q)?;
            self.attempts += 1;
            let size = bytes.len();
            if self.smallest.is_none_or(|s| size < s.0) {
                self.smallest = Some((size, fps, q));
            }
            if size <= self.rule.max_bytes {
                hi = probe;
                best = Some((q, bytes));
            } else {
                lo = probe + 1;
            }
            probe = lo + (hi - lo) / 2;
        }
        Ok(best)
    }

    /// Fails when the animation is longer than the rule allows.
    fn check_duration(&self, rendered: &RenderedAnimation) -> Result<(), PipelineError> {
        let ms = rendered.duration_ms();
        match self.rule.max_duration_ms {
            Some(max) if ms > max as f64 + 0.5 => Err(PipelineError::PresetCannotFit(format!(
                "the animation lasts {:.2} s; the {} preset allows at most {} s (pass frames= \
                 to take part of it)",
                ms / 1000.0,
                self.preset,
                max as f64 / 1000.0
            ))),
            _ => Ok(()),
        }
    }

    /// The error when no step fits.
    pub(super) fn cannot_fit(&self) -> PipelineError {
        let smallest = match self.smallest {
            Some((size, Some(fps), q)) => {
                format!("; the smallest, at {fps} fps and quality {q}, is {size} bytes")
            }
            Some((size, None, q)) => format!("; the smallest, at quality {q}, is {size} bytes"),
            None => String::new(),
        };
        PipelineError::PresetCannotFit(format!(
            "the {} preset needs a file of at most {} bytes and no step gets there{smallest}",
            self.preset, self.rule.max_bytes
        ))
    }
}

/// The frame rates to try: the rule's steps up to the animation's own rate, which leads when it
/// is lower than the first step and not one of them; never above `1000 / min_frame_ms`.
pub(super) fn frame_rates(rule: &Rule, own: f64) -> Vec<f64> {
    let mut cap = own;
    if rule.min_frame_ms > 0 {
        cap = cap.min(1000.0 / rule.min_frame_ms as f64);
    }
    let mut rates: Vec<f64> = rule
        .fps_steps
        .iter()
        .copied()
        .filter(|&f| f <= cap)
        .collect();
    let first = rule.fps_steps.first().copied().unwrap_or(cap).min(cap);
    if rates.first() != Some(&first) {
        rates.insert(0, first);
    }
    rates
}

/// Encodes a still at a preset quality (PNG: posterised below 100).
pub(super) fn encode_still(
    image: &Image,
    format: ImageFormat,
    quality: u8,
) -> Result<Vec<u8>, PipelineError> {
    if format == ImageFormat::WebP || quality >= 100 {
        return Ok(encode::encode(image, format, quality)?);
    }
    let mut image = image.clone();
    posterize(&mut image, quality);
    Ok(encode::encode(&image, format, 100)?)
}

/// Encodes rendered frames at a preset quality (APNG: indexed colour below 100).
fn encode_frames(
    rendered: &RenderedAnimation,
    format: ImageFormat,
    quality: u8,
) -> Result<Vec<u8>, PipelineError> {
    if format == ImageFormat::Apng && quality < 100 {
        encode_animation(rendered, format, 100, Some(palette_colours(quality)))
    } else {
        encode_animation(rendered, format, quality, None)
    }
}

/// The palette entries of an indexed APNG at `quality` (below 100): `2 + 253 * quality / 100`,
/// so 85 keeps 217 colours and 25 keeps 65.
fn palette_colours(quality: u8) -> usize {
    2 + 253 * usize::from(quality.min(100)) / 100
}

/// Keeps `2 + 6 * quality / 100` bits of each channel (alpha included), rounding to the nearest
/// kept level, so 0 and 255 stay themselves.
pub(super) fn posterize(image: &mut Image, quality: u8) {
    let bits = (2 + 6 * u32::from(quality.min(100)) / 100).clamp(2, 8);
    if bits == 8 {
        return;
    }
    let levels = (1_u32 << bits) - 1;
    let mut table = [0_u8; 256];
    for (v, out) in table.iter_mut().enumerate() {
        let level = (v as u32 * levels + 127) / 255;
        *out = ((level * 255 + levels / 2) / levels) as u8;
    }
    for v in &mut image.data {
        *v = table[usize::from(*v)];
    }
}

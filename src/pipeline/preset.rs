//! Platform presets: an export that fits a messenger's sticker rules (format, canvas, file size,
//! duration), searching down frame rate and quality steps until the file fits.
//!
//! The search keeps the best-looking file that fits, in this order of preference:
//!
//! 1. the highest frame rate whose file fits at a quality of at least [`Rule::floor`] (lower
//!    frame rates look choppier, but below the floor lossy frames look worse than choppy ones);
//! 2. at that rate, the highest quality that fits (exact frames first, for WebP: lossless
//!    `VP8L` is often *smaller* than lossy frames on flat sticker art, so it is always tried);
//! 3. when no rate fits at the floor, the lowest rate at the highest quality below the floor.
//!
//! It is cheap: frames are rendered once per frame rate and re-encoded from memory for each
//! quality tried; qualities are bisected (size falls with quality), and a rate whose file is
//! predicted to stay too large (the size at the rate before, scaled by the frame count) is
//! skipped without rendering it. A sticker takes two to five encodes.
//!
//! For PNG and APNG "quality" is colour: 100 is exact RGBA. Below it an APNG is indexed colour,
//! one palette of `2 + 253 * quality / 100` RGBA entries for all frames plus one transparent
//! entry, deflated at the strongest level (see [`crate::encode::anim::ApngEncoder::indexed`]);
//! a still PNG keeps `2 + 6 * quality / 100` bits of each channel (posterised, no dithering, so
//! that deflate finds long repeats).

use std::fmt;
use std::str::FromStr;

use renderer::Animation;

use super::animation::{RenderedAnimation, encode_animation, render_animation, render_still};
use super::{Export, ExportOptions, FrameSelection, Limits, PipelineError};
use crate::encode::{self, Image, ImageFormat};

/// A platform whose sticker rules an export can follow.
///
/// A small `Copy` value with a stable name ([`Preset::name`]), fit for cache keys and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Preset {
    /// `whatsapp`: animated WebP 512x512, at most 500 KB, frames of at least 8 ms, at most 10 s;
    /// still WebP 512x512, at most 100 KB.
    WhatsApp,
    /// Signal: APNG 512x512, at most 300 KB, at most 3 s; still PNG, at most 300 KB.
    Signal,
    /// Discord: APNG 320x320, at most 512 KB; still PNG, at most 512 KB.
    Discord,
    /// Telegram custom emoji, 100x100: animated WebP at most 256 KB and 3 s, 30 fps at most (the
    /// rules of Telegram's `WebM` video emoji, whose format we do not write); still WebP or PNG, at
    /// most 512 KB (Telegram's static sticker rule).
    TelegramEmoji,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Self; 4] = [
        Self::WhatsApp,
        Self::Signal,
        Self::Discord,
        Self::TelegramEmoji,
    ];

    /// The stable name: `whatsapp`, `signal`, `discord`, `telegram-emoji`.
    pub fn name(self) -> &'static str {
        match self {
            Self::WhatsApp => "whatsapp",
            Self::Signal => "signal",
            Self::Discord => "discord",
            Self::TelegramEmoji => "telegram-emoji",
        }
    }

    /// The rule for an animation (`animated`) or a still.
    pub fn rule(self, animated: bool) -> Rule {
        const WEBP_Q: &[u8] = &[100, 90, 80, 70, 60, 50, 40, 30, 20, 10];
        const PNG_Q: &[u8] = &[100, 85, 70, 55, 40, 25];
        const FPS: &[f64] = &[30.0, 25.0, 20.0, 15.0, 12.0, 10.0, 8.0, 6.0];
        let still = |formats: &'static [ImageFormat], side, max_bytes| Rule {
            formats,
            side,
            max_bytes,
            max_duration_ms: None,
            min_frame_ms: 0,
            fps_steps: &[],
            quality_steps: if formats[0] == ImageFormat::WebP {
                WEBP_Q
            } else {
                PNG_Q
            },
            floor: 0,
        };
        match (self, animated) {
            (Self::WhatsApp, false) => still(&[ImageFormat::WebP], 512, 100_000),
            (Self::WhatsApp, true) => Rule {
                formats: &[ImageFormat::WebP],
                side: 512,
                max_bytes: 500_000,
                max_duration_ms: Some(10_000),
                min_frame_ms: 8,
                fps_steps: FPS,
                quality_steps: WEBP_Q,
                floor: 50,
            },
            (Self::Signal, false) => still(&[ImageFormat::Png], 512, 300_000),
            (Self::Signal, true) => Rule {
                formats: &[ImageFormat::Apng],
                side: 512,
                max_bytes: 300_000,
                max_duration_ms: Some(3_000),
                min_frame_ms: 0,
                fps_steps: FPS,
                quality_steps: PNG_Q,
                floor: 55,
            },
            (Self::Discord, false) => still(&[ImageFormat::Png], 320, 512_000),
            (Self::Discord, true) => Rule {
                formats: &[ImageFormat::Apng],
                side: 320,
                max_bytes: 512_000,
                max_duration_ms: None,
                min_frame_ms: 0,
                fps_steps: FPS,
                quality_steps: PNG_Q,
                floor: 55,
            },
            (Self::TelegramEmoji, false) => {
                still(&[ImageFormat::WebP, ImageFormat::Png], 100, 512_000)
            }
            (Self::TelegramEmoji, true) => Rule {
                formats: &[ImageFormat::WebP],
                side: 100,
                max_bytes: 256_000,
                max_duration_ms: Some(3_000),
                min_frame_ms: 0,
                fps_steps: FPS,
                quality_steps: WEBP_Q,
                floor: 50,
            },
        }
    }
}

impl Preset {
    /// The format of a file: `requested` when the preset takes it (a still APNG is a PNG), its
    /// default when `None`.
    ///
    /// # Errors
    ///
    /// A message naming the formats it takes.
    pub fn format(
        self,
        animated: bool,
        requested: Option<ImageFormat>,
    ) -> Result<ImageFormat, String> {
        let formats = self.rule(animated).formats;
        match requested {
            None => Ok(formats[0]),
            Some(ImageFormat::Apng) if !animated && formats.contains(&ImageFormat::Png) => {
                Ok(ImageFormat::Png)
            }
            Some(format) if formats.contains(&format) => Ok(format),
            Some(format) => {
                let names: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
                Err(format!(
                    "the {self} preset makes {} {}, not {format}",
                    if animated { "animated" } else { "still" },
                    names.join(" or ")
                ))
            }
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s) || (s == "telegram_emoji" && *p == Self::TelegramEmoji))
            .ok_or_else(|| {
                format!(
                    "unknown preset `{s}`; expected `whatsapp`, `signal`, `discord` or `telegram-emoji`"
                )
            })
    }
}

/// A platform's rule for one kind of file (animated or still).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    /// Formats the platform takes; the first is the default.
    pub formats: &'static [ImageFormat],
    /// The square canvas side in pixels.
    pub side: u32,
    /// Largest file in bytes.
    pub max_bytes: usize,
    /// Longest animation in milliseconds.
    pub max_duration_ms: Option<u64>,
    /// Shortest frame in milliseconds (0: no rule).
    pub min_frame_ms: u64,
    /// Frame rates tried, highest first (capped at the animation's own rate).
    pub fps_steps: &'static [f64],
    /// Qualities tried, highest first.
    pub quality_steps: &'static [u8],
    /// The lowest quality taken before a lower frame rate is tried.
    pub floor: u8,
}

/// What to export with a preset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PresetOptions {
    /// The platform.
    pub preset: Preset,
    /// Which frames: one (a still) or an animation.
    pub frames: FrameSelection,
    /// A format the preset takes, `None` for its default.
    pub format: Option<ImageFormat>,
    /// Matte colour.
    pub background: Option<[u8; 3]>,
}

/// A file that fits a preset, and what the search chose.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetExport {
    /// The file and its frames.
    pub export: Export,
    /// Its format.
    pub format: ImageFormat,
    /// The canvas width in pixels.
    pub width: u32,
    /// The canvas height in pixels.
    pub height: u32,
    /// The chosen frame rate; `None` for a still.
    pub fps: Option<f64>,
    /// The chosen quality (see the module docs for PNG and APNG).
    pub quality: u8,
    /// Files encoded by the search, the kept one included.
    pub attempts: u32,
}

/// Exports `animation` following `options.preset`.
///
/// # Errors
///
/// [`PipelineError::InvalidOption`] for a format the preset does not take,
/// [`PipelineError::PresetCannotFit`] when the animation is too long or no step gives a file
/// small enough, and the errors of [`super::export`].
pub fn export_preset(
    animation: &Animation,
    options: &PresetOptions,
    limits: &Limits,
) -> Result<PresetExport, PipelineError> {
    let animated = !matches!(options.frames, FrameSelection::One(_));
    export_with_rule(animation, options, &options.preset.rule(animated), limits)
}

/// [`export_preset`] under `rule` (the preset's own, or a test's).
fn export_with_rule(
    animation: &Animation,
    options: &PresetOptions,
    rule: &Rule,
    limits: &Limits,
) -> Result<PresetExport, PipelineError> {
    let preset = options.preset;
    let animated = !matches!(options.frames, FrameSelection::One(_));
    let format = preset
        .format(animated, options.format)
        .map_err(PipelineError::InvalidOption)?;
    let mut search = Search {
        rule,
        preset,
        format,
        attempts: 0,
        smallest: None,
    };
    let export_options = ExportOptions {
        format,
        frames: options.frames,
        fps: None,
        quality: 100,
        background: options.background,
        width: rule.side,
        height: rule.side,
    };
    let chosen = if let FrameSelection::One(index) = options.frames {
        let image = render_still(animation, index, &export_options, limits)?;
        let found = search.qualities(rule.quality_steps, 0, None, &mut |q| {
            encode_still(&image, format, q)
        })?;
        found.map(|(quality, bytes)| {
            let export = Export {
                bytes,
                frames_encoded: 1,
                frames_rendered: 1,
                fps: animation.frame_rate(),
            };
            (export, None, quality)
        })
    } else {
        search.animation(animation, export_options, limits)?
    };
    let Some((export, fps, quality)) = chosen else {
        return Err(search.cannot_fit());
    };
    Ok(PresetExport {
        export,
        format,
        width: rule.side,
        height: rule.side,
        fps,
        quality,
        attempts: search.attempts,
    })
}

/// What the steps of one frame rate gave.
type Found = Option<(u8, Vec<u8>)>;

/// The state of one preset search.
struct Search<'a> {
    rule: &'a Rule,
    preset: Preset,
    format: ImageFormat,
    attempts: u32,
    /// The smallest file made: its size, frame rate and quality.
    smallest: Option<(usize, Option<f64>, u8)>,
}

impl Search<'_> {
    /// Searches frame rates (see the module docs); `None` when nothing fits.
    fn animation(
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
    fn qualities(
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
    fn cannot_fit(&self) -> PipelineError {
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
fn frame_rates(rule: &Rule, own: f64) -> Vec<f64> {
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
fn encode_still(image: &Image, format: ImageFormat, quality: u8) -> Result<Vec<u8>, PipelineError> {
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
fn posterize(image: &mut Image, quality: u8) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_parse_back() {
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["whatsapp", "signal", "discord", "telegram-emoji"]);
        for preset in Preset::ALL {
            assert_eq!(preset.name().parse::<Preset>(), Ok(preset));
            assert_eq!(preset.to_string(), preset.name());
        }
        assert_eq!("WhatsApp".parse::<Preset>(), Ok(Preset::WhatsApp));
        assert!("line".parse::<Preset>().unwrap_err().contains("whatsapp"));
    }

    #[test]
    fn frame_rates_stop_at_the_animation_rate() {
        let rule = Preset::WhatsApp.rule(true);
        assert_eq!(
            frame_rates(&rule, 60.0),
            [30.0, 25.0, 20.0, 15.0, 12.0, 10.0, 8.0, 6.0]
        );
        assert_eq!(
            frame_rates(&rule, 24.0),
            [24.0, 20.0, 15.0, 12.0, 10.0, 8.0, 6.0]
        );
        assert_eq!(frame_rates(&rule, 5.0), [5.0]);
        // WhatsApp's 8 ms frames: never above 125 fps, far above the steps.
        assert!(
            frame_rates(&rule, 1000.0)
                .iter()
                .all(|&f| 1000.0 / f >= 8.0)
        );
    }

    #[test]
    fn posterize_keeps_the_ends_and_the_level_count() {
        let mut image = Image {
            width: 64,
            height: 1,
            data: (0..=255).collect(),
        };
        posterize(&mut image, 40); // 4 bits: 16 levels
        let mut levels = image.data.clone();
        levels.dedup();
        assert_eq!(levels.len(), 16);
        assert_eq!((image.data[0], image.data[255]), (0, 255));
        assert!(
            image
                .data
                .iter()
                .zip(0..=255_u8)
                .all(|(&a, b)| a.abs_diff(b) <= 9)
        );
    }

    #[test]
    fn quality_search_bisects_to_the_highest_fit() {
        let rule = Rule {
            max_bytes: 55,
            ..Preset::WhatsApp.rule(true)
        };
        let mut search = Search {
            rule: &rule,
            preset: Preset::WhatsApp,
            format: ImageFormat::WebP,
            attempts: 0,
            smallest: None,
        };
        // Size = quality: 50 is the highest that fits.
        let steps = [90, 80, 70, 60, 50, 40, 30];
        let mut tried = Vec::new();
        let found = search
            .qualities(&steps, 0, None, &mut |q| {
                tried.push(q);
                Ok(vec![0; usize::from(q)])
            })
            .unwrap();
        assert_eq!(found.map(|f| f.0), Some(50));
        assert!(tried.len() <= 4, "{tried:?}");
        assert_eq!(search.attempts as usize, tried.len());
        // Nothing fits: None, and the smallest is recorded.
        let rule = Rule {
            max_bytes: 5,
            ..rule
        };
        search.rule = &rule;
        let found = search
            .qualities(&steps, 0, None, &mut |q| Ok(vec![0; usize::from(q)]))
            .unwrap();
        assert!(found.is_none());
        assert_eq!(search.smallest.map(|s| s.0), Some(30));
        assert!(search.cannot_fit().to_string().contains("30 bytes"));
    }

    /// Two seconds at 30 fps of a square moving across a 64x64 canvas.
    fn moving_square() -> Animation {
        let json = br#"{"v":"5.7.0","fr":30,"ip":0,"op":60,"w":64,"h":64,"layers":[{"ty":4,"ip":0,"op":60,"st":0,"ks":{"p":{"a":1,"k":[{"t":0,"s":[8,8],"e":[56,56],"i":{"x":[1],"y":[1]},"o":{"x":[0],"y":[0]}},{"t":60,"s":[56,56]}]}},"shapes":[{"ty":"rc","p":{"a":0,"k":[0,0]},"s":{"a":0,"k":[16,16]},"r":{"a":0,"k":0}},{"ty":"fl","c":{"a":0,"k":[1,0.5,0,1]},"o":{"a":0,"k":100}}]}]}"#;
        Animation::from_slice(json).unwrap()
    }

    #[test]
    fn an_animation_that_cannot_fit_names_the_smallest_file() {
        let anim = moving_square();
        let options = PresetOptions {
            preset: Preset::WhatsApp,
            frames: FrameSelection::All,
            format: None,
            background: None,
        };
        let rule = Rule {
            side: 64,
            max_bytes: 200,
            ..Preset::WhatsApp.rule(true)
        };
        let err = export_with_rule(&anim, &options, &rule, &Limits::default()).unwrap_err();
        assert!(matches!(err, PipelineError::PresetCannotFit(_)), "{err}");
        let text = err.to_string();
        assert!(text.contains("at most 200 bytes"), "{text}");
        assert!(
            text.contains("at 6 fps and quality 10"),
            "the last step tried: {text}"
        );
    }

    #[test]
    fn the_search_steps_down_until_the_file_fits() {
        let anim = moving_square();
        let options = PresetOptions {
            preset: Preset::WhatsApp,
            frames: FrameSelection::All,
            format: None,
            background: None,
        };
        let rule = Rule {
            side: 64,
            ..Preset::WhatsApp.rule(true)
        };
        let roomy = export_with_rule(&anim, &options, &rule, &Limits::default()).unwrap();
        assert_eq!(
            (roomy.fps, roomy.quality, roomy.attempts),
            (Some(30.0), 100, 1)
        );
        // Half the lossless size: a lower quality or rate, and the file fits.
        let limit = roomy.export.bytes.len() / 2;
        let rule = Rule {
            max_bytes: limit,
            ..rule
        };
        let tight = export_with_rule(&anim, &options, &rule, &Limits::default()).unwrap();
        assert!(tight.export.bytes.len() <= limit);
        assert!(tight.quality < 100 || tight.fps < Some(30.0), "{tight:?}");
        assert!(tight.attempts > 1);
        // A still: one render, qualities only.
        let still = PresetOptions {
            frames: FrameSelection::One(10),
            ..options
        };
        let out = export_with_rule(
            &anim,
            &still,
            &Preset::WhatsApp.rule(false),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            (out.fps, out.quality, out.format),
            (None, 100, ImageFormat::WebP)
        );
        assert_eq!((out.width, out.height), (512, 512));
    }

    #[test]
    fn a_format_the_preset_does_not_make_is_refused() {
        assert_eq!(
            Preset::Signal.format(false, Some(ImageFormat::Apng)),
            Ok(ImageFormat::Png)
        );
        assert_eq!(
            Preset::TelegramEmoji.format(false, None),
            Ok(ImageFormat::WebP)
        );
        let err = Preset::WhatsApp
            .format(true, Some(ImageFormat::Gif))
            .unwrap_err();
        assert_eq!(err, "the whatsapp preset makes animated webp, not gif");
    }
}

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
//!
//! The platforms' rules are in [`rules`], the search in [`search`].

mod rules;
mod search;

use renderer::Animation;

pub use rules::{Preset, Rule};
use search::{Search, encode_still};

use super::animation::render_still;
use super::{Export, ExportOptions, FrameSelection, Limits, PipelineError};
use crate::encode::ImageFormat;

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

#[cfg(test)]
mod tests {
    use super::search::{frame_rates, posterize};
    use super::*;
    use crate::encode::Image;

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

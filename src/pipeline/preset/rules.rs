//! The platforms' sticker rules: formats, canvas, file size, duration, and the frame rate and
//! quality steps a search may take.

use std::fmt;
use std::str::FromStr;

use crate::encode::ImageFormat;

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

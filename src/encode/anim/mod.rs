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

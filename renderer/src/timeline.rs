//! The timeline: which composition time a frame index is, when a layer is shown, and which time a
//! precomposition's content sees.
//!
//! Lottie counts time in frames of the animation's frame rate (`fr`), from the root
//! composition's in point (`ip`) to its out point (`op`):
//!
//! * Frame `k` of an animation is at time `ip + k`, for `k` in `0..total_frames`, with
//!   `total_frames = ceil(op - ip - 0.001)` ([`Animation::frame_time`]).
//! * A layer is shown while `ip <= t < op`, its own `ip`/`op` being in its composition's time
//!   (`Layer::is_active`).
//! * A layer's own properties are keyed in its composition's time (exporters already add the
//!   layer's start time `st`), so they are evaluated at `t` itself, as rlottie and ThorVG do.
//! * The content of a precomposition layer sees `(t - st) / sr`, or with a time remap (`tm`, in
//!   seconds) `tm(t) * fr / sr` (`Layer::content_time`).

use crate::error::Error;
use crate::model::Animation;
use crate::model::layer::{Layer, LayerContent};

/// A point on an animation's timeline, in frames of its frame rate (see the module docs).
///
/// Frame `k` is [`Animation::frame_time`]`(k)`; times between frames are valid too
/// ([`Time::from_frames`]) and interpolate.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Time(f64);

impl Time {
    /// The time `frames` frames into the composition's timeline (`ip` is the first frame's time,
    /// not 0). A non-finite value is read as the animation's in point when evaluated.
    pub fn from_frames(frames: f64) -> Self {
        Self(frames)
    }

    /// Returns the time in frames.
    pub fn frames(self) -> f64 {
        self.0
    }
}

impl Animation {
    /// Returns the time of frame `index`: `ip + index`.
    ///
    /// # Errors
    ///
    /// [`Error::FrameOutOfRange`] when `index >= total_frames()`.
    pub fn frame_time(&self, index: u64) -> Result<Time, Error> {
        let total = self.total_frames();
        if index >= u64::from(total) {
            return Err(Error::FrameOutOfRange {
                frame: index,
                total,
            });
        }
        Ok(Time(self.in_point + index as f64))
    }

    /// Number of frames: `ceil(op - ip - 0.001)`; frame `k` is at time `ip + k`.
    pub fn total_frames(&self) -> u32 {
        let n = (self.out_point - self.in_point - 0.001).ceil().max(1.0);
        n.min(f64::from(u32::MAX)) as u32
    }

    /// Duration in seconds, `(op - ip) / fr`.
    pub fn duration(&self) -> f64 {
        (self.out_point - self.in_point) / self.frame_rate
    }
}

impl Layer {
    /// Returns `true` when the layer is shown at time `t` of its composition (`ip <= t < op`).
    pub(crate) fn is_active(&self, t: f64) -> bool {
        t >= self.in_point && t < self.out_point
    }

    /// Maps time `t` of the layer's composition to the time its precomposition content sees:
    /// `(t - st) / sr`, or `tm(t) * fr / sr` with a time remap (`tm` is in seconds).
    ///
    /// Only precomposition content is shifted: the layer's own properties are already keyed in
    /// its composition's time, as rlottie and ThorVG read them.
    pub(crate) fn content_time(&self, t: f64, frame_rate: f64) -> f64 {
        let shifted = match &self.content {
            LayerContent::Precomp {
                time_remap: Some(tm),
                ..
            } => tm.at(t) * frame_rate,
            _ => t - self.start_time,
        };
        shifted / self.stretch
    }
}

#[cfg(test)]
mod tests {
    use crate::{Animation, Error};

    #[test]
    fn frame_time_is_in_point_plus_index() {
        let json = br#"{"v":"5.7.0","fr":30,"ip":10,"op":40,"w":8,"h":8,"layers":[]}"#;
        let anim = Animation::from_slice(json).unwrap();
        assert_eq!(anim.total_frames(), 30);
        assert_eq!(anim.frame_time(0).unwrap().frames(), 10.0);
        assert_eq!(anim.frame_time(29).unwrap().frames(), 39.0);
        let err = anim.frame_time(30).unwrap_err();
        assert!(matches!(
            err,
            Error::FrameOutOfRange {
                frame: 30,
                total: 30
            }
        ));
        assert_eq!(
            err.to_string(),
            "frame 30 is out of range; valid frames are 0..=29"
        );
    }

    #[test]
    fn fractional_out_point_counts_a_partial_frame() {
        let json = br#"{"v":"5.7.0","fr":30,"ip":0,"op":29.5,"w":8,"h":8,"layers":[]}"#;
        let anim = Animation::from_slice(json).unwrap();
        assert_eq!(anim.total_frames(), 30);
        assert!((anim.duration() - 29.5 / 30.0).abs() < 1e-12);
    }
}

//! Animatable properties: a static value resolved at import, or keyframes searched by time.

use crate::interpolation::easing::{Easing, Progress};
use crate::interpolation::spatial::SpatialCurve;
use crate::interpolation::tween::Tween;

/// A property value: fixed for the whole animation, or keyframed.
#[derive(Clone, Debug)]
pub(crate) enum Property<T> {
    /// The value never changes (`a: 0`, or a single keyframe).
    Static(T),
    /// Keyframes (`a: 1`).
    Animated(Box<Keyframes<T>>),
}

/// Keyframes of one property, sorted by time, with each segment's start and end resolved at import.
#[derive(Clone, Debug)]
pub(crate) struct Keyframes<T> {
    /// Keyframe times (`t`), in the layer's local frames; at least two, non-decreasing.
    pub(crate) times: Vec<f64>,
    /// `segments[i]` runs from `times[i]` to `times[i + 1]`.
    pub(crate) segments: Vec<Segment<T>>,
    /// The value at and after the last keyframe.
    pub(crate) last: T,
}

/// The interpolation between two consecutive keyframes.
#[derive(Clone, Debug)]
pub(crate) struct Segment<T> {
    /// Value at the segment start (`s`).
    pub(crate) start: T,
    /// Value at the segment end (`e`, or the next keyframe's `s`).
    pub(crate) end: T,
    /// Timing (`o`/`i` tangents, or hold `h`).
    pub(crate) easing: Easing,
    /// Motion path for positions (`to`/`ti`).
    pub(crate) spatial: Option<Box<SpatialCurve>>,
}

impl<T: Tween> Property<T> {
    /// Returns `true` when the value never changes.
    pub(crate) fn is_static(&self) -> bool {
        matches!(self, Self::Static(_))
    }

    /// Writes the value at local time `t` into `out` (no allocation once `out` has capacity).
    pub(crate) fn eval_into(&self, t: f64, out: &mut T) {
        match self {
            Self::Static(v) => out.clone_from(v),
            Self::Animated(k) => k.eval_into(t, out),
        }
    }
}

impl<T: Tween + Copy> Property<T> {
    /// Returns the value at local time `t`.
    pub(crate) fn at(&self, t: f64) -> T {
        match self {
            Self::Static(v) => *v,
            Self::Animated(k) => {
                let mut out = k.last;
                k.eval_into(t, &mut out);
                out
            }
        }
    }
}

impl<T: Tween> Keyframes<T> {
    fn eval_into(&self, t: f64, out: &mut T) {
        let n = self.times.len();
        if self.segments.is_empty() || t.is_nan() || t >= self.times[n - 1] {
            out.clone_from(&self.last);
            return;
        }
        if t <= self.times[0] {
            out.clone_from(&self.segments[0].start);
            return;
        }
        // times[i] <= t < times[i + 1]; a zero-length segment is never selected.
        let i = self.times.partition_point(|&x| x <= t) - 1;
        let segment = &self.segments[i.min(self.segments.len() - 1)];
        match &segment.easing {
            Easing::Hold => out.clone_from(&segment.start),
            Easing::Curves(curves) => {
                let (t0, t1) = (self.times[i], self.times[i + 1]);
                let x = if t1 > t0 { (t - t0) / (t1 - t0) } else { 1.0 };
                let progress = Progress::eased(curves, x);
                T::tween_segment(segment, &progress, out);
            }
        }
    }
}

impl Property<f64> {
    /// Returns `true` when the value is zero at every time.
    pub(crate) fn is_zero(&self) -> bool {
        match self {
            Self::Static(v) => *v == 0.0,
            Self::Animated(k) => {
                k.last == 0.0 && k.segments.iter().all(|s| s.start == 0.0 && s.end == 0.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpolation::easing::CubicEase;

    fn keys(hold: bool) -> Property<f64> {
        let easing = if hold {
            Easing::Hold
        } else {
            Easing::Curves(vec![CubicEase::LINEAR])
        };
        Property::Animated(Box::new(Keyframes {
            times: vec![10.0, 20.0, 30.0],
            segments: vec![
                Segment {
                    start: 0.0,
                    end: 100.0,
                    easing: easing.clone(),
                    spatial: None,
                },
                Segment {
                    start: 100.0,
                    end: 50.0,
                    easing,
                    spatial: None,
                },
            ],
            last: 50.0,
        }))
    }

    #[test]
    fn keyframe_values_on_and_between_keys() {
        let p = keys(false);
        assert_eq!(p.at(0.0), 0.0);
        assert_eq!(p.at(10.0), 0.0);
        assert_eq!(p.at(15.0), 50.0);
        assert_eq!(p.at(20.0), 100.0);
        assert_eq!(p.at(25.0), 75.0);
        assert_eq!(p.at(30.0), 50.0);
        assert_eq!(p.at(99.0), 50.0);
        assert_eq!(p.at(f64::NAN), 50.0);
    }

    #[test]
    fn keyframe_hold_jumps_on_next_key() {
        let p = keys(true);
        assert_eq!(p.at(19.999), 0.0);
        assert_eq!(p.at(20.0), 100.0);
        assert_eq!(p.at(29.0), 100.0);
        assert_eq!(p.at(30.0), 50.0);
    }
}

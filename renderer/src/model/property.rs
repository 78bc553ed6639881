//! Animatable properties: a static value resolved at import, or keyframes (sampled at a time by
//! [`crate::sampling`]).

use crate::interpolation::easing::Easing;
use crate::interpolation::spatial::SpatialCurve;

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

impl<T> Property<T> {
    /// Returns `true` when the value never changes.
    pub(crate) fn is_static(&self) -> bool {
        matches!(self, Self::Static(_))
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

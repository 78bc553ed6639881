//! Interpolation between keyframes: easing curves, value tweening, motion paths.

pub(crate) mod easing;
pub(crate) mod spatial;
pub(crate) mod tween;

//! A property's value at a time: the keyframe segment is found by binary search, eased, and
//! tweened.

use crate::interpolation::easing::{Easing, Progress};
use crate::interpolation::tween::Tween;
use crate::model::property::{Keyframes, Property};
use crate::model::shape::PathData;

impl<T: Tween> Property<T> {
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
    /// Writes the value at local time `t` into `out`: the first segment's start before the
    /// first keyframe, [`Keyframes::last`] from the last one on.
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
                match &segment.spatial {
                    Some(path) => {
                        T::tween_along(path, &segment.start, &segment.end, &progress, out);
                    }
                    None => T::tween(&segment.start, &segment.end, &progress, out),
                }
            }
        }
    }
}

/// Path morphing: each vertex and its tangents move linearly (one progress for all), pairing
/// vertices by index; the shorter path's vertex count wins, and `closed` is the start's.
impl Tween for PathData {
    fn tween(a: &Self, b: &Self, progress: &Progress, out: &mut Self) {
        let t = progress.get(0);
        out.closed = a.closed;
        out.points.clear();
        out.points.extend(
            a.points
                .iter()
                .zip(&b.points)
                .map(|(p, q)| [p[0].lerp(q[0], t), p[1].lerp(q[1], t), p[2].lerp(q[2], t)]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpolation::easing::CubicEase;
    use crate::model::property::Segment;

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

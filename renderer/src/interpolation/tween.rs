//! Linear interpolation of property values between keyframes.

use kurbo::Vec2;

use super::easing::Progress;
use crate::model::property::Segment;
use crate::model::shape::PathData;

/// A value that can be interpolated between two keyframes.
pub(crate) trait Tween: Clone {
    /// Writes the value at eased `progress` from `a` to `b` into `out`.
    fn tween(a: &Self, b: &Self, progress: &Progress, out: &mut Self);

    /// Writes the value of `segment` at `progress` into `out` (spatial curves for positions).
    fn tween_segment(segment: &Segment<Self>, progress: &Progress, out: &mut Self) {
        Self::tween(&segment.start, &segment.end, progress, out);
    }
}

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

impl Tween for f64 {
    fn tween(a: &Self, b: &Self, progress: &Progress, out: &mut Self) {
        *out = lerp(*a, *b, progress.get(0));
    }
}

impl Tween for Vec2 {
    fn tween(a: &Self, b: &Self, progress: &Progress, out: &mut Self) {
        *out = Self::new(
            lerp(a.x, b.x, progress.get(0)),
            lerp(a.y, b.y, progress.get(1)),
        );
    }

    fn tween_segment(segment: &Segment<Self>, progress: &Progress, out: &mut Self) {
        match &segment.spatial {
            Some(curve) => *out = curve.point_at(progress.get(0)),
            None => Self::tween(&segment.start, &segment.end, progress, out),
        }
    }
}

impl Tween for [f64; 4] {
    fn tween(a: &Self, b: &Self, progress: &Progress, out: &mut Self) {
        for i in 0..4 {
            out[i] = lerp(a[i], b[i], progress.get(i));
        }
    }
}

impl Tween for Vec<f64> {
    fn tween(a: &Self, b: &Self, progress: &Progress, out: &mut Self) {
        let n = a.len().min(b.len());
        out.clear();
        let t = progress.get(0);
        out.extend(a.iter().zip(b).take(n).map(|(x, y)| lerp(*x, *y, t)));
    }
}

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

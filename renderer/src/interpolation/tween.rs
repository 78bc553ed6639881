//! Linear interpolation of values between keyframes.

use kurbo::Vec2;

use super::easing::Progress;
use super::spatial::SpatialCurve;

/// A value that can be interpolated between two keyframes.
pub(crate) trait Tween: Clone {
    /// Writes the value at eased `progress` from `a` to `b` into `out`.
    fn tween(a: &Self, b: &Self, progress: &Progress, out: &mut Self);

    /// Writes the value at eased `progress` along the motion path `path` from `a` to `b`.
    ///
    /// Only positions move along a path (keyframe `to`/`ti`); every other value ignores it and
    /// tweens from `a` to `b`.
    fn tween_along(_path: &SpatialCurve, a: &Self, b: &Self, progress: &Progress, out: &mut Self) {
        Self::tween(a, b, progress, out);
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

    fn tween_along(path: &SpatialCurve, _: &Self, _: &Self, progress: &Progress, out: &mut Self) {
        *out = path.point_at(progress.get(0));
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

//! Spatial interpolation: positions that move along a bezier path (keyframe `to`/`ti` tangents).
//!
//! After Effects moves a position along the cubic `s, s + to, e + ti, e` at constant speed, so eased
//! progress is a fraction of the *arc length*, not of the curve parameter. The curve's cumulative
//! length is sampled once at import; evaluation maps length to parameter by a table lookup. The
//! length is measured as rlottie and ThorVG measure it (see [`crate::geometry::measure`]):
//! constant speed is constant in their length metric, not in the Euclidean one (up to 2 px apart on
//! `unigram__DownloadsEmpty.tgs`).

use kurbo::{CubicBez, ParamCurve, Point, Vec2};

use crate::geometry::measure::approx_len;

const SAMPLES: usize = 33;
/// Chords per table sample when measuring the curve.
const SUBSTEPS: usize = 8;

/// A position keyframe segment that follows a cubic bezier.
#[derive(Clone, Debug)]
pub(crate) struct SpatialCurve {
    curve: CubicBez,
    /// Cumulative arc length at parameter `i / (SAMPLES - 1)`.
    lengths: [f64; SAMPLES],
}

impl SpatialCurve {
    /// Builds the curve from start `s`, end `e` and the tangents `to` (out of `s`) and `ti` (into
    /// `e`), relative to their vertices. Returns `None` for a straight segment (both tangents zero).
    pub(crate) fn new(s: Vec2, e: Vec2, to: Vec2, ti: Vec2) -> Option<Self> {
        if to.hypot2() < 1e-12 && ti.hypot2() < 1e-12 {
            return None;
        }
        let curve = CubicBez::new(
            s.to_point(),
            (s + to).to_point(),
            (e + ti).to_point(),
            e.to_point(),
        );
        let mut lengths = [0.0_f64; SAMPLES];
        let step = 1.0 / (SAMPLES - 1) as f64;
        let sub = step / SUBSTEPS as f64;
        let mut prev = curve.p0;
        for i in 1..SAMPLES {
            let mut len = lengths[i - 1];
            for j in 1..=SUBSTEPS {
                let pt = curve.eval((i - 1) as f64 * step + j as f64 * sub);
                len += approx_len(pt - prev);
                prev = pt;
            }
            lengths[i] = len;
        }
        if !lengths[SAMPLES - 1].is_finite() || lengths[SAMPLES - 1] <= 1e-9 {
            return None;
        }
        Some(Self { curve, lengths })
    }

    /// Returns the point at fraction `p` of the arc length (clamped to the curve's ends).
    pub(crate) fn point_at(&self, p: f64) -> Vec2 {
        let total = self.lengths[SAMPLES - 1];
        if p <= 0.0 {
            return self.curve.p0.to_vec2();
        }
        if p >= 1.0 {
            return self.curve.p3.to_vec2();
        }
        let target = p * total;
        let i = self
            .lengths
            .partition_point(|&l| l < target)
            .clamp(1, SAMPLES - 1);
        let (l0, l1) = (self.lengths[i - 1], self.lengths[i]);
        let frac = if l1 > l0 {
            (target - l0) / (l1 - l0)
        } else {
            0.0
        };
        let t = ((i - 1) as f64 + frac) / (SAMPLES - 1) as f64;
        let pt: Point = self.curve.eval(t);
        pt.to_vec2()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spatial_straight_segment_is_none() {
        let c = SpatialCurve::new(Vec2::ZERO, Vec2::new(10.0, 0.0), Vec2::ZERO, Vec2::ZERO);
        assert!(c.is_none(), "no tangents, no curve");
    }

    #[test]
    fn spatial_constant_speed() {
        // Tangents along the line: a straight line with uneven parameterisation.
        let c = SpatialCurve::new(
            Vec2::ZERO,
            Vec2::new(100.0, 0.0),
            Vec2::new(90.0, 0.0),
            Vec2::new(-5.0, 0.0),
        )
        .unwrap();
        let mid = c.point_at(0.5);
        assert!((mid.x - 50.0).abs() < 0.5, "{mid:?}");
        assert_eq!(c.point_at(1.0), Vec2::new(100.0, 0.0));
    }
}

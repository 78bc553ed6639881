//! Zig Zag modifier (`zz`: size `s`, ridges per segment `r`, points `pt`): turns each segment
//! into a zig-zag (or a wave) across the original path.
//!
//! Spec: <https://lottiefiles.github.io/lottie-docs/shapes/#zig-zag>.
//!
//! # Semantics
//!
//! The output visits, in order, every vertex of the input and `r` evenly spaced points
//! (`t = k / (r + 1)`, `k = 1..=r`) on every segment between them, and pushes each point
//! sideways by `s`, alternating sides from one point to the next (the first vertex goes toward
//! `(-dy, dx)`, the right-hand side of the direction of travel on a y-down screen).
//!
//! * On a segment the sideways direction is the segment's normal at `t`; at a vertex it is the
//!   normal of the chord from the previous to the next vertex (wrapping around, also on open
//!   paths, as both lottie-web and ThorVG do); where that chord is empty (the ends of a
//!   two-vertex open path) the vertex stays in place, as in ThorVG.
//! * With `pt = 1` (corner) the points are joined by straight lines. With `pt = 2` (smooth)
//!   each point gets tangents along the direction of travel, of length `chord / (2 (r + 1))`
//!   (the segment's chord for points on a segment; the chord to the previous/next vertex for
//!   the in/out tangent of a vertex), which turns the zig-zag into a wave.
//! * Segments without tangents are treated as uniform lines (lottie-web "linearizes" them), so
//!   the ridges on a straight side are evenly spaced.
//! * A closed path visits its first vertex again at the end; when the number of points is odd
//!   that second visit lies on the other side, exactly as in the reference engines.
//! * `r` is rounded half up and clamped at 0 (lottie-web `Math.max(0, Math.round(r))`).
//!
//! # Which engine this follows
//!
//! rlottie ignores `zz`. We follow lottie-web's `ZigZagModifier`; ThorVG's current
//! `LottieZigZagModifier` is the same construction, but the ThorVG 1.0.4 build we compare with
//! draws `lottiedocs__zig-zag.json` unmodified, so only lottie-web is a usable reference here.

use kurbo::{BezPath, CubicBez, ParamCurve, ParamCurveDeriv, Point, Vec2};

use super::contour::{Contour, Vertex, contours, same_point, to_bez_path};

/// How the zig-zag points are joined (`zz.pt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZigZagPoints {
    /// Straight lines between the points (`pt = 1`).
    Corner,
    /// Smooth curves through the points (`pt = 2`).
    Smooth,
}

impl ZigZagPoints {
    /// Maps Lottie's `pt` value: 2 is smooth, anything else is corner (lottie-web).
    pub(crate) fn from_lottie(pt: f64) -> Self {
        if pt == 2.0 {
            Self::Smooth
        } else {
            Self::Corner
        }
    }
}

/// Applies Zig Zag to every subpath of `path`: `size` is the sideways displacement (`zz.s`),
/// `ridges` the number of points per segment (`zz.r`, rounded half up, at least 0).
///
/// `size == 0` (or NaN) returns the path unchanged.
pub(crate) fn zig_zag(path: &BezPath, size: f64, ridges: f64, points: ZigZagPoints) -> BezPath {
    if size.is_nan() || size == 0.0 {
        return path.clone();
    }
    let ridges = if ridges.is_finite() {
        (ridges + 0.5).floor().max(0.0)
    } else {
        0.0
    };
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "rounded, non-negative, and capped to keep the output bounded"
    )]
    let ridges = ridges.min(1000.0) as u32;
    let zz = ZigZag {
        size,
        ridges,
        smooth: points == ZigZagPoints::Smooth,
    };
    let out: Vec<Contour> = contours(path).iter().map(|c| zz.contour(c)).collect();
    to_bez_path(&out)
}

struct ZigZag {
    size: f64,
    ridges: u32,
    smooth: bool,
}

impl ZigZag {
    fn contour(&self, c: &Contour) -> Contour {
        let count = c.segment_count();
        let mut out = Vec::new();
        if count == 0 {
            return Contour {
                vertices: out,
                closed: c.closed,
            };
        }
        // The sign alternates over every emitted point, starting at +1 toward (-dy, dx)
        // (ThorVG; lottie-web starts at -1 with the opposite normal).
        let mut sign = 1.0;
        self.corner(c, 0, sign, &mut out);
        for i in 0..count {
            for k in 1..=self.ridges {
                sign = -sign;
                self.ridge(&linearized(c.segment(i)), k, sign, &mut out);
            }
            sign = -sign;
            self.corner(c, i + 1, sign, &mut out);
        }
        Contour {
            vertices: out,
            closed: c.closed,
        }
    }

    /// Pushes vertex `index` (modulo the vertex count) of `c`.
    fn corner(&self, c: &Contour, index: usize, sign: f64, out: &mut Vec<Vertex>) {
        let n = c.vertices.len();
        let cur = c.vertices[index % n].point;
        let prev = c.vertices[(index + n - 1) % n].point;
        let next = c.vertices[(index + 1) % n].point;
        let (in_len, out_len) = if self.smooth {
            let d = f64::from(2 * (self.ridges + 1));
            ((cur - prev).hypot() / d, (next - cur).hypot() / d)
        } else {
            (0.0, 0.0)
        };
        out.push(self.displaced(cur, next - prev, sign, in_len, out_len));
    }

    /// Pushes ridge `k` of `seg`.
    fn ridge(&self, seg: &CubicBez, k: u32, sign: f64, out: &mut Vec<Vertex>) {
        let t = f64::from(k) / f64::from(self.ridges + 1);
        let len = if self.smooth {
            (seg.p3 - seg.p0).hypot() / f64::from(2 * (self.ridges + 1))
        } else {
            0.0
        };
        out.push(self.displaced(seg.eval(t), seg.deriv().eval(t).to_vec2(), sign, len, len));
    }

    /// Returns `at` pushed sideways of `dir` by `sign * size`, with tangents along `dir`.
    fn displaced(&self, at: Point, dir: Vec2, sign: f64, in_len: f64, out_len: f64) -> Vertex {
        let len = dir.hypot();
        if len < 1e-12 {
            return Vertex::sharp(at);
        }
        let unit = dir / len;
        let side = Vec2::new(-unit.y, unit.x);
        let point = at + side * (sign * self.size);
        Vertex {
            point,
            in_ctrl: point - unit * in_len,
            out_ctrl: point + unit * out_len,
        }
    }
}

/// Moves a control point that sits on its end point to a third of the chord, so that straight
/// segments are parametrised uniformly and have a tangent at their ends (lottie-web
/// `PolynomialBezier(..., linearize = true)`).
fn linearized(mut c: CubicBez) -> CubicBez {
    if same_point(c.p0, c.p1) {
        c.p1 = c.p0.lerp(c.p3, 1.0 / 3.0);
    }
    if same_point(c.p2, c.p3) {
        c.p2 = c.p0.lerp(c.p3, 2.0 / 3.0);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::{assert_approx_eq, assert_paths_eq, assert_point_eq, polygon};
    use kurbo::PathEl;

    fn vertices(path: &BezPath) -> Vec<Point> {
        path.elements()
            .iter()
            .filter_map(|e| match e {
                PathEl::MoveTo(p) | PathEl::LineTo(p) | PathEl::CurveTo(_, _, p) => Some(*p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn zig_zag_open_line_corner_points() {
        // A horizontal line, 3 ridges, size 2: points at x = 0, 10, 20, 30, 40 alternately
        // pushed to y = +2 / -2 (the first one toward (-dy, dx) = (0, 1)). The end vertices use
        // the wrapped chord (next - prev), which is empty on a two-vertex line, so they stay.
        let line = polygon(&[(0.0, 0.0), (40.0, 0.0)], false);
        let out = zig_zag(&line, 2.0, 3.0, ZigZagPoints::Corner);
        let vs = vertices(&out);
        assert_eq!(vs.len(), 5, "{vs:?}");
        assert_point_eq(vs[0], Point::new(0.0, 0.0));
        assert_point_eq(vs[1], Point::new(10.0, -2.0));
        assert_point_eq(vs[2], Point::new(20.0, 2.0));
        assert_point_eq(vs[3], Point::new(30.0, -2.0));
        assert_point_eq(vs[4], Point::new(40.0, 0.0));
        assert!(
            out.elements()[1..]
                .iter()
                .all(|e| matches!(e, PathEl::LineTo(_))),
            "corner points are joined by lines"
        );
    }

    #[test]
    fn zig_zag_ridges_are_evenly_spaced_on_lines() {
        let line = polygon(&[(0.0, 0.0), (0.0, 60.0), (-5.0, 80.0)], false);
        let out = zig_zag(&line, 1.0, 5.0, ZigZagPoints::Corner);
        let vs = vertices(&out);
        // Ridges on the vertical side at y = 10, 20, ..., 50, displaced along x by +-1.
        for (k, v) in (1..=5).zip(&vs[1..=5]) {
            assert_approx_eq(v.y, 10.0 * f64::from(k));
            assert_approx_eq(v.x.abs(), 1.0);
        }
    }

    #[test]
    fn zig_zag_closed_square_revisits_first_vertex() {
        let sq = polygon(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)], true);
        let out = zig_zag(&sq, 1.0, 1.0, ZigZagPoints::Corner);
        let vs = vertices(&out);
        // 4 corners + 4 ridges + the first corner again.
        assert_eq!(vs.len(), 9, "{vs:?}");
        // Corner (0, 0): chord from (0, 10) to (10, 0), pushed toward (-dy, dx), which points
        // into the square.
        let s = std::f64::consts::FRAC_1_SQRT_2;
        assert_point_eq(vs[0], Point::new(s, s));
        // Ridge in the middle of the top side goes the other way (out of the square).
        assert_point_eq(vs[1], Point::new(5.0, -1.0));
        // With an even number of points per lap, the revisit lands on the start.
        assert_point_eq(vs[8], vs[0]);
        assert_eq!(out.elements().last(), Some(&PathEl::ClosePath));
    }

    #[test]
    fn zig_zag_odd_lap_revisit_switches_side() {
        // A triangle with 0 ridges has 3 points per lap: the revisit of the first vertex lies on
        // the other side (lottie-web and ThorVG do the same).
        let tri = polygon(&[(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)], true);
        let out = zig_zag(&tri, 1.0, 0.0, ZigZagPoints::Corner);
        let vs = vertices(&out);
        assert_eq!(vs.len(), 4, "{vs:?}");
        let mid = Point::new(0.0, 0.0);
        assert_approx_eq((vs[0] - mid).hypot(), 1.0);
        assert_point_eq(vs[3], mid - (vs[0] - mid));
    }

    #[test]
    fn zig_zag_smooth_points_have_tangents() {
        let line = polygon(&[(0.0, 0.0), (40.0, 0.0)], false);
        let out = zig_zag(&line, 2.0, 3.0, ZigZagPoints::Smooth);
        // Tangent length: chord / (2 (r + 1)) = 40 / 8 = 5, along the direction of travel.
        let PathEl::CurveTo(c1, c2, end) = out.elements()[2] else {
            panic!("expected a curve, got {:?}", out.elements()[2]);
        };
        assert_point_eq(c1, Point::new(15.0, -2.0));
        assert_point_eq(c2, Point::new(15.0, 2.0));
        assert_point_eq(end, Point::new(20.0, 2.0));
    }

    #[test]
    fn zig_zag_ridges_round_half_up_and_clamp() {
        let line = polygon(&[(0.0, 0.0), (40.0, 0.0)], false);
        let count = |r: f64| vertices(&zig_zag(&line, 1.0, r, ZigZagPoints::Corner)).len();
        assert_eq!(count(2.5), 5, "2.5 rounds to 3");
        assert_eq!(count(2.4), 4, "2.4 rounds to 2");
        assert_eq!(count(-3.0), 2, "negative means none");
    }

    #[test]
    fn zig_zag_zero_size_is_identity() {
        let line = polygon(&[(0.0, 0.0), (40.0, 0.0)], false);
        assert_paths_eq(&zig_zag(&line, 0.0, 3.0, ZigZagPoints::Smooth), &line);
    }

    #[test]
    fn zig_zag_points_from_lottie() {
        assert_eq!(ZigZagPoints::from_lottie(1.0), ZigZagPoints::Corner);
        assert_eq!(ZigZagPoints::from_lottie(2.0), ZigZagPoints::Smooth);
        assert_eq!(ZigZagPoints::from_lottie(0.0), ZigZagPoints::Corner);
    }

    #[test]
    fn zig_zag_follows_curves() {
        // A half circle as one cubic-ish arc: the middle ridge is pushed along the curve's
        // normal, i.e. radially.
        let mut p = BezPath::new();
        p.move_to((-10.0, 0.0));
        p.curve_to((-10.0, -13.333), (10.0, -13.333), (10.0, 0.0));
        let out = zig_zag(&p, 1.0, 1.0, ZigZagPoints::Corner);
        let vs = vertices(&out);
        let mid =
            CubicBez::new((-10.0, 0.0), (-10.0, -13.333), (10.0, -13.333), (10.0, 0.0)).eval(0.5);
        assert_approx_eq(vs[1].x, 0.0);
        assert_approx_eq((vs[1].y - mid.y).abs(), 1.0);
    }
}

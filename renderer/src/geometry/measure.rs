//! Path lengths as rlottie measures them: for trim paths, dashes and motion paths.
//!
//! rlottie (`VLine::length`, `VBezier::length`) and ThorVG (`_lineLength`, `bezLength`) do not
//! use the Euclidean length of a segment but the "alpha max plus beta min" estimate
//! `max(|dx|, |dy|) + 3/8 min(|dx|, |dy|)`, summed over a fine subdivision of the curve. It is
//! within 7 % of the true length, and the error depends on the direction: a diagonal stretch
//! counts about 3 % more than a horizontal one of the same length. Trim ends, dash positions and
//! positions along a motion path are fractions of that length, so a true arc length puts them up
//! to a few pixels away from where Telegram (rlottie) draws them.

use kurbo::{ParamCurve, PathSeg, Vec2};

/// Table intervals per curved segment.
const INTERVALS: usize = 16;
/// Chords per interval when measuring a curve.
const CHORDS: usize = 4;

/// The "alpha max plus beta min" length of `d` (alpha 1, beta 3/8), as rlottie and ThorVG
/// measure every line.
pub(crate) fn approx_len(d: Vec2) -> f64 {
    let (x, y) = (d.x.abs(), d.y.abs());
    if x > y { x + 0.375 * y } else { y + 0.375 * x }
}

/// The cumulative length of one segment at `INTERVALS + 1` evenly spaced parameters.
#[derive(Clone, Debug)]
pub(crate) struct SegLength {
    /// `None` for a line, whose length grows linearly with the parameter.
    table: Option<[f64; INTERVALS + 1]>,
    total: f64,
}

impl SegLength {
    /// Measures `seg`.
    pub(crate) fn new(seg: &PathSeg) -> Self {
        if let PathSeg::Line(l) = seg {
            return Self {
                table: None,
                total: approx_len(l.p1 - l.p0),
            };
        }
        let mut table = [0.0; INTERVALS + 1];
        let step = 1.0 / (INTERVALS * CHORDS) as f64;
        let mut prev = seg.start();
        let mut len = 0.0;
        for (i, slot) in table.iter_mut().enumerate().skip(1) {
            for j in 1..=CHORDS {
                let p = seg.eval(((i - 1) * CHORDS + j) as f64 * step);
                len += approx_len(p - prev);
                prev = p;
            }
            *slot = len;
        }
        Self {
            table: Some(table),
            total: len,
        }
    }

    /// The segment's length.
    pub(crate) fn total(&self) -> f64 {
        self.total
    }

    /// The parameter where the length from the start reaches `at` (clamped to `0..=1`).
    pub(crate) fn t_at(&self, at: f64) -> f64 {
        if at <= 0.0 || self.total <= 0.0 {
            return 0.0;
        }
        if at >= self.total {
            return 1.0;
        }
        let Some(table) = &self.table else {
            return at / self.total;
        };
        let i = table.partition_point(|&l| l < at).clamp(1, INTERVALS);
        let (l0, l1) = (table[i - 1], table[i]);
        let frac = if l1 > l0 { (at - l0) / (l1 - l0) } else { 0.0 };
        ((i - 1) as f64 + frac) / INTERVALS as f64
    }
}

/// The length of `seg`, measured as rlottie does.
pub(crate) fn seg_len(seg: &PathSeg) -> f64 {
    SegLength::new(seg).total()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::assert_approx_eq;
    use kurbo::{CubicBez, Line};

    #[test]
    fn measure_line_uses_approximate_norm() {
        assert_approx_eq(approx_len(Vec2::new(3.0, -4.0)), 4.0 + 0.375 * 3.0);
        let seg = PathSeg::Line(Line::new((0.0, 0.0), (10.0, 0.0)));
        assert_approx_eq(seg_len(&seg), 10.0);
        assert_approx_eq(SegLength::new(&seg).t_at(2.5), 0.25);
    }

    #[test]
    fn measure_straight_cubic_is_monotonic_in_length() {
        // A straight cubic with uneven speed: the length-to-parameter map undoes the speed.
        let seg = PathSeg::Cubic(CubicBez::new(
            (0.0, 0.0),
            (90.0, 0.0),
            (95.0, 0.0),
            (100.0, 0.0),
        ));
        let m = SegLength::new(&seg);
        assert!((m.total() - 100.0).abs() < 1e-6);
        let t = m.t_at(50.0);
        assert!((seg.eval(t).x - 50.0).abs() < 0.5, "{t}");
    }
}

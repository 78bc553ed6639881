//! Keyframe easing: CSS-style cubic-bezier timing curves, solved for `y` at a given `x`.
//!
//! A Lottie keyframe carries an out tangent `o` and the next keyframe's in tangent `i`; together they
//! are the control points `(o.x, o.y)` and `(i.x, i.y)` of a cubic bezier from `(0, 0)` to `(1, 1)`.
//! The curve maps linear progress `x` (time) to eased progress `y`. `x(t)` is monotonic when both
//! control x values are within `0..=1` (they are clamped there), so `t` is found by Newton steps with
//! a bisection fallback, as in `WebKit`'s `UnitBezier`.

/// One cubic-bezier timing curve from `(0, 0)` to `(1, 1)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CubicEase {
    /// Polynomial coefficients of `x(t) = ((ax t + bx) t + cx) t`.
    ax: f64,
    bx: f64,
    cx: f64,
    /// Polynomial coefficients of `y(t)`.
    ay: f64,
    by: f64,
    cy: f64,
    /// The curve is the identity (control points on the diagonal).
    linear: bool,
}

impl CubicEase {
    /// The identity curve.
    pub(crate) const LINEAR: Self = Self {
        ax: 0.0,
        bx: 0.0,
        cx: 1.0,
        ay: 0.0,
        by: 0.0,
        cy: 1.0,
        linear: true,
    };

    /// Creates the curve with control points `(x1, y1)` and `(x2, y2)`; x values are clamped to
    /// `0..=1`, non-finite values read as linear.
    pub(crate) fn new(x1: f64, y1: f64, x2: f64, y2: f64) -> Self {
        if ![x1, y1, x2, y2].iter().all(|v| v.is_finite()) {
            return Self::LINEAR;
        }
        let x1 = x1.clamp(0.0, 1.0);
        let x2 = x2.clamp(0.0, 1.0);
        if (x1 - y1).abs() < 1e-9 && (x2 - y2).abs() < 1e-9 {
            return Self::LINEAR;
        }
        let cx = 3.0 * x1;
        let bx = 3.0 * (x2 - x1) - cx;
        let ax = 1.0 - cx - bx;
        let cy = 3.0 * y1;
        let by = 3.0 * (y2 - y1) - cy;
        let ay = 1.0 - cy - by;
        Self {
            ax,
            bx,
            cx,
            ay,
            by,
            cy,
            linear: false,
        }
    }

    /// Returns the eased progress for linear progress `x` in `0..=1`.
    pub(crate) fn apply(&self, x: f64) -> f64 {
        if self.linear || x <= 0.0 || x >= 1.0 {
            return x.clamp(0.0, 1.0);
        }
        let t = self.solve_t(x);
        ((self.ay * t + self.by) * t + self.cy) * t
    }

    fn x_at(&self, t: f64) -> f64 {
        ((self.ax * t + self.bx) * t + self.cx) * t
    }

    fn solve_t(&self, x: f64) -> f64 {
        // Newton steps from t = x converge in a few iterations on typical curves.
        let mut t = x;
        for _ in 0..8 {
            let err = self.x_at(t) - x;
            if err.abs() < 1e-7 {
                return t;
            }
            let d = (3.0 * self.ax * t + 2.0 * self.bx) * t + self.cx;
            if d.abs() < 1e-6 {
                break;
            }
            t -= err / d;
            if !(0.0..=1.0).contains(&t) {
                break;
            }
        }
        // Bisection: x(t) is monotonic on 0..=1 because the control x values are in 0..=1.
        let (mut lo, mut hi) = (0.0, 1.0);
        t = x;
        for _ in 0..40 {
            let v = self.x_at(t);
            if (v - x).abs() < 1e-7 {
                break;
            }
            if v < x {
                lo = t;
            } else {
                hi = t;
            }
            t = 0.5 * (lo + hi);
        }
        t
    }
}

/// How a keyframe segment moves from its start value to its end value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Easing {
    /// Jumps at the next keyframe (`h: 1`).
    Hold,
    /// One curve per dimension (a curve for each entry of `o.x`/`i.x`; the last repeats).
    Curves(Vec<CubicEase>),
}

/// Eased progress per dimension for one evaluation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Progress {
    values: [f64; 4],
    n: usize,
}

impl Progress {
    /// Evaluates `curves` at linear progress `x`.
    pub(crate) fn eased(curves: &[CubicEase], x: f64) -> Self {
        let mut out = Self {
            values: [x; 4],
            n: curves.len().clamp(1, 4),
        };
        for (slot, curve) in out.values.iter_mut().zip(curves) {
            *slot = curve.apply(x);
        }
        out
    }

    /// Progress in dimension `dim`.
    pub(crate) fn get(&self, dim: usize) -> f64 {
        self.values[dim.min(self.n - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_approx_eq(a: f64, b: f64, eps: f64) {
        assert!((a - b).abs() <= eps, "{a} != {b} (eps {eps})");
    }

    #[test]
    fn easing_linear_is_identity() {
        let e = CubicEase::new(0.5, 0.5, 0.5, 0.5);
        for i in 0..=10 {
            let x = f64::from(i) / 10.0;
            assert_approx_eq(e.apply(x), x, 1e-12);
        }
    }

    #[test]
    fn easing_ease_in_out_is_symmetric() {
        let e = CubicEase::new(0.42, 0.0, 0.58, 1.0);
        assert_approx_eq(e.apply(0.5), 0.5, 1e-6);
        assert_approx_eq(e.apply(0.25) + e.apply(0.75), 1.0, 1e-6);
        // CSS ease-in-out at x = 0.25 is about 0.1291.
        assert_approx_eq(e.apply(0.25), 0.1291, 1e-3);
    }

    #[test]
    fn easing_steep_curve_solves() {
        let e = CubicEase::new(1.0, 0.0, 0.0, 1.0);
        assert_approx_eq(e.apply(0.5), 0.5, 1e-5);
        assert!(e.apply(0.1) < 0.05, "slow start");
        let n = CubicEase::new(f64::NAN, 0.0, 1.0, 1.0);
        assert_approx_eq(n.apply(0.3), 0.3, 1e-12);
    }

    #[test]
    fn easing_progress_per_dimension() {
        let p = Progress::eased(
            &[CubicEase::LINEAR, CubicEase::new(1.0, 0.0, 1.0, 0.0)],
            0.5,
        );
        assert_approx_eq(p.get(0), 0.5, 1e-12);
        assert!(p.get(1) < 0.5, "second dimension eases");
        assert_approx_eq(p.get(3), p.get(1), 1e-12);
    }
}

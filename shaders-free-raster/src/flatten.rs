//! Curves to lines in output pixels, on the references' 1/64 px grid.

use kurbo::{Affine, BezPath, PathEl, Point};
use vello_common::fearless_simd::Level;
use vello_common::flatten::{FlattenCtx, Line};
use vello_common::geometry::RectU16;

/// Largest distance, in output pixels, between a curve and the lines that replace it.
///
/// vello_cpu flattens curves to within 0.25 px. The chords of a convex curve lie inside it, so
/// at that tolerance every curved outline comes out about 0.1 px inset: a 300 px circle loses
/// 110 px² of its area, where rlottie and ThorVG (which subdivide far more finely) are exact to a
/// few px². That shows as an edge difference along every curve. Flattening finer removes the
/// bias. Until session 5 fills were flattened in their own space to 0.1 divided by the
/// transform's Frobenius norm (√2 times a uniform scale), and strokes to 0.1/√2 px; over the
/// corpus 0.1 scored better than both 0.05 and 0.2. Now both are flattened in output pixels,
/// to what that was under a uniform scale.
const FLATTEN_TOLERANCE: f64 = 0.1 / std::f64::consts::SQRT_2;

/// The tolerance `vello_common`'s flattener works to, in the space it flattens in (`TOL` there).
const VELLO_TOLERANCE: f64 = 0.25;

/// Outlines are flattened this many times larger than in output pixels, so that `vello_common`'s
/// fixed [`VELLO_TOLERANCE`] is [`FLATTEN_TOLERANCE`] in output pixels.
const FLATTEN_SCALE: f64 = VELLO_TOLERANCE / FLATTEN_TOLERANCE;

/// Steps per output pixel of the coordinate grid of rlottie and ThorVG.
///
/// Both scan-convert FreeType-style, in 26.6 fixed point: every point of an outline, after its
/// transform, is truncated to 1/64 px, and a stroke's half width too. We do the same, so that
/// edges land on the same fraction of a pixel as in the references (a 0.7 px coverage comes out
/// as 176 rather than 179, a 8.8 px stroke as 8.78 px wide). Over the corpus this raised the
/// median PSNR of a frame by 0.4 dB against rlottie and 0.3 dB against ThorVG.
const SUBPIXEL_STEPS: f64 = 64.0;

/// Truncates a coordinate in output pixels to the references' grid (towards zero, as their
/// float-to-fixed conversion does).
///
/// `f64::trunc` is a libm call on the baseline x86-64 target (1 % of the render time in perf);
/// a cast to `i64` truncates towards zero too, and is exact wherever it is taken.
pub(crate) fn to_grid(v: f64) -> f64 {
    let steps = v * SUBPIXEL_STEPS;
    let truncated = if steps.abs() < 4_503_599_627_370_496.0 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "|steps| < 2^52: the cast truncates towards zero exactly, as `trunc` does"
        )]
        let whole = steps as i64;
        #[expect(clippy::cast_precision_loss, reason = "|whole| < 2^52 is exact in f64")]
        let whole = whole as f64;
        // -0.5 truncates to -0.0, the cast to +0.
        whole.copysign(steps)
    } else {
        // Already whole (or NaN or infinite): as `trunc` leaves it.
        steps.trunc()
    };
    truncated / SUBPIXEL_STEPS
}

/// How far, in output pixels, a point that went through `f32` may have come out short of where it
/// was (towards zero): `f32` holds 24 bits, so a coordinate of up to 4,096 px comes back within
/// 1/4096 px (scaling by [`FLATTEN_SCALE`] does not change the relative error). Points are moved
/// this far outwards before they are truncated to the grid, so that one on a grid line (a
/// rectangle's corner at whole pixels) stays there, as it did in `f64`.
const F32_SLACK: f64 = 1.0 / 4096.0;

/// Turns curves into lines with `vello_common`'s flattener: the same subdivision as kurbo's
/// `flatten` (curves to quadratics, each cut where its parabola's arc length says), but
/// vectorised, in `f32`, and faster: kurbo's `flatten` was about 14 % of the render time (perf,
/// every frame of the 512x512 corpus stickers). The points come out in `f32`, which in the few
/// thousand pixels of an output is exact to 1/10,000 px, well within the 1/64 px grid they are
/// snapped to (see [`F32_SLACK`]).
pub(crate) struct Flattener {
    level: Level,
    lines: Vec<Line>,
    ctx: FlattenCtx,
}

impl Default for Flattener {
    fn default() -> Self {
        Self {
            level: Level::try_detect().unwrap_or(Level::baseline()),
            lines: Vec::new(),
            ctx: FlattenCtx::default(),
        }
    }
}

impl Flattener {
    /// Writes into `out` the outline `path` covers under `m`, in output pixels: curves replaced
    /// by lines within [`FLATTEN_TOLERANCE`], every point on the references' grid, every subpath
    /// closed.
    ///
    /// `vello_common`'s flattener leaves out curves wholly above, right of or below what it draws
    /// (here: above the output, or past 2^16 / [`FLATTEN_SCALE`] px), leaving a gap; such a
    /// gap is bridged by a line, which lies out there too and so covers nothing.
    pub(crate) fn outline(&mut self, path: &BezPath, m: Affine, out: &mut BezPath) {
        let scaled = Affine::scale(FLATTEN_SCALE) * m;
        // A product rather than a quotient: off by an ulp, well within the slack.
        let unscale = FLATTEN_SCALE.recip();
        let snap = |p: vello_common::flatten::Point| {
            let x = f64::from(p.x) * unscale;
            let y = f64::from(p.y) * unscale;
            Point::new(
                to_grid(x + F32_SLACK.copysign(x)),
                to_grid(y + F32_SLACK.copysign(y)),
            )
        };
        let cull = RectU16::new(0, 0, u16::MAX, u16::MAX);
        // Pushed to a `Vec` rather than through `BezPath::push`, which is not inlined.
        let mut els = std::mem::take(out).into_elements();
        els.clear();
        let elements = path.elements();
        let mut start = 0;
        while start < elements.len() {
            // One subpath at a time, so that a gap in the lines is a left-out curve.
            let end = elements[start + 1..]
                .iter()
                .position(|el| matches!(el, PathEl::MoveTo(_)))
                .map_or(elements.len(), |k| start + 1 + k);
            vello_common::flatten::fill(
                self.level,
                elements[start..end].iter().copied(),
                scaled,
                &mut self.lines,
                &mut self.ctx,
                cull,
            );
            start = end;
            let Some(first) = self.lines.first() else {
                continue;
            };
            els.reserve(self.lines.len() + 2);
            els.push(PathEl::MoveTo(snap(first.p0)));
            let mut last = first.p0;
            for line in &self.lines {
                if line.p0 != last {
                    els.push(PathEl::LineTo(snap(line.p0)));
                }
                els.push(PathEl::LineTo(snap(line.p1)));
                last = line.p1;
            }
            els.push(PathEl::ClosePath);
        }
        *out = BezPath::from_vec(els);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_truncates_towards_zero_as_trunc_does() {
        for v in [
            0.0,
            -0.0,
            0.01,
            -0.01,
            6.7,
            -6.7,
            1e6 + 0.3,
            -1e6 - 0.3,
            7.0e13,
            1e300,
            -1e300,
        ] {
            let want = (v * SUBPIXEL_STEPS).trunc() / SUBPIXEL_STEPS;
            assert_eq!(to_grid(v).to_bits(), want.to_bits(), "{v}");
        }
        assert!(to_grid(f64::NAN).is_nan());
        assert_eq!(to_grid(f64::INFINITY), f64::INFINITY);
    }
}

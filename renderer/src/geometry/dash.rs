//! Stroke dashes (`st.d`): reads Lottie's dash entries into a pattern the way rlottie reads them
//! ([`dashing`]), and cuts a path into dashes with that pattern ([`dash_path`]).
//!
//! Spec: <https://lottiefiles.github.io/lottie-docs/shapes/#stroke-dashes>.
//!
//! The engine cuts the dashes into the path itself, so the strokes of a draw list are solid and
//! a rasterizer never dashes. A general dasher (kurbo's `dash`, SVG's `stroke-dasharray`) would
//! place them differently: Lottie's rules are rlottie's, and differ from SVG's in these ways:
//!
//! * **Entry order.** `st.d` is a list of `{n, v}` entries, `n` being `d` (dash), `g` (gap) or
//!   `o` (offset), and the offset is not always last (`lottiedocs__stroke.json` puts it first).
//!   The caller passes the `d`/`g` values in file order and the `o` value separately.
//! * **Odd counts.** SVG (and kurbo) repeat an odd list twice: `[10, 5, 5]` dashes as
//!   `10 on, 5 off, 5 on, 10 off, 5 on, 5 off`. rlottie (`model::Dash::getDashInfo`) instead
//!   supplies the missing last gap by copying the last dash: `[10, 5, 5, 5]`. The two agree for a
//!   single entry (`[d]` becomes `[d, d]`).
//! * **Zero-length dashes.** rlottie's `VDasher` skips them, so `d = 0` with round caps draws
//!   nothing. ThorVG and lottie-web draw a dot per zero-length dash instead. We follow rlottie:
//!   [`dashing`] merges zero-length dashes into the surrounding gaps, so [`dash_path`] never
//!   cuts an empty dash (which a stroker would drop, except where floating-point noise leaves it
//!   a hair long, so a row of dots would come out with some dots missing).
//! * **Degenerate patterns.** All dashes and gaps zero, or all gaps zero: rlottie draws the solid
//!   stroke. All dashes zero: rlottie draws nothing. A dasher would loop or divide by a zero
//!   period on an all-zero pattern, so these never reach [`dash_path`] ([`Dashing::Solid`],
//!   [`Dashing::Hidden`]).
//! * **Offset.** rlottie takes the offset modulo the length of the *last* dash/gap pair only
//!   (`VDasher::moveTo` assigns instead of summing the pattern length), then walks the whole
//!   pattern from its start; on patterns of one pair this is the usual modulo, on longer ones
//!   (`tgswift__premium_reaction_effect_4.tgs`: `[1, 42, 1, 34]`, animated offset) it shifts the
//!   phase. We reproduce it, since Telegram draws with rlottie. rlottie restarts the pattern at
//!   every subpath, and so does [`dash_path`].
//! * **Lengths.** rlottie's `VDasher` measures curves with its own metric, not the Euclidean
//!   arc length; [`dash_path`] measures as it does (see [`super::measure`]).
//!
//! Checked against rlottie 1.3.8 and ThorVG 1.0.4 with a 200 px line, width 6: `[10, 42, 10, 34]`
//! with offset 50 gives dashes at x = 0..4, 46..56, 90..100 in rlottie (offset taken as 6) and
//! 2..12, 46..56, 98..108 in ThorVG (offset 50 of 96); `[10, 5, 5]` gives 0..10, 15..20, 25..35,
//! 40..45 in rlottie; `[0, 10]` with round caps gives nothing in rlottie and a dot every 10 in
//! ThorVG; `[0, 10, 5, 5]` gives 10..15, 30..35, ... in both. [`dashing`] reproduces the rlottie
//! column (see the tests).
//!
//! Negative entries count as zero, and a non-finite entry makes the stroke solid (rlottie has no
//! guard; these only come from broken files).

use kurbo::{BezPath, CubicBez, Line, ParamCurve, PathEl, PathSeg, Point, QuadBez};

use super::measure::SegLength;

/// How to stroke a path with Lottie dashes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Dashing {
    /// Draw the stroke without dashes.
    Solid,
    /// Draw nothing (every dash has zero length).
    Hidden,
    /// Cut the path with [`dash_path`]`(path, pattern, offset)`; `pattern` has an even number
    /// of entries, all of its dashes are longer than zero, and its period is positive.
    Dashed {
        /// Alternating dash and gap lengths.
        pattern: Vec<f64>,
        /// Distance into the pattern at the start of each subpath.
        offset: f64,
    },
}

/// Converts Lottie dash entries to a [`Dashing`], as rlottie interprets them.
///
/// `lengths` are the values of the `d` and `g` entries of `st.d` in file order (dash, gap, dash,
/// ...), already evaluated at the frame; `offset` is the value of the `o` entry (0 if none).
/// Scale all values with the stroke width if the stroke is drawn in a scaled space.
pub(crate) fn dashing(lengths: &[f64], offset: f64) -> Dashing {
    if lengths.is_empty() || lengths.iter().any(|v| !v.is_finite()) {
        return Dashing::Solid;
    }
    let mut pairs: Vec<(f64, f64)> = lengths
        .chunks(2)
        .map(|c| {
            let dash = c[0].max(0.0);
            // rlottie: a missing last gap copies the last dash.
            let gap = c.get(1).copied().unwrap_or(c[0]).max(0.0);
            (dash, gap)
        })
        .collect();
    let no_dash = pairs.iter().all(|&(d, _)| d == 0.0);
    let no_gap = pairs.iter().all(|&(_, g)| g == 0.0);
    if no_gap {
        // Also covers "no dash and no gap", which rlottie draws solid.
        return Dashing::Solid;
    }
    if no_dash {
        return Dashing::Hidden;
    }

    // rlottie's offset: modulo the last pair's length, made positive.
    let (last_d, last_g) = *pairs.last().expect("not empty");
    let last = last_d + last_g;
    let mut offset = if offset.is_finite() && offset != 0.0 && last > 0.0 {
        offset.rem_euclid(last)
    } else {
        0.0
    };

    // Merge zero-length dashes into the gaps around them. The nonzero dashes keep their
    // positions in the period; the new pattern starts at the first of them, so the offset
    // moves back by that dash's start.
    if pairs.iter().any(|&(d, _)| d == 0.0) {
        let period: f64 = pairs.iter().map(|&(d, g)| d + g).sum();
        let mut starts = Vec::with_capacity(pairs.len());
        let mut pos = 0.0;
        for &(d, g) in &pairs {
            if d > 0.0 {
                starts.push((pos, d));
            }
            pos += d + g;
        }
        let first_start = starts[0].0;
        pairs = starts
            .iter()
            .enumerate()
            .map(|(i, &(s, d))| {
                let next = starts.get(i + 1).map_or(first_start + period, |n| n.0);
                (d, next - s - d)
            })
            .collect();
        offset -= first_start;
    }

    Dashing::Dashed {
        pattern: pairs.iter().flat_map(|&(d, g)| [d, g]).collect(),
        offset,
    }
}

/// Most pattern repetitions cut along one path (see [`dash_path`]).
const MAX_DASH_PERIODS: f64 = 20_000.0;

/// A path too long for its dash pattern: more than [`MAX_DASH_PERIODS`] repetitions (or a length
/// that is not finite). Cutting costs time per dash, so a long path with a tiny pattern (hostile
/// input, or a degenerate animation) could take minutes; at that density the dashes are far
/// below a pixel apart, and the solid stroke faded by `coverage` looks the same.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TooDense {
    /// The fraction of the line the dashes cover, in `0..=1`.
    pub(crate) coverage: f32,
}

/// Dashes `path` with `pattern` (alternating dash and gap lengths, as [`Dashing::Dashed`] gives
/// them) starting `offset` into the pattern at every subpath, and appends the dashes to `out`.
///
/// Unlike `kurbo::dash`, lengths are measured as rlottie's `VDasher` measures them (see
/// [`super::measure`]), so dashes on diagonals and curves land where rlottie draws them.
/// `pattern` must hold an even number of non-negative entries with a positive sum.
///
/// # Errors
///
/// [`TooDense`], with `out` untouched, when the pattern would repeat more than
/// [`MAX_DASH_PERIODS`] times along the path: this is the one place that decides when dashes
/// are too dense to cut.
pub(crate) fn dash_path(
    path: &BezPath,
    pattern: &[f64],
    offset: f64,
    out: &mut BezPath,
) -> Result<(), TooDense> {
    let period: f64 = pattern.iter().sum();
    if pattern.is_empty() || period <= 0.0 || !period.is_finite() {
        out.extend(path.elements().iter().copied());
        return Ok(());
    }
    // The control polygon is never shorter than the curve: it bounds the number of dashes.
    let mut bound = 0.0;
    let mut last = Point::ZERO;
    for el in path.elements() {
        if let Some(p) = el.end_point() {
            if !matches!(el, PathEl::MoveTo(_)) {
                bound += (p - last).hypot();
            }
            last = p;
        }
    }
    let periods = bound / period;
    if periods.is_nan() || periods > MAX_DASH_PERIODS {
        let on: f64 = pattern.iter().step_by(2).sum();
        let coverage = (on / period).clamp(0.0, 1.0) as f32;
        return Err(TooDense { coverage });
    }
    // Pattern index and length left in that entry at the start of every subpath.
    let mut phase = offset.rem_euclid(period);
    let mut start_index = 0;
    while phase >= pattern[start_index] && phase > 0.0 {
        phase -= pattern[start_index];
        start_index = (start_index + 1) % pattern.len();
        if start_index == 0 {
            break;
        }
    }
    let start_left = pattern[start_index] - phase;

    let mut index = start_index;
    let mut left = start_left;
    let mut pen: Option<Point> = None;
    let mut first = Point::ZERO;
    let mut last = Point::ZERO;
    for el in path.elements() {
        let seg = match *el {
            PathEl::MoveTo(p) => {
                first = p;
                last = p;
                index = start_index;
                left = start_left;
                pen = None;
                continue;
            }
            PathEl::LineTo(p) => PathSeg::Line(Line::new(last, p)),
            PathEl::QuadTo(a, p) => PathSeg::Quad(QuadBez::new(last, a, p)),
            PathEl::CurveTo(a, b, p) => PathSeg::Cubic(CubicBez::new(last, a, b, p)),
            PathEl::ClosePath => {
                if last == first {
                    continue;
                }
                PathSeg::Line(Line::new(last, first))
            }
        };
        last = seg.end();
        let measure = SegLength::new(&seg);
        let total = measure.total();
        let mut pos = 0.0;
        // Walk the pattern entries that end inside this segment.
        loop {
            let end = pos + left;
            let on = index % 2 == 0;
            let done = end >= total;
            let to = if done { total } else { end };
            if on && to > pos {
                let (t0, t1) = (measure.t_at(pos), measure.t_at(to));
                let part = if t0 <= 0.0 && t1 >= 1.0 {
                    seg
                } else {
                    seg.subsegment(t0..t1)
                };
                if pen != Some(part.start()) {
                    out.move_to(part.start());
                }
                match part {
                    PathSeg::Line(l) => out.line_to(l.p1),
                    PathSeg::Quad(q) => out.quad_to(q.p1, q.p2),
                    PathSeg::Cubic(c) => out.curve_to(c.p1, c.p2, c.p3),
                }
                pen = Some(part.end());
            }
            if done {
                left = end - total;
                break;
            }
            pos = end;
            index = (index + 1) % pattern.len();
            left = pattern[index];
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::assert_approx_eq;

    fn dashed(lengths: &[f64], offset: f64) -> (Vec<f64>, f64) {
        match dashing(lengths, offset) {
            Dashing::Dashed { pattern, offset } => (pattern, offset),
            other => panic!("expected a dash pattern, got {other:?}"),
        }
    }

    /// Returns the (start, end) x of every dash kurbo draws along a horizontal line of `len`.
    fn dash_spans(lengths: &[f64], offset: f64, len: f64) -> Vec<(f64, f64)> {
        let (pattern, offset) = dashed(lengths, offset);
        let mut line = BezPath::new();
        line.move_to((0.0, 0.0));
        line.line_to((len, 0.0));
        let mut spans: Vec<(f64, f64)> = Vec::new();
        let mut start = 0.0;
        let mut dashed = BezPath::new();
        dash_path(&line, &pattern, offset, &mut dashed).unwrap();
        for el in dashed.elements().iter().copied() {
            match el {
                PathEl::MoveTo(p) => start = p.x,
                PathEl::LineTo(p) => spans.push((start, p.x)),
                other => panic!("unexpected {other:?}"),
            }
        }
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        spans
    }

    #[track_caller]
    fn assert_spans(got: &[(f64, f64)], want: &[(f64, f64)]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert_approx_eq(g.0, w.0);
            assert_approx_eq(g.1, w.1);
        }
    }

    #[test]
    fn dash_even_pattern_passes_through() {
        assert_eq!(dashed(&[10.0, 5.0], 3.0), (vec![10.0, 5.0], 3.0));
    }

    #[test]
    fn dash_odd_count_copies_last_dash_as_gap() {
        assert_eq!(dashed(&[25.0], 0.0).0, vec![25.0, 25.0]);
        assert_eq!(dashed(&[10.0, 5.0, 5.0], 0.0).0, vec![10.0, 5.0, 5.0, 5.0]);
    }

    #[test]
    fn dash_degenerate_patterns() {
        assert_eq!(dashing(&[], 0.0), Dashing::Solid);
        assert_eq!(dashing(&[0.0, 0.0], 5.0), Dashing::Solid);
        assert_eq!(
            dashing(&[0.0], -17.0),
            Dashing::Solid,
            "unigram JoinRequested"
        );
        assert_eq!(dashing(&[10.0, 0.0], 0.0), Dashing::Solid);
        assert_eq!(dashing(&[0.0, 10.0], 0.0), Dashing::Hidden);
        assert_eq!(dashing(&[f64::NAN, 10.0], 0.0), Dashing::Solid);
        assert_eq!(dashing(&[-5.0, 10.0], 0.0), Dashing::Hidden);
    }

    #[test]
    fn dash_zero_length_dashes_are_skipped() {
        // [0, 10, 5, 5]: the only visible dash starts at 10 in a period of 20.
        let (pattern, offset) = dashed(&[0.0, 10.0, 5.0, 5.0], 0.0);
        assert_eq!(pattern, vec![5.0, 15.0]);
        assert_approx_eq(offset, -10.0);
        assert_spans(
            &dash_spans(&[0.0, 10.0, 5.0, 5.0], 0.0, 40.0),
            &[(10.0, 15.0), (30.0, 35.0)],
        );
    }

    #[test]
    fn dash_zero_length_middle_dash_merges_gaps() {
        // [5, 5, 0, 10]: dash at 0..5, nothing at 10, period 20.
        assert_eq!(dashed(&[5.0, 5.0, 0.0, 10.0], 0.0), (vec![5.0, 15.0], 0.0));
    }

    #[test]
    fn dash_offset_is_positive_modulo_last_pair() {
        assert_approx_eq(dashed(&[10.0, 10.0], -5.0).1, 15.0);
        assert_approx_eq(dashed(&[10.0, 10.0], 45.0).1, 5.0);
        // rlottie's quirk: the modulo uses the last pair (1 + 34), not the period (78).
        assert_approx_eq(dashed(&[1.0, 42.0, 1.0, 34.0], 50.0).1, 15.0);
    }

    #[test]
    fn dash_matches_rlottie_reference_spans() {
        // The rlottie spans of the check described in the module docs.
        let spans = dash_spans(&[10.0, 42.0, 10.0, 34.0], 50.0, 200.0);
        assert_spans(
            &spans,
            &[
                (0.0, 4.0),
                (46.0, 56.0),
                (90.0, 100.0),
                (142.0, 152.0),
                (186.0, 196.0),
            ],
        );
        let spans = dash_spans(&[10.0, 5.0, 5.0], 0.0, 45.0);
        assert_spans(
            &spans,
            &[(0.0, 10.0), (15.0, 20.0), (25.0, 35.0), (40.0, 45.0)],
        );
    }

    #[test]
    fn dash_offset_shifts_pattern_forward() {
        // Offset 5 on [10, 10]: the line starts 5 into the first dash.
        assert_spans(
            &dash_spans(&[10.0, 10.0], 5.0, 40.0),
            &[(0.0, 5.0), (15.0, 25.0), (35.0, 40.0)],
        );
    }

    #[test]
    fn dash_path_continues_across_segments() {
        // A 10x10 square with [15, 5]: the first dash turns the corner without a new subpath.
        let mut square = BezPath::new();
        square.move_to((0.0, 0.0));
        square.line_to((10.0, 0.0));
        square.line_to((10.0, 10.0));
        square.line_to((0.0, 10.0));
        square.close_path();
        let mut out = BezPath::new();
        dash_path(&square, &[15.0, 5.0], 0.0, &mut out).unwrap();
        let els = out.elements();
        assert_eq!(els[0], PathEl::MoveTo((0.0, 0.0).into()));
        assert_eq!(els[1], PathEl::LineTo((10.0, 0.0).into()));
        assert_eq!(els[2], PathEl::LineTo((10.0, 5.0).into()));
        assert_eq!(els[3], PathEl::MoveTo((10.0, 10.0).into()));
    }

    #[test]
    fn dash_path_measures_diagonals_like_rlottie() {
        // A 45-degree line of Euclidean length 10 * sqrt(2) is 13.75 long to rlottie.
        let mut line = BezPath::new();
        line.move_to((0.0, 0.0));
        line.line_to((10.0, 10.0));
        let mut out = BezPath::new();
        dash_path(&line, &[13.75 / 2.0, 100.0], 0.0, &mut out).unwrap();
        match out.elements()[1] {
            PathEl::LineTo(p) => {
                assert_approx_eq(p.x, 5.0);
                assert_approx_eq(p.y, 5.0);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn dense_dashes_are_not_cut() {
        let mut line = BezPath::new();
        line.move_to((0.0, 0.0));
        line.line_to((1000.0, 0.0));
        let mut out = BezPath::new();
        assert_eq!(
            dash_path(&line, &[0.01, 0.03], 0.0, &mut out),
            Err(TooDense { coverage: 0.25 })
        );
        assert!(out.elements().is_empty());
        dash_path(&line, &[0.1, 0.1], 0.0, &mut out).unwrap();
        assert_eq!(out.elements().len(), 2 * 5000);
    }
}

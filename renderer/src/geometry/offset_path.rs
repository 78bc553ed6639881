//! Offset Path modifier (`op`: amount `a`, line join `lj`, miter limit `ml`): grows or shrinks
//! every subpath by a distance.
//!
//! Spec: <https://lottiefiles.github.io/lottie-docs/shapes/#offset-path>.
//!
//! # Semantics
//!
//! Each segment is moved sideways by `|a|`: outward for `a > 0`, inward for `a < 0`, whichever
//! way the subpath runs ("outward" is decided by the sign of its area, an open subpath counting
//! as closed by a straight line). Lines move rigidly; curves are replaced by kurbo's
//! approximation of their parallel curve (`kurbo::offset::offset_cubic`, within
//! [`TOLERANCE`]). Where two moved segments no longer meet at a vertex:
//!
//! * on the outer side of the turn a join fills the gap: miter (`lj = 1`, the two edges
//!   extended to their intersection, falling back to bevel when the miter is longer than
//!   `ml * |a|` from the vertex, the stroke miter rule), round (`lj = 2`, a circular arc of
//!   radius `|a|` around the original vertex) or bevel (`lj = 3`, a straight line);
//! * on the inner side the two segments overlap, and both are cut at their intersection. When
//!   they do not intersect (the offset is larger than the segments), their ends are joined by
//!   a straight line.
//!
//! An open subpath stays open and is offset on one side only. The self-intersections that
//! large inward offsets create across non-adjacent segments are kept; they draw like the
//! reference engines' output under the nonzero rule in the cases we checked.
//!
//! # Which engine this follows
//!
//! rlottie ignores `op`. We follow **ThorVG** (`LottieOffsetModifier`): orientation-independent
//! growth for positive amounts, the stroke-style miter limit (a ratio to the offset), trimming of
//! inner corners at the intersection, open paths offset on one side. lottie-web's
//! `OffsetPathModifier` differs in three ways we do not copy: its direction depends on the
//! path's winding (a positive amount shrinks a counter-clockwise path), its miter limit is an
//! absolute distance, and it closes open paths into an outline. Round joins are true circular
//! arcs here, where ThorVG and lottie-web approximate them with one cubic.

use kurbo::{Arc, BezPath, CubicBez, Join, Line, ParamCurve, PathEl, PathSeg, Point, Shape, Vec2};

use super::contour::{Contour, contours, same_point};

/// Accuracy of offset curves and round joins, in path units.
pub(crate) const TOLERANCE: f64 = 1e-3;

/// Offsets every subpath of `path` by `amount` (outward when positive), joining the moved
/// segments with `join`; `miter_limit` is the longest miter as a multiple of `|amount|`.
///
/// `amount == 0` (or NaN) returns the path unchanged.
pub(crate) fn offset_path(path: &BezPath, amount: f64, join: Join, miter_limit: f64) -> BezPath {
    if amount.is_nan() || amount == 0.0 {
        return path.clone();
    }
    let mut out = BezPath::new();
    for c in contours(path) {
        offset_contour(&c, amount, join, miter_limit, &mut out);
    }
    out
}

/// One input segment after offsetting: the pieces of its parallel curve, the original vertex it
/// ends at, and its unit tangents at both ends.
struct Moved {
    pieces: Vec<PathSeg>,
    end_vertex: Point,
    start_tangent: Vec2,
    end_tangent: Vec2,
}

fn offset_contour(c: &Contour, amount: f64, join: Join, miter_limit: f64, out: &mut BezPath) {
    // Which side is outward: kurbo's `turn_90` side when the area is negative (y-down
    // counter-clockwise), the other side when positive.
    let mut closed_copy = c.clone();
    closed_copy.closed = true;
    let mut as_closed = BezPath::new();
    closed_copy.append_to(&mut as_closed);
    let area = as_closed.area();
    let d = if area > 0.0 { -amount } else { amount };

    let moved: Vec<Moved> = (0..c.segment_count())
        .filter_map(|i| offset_segment(c.segment(i), d))
        .collect();
    let Some(first) = moved.first() else {
        // Nothing with a direction to offset: keep the points as they are.
        c.append_to(out);
        return;
    };

    // Decide every joint (trimming overlapping inner corners, collecting outer joins) before
    // emitting anything: trimming changes the ends of both neighbours.
    let n = moved.len();
    let joints = if c.closed { n } else { n - 1 };
    let mut pieces: Vec<Vec<PathSeg>> = moved.iter().map(|m| m.pieces.clone()).collect();
    let mut joins: Vec<Vec<PathEl>> = vec![Vec::new(); n];
    for j in 0..joints {
        let k = (j + 1) % n;
        let (a, b) = (&moved[j], &moved[k]);
        let (Some(end), Some(start)) = (
            pieces[j].last().map(PathSeg::end),
            pieces[k].first().map(PathSeg::start),
        ) else {
            continue;
        };
        if (end - start).hypot() <= TOLERANCE {
            // A smooth vertex: the offset curves already meet.
            continue;
        }
        // The path turns toward the offset side (positive cross product and `d` turn toward
        // kurbo's `turn_90` side): the moved segments overlap. A full reversal counts as outer.
        let turn = a.end_tangent.cross(b.start_tangent);
        let inner = turn * d > 0.0 && a.end_tangent.dot(b.start_tangent) > -1.0 + 1e-9;
        if inner {
            if j == k || !trim_overlap(&mut pieces, j, k) {
                joins[j].push(PathEl::LineTo(start));
            }
        } else {
            outer_join(
                &mut joins[j],
                a.end_vertex,
                end,
                start,
                a.end_tangent,
                b.start_tangent,
                d,
                join,
                miter_limit,
            );
        }
    }

    let start = pieces
        .iter()
        .find_map(|p| p.first().map(PathSeg::start))
        .unwrap_or(first.end_vertex);
    out.move_to(start);
    for (seg_pieces, join_els) in pieces.iter().zip(&joins) {
        for piece in seg_pieces {
            push_seg(out, *piece);
        }
        for el in join_els {
            out.push(*el);
        }
    }
    if c.closed {
        out.close_path();
    }
}

/// Offsets one segment by `d` toward kurbo's `turn_90` side; `None` for a segment without a
/// direction (a point).
fn offset_segment(c: CubicBez, d: f64) -> Option<Moved> {
    let (start_tangent, end_tangent) = end_tangents(c)?;
    let pieces = if is_straight(c) {
        let n = start_tangent.turn_90() * d;
        vec![PathSeg::Line(Line::new(c.p0 + n, c.p3 + n))]
    } else {
        let mut offset = BezPath::new();
        kurbo::offset::offset_cubic(c, d, TOLERANCE, &mut offset);
        offset.segments().collect()
    };
    Some(Moved {
        pieces,
        end_vertex: c.p3,
        start_tangent,
        end_tangent,
    })
}

/// Returns the unit tangents at the start and at the end of `c`, skipping control points that
/// sit on their end point.
fn end_tangents(c: CubicBez) -> Option<(Vec2, Vec2)> {
    let start = [c.p1, c.p2, c.p3]
        .into_iter()
        .map(|p| p - c.p0)
        .find(|v| v.hypot() > 1e-9)?;
    let end = [c.p2, c.p1, c.p0]
        .into_iter()
        .map(|p| c.p3 - p)
        .find(|v| v.hypot() > 1e-9)?;
    Some((start.normalize(), end.normalize()))
}

/// Returns whether all control points of `c` lie on the chord between its ends (within the
/// chord), so that it draws as a straight line.
fn is_straight(c: CubicBez) -> bool {
    if same_point(c.p0, c.p1) && same_point(c.p2, c.p3) {
        return true;
    }
    let chord = c.p3 - c.p0;
    let len2 = chord.hypot2();
    if len2 < 1e-18 {
        return false;
    }
    [c.p1, c.p2].into_iter().all(|p| {
        let v = p - c.p0;
        let t = v.dot(chord) / len2;
        (v.cross(chord).abs() / len2.sqrt()) < 1e-9 && (0.0..=1.0).contains(&t)
    })
}

/// Adds the join that fills the gap between `end` (of the segment arriving at `vertex`) and
/// `start` (of the segment leaving it) on the outer side of the turn.
fn outer_join(
    els: &mut Vec<PathEl>,
    vertex: Point,
    end: Point,
    start: Point,
    tan_in: Vec2,
    tan_out: Vec2,
    d: f64,
    join: Join,
    miter_limit: f64,
) {
    match join {
        Join::Bevel => {}
        Join::Miter => {
            // The two edges meet at `end + s tan_in`; the tip's distance from the vertex is
            // |d| / cos(theta / 2) for a turn of theta.
            let denom = tan_in.cross(tan_out);
            if denom.abs() > 1e-12 {
                let s = (start - end).cross(tan_out) / denom;
                let tip = end + tan_in * s;
                if s > 0.0 && (tip - vertex).hypot() <= miter_limit * d.abs() {
                    els.push(PathEl::LineTo(tip));
                }
            }
        }
        Join::Round => {
            let (a, b) = (end - vertex, start - vertex);
            let sweep = a.cross(b).atan2(a.dot(b));
            let arc = Arc::new(vertex, Vec2::new(d.abs(), d.abs()), a.atan2(), sweep, 0.0);
            els.extend(arc.append_iter(TOLERANCE));
            // The arc ends on `start`.
            return;
        }
    }
    els.push(PathEl::LineTo(start));
}

/// Cuts the tail of `pieces[a]` and the head of `pieces[b]` at their intersection nearest to
/// the joint; returns `false` when they do not intersect.
fn trim_overlap(pieces: &mut [Vec<PathSeg>], a: usize, b: usize) -> bool {
    // Search from the joint outward: the last pieces of `a` against the first pieces of `b`.
    for ia in (0..pieces[a].len()).rev() {
        for ib in 0..pieces[b].len() {
            if let Some((ta, tb)) = last_intersection(pieces[a][ia], pieces[b][ib]) {
                let sa = pieces[a][ia].subsegment(0.0..ta);
                pieces[a].truncate(ia);
                pieces[a].push(sa);
                let sb = pieces[b][ib].subsegment(tb..1.0);
                pieces[b].drain(..ib);
                pieces[b][0] = sb;
                return true;
            }
        }
    }
    false
}

/// Returns the intersection of `a` and `b` with the largest parameter on `a`, as `(ta, tb)`.
fn last_intersection(a: PathSeg, b: PathSeg) -> Option<(f64, f64)> {
    let mut hits = Vec::new();
    match (a, b) {
        (_, PathSeg::Line(l)) => {
            hits.extend(
                a.intersect_line(l)
                    .into_iter()
                    .map(|h| (h.segment_t, h.line_t)),
            );
        }
        (PathSeg::Line(l), _) => {
            hits.extend(
                b.intersect_line(l)
                    .into_iter()
                    .map(|h| (h.line_t, h.segment_t)),
            );
        }
        _ => {
            let mut steps = MAX_SUBDIVISION_STEPS;
            subdivide(a, 0.0, 1.0, b, 0.0, 1.0, 0, &mut steps, &mut hits);
        }
    }
    hits.into_iter().max_by(|x, y| x.0.total_cmp(&y.0))
}

/// Most box pairs one curve/curve intersection may test.
///
/// Where two curves run along each other, every level of [`subdivide`] keeps most of its four
/// box pairs, so the work grows fourfold per level; and at coordinates of 10^11 (a fuzzed mask
/// expansion) the boxes never shrink below the tolerance before the depth limit. That took
/// seconds per frame, past the render's time budget, which is only checked between layers. Real
/// crossings are found within a few hundred tests; past the cap the crossings found so far stand.
const MAX_SUBDIVISION_STEPS: u32 = 4096;

/// Curve/curve intersection by recursive subdivision of bounding boxes (as lottie-web does),
/// down to [`TOLERANCE`] / 10, within `steps` box-pair tests.
fn subdivide(
    a: PathSeg,
    a0: f64,
    a1: f64,
    b: PathSeg,
    b0: f64,
    b1: f64,
    depth: u32,
    steps: &mut u32,
    hits: &mut Vec<(f64, f64)>,
) {
    let Some(left) = steps.checked_sub(1) else {
        return;
    };
    *steps = left;
    let (sa, sb) = (a.subsegment(a0..a1), b.subsegment(b0..b1));
    let (ba, bb) = (sa.bounding_box(), sb.bounding_box());
    if ba.x1 < bb.x0 || bb.x1 < ba.x0 || ba.y1 < bb.y0 || bb.y1 < ba.y0 {
        return;
    }
    let small = |r: kurbo::Rect| r.width().max(r.height()) < TOLERANCE / 10.0;
    if depth >= 40 || (small(ba) && small(bb)) {
        let (ta, tb) = ((a0 + a1) / 2.0, (b0 + b1) / 2.0);
        // Neighbouring boxes report the same crossing; keep one.
        if !hits
            .iter()
            .any(|h: &(f64, f64)| (h.0 - ta).abs() < 1e-6 && (h.1 - tb).abs() < 1e-6)
        {
            hits.push((ta, tb));
        }
        return;
    }
    let (am, bm) = ((a0 + a1) / 2.0, (b0 + b1) / 2.0);
    subdivide(a, a0, am, b, b0, bm, depth + 1, steps, hits);
    subdivide(a, a0, am, b, bm, b1, depth + 1, steps, hits);
    subdivide(a, am, a1, b, b0, bm, depth + 1, steps, hits);
    subdivide(a, am, a1, b, bm, b1, depth + 1, steps, hits);
}

fn push_seg(out: &mut BezPath, seg: PathSeg) {
    match seg {
        PathSeg::Line(l) => out.line_to(l.p1),
        PathSeg::Quad(q) => out.quad_to(q.p1, q.p2),
        PathSeg::Cubic(c) => out.curve_to(c.p1, c.p2, c.p3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::{assert_approx_eq, assert_paths_eq, polygon};

    fn square(clockwise: bool) -> BezPath {
        let mut pts = vec![(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)];
        if !clockwise {
            pts.reverse();
        }
        polygon(&pts, true)
    }

    fn area(p: &BezPath) -> f64 {
        p.area().abs()
    }

    #[test]
    fn offset_path_grows_square_with_miter() {
        for cw in [true, false] {
            let out = offset_path(&square(cw), 10.0, Join::Miter, 4.0);
            let bbox = out.bounding_box();
            assert_approx_eq(bbox.x0, -10.0);
            assert_approx_eq(bbox.y1, 110.0);
            assert_approx_eq(area(&out), 120.0 * 120.0);
        }
    }

    #[test]
    fn offset_path_shrinks_square_with_trimmed_corners() {
        for cw in [true, false] {
            let out = offset_path(&square(cw), -10.0, Join::Miter, 4.0);
            let bbox = out.bounding_box();
            assert_approx_eq(bbox.x0, 10.0);
            assert_approx_eq(bbox.x1, 90.0);
            // Corners cut at the intersections: exactly the 80 x 80 square, no ears.
            assert_approx_eq(area(&out), 80.0 * 80.0);
            let corners = out
                .elements()
                .iter()
                .filter(|e| matches!(e, PathEl::LineTo(_)))
                .count();
            assert_eq!(corners, 4, "{:?}", out.elements());
        }
    }

    #[test]
    fn offset_path_bevel_cuts_corners() {
        let out = offset_path(&square(true), 10.0, Join::Bevel, 4.0);
        // 120 x 120 minus four right triangles with legs 10.
        assert_approx_eq(area(&out), 120.0 * 120.0 - 4.0 * 50.0);
    }

    #[test]
    fn offset_path_round_join_is_a_quarter_circle() {
        let out = offset_path(&square(true), 10.0, Join::Round, 4.0);
        let expected = 100.0 * 100.0 + 4.0 * 100.0 * 10.0 + std::f64::consts::PI * 100.0;
        assert!(
            (area(&out) - expected).abs() < 0.05,
            "{} vs {expected}",
            area(&out)
        );
    }

    #[test]
    fn offset_path_miter_limit_falls_back_to_bevel() {
        // A right angle's miter is sqrt(2) |a| from the vertex: limit 1.4 bevels, 1.5 miters.
        let beveled = offset_path(&square(true), 10.0, Join::Miter, 1.4);
        assert_approx_eq(area(&beveled), 120.0 * 120.0 - 4.0 * 50.0);
        let mitered = offset_path(&square(true), 10.0, Join::Miter, 1.5);
        assert_approx_eq(area(&mitered), 120.0 * 120.0);
    }

    #[test]
    fn offset_path_circle_radius_changes() {
        for cw in [true, false] {
            let mut circle = kurbo::Circle::new((0.0, 0.0), 50.0).to_path(1e-6);
            if !cw {
                circle = circle.reverse_subpaths();
            }
            let grown = offset_path(&circle, 5.0, Join::Round, 4.0);
            let want = std::f64::consts::PI * 55.0 * 55.0;
            assert!(
                (area(&grown) - want).abs() < want * 1e-3,
                "{} vs {want}",
                area(&grown)
            );
            let shrunk = offset_path(&circle, -5.0, Join::Round, 4.0);
            let want = std::f64::consts::PI * 45.0 * 45.0;
            assert!(
                (area(&shrunk) - want).abs() < want * 1e-3,
                "{} vs {want}",
                area(&shrunk)
            );
        }
    }

    #[test]
    fn offset_path_open_path_stays_open_one_sided() {
        let l = polygon(&[(0.0, 0.0), (100.0, 0.0), (100.0, 50.0)], false);
        let out = offset_path(&l, 5.0, Join::Miter, 4.0);
        assert!(
            !out.elements().contains(&PathEl::ClosePath),
            "{:?}",
            out.elements()
        );
        // The implied closure runs clockwise on screen, so outward is up and to the right.
        assert_eq!(out.elements()[0], PathEl::MoveTo(Point::new(0.0, -5.0)));
        assert_eq!(
            out.elements()[1..],
            [
                PathEl::LineTo(Point::new(100.0, -5.0)),
                PathEl::LineTo(Point::new(105.0, -5.0)),
                PathEl::LineTo(Point::new(105.0, 0.0)),
                PathEl::LineTo(Point::new(105.0, 50.0)),
            ]
        );
    }

    #[test]
    fn offset_path_zero_is_identity() {
        assert_paths_eq(
            &offset_path(&square(true), 0.0, Join::Round, 4.0),
            &square(true),
        );
    }

    #[test]
    fn offset_path_skips_zero_length_segments() {
        let p = polygon(
            &[
                (0.0, 0.0),
                (100.0, 0.0),
                (100.0, 0.0),
                (100.0, 100.0),
                (0.0, 100.0),
            ],
            true,
        );
        let out = offset_path(&p, 10.0, Join::Miter, 4.0);
        assert_approx_eq(area(&out), 120.0 * 120.0);
    }

    #[test]
    fn offset_path_star_inner_corners_are_trimmed() {
        // The lottie-docs star grown by 10 with round joins: the area grows by about
        // perimeter * 10 (plus the round corners at the 5 tips, minus the cuts at the 5 inner
        // corners), and the path does not cross itself at the inner corners.
        let pts: Vec<(f64, f64)> = (0..10)
            .map(|k| {
                let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::PI * f64::from(k) / 5.0;
                let r = if k % 2 == 0 { 222.7 } else { 111.4 };
                (r * a.cos(), r * a.sin())
            })
            .collect();
        let star = polygon(&pts, true);
        let out = offset_path(&star, 10.0, Join::Round, 4.0);
        let perimeter = star.perimeter(1e-9);
        let grown = area(&out) - area(&star);
        assert!(
            grown > 0.9 * perimeter * 10.0 && grown < 1.1 * perimeter * 10.0,
            "grew by {grown}, perimeter {perimeter}"
        );
        let lines = out
            .elements()
            .iter()
            .filter(|e| matches!(e, PathEl::LineTo(_)))
            .count();
        // One line per side; the tips are arcs and the inner corners trims.
        assert_eq!(lines, 10, "{:?}", out.elements());
    }

    #[test]
    fn offset_path_intersection_of_coincident_huge_curves_is_bounded() {
        // Two copies of one curve 10^11 units long: every box pair overlaps at every level and
        // no box gets small, so without the step cap this search is 4^40 box tests.
        let c = kurbo::CubicBez::new((0.0, 0.0), (3e11, 1e11), (6e11, -1e11), (9e11, 0.0));
        let mut steps = MAX_SUBDIVISION_STEPS;
        let mut hits = Vec::new();
        subdivide(
            c.into(),
            0.0,
            1.0,
            c.into(),
            0.0,
            1.0,
            0,
            &mut steps,
            &mut hits,
        );
        assert_eq!(steps, 0, "the search stopped at the cap");
        assert!(!hits.is_empty() && hits.len() < MAX_SUBDIVISION_STEPS as usize);
        assert!(last_intersection(c.into(), c.into()).is_some());
    }
}

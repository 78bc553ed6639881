//! Lottie's vertex form of a path: points with absolute in/out control points, converted from
//! and back to [`BezPath`].
//!
//! The shape modifiers are defined on Lottie's own path representation (`v`, `i`, `o`: a
//! vertex with an in tangent and an out tangent), not on drawing commands: "round every sharp
//! vertex", "move every vertex toward the centre". A vertex is *sharp* when both of its
//! tangents are zero, which in absolute form means that both control points coincide with the
//! vertex. [`contours`] recovers that form from a [`BezPath`]: a `LineTo` gives both of its
//! ends a zero tangent on that side, a `QuadTo` is raised to a cubic, and a closed subpath whose
//! last point repeats the first (how a closed Lottie path with a curved closing segment comes
//! out as drawing commands) folds that repeat back into the first vertex.

use kurbo::{BezPath, CubicBez, PathEl, Point};

/// Distance under which two points count as the same point.
///
/// Lottie tangents are exact zeros when they are zero (the JSON says `[0, 0]`), so a tiny
/// value is enough; anything visible must stay a real tangent.
pub(crate) const POINT_EPSILON: f64 = 1e-9;

/// Returns whether `a` and `b` are the same point, up to [`POINT_EPSILON`].
pub(crate) fn same_point(a: Point, b: Point) -> bool {
    (a - b).hypot2() <= POINT_EPSILON * POINT_EPSILON
}

/// One vertex of a contour: the point and its absolute in and out control points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Vertex {
    /// The vertex itself (Lottie `v`).
    pub(crate) point: Point,
    /// Control point of the segment arriving at this vertex (Lottie `v + i`).
    pub(crate) in_ctrl: Point,
    /// Control point of the segment leaving this vertex (Lottie `v + o`).
    pub(crate) out_ctrl: Point,
}

impl Vertex {
    /// Creates a vertex with zero tangents.
    pub(crate) fn sharp(point: Point) -> Self {
        Self {
            point,
            in_ctrl: point,
            out_ctrl: point,
        }
    }

    /// Returns whether both tangents are zero (straight segments meet here, or a curve meets
    /// another curve at an angle, as Lottie sees it).
    pub(crate) fn is_sharp(&self) -> bool {
        same_point(self.in_ctrl, self.point) && same_point(self.out_ctrl, self.point)
    }
}

/// One subpath in vertex form.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Contour {
    /// The vertices, in path order; a closed contour does not repeat the first one at the end.
    pub(crate) vertices: Vec<Vertex>,
    /// Whether a segment runs from the last vertex back to the first.
    pub(crate) closed: bool,
}

impl Contour {
    /// Returns the number of segments: one per vertex when closed, one less when open.
    pub(crate) fn segment_count(&self) -> usize {
        match self.vertices.len() {
            0 => 0,
            n if self.closed => n,
            n => n - 1,
        }
    }

    /// Returns segment `i`, from vertex `i` to vertex `i + 1` (wrapping when closed).
    pub(crate) fn segment(&self, i: usize) -> CubicBez {
        let a = &self.vertices[i];
        let b = &self.vertices[(i + 1) % self.vertices.len()];
        CubicBez::new(a.point, a.out_ctrl, b.in_ctrl, b.point)
    }

    /// Appends the contour to `path`, drawing segments with zero tangents as `LineTo`.
    pub(crate) fn append_to(&self, path: &mut BezPath) {
        let Some(first) = self.vertices.first() else {
            return;
        };
        path.move_to(first.point);
        let n = self.vertices.len();
        for i in 0..self.segment_count() {
            let c = self.segment(i);
            let closing = i + 1 == n;
            if same_point(c.p0, c.p1) && same_point(c.p2, c.p3) {
                // A straight closing segment is implied by `ClosePath`.
                if !closing {
                    path.line_to(c.p3);
                }
            } else {
                path.curve_to(c.p1, c.p2, c.p3);
            }
        }
        if self.closed {
            path.close_path();
        }
    }
}

/// Splits `path` into contours in vertex form, one per subpath.
pub(crate) fn contours(path: &BezPath) -> Vec<Contour> {
    let mut out = Vec::new();
    let mut current = Contour::default();
    let flush = |c: &mut Contour, out: &mut Vec<Contour>| {
        if !c.vertices.is_empty() {
            out.push(std::mem::take(c));
        }
    };
    for el in path.elements() {
        match *el {
            PathEl::MoveTo(p) => {
                flush(&mut current, &mut out);
                current.vertices.push(Vertex::sharp(p));
            }
            PathEl::LineTo(p) => push_segment(&mut current, None, p, p),
            PathEl::QuadTo(p1, p2) => {
                let p0 = current.vertices.last().map_or(p1, |v| v.point);
                let c1 = p0 + (p1 - p0) * (2.0 / 3.0);
                let c2 = p2 + (p1 - p2) * (2.0 / 3.0);
                push_segment(&mut current, Some(c1), c2, p2);
            }
            PathEl::CurveTo(p1, p2, p3) => push_segment(&mut current, Some(p1), p2, p3),
            PathEl::ClosePath => {
                let n = current.vertices.len();
                if n > 1 && same_point(current.vertices[n - 1].point, current.vertices[0].point) {
                    let last = current.vertices.pop().expect("n > 1");
                    current.vertices[0].in_ctrl = last.in_ctrl;
                }
                current.closed = true;
                flush(&mut current, &mut out);
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

/// Adds a segment ending at `end` to `c`; `out_ctrl` of `None` keeps a zero out tangent.
fn push_segment(c: &mut Contour, out_ctrl: Option<Point>, in_ctrl: Point, end: Point) {
    match c.vertices.last_mut() {
        Some(last) => {
            if let Some(p) = out_ctrl {
                last.out_ctrl = p;
            }
        }
        // A segment without a MoveTo starts at the origin, as in kurbo.
        None => c.vertices.push(Vertex::sharp(Point::ORIGIN)),
    }
    c.vertices.push(Vertex {
        point: end,
        in_ctrl,
        out_ctrl: end,
    });
}

/// Rebuilds a [`BezPath`] from contours.
pub(crate) fn to_bez_path(contours: &[Contour]) -> BezPath {
    let mut path = BezPath::new();
    for c in contours {
        c.append_to(&mut path);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::assert_paths_eq;

    #[test]
    fn contour_from_lines_is_sharp() {
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.line_to((10.0, 0.0));
        p.line_to((10.0, 10.0));
        p.close_path();
        let cs = contours(&p);
        assert_eq!(cs.len(), 1, "one subpath");
        assert!(cs[0].closed, "closed");
        assert_eq!(cs[0].vertices.len(), 3, "three vertices");
        assert!(cs[0].vertices.iter().all(Vertex::is_sharp), "all sharp");
        assert_eq!(cs[0].segment_count(), 3, "closing segment counted");
        let closing = cs[0].segment(2);
        assert!(
            same_point(closing.p0, closing.p1) && same_point(closing.p2, closing.p3),
            "closing segment is a line"
        );
    }

    #[test]
    fn contour_closing_repeat_folds_into_first_vertex() {
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.curve_to((5.0, -5.0), (10.0, -5.0), (10.0, 0.0));
        p.curve_to((10.0, 5.0), (0.0, 5.0), (0.0, 0.0));
        p.close_path();
        let cs = contours(&p);
        assert_eq!(cs[0].vertices.len(), 2, "repeat removed");
        assert_eq!(
            cs[0].vertices[0].in_ctrl,
            Point::new(0.0, 5.0),
            "in tangent kept"
        );
        assert!(!cs[0].vertices[0].is_sharp(), "curved vertex");
        assert_paths_eq(&to_bez_path(&cs), &p);
    }

    #[test]
    fn contour_round_trip_keeps_lines_and_open_paths() {
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.line_to((10.0, 0.0));
        p.curve_to((12.0, 0.0), (14.0, 2.0), (14.0, 4.0));
        p.move_to((20.0, 20.0));
        p.line_to((30.0, 20.0));
        p.line_to((30.0, 30.0));
        p.close_path();
        let cs = contours(&p);
        assert_eq!(cs.len(), 2, "two subpaths");
        assert!(!cs[0].closed && cs[1].closed, "open then closed");
        assert_paths_eq(&to_bez_path(&cs), &p);
    }

    #[test]
    fn contour_quad_is_raised_to_cubic() {
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.quad_to((3.0, 3.0), (6.0, 0.0));
        let c = &contours(&p)[0];
        let seg = c.segment(0);
        assert_eq!(seg.p1, Point::new(2.0, 2.0), "first control");
        assert_eq!(seg.p2, Point::new(4.0, 2.0), "second control");
    }
}

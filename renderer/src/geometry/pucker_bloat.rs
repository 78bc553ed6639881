//! Pucker/Bloat modifier (`pb`, amount `a` in percent): pulls vertices toward the centre and
//! pushes their control points away from it, or the other way round.
//!
//! Spec: <https://lottiefiles.github.io/lottie-docs/shapes/#pucker-bloat>.
//!
//! # Semantics
//!
//! With `p = a / 100` and `C` the mean of the subpath's vertices (control points not counted),
//! every vertex moves to `V + p (C - V)` and every absolute control point `T` (in and out) to
//! `T - p (C - T)`. Positive amounts pucker (vertices inward, curves bulge out between them:
//! a polygon becomes a flower), negative amounts bloat. Straight segments are tangents of zero
//! length, so their control points start on the vertices and move the opposite way: a polygon
//! acquires curves.
//!
//! # Which engine this follows
//!
//! rlottie ignores `pb` (8.9 dB against ThorVG on `lottiedocs__pucker_bloat.json`). We follow
//! lottie-web's `PuckerAndBloatModifier`: one centre per subpath, from its vertices. ThorVG
//! (`LottiePuckerBloatModifier`) moves points the same way but averages the control points
//! into the centre as well, one centre for all subpaths of a shape; on polygons (every vertex
//! counted twice, once per segment) the two agree, and they drew the same flower on the corpus
//! file.

use kurbo::{BezPath, Point};

use super::contour::{Contour, Vertex, contours, to_bez_path};

/// Applies Pucker/Bloat with `amount` in percent to every subpath of `path`.
///
/// `amount == 0` (or NaN) returns the path unchanged.
pub(crate) fn pucker_bloat(path: &BezPath, amount: f64) -> BezPath {
    if amount.is_nan() || amount == 0.0 {
        return path.clone();
    }
    let p = amount / 100.0;
    let out: Vec<Contour> = contours(path)
        .iter()
        .map(|c| pucker_contour(c, p))
        .collect();
    to_bez_path(&out)
}

fn pucker_contour(c: &Contour, p: f64) -> Contour {
    let n = c.vertices.len() as f64;
    let sum = c
        .vertices
        .iter()
        .fold(Point::ZERO, |acc, v| acc + v.point.to_vec2());
    let center = Point::new(sum.x / n, sum.y / n);
    let toward = |q: Point| q + (center - q) * p;
    let away = |q: Point| q - (center - q) * p;
    Contour {
        vertices: c
            .vertices
            .iter()
            .map(|v| Vertex {
                point: toward(v.point),
                in_ctrl: away(v.in_ctrl),
                out_ctrl: away(v.out_ctrl),
            })
            .collect(),
        closed: c.closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::{assert_paths_eq, assert_point_eq, polygon};
    use kurbo::{ParamCurve, PathEl};

    fn square() -> BezPath {
        polygon(
            &[(-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, 10.0)],
            true,
        )
    }

    #[test]
    fn pucker_bloat_square_pucker_moves_vertices_in_and_handles_out() {
        let out = pucker_bloat(&square(), 50.0);
        let els = out.elements();
        assert_eq!(els[0], PathEl::MoveTo(Point::new(-5.0, -5.0)));
        // First side: out handle of (-10, -10) pushed to (-15, -15), in handle of (10, -10)
        // to (15, -15).
        assert_eq!(
            els[1],
            PathEl::CurveTo(
                (-15.0, -15.0).into(),
                (15.0, -15.0).into(),
                (5.0, -5.0).into()
            )
        );
        // The closing side becomes a curve too, back to the first vertex.
        assert_eq!(
            els[4],
            PathEl::CurveTo(
                (-15.0, 15.0).into(),
                (-15.0, -15.0).into(),
                (-5.0, -5.0).into()
            )
        );
        assert_eq!(els[5], PathEl::ClosePath);
    }

    #[test]
    fn pucker_bloat_negative_bloats() {
        let out = pucker_bloat(&square(), -100.0);
        let els = out.elements();
        assert_eq!(els[0], PathEl::MoveTo(Point::new(-20.0, -20.0)));
        // Control points collapse onto the centre.
        assert_eq!(
            els[1],
            PathEl::CurveTo((0.0, 0.0).into(), (0.0, 0.0).into(), (20.0, -20.0).into())
        );
    }

    #[test]
    fn pucker_bloat_full_pucker_collapses_vertices_to_centre() {
        let tri = polygon(&[(0.0, 0.0), (30.0, 0.0), (0.0, 30.0)], true);
        let out = pucker_bloat(&tri, 100.0);
        let PathEl::MoveTo(p) = out.elements()[0] else {
            panic!("expected a MoveTo");
        };
        assert_point_eq(p, Point::new(10.0, 10.0));
    }

    #[test]
    fn pucker_bloat_centre_ignores_control_points() {
        // An asymmetric handle does not move the centre: the vertices are (0, 0) and (10, 0).
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.curve_to((0.0, 50.0), (10.0, 0.0), (10.0, 0.0));
        let out = pucker_bloat(&p, 10.0);
        let els = out.elements();
        assert_eq!(els[0], PathEl::MoveTo(Point::new(0.5, 0.0)));
        let PathEl::CurveTo(c1, c2, end) = els[1] else {
            panic!("expected a curve, got {:?}", els[1]);
        };
        assert_point_eq(c1, Point::new(-0.5, 55.0));
        assert_point_eq(c2, Point::new(10.5, 0.0));
        assert_point_eq(end, Point::new(9.5, 0.0));
    }

    #[test]
    fn pucker_bloat_zero_is_identity() {
        assert_paths_eq(&pucker_bloat(&square(), 0.0), &square());
    }

    #[test]
    fn pucker_bloat_subpaths_have_their_own_centres() {
        let mut p = square();
        let mut far = square();
        far.apply_affine(kurbo::Affine::translate((100.0, 0.0)));
        p.extend(far);
        let out = pucker_bloat(&p, 50.0);
        let starts: Vec<Point> = out
            .elements()
            .iter()
            .filter_map(|e| match e {
                PathEl::MoveTo(p) => Some(*p),
                _ => None,
            })
            .collect();
        assert_eq!(
            starts,
            vec![Point::new(-5.0, -5.0), Point::new(95.0, -5.0)],
            "each square puckers toward its own centre"
        );
    }

    #[test]
    fn pucker_bloat_pucker_sides_bulge_past_the_original_edge() {
        // Puckering the square by 50 %: the corners move in to (+-5, +-5) while the middle of
        // each side bulges out to 12.5 from the centre, past the original edge at 10.
        let out = pucker_bloat(&square(), 50.0);
        let seg = out.segments().next().expect("a first segment");
        assert_point_eq(seg.eval(0.5), Point::new(0.0, -12.5));
    }
}

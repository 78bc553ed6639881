//! Helpers shared by the geometry unit tests.

use kurbo::{BezPath, PathEl, Point};

/// Tolerance of the approximate comparisons.
pub(crate) const TOLERANCE: f64 = 1e-6;

/// Asserts that two numbers are equal up to [`TOLERANCE`].
#[track_caller]
pub(crate) fn assert_approx_eq(a: f64, b: f64) {
    assert!((a - b).abs() <= TOLERANCE, "{a} != {b}");
}

/// Asserts that two points are equal up to [`TOLERANCE`].
#[track_caller]
pub(crate) fn assert_point_eq(a: Point, b: Point) {
    assert!(
        (a - b).hypot() <= TOLERANCE,
        "({}, {}) != ({}, {})",
        a.x,
        a.y,
        b.x,
        b.y
    );
}

/// Asserts that two paths have the same elements, with points equal up to [`TOLERANCE`].
#[track_caller]
pub(crate) fn assert_paths_eq(a: &BezPath, b: &BezPath) {
    let (ea, eb) = (a.elements(), b.elements());
    assert_eq!(ea.len(), eb.len(), "element counts differ:\n{ea:?}\n{eb:?}");
    for (x, y) in ea.iter().zip(eb) {
        let same = match (x, y) {
            (PathEl::MoveTo(p), PathEl::MoveTo(q)) | (PathEl::LineTo(p), PathEl::LineTo(q)) => {
                close(*p, *q)
            }
            (PathEl::QuadTo(p1, p2), PathEl::QuadTo(q1, q2)) => close(*p1, *q1) && close(*p2, *q2),
            (PathEl::CurveTo(p1, p2, p3), PathEl::CurveTo(q1, q2, q3)) => {
                close(*p1, *q1) && close(*p2, *q2) && close(*p3, *q3)
            }
            (PathEl::ClosePath, PathEl::ClosePath) => true,
            _ => false,
        };
        assert!(same, "{x:?} != {y:?}\nin\n{ea:?}\n{eb:?}");
    }
}

/// Builds a polygon path through `points`, closed when `closed`.
pub(crate) fn polygon(points: &[(f64, f64)], closed: bool) -> BezPath {
    let mut p = BezPath::new();
    for (i, &pt) in points.iter().enumerate() {
        if i == 0 {
            p.move_to(pt);
        } else {
            p.line_to(pt);
        }
    }
    if closed {
        p.close_path();
    }
    p
}

fn close(a: Point, b: Point) -> bool {
    (a - b).hypot() <= TOLERANCE
}

//! The paths of path, rectangle, ellipse and polystar items at a time.
//!
//! Start points and directions follow After Effects (and rlottie), since trim paths depend on them:
//! rectangles start at the top-right corner, ellipses at the top, both clockwise unless `d: 3`.

use kurbo::{BezPath, Point, Vec2};

use crate::model::shape::{Ellipse, PathData, Rect, Star};

/// Bezier handle length of a quarter circle, as a fraction of the radius.
const KAPPA: f64 = 0.552_284_749_830_793_4;

/// Appends `data` (vertices with relative tangents) to `out`.
pub(crate) fn path_data(data: &PathData, out: &mut BezPath) {
    let pts = &data.points;
    let Some(first) = pts.first() else {
        return;
    };
    out.move_to(first[0].to_point());
    let seg = |out: &mut BezPath, a: &[Vec2; 3], b: &[Vec2; 3]| {
        let (c1, c2) = (a[0] + a[2], b[0] + b[1]);
        if c1 == a[0] && c2 == b[0] {
            out.line_to(b[0].to_point());
        } else {
            out.curve_to(c1.to_point(), c2.to_point(), b[0].to_point());
        }
    };
    for w in pts.windows(2) {
        seg(out, &w[0], &w[1]);
    }
    if data.closed {
        if pts.len() > 1 {
            seg(out, &pts[pts.len() - 1], first);
        }
        out.close_path();
    }
}

/// Appends a rectangle centred on `p` with size `s` and corner radius `r`.
pub(crate) fn rect(rect: &Rect, t: f64, out: &mut BezPath) {
    let p = rect.position.at(t);
    let s = rect.size.at(t);
    let (hw, hh) = (s.x.abs() / 2.0, s.y.abs() / 2.0);
    let r = rect.roundness.at(t).max(0.0).min(hw).min(hh);
    let (l, tp, rt, b) = (p.x - hw, p.y - hh, p.x + hw, p.y + hh);
    let pt = Point::new;
    if r <= 0.0 {
        let corners = if rect.reversed {
            [pt(rt, tp), pt(l, tp), pt(l, b), pt(rt, b)]
        } else {
            [pt(rt, tp), pt(rt, b), pt(l, b), pt(l, tp)]
        };
        out.move_to(corners[0]);
        for c in &corners[1..] {
            out.line_to(*c);
        }
        out.close_path();
        return;
    }
    let k = r * (1.0 - KAPPA);
    if rect.reversed {
        out.move_to(pt(rt, tp + r));
        out.curve_to(pt(rt, tp + k), pt(rt - k, tp), pt(rt - r, tp));
        out.line_to(pt(l + r, tp));
        out.curve_to(pt(l + k, tp), pt(l, tp + k), pt(l, tp + r));
        out.line_to(pt(l, b - r));
        out.curve_to(pt(l, b - k), pt(l + k, b), pt(l + r, b));
        out.line_to(pt(rt - r, b));
        out.curve_to(pt(rt - k, b), pt(rt, b - k), pt(rt, b - r));
    } else {
        out.move_to(pt(rt, tp + r));
        out.line_to(pt(rt, b - r));
        out.curve_to(pt(rt, b - k), pt(rt - k, b), pt(rt - r, b));
        out.line_to(pt(l + r, b));
        out.curve_to(pt(l + k, b), pt(l, b - k), pt(l, b - r));
        out.line_to(pt(l, tp + r));
        out.curve_to(pt(l, tp + k), pt(l + k, tp), pt(l + r, tp));
        out.line_to(pt(rt - r, tp));
        out.curve_to(pt(rt - k, tp), pt(rt, tp + k), pt(rt, tp + r));
    }
    out.close_path();
}

/// Appends an ellipse centred on `p` with size `s`, starting at the top.
pub(crate) fn ellipse(e: &Ellipse, t: f64, out: &mut BezPath) {
    let p = e.position.at(t);
    let s = e.size.at(t);
    let (rx, ry) = (s.x / 2.0, s.y / 2.0);
    let (kx, ky) = (rx * KAPPA, ry * KAPPA);
    let pt = |x: f64, y: f64| Point::new(p.x + x, p.y + y);
    out.move_to(pt(0.0, -ry));
    if e.reversed {
        out.curve_to(pt(-kx, -ry), pt(-rx, -ky), pt(-rx, 0.0));
        out.curve_to(pt(-rx, ky), pt(-kx, ry), pt(0.0, ry));
        out.curve_to(pt(kx, ry), pt(rx, ky), pt(rx, 0.0));
        out.curve_to(pt(rx, -ky), pt(kx, -ry), pt(0.0, -ry));
    } else {
        out.curve_to(pt(kx, -ry), pt(rx, -ky), pt(rx, 0.0));
        out.curve_to(pt(rx, ky), pt(kx, ry), pt(0.0, ry));
        out.curve_to(pt(-kx, ry), pt(-rx, ky), pt(-rx, 0.0));
        out.curve_to(pt(-rx, -ky), pt(-kx, -ry), pt(0.0, -ry));
    }
    out.close_path();
}

/// Appends a star or polygon.
///
/// The roundness handles are perpendicular to the radius. A star's are
/// `radius * roundness * 0.47829 / 0.28 / points` long (lottie-android, rlottie, ThorVG), a polygon's
/// `radius * roundness * 2 pi / (4 n)` (lottie-web and ThorVG; rlottie's are shorter). A fractional
/// point count adds a partial point (stars only).
pub(crate) fn star(star: &Star, t: f64, out: &mut BezPath) {
    let c = star.position.at(t);
    let points = star.points.at(t).clamp(0.0, 1000.0);
    let rotation = star.rotation.at(t);
    let outer = star.outer_radius.at(t);
    let outer_round = star.outer_roundness.at(t) / 100.0;
    let dir = if star.reversed { -1.0 } else { 1.0 };
    if star.polygon {
        polygon(c, points.floor(), outer, outer_round, rotation, dir, out);
        return;
    }
    if points < 1.0 {
        return;
    }
    let inner = star.inner_radius.at(t);
    let inner_round = star.inner_roundness.at(t) / 100.0;
    let magic = 0.47829 / 0.28;
    let mut angle = (rotation - 90.0).to_radians();
    let per_point = std::f64::consts::TAU / points;
    let half = per_point / 2.0;
    let partial = points - points.floor();
    let n = (points.ceil() * 2.0) as usize;
    let rounded = inner_round != 0.0 || outer_round != 0.0;
    let mut partial_radius = 0.0;
    if partial > 1e-6 {
        angle += half * (1.0 - partial) * dir;
        partial_radius = inner + partial * (outer - inner);
    }
    let (mut x, mut y);
    if partial_radius != 0.0 {
        x = partial_radius * angle.cos();
        y = partial_radius * angle.sin();
        angle += per_point * partial / 2.0 * dir;
    } else {
        x = outer * angle.cos();
        y = outer * angle.sin();
        angle += half * dir;
    }
    out.move_to((x + c.x, y + c.y));
    let mut long = false;
    for i in 0..n {
        let mut radius = if long { outer } else { inner };
        let mut d_theta = half;
        if partial_radius != 0.0 && i == n - 2 {
            d_theta = per_point * partial / 2.0;
        }
        if partial_radius != 0.0 && i == n - 1 {
            radius = partial_radius;
        }
        let (px, py) = (x, y);
        x = radius * angle.cos();
        y = radius * angle.sin();
        if rounded {
            let a1 = py.atan2(px) - std::f64::consts::FRAC_PI_2 * dir;
            let a2 = y.atan2(x) - std::f64::consts::FRAC_PI_2 * dir;
            let (r1, rad1) = if long {
                (inner_round, inner)
            } else {
                (outer_round, outer)
            };
            let (r2, rad2) = if long {
                (outer_round, outer)
            } else {
                (inner_round, inner)
            };
            let mut k1 = rad1 * r1 * magic / points;
            let mut k2 = rad2 * r2 * magic / points;
            if partial > 1e-6 && (i == 0 || i == n - 1) {
                k1 *= partial;
                k2 *= partial;
            }
            out.curve_to(
                (px - k1 * a1.cos() + c.x, py - k1 * a1.sin() + c.y),
                (x + k2 * a2.cos() + c.x, y + k2 * a2.sin() + c.y),
                (x + c.x, y + c.y),
            );
        } else {
            out.line_to((x + c.x, y + c.y));
        }
        angle += d_theta * dir;
        long = !long;
    }
    out.close_path();
}

fn polygon(c: Vec2, n: f64, radius: f64, round: f64, rotation: f64, dir: f64, out: &mut BezPath) {
    if n < 1.0 {
        return;
    }
    let magic = std::f64::consts::TAU / 4.0 / n;
    let per_point = std::f64::consts::TAU / n;
    let mut angle = (rotation - 90.0).to_radians();
    let mut x = radius * angle.cos();
    let mut y = radius * angle.sin();
    angle += per_point * dir;
    out.move_to((x + c.x, y + c.y));
    for _ in 0..n as usize {
        let (px, py) = (x, y);
        x = radius * angle.cos();
        y = radius * angle.sin();
        if round != 0.0 {
            let a1 = py.atan2(px) - std::f64::consts::FRAC_PI_2 * dir;
            let a2 = y.atan2(x) - std::f64::consts::FRAC_PI_2 * dir;
            let k = radius * round * magic;
            out.curve_to(
                (px - k * a1.cos() + c.x, py - k * a1.sin() + c.y),
                (x + k * a2.cos() + c.x, y + k * a2.sin() + c.y),
                (x + c.x, y + c.y),
            );
        } else {
            out.line_to((x + c.x, y + c.y));
        }
        angle += per_point * dir;
    }
    out.close_path();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::property::Property;
    use kurbo::{PathEl, Shape as _};

    fn star_shape(polygon: bool, points: f64) -> Star {
        Star {
            polygon,
            position: Property::Static(Vec2::new(50.0, 50.0)),
            points: Property::Static(points),
            rotation: Property::Static(0.0),
            outer_radius: Property::Static(40.0),
            outer_roundness: Property::Static(0.0),
            inner_radius: Property::Static(20.0),
            inner_roundness: Property::Static(0.0),
            reversed: false,
        }
    }

    #[test]
    fn polystar_star_points_alternate() {
        let mut p = BezPath::new();
        star(&star_shape(false, 5.0), 0.0, &mut p);
        let els = p.elements();
        // move + 10 lines + close
        assert_eq!(els.len(), 12);
        let PathEl::MoveTo(first) = els[0] else {
            panic!("starts with a move")
        };
        assert!((first - Point::new(50.0, 10.0)).hypot() < 1e-9, "top point");
        let PathEl::LineTo(inner) = els[1] else {
            panic!("line")
        };
        assert!(
            ((inner - Point::new(50.0, 50.0)).hypot() - 20.0).abs() < 1e-9,
            "inner"
        );
    }

    #[test]
    fn polystar_polygon_is_regular() {
        let mut p = BezPath::new();
        star(&star_shape(true, 4.0), 0.0, &mut p);
        let b = p.bounding_box();
        assert!(
            (b.width() - 80.0).abs() < 1e-9 && (b.height() - 80.0).abs() < 1e-9,
            "{b:?}"
        );
    }

    #[test]
    fn rect_starts_top_right_clockwise() {
        let r = Rect {
            position: Property::Static(Vec2::new(0.0, 0.0)),
            size: Property::Static(Vec2::new(20.0, 10.0)),
            roundness: Property::Static(0.0),
            reversed: false,
        };
        let mut p = BezPath::new();
        rect(&r, 0.0, &mut p);
        assert_eq!(p.elements()[0], PathEl::MoveTo(Point::new(10.0, -5.0)));
        assert_eq!(p.elements()[1], PathEl::LineTo(Point::new(10.0, 5.0)));
    }
}

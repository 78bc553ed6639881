//! Projective layer matrices: the perspective of rotations about the x and y axes (3D layers).
//!
//! rlottie (like Qt's `QTransform::rotate` with an axis) turns a rotation about the y axis by `a`
//! into the plane projection `(x, y) -> (cos(a) x, y) / (1 - sin(a) x / 1024)`, and about the x
//! axis likewise with `y`: a camera 1024 px in front of the layer. So a rotated layer comes out
//! as a trapezoid, and the matrix of such a layer (and of everything below it: children and
//! precomposition contents) is a 3x3 projective matrix. Ordinary layers keep an [`Affine`].
//!
//! Like rlottie, we map the points of a path (anchors and control points) through the matrix;
//! curves between them stay cubic, which is not exactly the projected curve but is what rlottie
//! draws.

use std::ops::Mul;

use kurbo::{Affine, BezPath, PathEl, Point};

/// Distance in pixels from the eye to the layer plane in rlottie's x/y rotations.
pub(crate) const FOCAL_DISTANCE: f64 = 1024.0;

/// Smallest `|w|` a point is divided by. rlottie divides by whatever `w` is; this only keeps
/// points that fall on the eye plane finite.
const MIN_W: f64 = 1e-6;

/// A 3x3 matrix acting on column vectors `(x, y, 1)`:
///
/// ```text
/// | a c e |   | x |
/// | b d f | * | y |   then divided by the third component
/// | g h i |   | 1 |
/// ```
///
/// The first six coefficients are in [`Affine::as_coeffs`] order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Projective([f64; 9]);

impl Projective {
    /// The matrix of `affine`.
    pub(crate) fn from_affine(affine: Affine) -> Self {
        let [a, b, c, d, e, f] = affine.as_coeffs();
        Self([a, b, c, d, e, f, 0.0, 0.0, 1.0])
    }

    /// Rotation by `deg` degrees about the y axis, seen from [`FOCAL_DISTANCE`]:
    /// `x' = cos x`, `w = 1 - sin x / 1024`.
    pub(crate) fn rotate_y(deg: f64) -> Self {
        let (sin, cos) = deg.to_radians().sin_cos();
        Self([
            cos,
            0.0,
            0.0,
            1.0,
            0.0,
            0.0,
            -sin / FOCAL_DISTANCE,
            0.0,
            1.0,
        ])
    }

    /// Rotation by `deg` degrees about the x axis, seen from [`FOCAL_DISTANCE`]:
    /// `y' = cos y`, `w = 1 - sin y / 1024`.
    pub(crate) fn rotate_x(deg: f64) -> Self {
        let (sin, cos) = deg.to_radians().sin_cos();
        Self([
            1.0,
            0.0,
            0.0,
            cos,
            0.0,
            0.0,
            0.0,
            -sin / FOCAL_DISTANCE,
            1.0,
        ])
    }

    /// Maps a point, dividing by its `w`.
    pub(crate) fn map(&self, p: Point) -> Point {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        let mut w = g * p.x + h * p.y + i;
        if w.abs() < MIN_W {
            w = MIN_W.copysign(w);
        }
        Point::new((a * p.x + c * p.y + e) / w, (b * p.x + d * p.y + f) / w)
    }

    /// Maps every point of `path` (anchors and control points) in place.
    pub(crate) fn map_path(&self, path: &mut BezPath) {
        for el in path.elements_mut() {
            match el {
                PathEl::MoveTo(p) | PathEl::LineTo(p) => *p = self.map(*p),
                PathEl::QuadTo(p1, p2) => {
                    *p1 = self.map(*p1);
                    *p2 = self.map(*p2);
                }
                PathEl::CurveTo(p1, p2, p3) => {
                    *p1 = self.map(*p1);
                    *p2 = self.map(*p2);
                    *p3 = self.map(*p3);
                }
                PathEl::ClosePath => {}
            }
        }
    }

    /// The affine map that agrees with this one at `p` to first order (value and derivative).
    pub(crate) fn linearize_at(&self, p: Point) -> Affine {
        let [a, b, c, d, _, _, g, h, i] = self.0;
        let mut w = g * p.x + h * p.y + i;
        if w.abs() < MIN_W {
            w = MIN_W.copysign(w);
        }
        let q = self.map(p);
        let (ja, jb) = ((a - q.x * g) / w, (b - q.y * g) / w);
        let (jc, jd) = ((c - q.x * h) / w, (d - q.y * h) / w);
        let e = q.x - (ja * p.x + jc * p.y);
        let f = q.y - (jb * p.x + jd * p.y);
        Affine::new([ja, jb, jc, jd, e, f])
    }

    /// rlottie's scale of a matrix (`VMatrix::scale`), by which it multiplies stroke widths and
    /// dash patterns: half the length of the image of the vector `(√2, √2)` from the origin.
    pub(crate) fn stroke_scale(&self) -> f64 {
        let s = std::f64::consts::SQRT_2;
        (self.map(Point::new(s, s)) - self.map(Point::ORIGIN)).hypot() / 2.0
    }
}

impl Mul for Projective {
    type Output = Self;

    /// `self * rhs`: maps through `rhs` first, then `self`.
    fn mul(self, rhs: Self) -> Self {
        let [a0, b0, c0, d0, e0, f0, g0, h0, i0] = self.0;
        let [a1, b1, c1, d1, e1, f1, g1, h1, i1] = rhs.0;
        Self([
            a0 * a1 + c0 * b1 + e0 * g1,
            b0 * a1 + d0 * b1 + f0 * g1,
            a0 * c1 + c0 * d1 + e0 * h1,
            b0 * c1 + d0 * d1 + f0 * h1,
            a0 * e1 + c0 * f1 + e0 * i1,
            b0 * e1 + d0 * f1 + f0 * i1,
            g0 * a1 + h0 * b1 + i0 * g1,
            g0 * c1 + h0 * d1 + i0 * h1,
            g0 * e1 + h0 * f1 + i0 * i1,
        ])
    }
}

/// A layer's local-to-composition matrix: affine, unless a 3D rotation about x or y is in its
/// chain (the layer's own transform, a parent's, or an enclosing precomposition layer's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum LayerMatrix {
    /// The ordinary case.
    Affine(Affine),
    /// With the perspective of an x/y rotation.
    Projective(Projective),
}

impl LayerMatrix {
    /// The identity.
    pub(crate) const IDENTITY: Self = Self::Affine(Affine::IDENTITY);

    /// The matrix when it is affine.
    #[inline]
    pub(crate) fn affine(&self) -> Option<Affine> {
        match self {
            Self::Affine(a) => Some(*a),
            Self::Projective(_) => None,
        }
    }

    /// Prepares `path` (in local coordinates) for a draw command with a solid paint: returns the
    /// command's transform, after mapping `path` into composition coordinates (returning the
    /// identity) when the matrix is projective.
    #[inline]
    pub(crate) fn place(&self, path: &mut BezPath) -> Affine {
        match self {
            Self::Affine(a) => *a,
            Self::Projective(p) => {
                p.map_path(path);
                Affine::IDENTITY
            }
        }
    }
}

impl Mul for LayerMatrix {
    type Output = Self;

    #[inline]
    fn mul(self, rhs: Self) -> Self {
        match (self, rhs) {
            (Self::Affine(a), Self::Affine(b)) => Self::Affine(a * b),
            _ => Self::Projective(projective_product(self, rhs)),
        }
    }
}

/// `a * b` as projective matrices; kept out of line, off the affine path.
#[cold]
#[inline(never)]
fn projective_product(a: LayerMatrix, b: LayerMatrix) -> Projective {
    let full = |m| match m {
        LayerMatrix::Affine(m) => Projective::from_affine(m),
        LayerMatrix::Projective(m) => m,
    };
    full(a) * full(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point) -> bool {
        (a - b).hypot() < 1e-9
    }

    #[test]
    fn rotation_about_y_foreshortens_with_perspective() {
        let m = Projective::rotate_y(30.0);
        // x = 100: w = 1 - 0.5 * 100 / 1024.
        let w = 1.0 - 0.5 * 100.0 / FOCAL_DISTANCE;
        let cos = 30_f64.to_radians().cos();
        let q = m.map(Point::new(100.0, 40.0));
        assert!(close(q, Point::new(100.0 * cos / w, 40.0 / w)), "{q:?}");
        // Points on the axis stay put.
        assert!(close(m.map(Point::new(0.0, 40.0)), Point::new(0.0, 40.0)));
    }

    #[test]
    fn rotation_about_x_uses_y() {
        let m = Projective::rotate_x(-90.0);
        let q = m.map(Point::new(10.0, 512.0));
        // cos = 0, w = 1 + 512 / 1024.
        assert!(close(q, Point::new(10.0 / 1.5, 0.0)), "{q:?}");
    }

    #[test]
    fn product_maps_right_factor_first() {
        let t = Projective::from_affine(Affine::translate((50.0, 0.0)));
        let r = Projective::rotate_y(90.0);
        let p = Point::new(512.0, 0.0);
        let w = 1.0 - 512.0 / FOCAL_DISTANCE;
        let expected = Point::new(50.0 + 512.0 * 90_f64.to_radians().cos() / w, 0.0);
        assert!(close((t * r).map(p), expected));
        assert!(close((r * t).map(p), r.map(t.map(p))));
        let a = Affine::rotate(0.3).then_translate((3.0, 4.0).into());
        let pa = Projective::from_affine(a);
        assert!(close((pa * r).map(p), a * r.map(p)));
    }

    #[test]
    fn linearization_matches_value_and_derivative() {
        let m = Projective::from_affine(Affine::scale(2.0)) * Projective::rotate_x(40.0);
        let p = Point::new(30.0, -70.0);
        let l = m.linearize_at(p);
        assert!(close(l * p, m.map(p)));
        let eps = 1e-4;
        for d in [Point::new(eps, 0.0), Point::new(0.0, eps)] {
            let q = Point::new(p.x + d.x, p.y + d.y);
            let numeric = m.map(q) - m.map(p);
            let linear = l * q - l * p;
            assert!((numeric - linear).hypot() < 1e-6, "{numeric:?} {linear:?}");
        }
    }

    #[test]
    fn stroke_scale_of_affine_is_diagonal_length() {
        let m = Projective::from_affine(Affine::scale_non_uniform(3.0, 1.0));
        // (√2, √2) -> (3√2, √2): length √20, halved.
        assert!((m.stroke_scale() - 20_f64.sqrt() / 2.0).abs() < 1e-12);
        assert_eq!(
            Projective::from_affine(Affine::IDENTITY).stroke_scale(),
            1.0
        );
    }

    #[test]
    fn layer_matrices_stay_affine_until_projective() {
        let a = LayerMatrix::Affine(Affine::translate((1.0, 2.0)));
        assert!(matches!(a * a, LayerMatrix::Affine(_)));
        let p = LayerMatrix::Projective(Projective::rotate_y(10.0));
        assert!(matches!(a * p, LayerMatrix::Projective(_)));
        assert!(matches!(p * a, LayerMatrix::Projective(_)));
        let mut path = BezPath::new();
        path.move_to((100.0, 0.0));
        path.line_to((0.0, 100.0));
        assert_eq!(a.place(&mut path.clone()), Affine::translate((1.0, 2.0)));
        assert_eq!(p.place(&mut path), Affine::IDENTITY);
        let LayerMatrix::Projective(q) = p else {
            unreachable!()
        };
        assert!(close(
            path.elements()[0].end_point().unwrap(),
            q.map(Point::new(100.0, 0.0))
        ));
    }
}

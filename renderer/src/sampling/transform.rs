//! A transform's matrix and opacity at a time.

use kurbo::{Affine, Vec2};

use crate::geometry::projective::{LayerMatrix, Projective};
use crate::model::transform::{Position, Transform};

impl Transform {
    /// Position at local time `t`.
    pub(crate) fn position_at(&self, t: f64) -> Vec2 {
        match &self.position {
            Position::Combined(p) => p.at(t),
            Position::Split(x, y) => Vec2::new(x.at(t), y.at(t)),
        }
    }

    /// Returns the matrix at local time `t`: translate(p) · rotate(r) · skew · scale(s) ·
    /// translate(-a), applied right to left to a point. The x/y rotations of a 3D layer are not
    /// in it: see [`Transform::layer_matrix_at`].
    pub(crate) fn matrix_at(&self, t: f64) -> Affine {
        if let Some(m) = self.fixed {
            return m;
        }
        self.compose_at(t, 0.0)
    }

    /// Returns `true` when the transform skews at local time `t`.
    pub(crate) fn skews_at(&self, t: f64) -> bool {
        shear_factor(self.skew.at(t)) != Some(0.0)
    }

    /// Returns a layer's matrix at local time `t`, rotated along the position path when
    /// `auto_orient` (`ao: 1`).
    ///
    /// On a 3D layer with x/y rotations, the matrix is projective, composed as rlottie does:
    /// `translate(p) · rotate(rz) · rotate_y(ry) · rotate_x(rx) · skew · scale(s) ·
    /// translate(-a)`, where the x and y rotations project with a camera
    /// [`FOCAL_DISTANCE`](crate::geometry::projective::FOCAL_DISTANCE) px in front of the layer (so
    /// rotating about y by `a` divides by `w = 1 - sin(a) x / 1024`, with `x` the scaled layer
    /// coordinate), and a layer rotated about x or y comes out as a trapezoid. rlottie has no
    /// skew and ignores the 3D orientation `or`. Without x/y rotations (or where both are zero
    /// at `t`) the matrix is affine, as on 2D layers.
    #[inline]
    pub(crate) fn layer_matrix_at(&self, t: f64, auto_orient: bool) -> LayerMatrix {
        let extra = if auto_orient {
            self.orientation_at(t)
        } else {
            0.0
        };
        let Some(r) = &self.rotation_3d else {
            return LayerMatrix::Affine(if auto_orient {
                self.compose_at(t, extra)
            } else {
                self.matrix_at(t)
            });
        };
        let (rx, ry) = (r.0.at(t), r.1.at(t));
        if rx == 0.0 && ry == 0.0 {
            return LayerMatrix::Affine(self.compose_at(t, extra));
        }
        let inner = inner_matrix(
            self.anchor.at(t),
            self.scale.at(t) / 100.0,
            self.skew.at(t),
            self.skew_axis.at(t),
        );
        let outer = Affine::rotate((self.rotation.at(t) + extra).to_radians())
            .then_translate(self.position_at(t));
        let mut m = Projective::from_affine(outer);
        // rlottie skips a zero rotation (exactly: it stays affine about that axis).
        if ry != 0.0 {
            m = m * Projective::rotate_y(ry);
        }
        if rx != 0.0 {
            m = m * Projective::rotate_x(rx);
        }
        LayerMatrix::Projective(m * Projective::from_affine(inner))
    }

    /// The matrix at local time `t` with `extra` degrees of rotation, without x/y rotations.
    fn compose_at(&self, t: f64, extra: f64) -> Affine {
        compose(
            self.anchor.at(t),
            self.position_at(t),
            self.scale.at(t) / 100.0,
            self.rotation.at(t) + extra,
            self.skew.at(t),
            self.skew_axis.at(t),
        )
    }

    /// The angle in degrees of the motion path's tangent at local time `t` (auto-orient).
    fn orientation_at(&self, t: f64) -> f64 {
        let here = self.position_at(t);
        let mut d = self.position_at(t + 0.05) - here;
        if d.hypot2() < 1e-12 {
            d = here - self.position_at(t - 0.05);
        }
        if d.hypot2() < 1e-12 {
            0.0
        } else {
            d.y.atan2(d.x).to_degrees()
        }
    }

    /// Opacity at local time `t`, in `0..=1`.
    pub(crate) fn opacity_at(&self, t: f64) -> f64 {
        (self.opacity.at(t) / 100.0).clamp(0.0, 1.0)
    }
}

/// Composes the After Effects transform from its components.
fn compose(
    anchor: Vec2,
    position: Vec2,
    scale: Vec2,
    rotation_deg: f64,
    skew_deg: f64,
    skew_axis_deg: f64,
) -> Affine {
    inner_matrix(anchor, scale, skew_deg, skew_axis_deg)
        .then_rotate(rotation_deg.to_radians())
        .then_translate(position)
}

/// skew · scale(s) · translate(-a): the part of a transform applied before any rotation.
fn inner_matrix(anchor: Vec2, scale: Vec2, skew_deg: f64, skew_axis_deg: f64) -> Affine {
    let m = Affine::translate(-anchor).then_scale_non_uniform(scale.x, scale.y);
    if skew_deg == 0.0 {
        return m;
    }
    let Some(k) = shear_factor(skew_deg) else {
        // A skew of +-90 degrees shears by an infinite factor: the layer collapses and is not
        // drawn (see `shear_factor`).
        return Affine::new([0.0; 6]);
    };
    // Shear along the skew axis: rotate the axis onto x, shear, rotate back (lottie-web's
    // `skewFromAxis(-sk, sa)`).
    let axis = skew_axis_deg.to_radians();
    let shear = Affine::new([1.0, 0.0, k, 1.0, 0.0, 0.0]);
    Affine::rotate(-axis) * shear * Affine::rotate(axis) * m
}

/// The shear factor `-tan(sk)` of a skew of `skew_deg` degrees, or `None` when the skew is
/// (nearly) +-90 degrees and the factor unbounded.
///
/// The factor has period 180 degrees, so the angle is first reduced to `(-90, 90]`: a skew of
/// 180 degrees is the identity and 120 is -60, as in lottie-web and ThorVG, which take the
/// tangent of the raw angle (After Effects' own control stops at +-85). At +-90 the shear
/// spreads the layer over an infinite strip of zero thickness, so nothing of it is visible;
/// lottie-web's canvas then fills its whole canvas and ThorVG draws the layer elsewhere, so no
/// engine is followed there. Within 0.06 degrees of 90 (a factor above 1000) the layer is
/// treated as collapsed too: its pixels would be a hairline thousands of pixels long, and
/// such coordinates only cost time in flattening.
fn shear_factor(skew_deg: f64) -> Option<f64> {
    if !skew_deg.is_finite() {
        return Some(0.0);
    }
    let mut a = skew_deg.rem_euclid(180.0);
    if a > 90.0 {
        a -= 180.0;
    }
    let k = -a.to_radians().tan();
    (k.abs() <= MAX_SHEAR).then_some(k)
}

/// Largest shear factor drawn (see [`shear_factor`]).
const MAX_SHEAR: f64 = 1000.0;

#[cfg(test)]
mod tests {
    use kurbo::Point;

    use super::*;

    #[test]
    fn skew_is_periodic_in_180_degrees() {
        assert_eq!(shear_factor(0.0), Some(0.0));
        assert_eq!(shear_factor(180.0), Some(0.0));
        assert_eq!(shear_factor(-180.0), Some(0.0));
        assert_eq!(shear_factor(360.0), Some(0.0));
        let k = |d: f64| shear_factor(d).unwrap();
        assert!((k(120.0) - k(-60.0)).abs() < 1e-12);
        assert!((k(225.0) - k(45.0)).abs() < 1e-12);
        assert!((k(30.0) + 30_f64.to_radians().tan()).abs() < 1e-12);
        assert_eq!(shear_factor(f64::NAN), Some(0.0));
    }

    #[test]
    fn skew_of_90_degrees_collapses() {
        for d in [90.0, -90.0, 270.0, 89.97, 450.0] {
            assert_eq!(shear_factor(d), None, "{d}");
            let m = compose(
                Vec2::ZERO,
                Vec2::new(5.0, 6.0),
                Vec2::new(1.0, 1.0),
                0.0,
                d,
                30.0,
            );
            assert_eq!(m.determinant(), 0.0, "{d}");
            assert_eq!(m * Point::new(10.0, 20.0), Point::new(5.0, 6.0));
        }
        // 85 degrees is still drawn (After Effects' own limit).
        assert!(shear_factor(85.0).is_some());
    }

    #[test]
    fn skew_with_mirrored_scale_keeps_area() {
        // The shear applies after the scale: a mirrored box stays a parallelogram of the
        // same area, mirrored.
        let m = compose(
            Vec2::ZERO,
            Vec2::ZERO,
            Vec2::new(-1.0, 1.0),
            0.0,
            30.0,
            40.0,
        );
        assert!((m.determinant() + 1.0).abs() < 1e-12);
        let identity = compose(
            Vec2::ZERO,
            Vec2::ZERO,
            Vec2::new(1.0, 1.0),
            0.0,
            180.0,
            40.0,
        );
        assert!((identity.determinant() - 1.0).abs() < 1e-12);
        let p = identity * Point::new(3.0, 4.0);
        assert!((p - Point::new(3.0, 4.0)).hypot() < 1e-12, "{p:?}");
    }
}

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
        self.skew.at(t) != 0.0
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
    let mut m = Affine::translate(-anchor).then_scale_non_uniform(scale.x, scale.y);
    if skew_deg != 0.0 {
        // Shear along the skew axis: rotate the axis onto x, shear, rotate back. Skews beyond
        // +-85 degrees are clamped, as tan grows without bound.
        let axis = skew_axis_deg.to_radians();
        let k = -(skew_deg.clamp(-85.0, 85.0).to_radians()).tan();
        let shear = Affine::new([1.0, 0.0, k, 1.0, 0.0, 0.0]);
        m = Affine::rotate(-axis) * shear * Affine::rotate(axis) * m;
    }
    m
}

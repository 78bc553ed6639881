//! Layer and group transforms (`ks` on layers, `tr` in shape groups).

use kurbo::{Affine, Vec2};

use super::projective::{LayerMatrix, Projective};
use super::property::Property;

/// Position: one 2D property, or split into separate x and y (`p.s: true`).
#[derive(Clone, Debug)]
pub(crate) enum Position {
    /// Combined position (`p`).
    Combined(Property<Vec2>),
    /// Separate dimensions (`p.x`, `p.y`).
    Split(Property<f64>, Property<f64>),
}

/// A transform and an opacity.
#[derive(Clone, Debug)]
pub(crate) struct Transform {
    /// Anchor point (`a`).
    pub(crate) anchor: Property<Vec2>,
    /// Position (`p`).
    pub(crate) position: Position,
    /// Scale in percent (`s`).
    pub(crate) scale: Property<Vec2>,
    /// Rotation in degrees, clockwise (`r`, or `rz` on 3D layers).
    pub(crate) rotation: Property<f64>,
    /// Skew in degrees (`sk`).
    pub(crate) skew: Property<f64>,
    /// Skew axis in degrees (`sa`).
    pub(crate) skew_axis: Property<f64>,
    /// Opacity in percent (`o`).
    pub(crate) opacity: Property<f64>,
    /// Rotation about the x and y axes in degrees (`rx`, `ry` on 3D layers), when either is
    /// present and not always zero. Flattened as rlottie does, with its perspective (see
    /// [`Transform::layer_matrix_at`]); the 3D orientation `or` is ignored, as in rlottie.
    pub(crate) rotation_3d: Option<Box<(Property<f64>, Property<f64>)>>,
    /// The matrix when every component is static (never set with [`Transform::rotation_3d`]).
    pub(crate) fixed: Option<Affine>,
}

impl Default for Transform {
    fn default() -> Self {
        Self {
            anchor: Property::Static(Vec2::ZERO),
            position: Position::Combined(Property::Static(Vec2::ZERO)),
            scale: Property::Static(Vec2::new(100.0, 100.0)),
            rotation: Property::Static(0.0),
            skew: Property::Static(0.0),
            skew_axis: Property::Static(0.0),
            opacity: Property::Static(100.0),
            rotation_3d: None,
            fixed: Some(Affine::IDENTITY),
        }
    }
}

impl Transform {
    /// Resolves [`Transform::fixed`] when nothing is animated.
    pub(crate) fn resolve_static(&mut self) {
        let position_static = match &self.position {
            Position::Combined(p) => p.is_static(),
            Position::Split(x, y) => x.is_static() && y.is_static(),
        };
        self.fixed = (position_static
            && self.anchor.is_static()
            && self.scale.is_static()
            && self.rotation.is_static()
            && self.skew.is_static()
            && self.skew_axis.is_static()
            && self.rotation_3d.is_none())
        .then(|| self.matrix_at(0.0));
    }

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
    /// [`FOCAL_DISTANCE`](super::projective::FOCAL_DISTANCE) px in front of the layer (so
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
pub(crate) fn compose(
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

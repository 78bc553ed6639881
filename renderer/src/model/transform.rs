//! Layer and group transforms (`ks` on layers, `tr` in shape groups).

use kurbo::{Affine, Vec2};

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
    /// present and not always zero. Flattened as rlottie does without its perspective term: the
    /// scaled layer is squashed by `cos(ry)` horizontally and `cos(rx)` vertically before `rz`.
    pub(crate) rotation_3d: Option<Box<(Property<f64>, Property<f64>)>>,
    /// The matrix when every component is static.
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
            && self
                .rotation_3d
                .as_ref()
                .is_none_or(|r| r.0.is_static() && r.1.is_static()))
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
    /// translate(-a), applied right to left to a point.
    pub(crate) fn matrix_at(&self, t: f64) -> Affine {
        if let Some(m) = self.fixed {
            return m;
        }
        let anchor = self.anchor.at(t);
        let position = self.position_at(t);
        let scale = self.flat_scale_at(t);
        let rotation = self.rotation.at(t);
        let skew = self.skew.at(t);
        compose(
            anchor,
            position,
            scale,
            rotation,
            skew,
            self.skew_axis.at(t),
        )
    }

    /// Returns `true` when the transform skews at local time `t`.
    pub(crate) fn skews_at(&self, t: f64) -> bool {
        self.skew.at(t) != 0.0
    }

    /// Returns the matrix at local time `t`, rotated along the position path (`ao: 1`).
    pub(crate) fn oriented_matrix_at(&self, t: f64) -> Affine {
        let here = self.position_at(t);
        let mut d = self.position_at(t + 0.05) - here;
        if d.hypot2() < 1e-12 {
            d = here - self.position_at(t - 0.05);
        }
        let extra = if d.hypot2() < 1e-12 {
            0.0
        } else {
            d.y.atan2(d.x).to_degrees()
        };
        compose(
            self.anchor.at(t),
            here,
            self.flat_scale_at(t),
            self.rotation.at(t) + extra,
            self.skew.at(t),
            self.skew_axis.at(t),
        )
    }

    /// Scale at local time `t` as a factor, including the flattened x/y rotation of 3D layers.
    fn flat_scale_at(&self, t: f64) -> Vec2 {
        let s = self.scale.at(t) / 100.0;
        match &self.rotation_3d {
            None => s,
            Some(r) => Vec2::new(
                s.x * r.1.at(t).to_radians().cos(),
                s.y * r.0.at(t).to_radians().cos(),
            ),
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
    let mut m = Affine::translate(-anchor).then_scale_non_uniform(scale.x, scale.y);
    if skew_deg != 0.0 {
        // Shear along the skew axis: rotate the axis onto x, shear, rotate back. Skews beyond
        // +-85 degrees are clamped, as tan grows without bound.
        let axis = skew_axis_deg.to_radians();
        let k = -(skew_deg.clamp(-85.0, 85.0).to_radians()).tan();
        let shear = Affine::new([1.0, 0.0, k, 1.0, 0.0, 0.0]);
        m = Affine::rotate(-axis) * shear * Affine::rotate(axis) * m;
    }
    m.then_rotate(rotation_deg.to_radians())
        .then_translate(position)
}

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
    /// present and not always zero. Flattened as rlottie does, with its perspective (see
    /// [`Transform::layer_matrix_at`]); the 3D orientation `or` is ignored, as in rlottie.
    pub(crate) rotation_3d: Option<Box<(Property<f64>, Property<f64>)>>,
    /// The matrix when every component is static, resolved at import (never set with
    /// [`Transform::rotation_3d`]).
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

//! Paints: solid and gradient fills and strokes.

use kurbo::{Cap, Join, Vec2};

use super::property::Property;

/// A solid fill (`fl`).
#[derive(Clone, Debug)]
pub(crate) struct Fill {
    /// Colour, RGBA in `0..=1` (`c`).
    pub(crate) color: Property<[f64; 4]>,
    /// Opacity in percent (`o`).
    pub(crate) opacity: Property<f64>,
    /// `r: 2`: even-odd; otherwise nonzero.
    pub(crate) even_odd: bool,
}

/// Stroke geometry shared by solid and gradient strokes.
#[derive(Clone, Debug)]
pub(crate) struct StrokeStyle {
    /// Width (`w`).
    pub(crate) width: Property<f64>,
    /// Line cap (`lc`: 1 butt, 2 round, 3 square).
    pub(crate) cap: Cap,
    /// Line join (`lj`: 1 miter, 2 round, 3 bevel).
    pub(crate) join: Join,
    /// Miter limit (`ml`).
    pub(crate) miter_limit: f64,
    /// Dash lengths alternating dash/gap (`d` entries `n: "d"`/`"g"`), empty for solid lines.
    pub(crate) dashes: Vec<Property<f64>>,
    /// Dash offset (`d` entry `n: "o"`).
    pub(crate) dash_offset: Property<f64>,
}

/// A solid stroke (`st`).
#[derive(Clone, Debug)]
pub(crate) struct Stroke {
    /// Colour, RGBA in `0..=1` (`c`).
    pub(crate) color: Property<[f64; 4]>,
    /// Opacity in percent (`o`).
    pub(crate) opacity: Property<f64>,
    /// Geometry.
    pub(crate) style: StrokeStyle,
}

/// A gradient's geometry and colour ramp.
#[derive(Clone, Debug)]
pub(crate) struct Gradient {
    /// `t: 2`: radial; otherwise linear.
    pub(crate) radial: bool,
    /// Start point, or centre of a radial gradient (`s`).
    pub(crate) start: Property<Vec2>,
    /// End point; its distance to `start` is a radial gradient's radius (`e`).
    pub(crate) end: Property<Vec2>,
    /// Highlight length in percent of the radius (`h`).
    pub(crate) highlight_length: Property<f64>,
    /// Highlight angle in degrees (`a`).
    pub(crate) highlight_angle: Property<f64>,
    /// Number of colour stops (`g.p`).
    pub(crate) color_count: usize,
    /// `[pos, r, g, b] * color_count` then `[pos, alpha] *` (`g.k`).
    pub(crate) stops: Property<Vec<f64>>,
}

/// A gradient fill (`gf`).
#[derive(Clone, Debug)]
pub(crate) struct GradientFill {
    /// The gradient.
    pub(crate) gradient: Gradient,
    /// Opacity in percent (`o`).
    pub(crate) opacity: Property<f64>,
    /// `r: 2`: even-odd; otherwise nonzero.
    pub(crate) even_odd: bool,
}

/// A gradient stroke (`gs`).
#[derive(Clone, Debug)]
pub(crate) struct GradientStroke {
    /// The gradient.
    pub(crate) gradient: Gradient,
    /// Opacity in percent (`o`).
    pub(crate) opacity: Property<f64>,
    /// Geometry.
    pub(crate) style: StrokeStyle,
}

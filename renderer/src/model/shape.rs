//! Shape items of shape layers (`shapes`) and groups (`it`).

use kurbo::{Join, Vec2};

use super::paint::{Fill, GradientFill, GradientStroke, Stroke};
use super::property::Property;
use super::transform::Transform;

/// A bezier outline (`sh.ks` value): vertices with in/out tangents relative to their vertex.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PathData {
    /// `c`: the last vertex connects back to the first.
    pub(crate) closed: bool,
    /// `[vertex, in tangent, out tangent]` per vertex (`v`, `i`, `o`).
    pub(crate) points: Vec<[Vec2; 3]>,
}

/// One item of a shape list.
#[derive(Clone, Debug)]
pub(crate) enum Shape {
    /// A group (`gr`) with its own transform (`tr`) and items (`it`).
    Group(Group),
    /// A free-form path (`sh`).
    Path(Property<PathData>),
    /// A rectangle (`rc`).
    Rect(Rect),
    /// An ellipse (`el`).
    Ellipse(Ellipse),
    /// A star or polygon (`sr`).
    Star(Star),
    /// A solid fill (`fl`).
    Fill(Fill),
    /// A solid stroke (`st`).
    Stroke(Stroke),
    /// A gradient fill (`gf`).
    GradientFill(GradientFill),
    /// A gradient stroke (`gs`).
    GradientStroke(GradientStroke),
    /// Trim paths (`tm`).
    Trim(Trim),
    /// A repeater (`rp`).
    Repeater(Box<Repeater>),
    /// Rounded corners (`rd`).
    RoundCorners(RoundCorners),
    /// Offset path (`op`).
    OffsetPath(OffsetPath),
    /// Pucker/bloat (`pb`).
    PuckerBloat(PuckerBloat),
    /// Zig-zag (`zz`).
    ZigZag(ZigZag),
}

/// A shape group.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    /// The group's items, top-first (`it` without its `tr`).
    pub(crate) items: Vec<Shape>,
    /// The group's transform and opacity (`tr`).
    pub(crate) transform: Transform,
}

/// A rectangle, centred on `position`.
#[derive(Clone, Debug)]
pub(crate) struct Rect {
    /// Centre (`p`).
    pub(crate) position: Property<Vec2>,
    /// Size (`s`).
    pub(crate) size: Property<Vec2>,
    /// Corner radius (`r`).
    pub(crate) roundness: Property<f64>,
    /// Counter-clockwise (`d: 3`).
    pub(crate) reversed: bool,
}

/// An ellipse, centred on `position`.
#[derive(Clone, Debug)]
pub(crate) struct Ellipse {
    /// Centre (`p`).
    pub(crate) position: Property<Vec2>,
    /// Size (`s`).
    pub(crate) size: Property<Vec2>,
    /// Counter-clockwise (`d: 3`).
    pub(crate) reversed: bool,
}

/// A star (`sy: 1`) or a regular polygon (`sy: 2`).
#[derive(Clone, Debug)]
pub(crate) struct Star {
    /// `true` for a polygon (`sy: 2`).
    pub(crate) polygon: bool,
    /// Centre (`p`).
    pub(crate) position: Property<Vec2>,
    /// Number of points (`pt`).
    pub(crate) points: Property<f64>,
    /// Rotation in degrees (`r`).
    pub(crate) rotation: Property<f64>,
    /// Outer radius (`or`).
    pub(crate) outer_radius: Property<f64>,
    /// Outer roundness in percent (`os`).
    pub(crate) outer_roundness: Property<f64>,
    /// Inner radius (`ir`, stars only).
    pub(crate) inner_radius: Property<f64>,
    /// Inner roundness in percent (`is`, stars only).
    pub(crate) inner_roundness: Property<f64>,
    /// Counter-clockwise (`d: 3`).
    pub(crate) reversed: bool,
}

/// Trim paths: keeps the part of each path between `start` and `end`, shifted by `offset`.
#[derive(Clone, Debug)]
pub(crate) struct Trim {
    /// Start in percent (`s`).
    pub(crate) start: Property<f64>,
    /// End in percent (`e`).
    pub(crate) end: Property<f64>,
    /// Offset in degrees, 360 being the whole length (`o`).
    pub(crate) offset: Property<f64>,
    /// `m: 2`: trim all paths as one; `m: 1`: trim each path on its own.
    pub(crate) individually: bool,
}

/// A repeater: draws the items above it in its group (shapes and paints) several times, each copy
/// transformed once more than the previous one.
#[derive(Clone, Debug)]
pub(crate) struct Repeater {
    /// Number of copies (`c`); the fractional part is dropped.
    pub(crate) copies: Property<f64>,
    /// Transform steps applied to the first copy, may be fractional or negative (`o`).
    pub(crate) offset: Property<f64>,
    /// `m: 2`: the first copy is drawn at the bottom; `m: 1` draws it on top (ThorVG, lottie-web).
    pub(crate) below: bool,
    /// Anchor point of the per-copy transform (`tr.a`).
    pub(crate) anchor: Property<Vec2>,
    /// Translation per copy (`tr.p`).
    pub(crate) position: Property<Vec2>,
    /// Scale per copy in percent (`tr.s`), compounded.
    pub(crate) scale: Property<Vec2>,
    /// Rotation per copy in degrees (`tr.r`).
    pub(crate) rotation: Property<f64>,
    /// Opacity of the first copy in percent (`tr.so`).
    pub(crate) start_opacity: Property<f64>,
    /// Opacity of the last copy in percent (`tr.eo`).
    pub(crate) end_opacity: Property<f64>,
}

/// Rounded corners: replaces sharp vertices of the paths above with arcs.
#[derive(Clone, Debug)]
pub(crate) struct RoundCorners {
    /// Radius (`r`).
    pub(crate) radius: Property<f64>,
}

/// Offset path: grows (or shrinks) the paths above by a distance.
#[derive(Clone, Debug)]
pub(crate) struct OffsetPath {
    /// Distance, outward when positive (`a`).
    pub(crate) amount: Property<f64>,
    /// Corner join (`lj`: 1 miter, 2 round, 3 bevel).
    pub(crate) join: Join,
    /// Miter limit, as a multiple of the distance (`ml`).
    pub(crate) miter_limit: Property<f64>,
}

/// Pucker/bloat: pulls vertices toward the centre and pushes tangents out, or the reverse.
#[derive(Clone, Debug)]
pub(crate) struct PuckerBloat {
    /// Amount in percent, positive puckers (`a`).
    pub(crate) amount: Property<f64>,
}

/// Zig-zag: turns every segment of the paths above into ridges.
#[derive(Clone, Debug)]
pub(crate) struct ZigZag {
    /// Sideways displacement (`s`).
    pub(crate) size: Property<f64>,
    /// Ridges per segment (`r`).
    pub(crate) ridges: Property<f64>,
    /// Point type (`pt`: 1 corner, 2 smooth).
    pub(crate) points: Property<f64>,
}

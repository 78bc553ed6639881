//! Layers, masks and track mattes.

use super::property::Property;
use super::shape::{Group, PathData};
use super::transform::Transform;

/// What a layer draws.
#[derive(Clone, Debug)]
pub(crate) enum LayerContent {
    /// Nothing (null layers `ty: 3`, and unsupported types, which add a warning).
    None,
    /// Shapes (`ty: 4`), as one root group with an identity transform.
    Shapes(Group),
    /// A solid rectangle `(0, 0, width, height)` (`ty: 1`: `sc`, `sw`, `sh`).
    Solid {
        /// Colour (`sc`).
        color: [f64; 4],
        /// Width (`sw`).
        width: f64,
        /// Height (`sh`).
        height: f64,
    },
    /// A text layer (`ty: 5`) laid out with its embedded glyphs: one shape group per text
    /// document (`t.d.k`), with the local time from which it shows (documents hold).
    Text(Vec<(f64, Group)>),
    /// An embedded image (`ty: 2`, `refId` -> `assets[].p`), drawn over `(0, 0, width, height)`.
    Image {
        /// The pixels, premultiplied RGBA8, shared with every layer showing the same asset.
        image: peniko::ImageData,
        /// Drawn width (the asset's `w`).
        width: f64,
        /// Drawn height (the asset's `h`).
        height: f64,
    },
    /// A precomposition (`ty: 0`).
    Precomp {
        /// Index into [`super::Animation`]'s assets (`refId`).
        asset: usize,
        /// Clip width (`w`).
        width: f64,
        /// Clip height (`h`).
        height: f64,
        /// Time remap in seconds (`tm`).
        time_remap: Option<Property<f64>>,
    },
}

/// How a track matte's source gives coverage (`tt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatteMode {
    /// `tt: 1`.
    Alpha,
    /// `tt: 2`.
    AlphaInverted,
    /// `tt: 3`.
    Luma,
    /// `tt: 4`.
    LumaInverted,
}

/// How a mask combines with the masks before it (`mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MaskMode {
    /// `a`.
    Add,
    /// `s`.
    Subtract,
    /// `i`.
    Intersect,
    /// `l`.
    Lighten,
    /// `d`.
    Darken,
    /// `f`.
    Difference,
}

/// A layer mask (`masksProperties` entry).
#[derive(Clone, Debug)]
pub(crate) struct Mask {
    /// Combination mode (`mode`); `n` masks are dropped at import.
    pub(crate) mode: MaskMode,
    /// The outline, in layer coordinates (`pt`).
    pub(crate) path: Property<PathData>,
    /// Opacity in percent (`o`).
    pub(crate) opacity: Property<f64>,
    /// Inverted (`inv`).
    pub(crate) inverted: bool,
    /// Expansion in pixels (`x`), `None` when zero.
    pub(crate) expansion: Option<Property<f64>>,
}

/// One layer of a composition.
#[derive(Clone, Debug)]
pub(crate) struct Layer {
    /// Parent layer, as an index into the same composition's layer list (`parent` -> `ind`).
    pub(crate) parent: Option<usize>,
    /// In point, composition frames (`ip`).
    pub(crate) in_point: f64,
    /// Out point, composition frames (`op`).
    pub(crate) out_point: f64,
    /// Start time, composition frames (`st`).
    pub(crate) start_time: f64,
    /// Time stretch (`sr`).
    pub(crate) stretch: f64,
    /// Transform (`ks`).
    pub(crate) transform: Transform,
    /// Content.
    pub(crate) content: LayerContent,
    /// Masks (`masksProperties`).
    pub(crate) masks: Vec<Mask>,
    /// This layer is a track matte source and is not drawn itself (`td`).
    pub(crate) is_matte: bool,
    /// The matte this layer is shown through (`tt`) and its source layer index (`tp`, or the layer
    /// above).
    pub(crate) matte: Option<(MatteMode, usize)>,
    /// Rotate along the position path (`ao`).
    pub(crate) auto_orient: bool,
    /// Hidden (`hd`): never drawn, still usable as a parent.
    pub(crate) hidden: bool,
    /// Blend mode (`bm`), `None` for normal.
    pub(crate) blend: Option<peniko::BlendMode>,
}

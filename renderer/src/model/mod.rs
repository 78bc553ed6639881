//! The immutable animation model: compositions, layers, shapes and properties.
//!
//! Everything here is plain data, `Send + Sync`, built once by `import` and read at a time through
//! `sampling`; the model knows neither how it is parsed nor how it is sampled or drawn. It holds
//! the easing curves and motion paths of its keyframes as `interpolation` types, resolved once
//! at import.

pub(crate) mod layer;
pub(crate) mod paint;
pub(crate) mod property;
pub(crate) mod shape;
pub(crate) mod transform;

use layer::Layer;

/// The layers of the root composition (`layers`) or of a precomposition asset
/// (`assets[].layers`).
///
/// A composition has no size of its own: the root is the animation's `w` x `h`, and a
/// precomposition is clipped to the `w` x `h` of the layer that shows it
/// ([`LayerContent::Precomp`](layer::LayerContent::Precomp)).
#[derive(Clone, Debug, Default)]
pub(crate) struct Composition {
    /// Layers, top-first (`layers`).
    pub(crate) layers: Vec<Layer>,
}

/// A loaded, immutable animation. `Send + Sync`; share it with `Arc`.
///
/// Made by [`Animation::load`] or [`Animation::from_slice`]; its timeline is in
/// [`crate::timeline`].
#[derive(Debug)]
pub struct Animation {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) frame_rate: f64,
    pub(crate) in_point: f64,
    pub(crate) out_point: f64,
    pub(crate) version: String,
    pub(crate) name: String,
    pub(crate) warnings: Vec<String>,
    pub(crate) root: Composition,
    /// The precomposition assets, referenced by index from precomposition layers.
    pub(crate) precomps: Vec<Composition>,
    /// Number of entries of `assets` in the file (precompositions, images and any other kind).
    pub(crate) asset_count: usize,
    /// Bytes of decoded image assets (premultiplied RGBA8, shared by the layers that show them).
    pub(crate) image_bytes: u64,
}

impl Animation {
    /// Composition width in pixels (`w`).
    pub fn width(&self) -> f64 {
        self.width
    }
    /// Composition height in pixels (`h`).
    pub fn height(&self) -> f64 {
        self.height
    }
    /// Frames per second (`fr`).
    pub fn frame_rate(&self) -> f64 {
        self.frame_rate
    }
    /// First frame (`ip`).
    pub fn in_point(&self) -> f64 {
        self.in_point
    }
    /// Frame after the last one (`op`).
    pub fn out_point(&self) -> f64 {
        self.out_point
    }
    /// Number of top-level layers.
    pub fn layer_count(&self) -> usize {
        self.root.layers.len()
    }
    /// Number of entries of the file's `assets` (precompositions, images and any other kind).
    pub fn asset_count(&self) -> usize {
        self.asset_count
    }
    /// Bytes held by the decoded embedded images (4 a pixel), for callers that weigh animations
    /// by memory; bounded by [`LoadLimits::max_image_pixels`](crate::LoadLimits).
    pub fn image_bytes(&self) -> u64 {
        self.image_bytes
    }
    /// The exporter version (`v`).
    pub fn version(&self) -> &str {
        &self.version
    }
    /// The animation's name (`nm`).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Unsupported features found while importing, one line each, without duplicates.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

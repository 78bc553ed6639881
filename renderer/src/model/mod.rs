//! The immutable animation model: compositions, layers, shapes and properties.
//!
//! Everything here is plain data, `Send + Sync`, built once by `import` and read by `eval`.

pub(crate) mod layer;
pub(crate) mod paint;
pub(crate) mod projective;
pub(crate) mod property;
pub(crate) mod shape;
pub(crate) mod transform;

use layer::Layer;

/// A list of layers with a size: the root composition or a precomposition asset.
#[derive(Clone, Debug, Default)]
pub(crate) struct Composition {
    /// Layers, top-first (`layers`).
    pub(crate) layers: Vec<Layer>,
}

/// A loaded, immutable animation. `Send + Sync`; share it with `Arc`.
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
    /// Precomposition assets, referenced by index from precomp layers.
    pub(crate) assets: Vec<Composition>,
    pub(crate) asset_count: usize,
}

impl Animation {
    /// Parses Lottie JSON (already gunzipped).
    ///
    /// Unsupported features are skipped and listed in [`Animation::warnings`].
    ///
    /// # Errors
    ///
    /// Returns [`crate::Error`] when the bytes are not JSON, not a Lottie animation, or exceed a
    /// safety limit (size, layer count, nesting depth, keyframe count).
    pub fn from_slice(json: &[u8]) -> Result<Self, crate::Error> {
        crate::import::import(json)
    }

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
    /// Number of frames: `ceil(op - ip - 0.001)`; frame `k` is at time `ip + k`.
    pub fn total_frames(&self) -> u32 {
        let n = (self.out_point - self.in_point - 0.001).ceil().max(1.0);
        n.min(f64::from(u32::MAX)) as u32
    }
    /// Duration in seconds, `(op - ip) / fr`.
    pub fn duration(&self) -> f64 {
        (self.out_point - self.in_point) / self.frame_rate
    }
    /// Number of top-level layers.
    pub fn layer_count(&self) -> usize {
        self.root.layers.len()
    }
    /// Number of assets (precomps, images).
    pub fn asset_count(&self) -> usize {
        self.asset_count
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

//! TEMPORARY stand-in for the engine's model: reads the composition header only, so the binary,
//! the rasterizer and the tests can be built against the final API. The engine replaces this file.

use crate::{DrawList, Error};

/// A loaded, immutable animation. `Send + Sync`; share it with `Arc`.
#[derive(Debug)]
pub struct Animation {
    width: f64,
    height: f64,
    frame_rate: f64,
    in_point: f64,
    out_point: f64,
    layer_count: usize,
    asset_count: usize,
    version: String,
    name: String,
    warnings: Vec<String>,
}

impl Animation {
    /// Parses Lottie JSON (already gunzipped).
    ///
    /// # Errors
    ///
    /// Returns [`Error`] when the bytes are not JSON or not a Lottie animation.
    pub fn from_slice(json: &[u8]) -> Result<Self, Error> {
        let value: serde_json::Value = serde_json::from_slice(json)?;
        let obj = value
            .as_object()
            .ok_or_else(|| Error::NotLottie("the top level is not an object".into()))?;
        let num = |key: &str| {
            obj.get(key)
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| Error::NotLottie(format!("missing number `{key}`")))
        };
        let width = num("w")?;
        let height = num("h")?;
        let frame_rate = num("fr")?;
        let in_point = num("ip")?;
        let out_point = num("op")?;
        if !(width > 0.0 && height > 0.0) {
            return Err(Error::Invalid(format!("size is {width}x{height}")));
        }
        if !(frame_rate > 0.0) {
            return Err(Error::Invalid(format!("frame rate is {frame_rate}")));
        }
        if !(out_point > in_point) {
            return Err(Error::Invalid(format!(
                "out point {out_point} is not after in point {in_point}"
            )));
        }
        let len = |key: &str| obj.get(key).and_then(|v| v.as_array()).map_or(0, Vec::len);
        let text = |key: &str| {
            obj.get(key)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        Ok(Self {
            width,
            height,
            frame_rate,
            in_point,
            out_point,
            layer_count: len("layers"),
            asset_count: len("assets"),
            version: text("v"),
            name: text("nm"),
            warnings: Vec::new(),
        })
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
        self.layer_count
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

/// Evaluates animations into draw lists; holds scratch buffers reused across calls.
#[derive(Debug, Default)]
pub struct Renderer {}

impl Renderer {
    /// Creates a renderer with empty scratch buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Evaluates `animation` at composition time `frame` (in frames, `ip <= frame < op`; may be
    /// fractional) and replaces the contents of `out` with the frame's draw commands.
    pub fn evaluate(&mut self, animation: &Animation, frame: f64, out: &mut DrawList) {
        let _ = frame;
        out.reset(animation.width, animation.height);
    }
}

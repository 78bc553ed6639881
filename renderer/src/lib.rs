//! A Lottie engine: imports Lottie JSON (Telegram `.tgs` stickers once gunzipped) into an immutable
//! model, and evaluates it at a frame into a [`DrawList`] of draw commands.
//!
//! The JSON is read leniently (missing fields take defaults, legacy keyframe forms are accepted,
//! unknown items are skipped with a warning); the crate never touches pixels: `shaders-free-raster`
//! turns a [`DrawList`] into RGBA.
//!
//! # Usage
//!
//! ```
//! let json = br#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":64,"h":64,"layers":[]}"#;
//! let animation = renderer::Animation::from_slice(json)?;
//! let mut renderer = renderer::Renderer::new();
//! let mut list = renderer::DrawList::default();
//! renderer.evaluate(&animation, animation.in_point(), &mut list);
//! assert!(list.is_empty());
//! # Ok::<(), renderer::Error>(())
//! ```

#![forbid(unsafe_code)]

pub mod draw;
mod error;
mod eval;
mod import;
mod interpolation;
mod model;
mod timeline;

pub use draw::{Clip, DrawCommand, DrawList, MaskKind};
pub use error::Error;
pub use eval::Renderer;
pub use import::{
    MAX_KEYFRAMES, MAX_LAYERS, MAX_PATH_POINTS, MAX_PRECOMP_DEPTH, MAX_SHAPES, MAX_SIZE,
};
pub use model::Animation;

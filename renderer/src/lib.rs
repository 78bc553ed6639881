//! A Lottie engine: imports Lottie JSON (Telegram `.tgs` stickers once gunzipped) into an immutable
//! model, and evaluates it at a frame into a [`DrawList`] of draw commands.
//!
//! velato's schema parses the JSON behind a lenient normalisation pass; the engine builds its own
//! model from it. The crate never touches pixels: `shaders-free-raster` turns a [`DrawList`] into
//! RGBA.
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

mod animation;
pub mod draw;
mod error;
pub(crate) mod geometry;

pub use animation::{Animation, Renderer};
pub use draw::{Clip, DrawCommand, DrawList, MaskKind};
pub use error::Error;

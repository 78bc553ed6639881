//! Renders Lottie animations to pixels on the CPU: replays a `renderer`
//! [`DrawList`](renderer::DrawList) with vello_cpu into premultiplied RGBA8.
//!
//! No GPU, no shaders, no Lottie knowledge in the rasterizer: it only knows paths, brushes,
//! layers and masks. [`FrameRenderer`] (and the per-thread [`render`]) joins it to the engine,
//! so that embedding takes three calls and one crate:
//!
//! ```
//! use raster::{Animation, LoadLimits, Pixmap};
//!
//! let json = br##"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":10,"h":10,"layers":[{"ty":1,
//!     "sc":"#ff0000","sw":10,"sh":10,"ip":0,"op":30,"st":0,"ks":{}}]}"##;
//! let animation = Animation::load(json, &LoadLimits::default())?;
//! let mut pixmap = Pixmap::new(20, 20).expect("a valid size");
//! raster::render(&animation, animation.frame_time(15)?, &mut pixmap)?;
//! assert_eq!(&pixmap.to_straight_rgba8()[..4], &[255, 0, 0, 255]);
//! # Ok::<(), raster::Error>(())
//! ```
//!
//! The pixmap's size is the output size: the composition is scaled uniformly to fit it,
//! centred, on a transparent background. `examples/render_frame.rs` writes a frame to a PNG.
//! Every frame renders within a [`Budget`] (path elements, offscreen pixels, time;
//! [`render_within`] takes your own), so that a hostile file fails with
//! [`Error::LimitExceeded`] instead of taking seconds and gigabytes.
//!
//! | module | what |
//! |---|---|
//! | `frame` | [`FrameRenderer`]: animation x time -> pixels within a [`Budget`], buffers kept between frames |
//! | `damage` | what changed since the frame before, and where: the region to paint again |
//! | `rasterizer` | [`Rasterizer`]: [`DrawList`](renderer::DrawList) -> pixels, layers and masks |
//! | `output` | the view transform fitting a composition to the output; offscreen pixels needed |
//! | `outline` | paths and strokes -> outlines in output pixels, on the references' grid |
//! | `paint` | draw-list brushes -> vello_cpu paints, with a guard for its gradient tables |
//! | `pixmap` | [`Pixmap`]: the output buffer, premultiplied, and its straight-alpha copy |
//! | `testing` | helpers shared by the unit tests (test builds only) |

#![forbid(unsafe_code)]

mod damage;
mod flatten;
mod frame;
mod outline;
mod output;
mod paint;
mod pixmap;
mod rasterizer;
#[cfg(test)]
mod testing;

pub use frame::{FrameRenderer, render, render_within};
pub use pixmap::Pixmap;
pub use rasterizer::Rasterizer;

/// The engine this crate renders, re-exported so that embedders need one dependency.
pub use renderer;
pub use renderer::{Animation, Budget, Error, LoadLimits, Time};

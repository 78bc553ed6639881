//! Replays a `renderer` [`DrawList`](renderer::DrawList) with vello_cpu into premultiplied RGBA8.
//!
//! No GPU, no shaders, no Lottie knowledge: this crate only knows paths, brushes, layers and masks.
//!
//! # Usage
//!
//! ```
//! use kurbo::Shape;
//! use raster::{Pixmap, RasterSettings, Rasterizer};
//! use renderer::{DrawCommand, DrawList};
//!
//! let mut list = DrawList::new(10.0, 10.0);
//! list.push(DrawCommand::Fill {
//!     path: kurbo::Rect::new(0.0, 0.0, 10.0, 10.0).to_path(0.1),
//!     transform: kurbo::Affine::IDENTITY,
//!     fill_rule: peniko::Fill::NonZero,
//!     brush: peniko::Color::from_rgba8(255, 0, 0, 255).into(),
//! });
//! let mut rasterizer = Rasterizer::new();
//! let mut pixmap = Pixmap::new(20, 20);
//! rasterizer.render(&list, &RasterSettings::new(20, 20), &mut pixmap);
//! assert_eq!(pixmap.data()[0].r, 255);
//! ```

#![forbid(unsafe_code)]

mod pixmap;
mod rasterizer;
mod settings;

pub use pixmap::{Pixmap, unpremultiply_into};
pub use rasterizer::Rasterizer;
pub use settings::{Quality, RasterSettings};

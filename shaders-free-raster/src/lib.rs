//! Replays a `renderer` [`DrawList`](renderer::DrawList) with vello_cpu into premultiplied RGBA8.
//!
//! No GPU, no shaders, no Lottie knowledge: this crate only knows paths, brushes, layers and masks.

#![forbid(unsafe_code)]

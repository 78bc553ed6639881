//! Frames of an animation to pixels: the engine's evaluation and this crate's rasterizer, with
//! their buffers kept from frame to frame.

use std::cell::RefCell;

use renderer::{Animation, DrawList, Evaluator, Time};

use crate::{Pixmap, Rasterizer};

/// Renders frames of animations into pixmaps.
///
/// Keeps the evaluator's and the rasterizer's buffers and the draw list between calls, so that
/// rendering frame after frame does not allocate. Keep one per thread, or call [`render`], which
/// keeps one per thread for you.
#[derive(Debug, Default)]
pub struct FrameRenderer {
    evaluator: Evaluator,
    list: DrawList,
    rasterizer: Rasterizer,
}

impl FrameRenderer {
    /// Creates a frame renderer with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renders `animation` at `time` into `pixmap`, replacing its contents: the composition
    /// scaled uniformly to fit the pixmap, centred, on a transparent background.
    pub fn render(&mut self, animation: &Animation, time: Time, pixmap: &mut Pixmap) {
        self.evaluator.evaluate(animation, time, &mut self.list);
        self.rasterizer.render(&self.list, pixmap);
    }
}

thread_local! {
    static FRAME_RENDERER: RefCell<FrameRenderer> = RefCell::new(FrameRenderer::new());
}

/// Renders `animation` at `time` into `pixmap` (see [`FrameRenderer::render`]) with this
/// thread's own [`FrameRenderer`].
pub fn render(animation: &Animation, time: Time, pixmap: &mut Pixmap) {
    FRAME_RENDERER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut renderer) => renderer.render(animation, time, pixmap),
        // Only reachable if rendering re-entered itself on this thread: use fresh buffers.
        Err(_) => FrameRenderer::new().render(animation, time, pixmap),
    });
}

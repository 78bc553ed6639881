//! Frames of an animation to pixels: the engine's evaluation and this crate's rasterizer, with
//! their buffers kept from frame to frame, within a [`Budget`].

use std::cell::RefCell;
use std::time::Instant;

use renderer::{Animation, Budget, DrawList, Error, Evaluator, Time};

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
    /// scaled uniformly to fit the pixmap, centred, on a transparent background. The frame may
    /// cost at most `budget` (path elements, offscreen pixels, time).
    ///
    /// # Errors
    ///
    /// [`Error::LimitExceeded`] naming the limit the frame passed; the pixmap then holds no
    /// complete frame.
    pub fn render(
        &mut self,
        animation: &Animation,
        time: Time,
        budget: &Budget,
        pixmap: &mut Pixmap,
    ) -> Result<(), Error> {
        let started = Instant::now();
        self.evaluator
            .evaluate_within(animation, time, budget, &mut self.list)?;
        self.rasterizer
            .render_within(&self.list, budget, started, pixmap)
    }
}

thread_local! {
    static FRAME_RENDERER: RefCell<FrameRenderer> = RefCell::new(FrameRenderer::new());
}

/// Renders `animation` at `time` into `pixmap` within the default [`Budget`] (see
/// [`FrameRenderer::render`]) with this thread's own [`FrameRenderer`].
///
/// # Errors
///
/// As [`FrameRenderer::render`].
pub fn render(animation: &Animation, time: Time, pixmap: &mut Pixmap) -> Result<(), Error> {
    render_within(animation, time, &Budget::default(), pixmap)
}

/// [`render`] within `budget`.
///
/// # Errors
///
/// As [`FrameRenderer::render`].
pub fn render_within(
    animation: &Animation,
    time: Time,
    budget: &Budget,
    pixmap: &mut Pixmap,
) -> Result<(), Error> {
    FRAME_RENDERER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut renderer) => renderer.render(animation, time, budget, pixmap),
        // Only reachable if rendering re-entered itself on this thread: use fresh buffers.
        Err(_) => FrameRenderer::new().render(animation, time, budget, pixmap),
    })
}

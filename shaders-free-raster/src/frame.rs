//! Frames of an animation to pixels: the engine's evaluation and this crate's rasterizer, with
//! their buffers kept from frame to frame, within a [`Budget`].

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use renderer::{Animation, Budget, DrawList, Error, Evaluator, Time};

use crate::damage::{PixelRect, Unit, damage, split_units};
use crate::output::{check_offscreen, fit_transform};
use crate::{Pixmap, Rasterizer};

/// Renders frames of animations into pixmaps.
///
/// Keeps the evaluator's and the rasterizer's buffers and the draw list between calls, so that
/// rendering frame after frame does not allocate. Keep one per thread, or call [`render`], which
/// keeps one per thread for you.
///
/// Rendering the frames of an animation in order into the same pixmap paints only what changed:
/// when the pixmap still holds the frame this renderer drew last, the parts of the new frame's
/// draw list that differ from that frame's are found (see `damage`), and only the rectangle they
/// cover, before and after, is painted again (as a scene of about the rectangle's size); a frame
/// that draws exactly what the last one drew leaves the pixmap as it is. The pixels are those
/// of the frame drawn whole, within one in a channel (vello_cpu may round a little differently
/// in a smaller scene; rarely, see `SCENE_MARGIN` in `rasterizer`); [`Pixmap::forget_frame`]
/// draws the next frame whole.
#[derive(Debug, Default)]
pub struct FrameRenderer {
    evaluator: Evaluator,
    list: DrawList,
    rasterizer: Rasterizer,
    /// The draw list of the frame drawn last (valid while `last_content` is not 0), and its units
    /// (valid while `last_split`).
    last_list: DrawList,
    last_units: Vec<Unit>,
    /// Whether `last_units` holds the units of `last_list`: a list is split only when the frame
    /// after it is painted into the same pixmap, so a frame drawn once (a still) is never split.
    last_split: bool,
    units: Vec<Unit>,
    /// What the frame drawn last is named in the pixmap it was drawn into ([`Pixmap::content`]);
    /// 0 when there is no such frame.
    last_content: u64,
}

/// Names every frame drawn, in every renderer, with a number never used before.
static NEXT_CONTENT: AtomicU64 = AtomicU64::new(1);

/// Paint the damaged region alone while it is at most this share of the output (in tenths);
/// a larger region is painted with the rest, which saves copying it from a scratch pixmap and
/// painting the margin around it.
const MAX_REGION_TENTHS: u64 = 9;

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
        let (width, height) = pixmap.size_u16();
        let holds_last = self.last_content != 0
            && pixmap.content() == self.last_content
            && (self.list.width, self.list.height) == (self.last_list.width, self.last_list.height);
        // Units are found only to compare with the frame before: the pixmap holds it (so it has
        // the same size, and the same view fits both lists to it). The last list is split only
        // now, when a frame follows it into the same pixmap.
        let view = fit_transform(self.list.width, self.list.height, width, height);
        let split =
            holds_last && split_units(&self.list.commands, view, width, height, &mut self.units);
        let compare = split
            && (self.last_split
                || split_units(
                    &self.last_list.commands,
                    view,
                    width,
                    height,
                    &mut self.last_units,
                ));
        let region = if compare {
            damage(
                &self.last_list.commands,
                &self.last_units,
                &self.list.commands,
                &self.units,
            )
        } else {
            PixelRect::full(width, height)
        };
        let full = u64::from(width) * u64::from(height);
        let result = if region.is_empty() {
            // Nothing to draw, but the frame must be within the budget as if it were drawn.
            check_offscreen(&self.list, budget, pixmap)
        } else if region.area() * 10 <= full * MAX_REGION_TENTHS {
            self.rasterizer.render_region_within(
                &self.list,
                &self.units,
                region,
                budget,
                started,
                pixmap,
            )
        } else {
            self.rasterizer
                .render_within(&self.list, budget, started, pixmap)
        };
        std::mem::swap(&mut self.list, &mut self.last_list);
        std::mem::swap(&mut self.units, &mut self.last_units);
        self.last_split = split;
        if result.is_ok() {
            self.last_content = NEXT_CONTENT.fetch_add(1, Ordering::Relaxed);
            pixmap.set_content(self.last_content);
        } else {
            self.last_content = 0;
        }
        result
    }

    /// Forgets the frame drawn last, so that the next frame is drawn whole, as if it were the
    /// first: without the pixels of the frame before, and without the outlines kept from it
    /// (their buffers stay allocated).
    pub fn forget_last_frame(&mut self) {
        self.last_content = 0;
        self.rasterizer.forget_outlines();
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

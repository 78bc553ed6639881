//! Evaluation: `Animation` x time -> `DrawList`.

mod emit;
mod image;
mod layer;
mod masks;
pub(crate) mod modifiers;
mod paint;
mod shape_paths;
mod shapes;

use kurbo::{Affine, BezPath};
use peniko::ColorStop;

use crate::Error;
use crate::budget::{Budget, Meter};
use crate::draw::{Clip, DrawCommand, DrawList};
use crate::geometry::projective::LayerMatrix;
use crate::model::Animation;
use crate::model::shape::PathData;
use crate::timeline::Time;

/// Evaluates an animation at a time into a [`DrawList`].
///
/// [`Evaluator::evaluate`] behaves as a pure function of the animation and the time; the
/// evaluator only keeps buffers reused from frame to frame, so that steady-state evaluation does
/// not allocate. Keep one per thread.
#[derive(Debug, Default)]
pub struct Evaluator {
    /// Paths of the shape layer being drawn, in their group's coordinates; `n_paths` are in use.
    paths: Vec<BezPath>,
    /// Group transform (relative to the layer) of each path.
    mats: Vec<Affine>,
    n_paths: usize,
    /// Repeater copies left for the shape layer being drawn.
    copy_budget: usize,
    paints: Vec<emit::PaintOp>,
    /// Paths taken back from the previous frame's draw list.
    pool: Vec<BezPath>,
    path_data: PathData,
    stop_values: Vec<f64>,
    stop_positions: Vec<f64>,
    color_stops: Vec<ColorStop>,
    trim: modifiers::trim::TrimScratch,
    /// Whether a skew (a layer's, a parent's or a precomposition's) applies to what is drawn:
    /// strokes are then widened in their own space (see `Evaluator::emit`).
    skewed: bool,
    /// The frame's spending, checked between layers; `None` when unlimited.
    meter: Option<Meter>,
}

impl Evaluator {
    /// Creates an evaluator with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Evaluates `animation` at `time` and replaces the contents of `out` with that frame's draw
    /// commands, without limits (see [`Evaluator::evaluate_within`] for untrusted files).
    pub fn evaluate(&mut self, animation: &Animation, time: Time, out: &mut DrawList) {
        self.meter = None;
        self.draw_frame(animation, time, out);
    }

    /// Like [`Evaluator::evaluate`], but stops as soon as the frame passes `budget`'s path
    /// elements or time (checked between layers).
    ///
    /// # Errors
    ///
    /// [`Error::LimitExceeded`] naming the limit; `out` then holds a partial, unbalanced list
    /// that must not be drawn.
    pub fn evaluate_within(
        &mut self,
        animation: &Animation,
        time: Time,
        budget: &Budget,
        out: &mut DrawList,
    ) -> Result<(), Error> {
        self.meter = Some(Meter::new(*budget));
        self.draw_frame(animation, time, out);
        let mut meter = self.meter.take().expect("set above");
        meter.check(&out.commands);
        meter.result()
    }

    /// Returns `false` once the frame has passed its budget: drawing then stops.
    fn within_budget(&mut self, out: &DrawList) -> bool {
        self.meter.as_mut().is_none_or(|m| m.check(&out.commands))
    }

    fn draw_frame(&mut self, animation: &Animation, time: Time, out: &mut DrawList) {
        self.recycle(out);
        out.reset(animation.width, animation.height);
        let t = time.frames();
        let t = if t.is_finite() { t } else { animation.in_point };
        self.draw_composition(
            animation,
            &animation.root,
            t,
            LayerMatrix::IDENTITY,
            1.0,
            out,
        );
    }

    /// Takes the paths of `out`'s commands back into the pool.
    fn recycle(&mut self, out: &mut DrawList) {
        for cmd in out.commands.drain(..) {
            match cmd {
                DrawCommand::Fill { path, .. } | DrawCommand::Stroke { path, .. } => {
                    self.pool.push(path);
                }
                DrawCommand::PushLayer {
                    clip: Some(Clip { path, .. }),
                    ..
                } => self.pool.push(path),
                _ => {}
            }
        }
    }

    fn take_path(&mut self) -> BezPath {
        let mut p = self.pool.pop().unwrap_or_default();
        p.truncate(0);
        p
    }
}

//! Draw commands: what the engine emits for one frame, in composition coordinates.
//!
//! A [`DrawList`] is a flat sequence of commands with nesting expressed by push/pop pairs. It is the
//! seam between the Lottie engine (which never sees pixels) and a rasterizer (which never sees
//! Lottie): `shaders-free-raster` replays it with vello_cpu.
//!
//! Coordinates are composition pixels: `(0, 0)` is the top-left corner of the composition and
//! `(width, height)` its bottom-right corner. The rasterizer scales this space to the output size and
//! clips to the composition rectangle.

use kurbo::{Affine, BezPath, Stroke};
use peniko::{BlendMode, Brush, Fill};

/// How much `m` scales a stroke's width and dash lengths (rlottie's `VMatrix::scale`): half the
/// length of the image of the vector (√2, √2). Under a uniform scale this is that scale.
pub fn stroke_scale(m: Affine) -> f64 {
    let [a, b, c, d, _, _] = m.as_coeffs();
    (a + c).hypot(b + d) / std::f64::consts::SQRT_2
}

/// One drawing operation.
#[derive(Clone, Debug, PartialEq)]
pub enum DrawCommand {
    /// Fills `path`, transformed by `transform`, with `brush` (opacity already folded into it).
    ///
    /// Gradient brushes are defined in the same local space as `path`.
    Fill {
        /// The outline, in local coordinates.
        path: BezPath,
        /// Local to composition coordinates.
        transform: Affine,
        /// Nonzero or even-odd.
        fill_rule: Fill,
        /// Solid colour, gradient or image, in local coordinates. An image brush (an image
        /// layer) holds premultiplied RGBA8 shared with the model (an `Arc`'d blob), laid over
        /// the local pixel grid `(0, 0, width, height)`; it is sampled bilinearly
        /// ([`peniko::ImageQuality::Medium`]) and its sampler's `alpha` is the layer's opacity.
        brush: Brush,
    },
    /// Strokes `path`, transformed by `transform`, with `brush`.
    ///
    /// The path is transformed first and then stroked at one width, as rlottie (and so Telegram)
    /// strokes: the width of `style` is multiplied by [`stroke_scale`]`(transform)`. Under an
    /// uneven scale the stroke therefore keeps an even width, where After Effects would stretch
    /// it; the engine emits a stroke that must stretch (under a skew) as the
    /// [`DrawCommand::Fill`] of its outline instead.
    ///
    /// Strokes are solid: the engine cuts Lottie dashes into the path itself (they follow rules of
    /// rlottie's that no general dasher knows), so `style` carries no dash pattern and a
    /// rasterizer ignores one.
    Stroke {
        /// The centre line, in local coordinates.
        path: BezPath,
        /// Local to composition coordinates.
        transform: Affine,
        /// Width, joins and caps (no dashes).
        style: Stroke,
        /// Solid colour or gradient, in local coordinates.
        brush: Brush,
    },
    /// Starts a group that is composited as a unit once the matching [`DrawCommand::PopLayer`] is
    /// reached: clipped by `clip`, faded by `opacity`, blended with `blend`.
    PushLayer {
        /// Optional clip outline.
        clip: Option<Clip>,
        /// Group opacity in `0..=1`.
        opacity: f32,
        /// How the group is blended onto what is below it.
        blend: BlendMode,
    },
    /// Ends the group started by the matching [`DrawCommand::PushLayer`].
    PopLayer,
    /// Starts a masked group.
    ///
    /// The commands up to the matching [`DrawCommand::BeginMasked`] draw the *mask source* into an
    /// offscreen, transparent buffer of the output's size; the commands from there up to the matching
    /// [`DrawCommand::PopMask`] are the *content*, which is shown through the mask. The mask source
    /// may use compose blend modes (for example `DestOut` for a subtracting mask) on its layers.
    /// Masks nest.
    PushMask {
        /// Which channel of the mask source gives coverage.
        kind: MaskKind,
        /// Coverage is `1 - value` when set (inverted track mattes).
        inverted: bool,
    },
    /// Ends the mask source and starts the content of the innermost [`DrawCommand::PushMask`].
    BeginMasked,
    /// Ends the innermost masked group.
    PopMask,
}

/// A clip outline for [`DrawCommand::PushLayer`].
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// The outline, in local coordinates.
    pub path: BezPath,
    /// Local to composition coordinates.
    pub transform: Affine,
    /// Nonzero or even-odd.
    pub fill_rule: Fill,
}

/// The channel of a mask source that gives coverage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskKind {
    /// Coverage is the source's alpha.
    Alpha,
    /// Coverage is the source's luminance (times its alpha).
    Luminance,
}

/// The draw commands of one frame, with the composition size they refer to.
///
/// Reuse one list across frames ([`DrawList::clear`]) to keep its allocation.
#[derive(Clone, Debug, Default)]
pub struct DrawList {
    /// Composition width in pixels.
    pub width: f64,
    /// Composition height in pixels.
    pub height: f64,
    /// The commands, in painting order (first is bottom-most).
    pub commands: Vec<DrawCommand>,
}

impl DrawList {
    /// Creates an empty list for a composition of `width` x `height` pixels.
    pub fn new(width: f64, height: f64) -> Self {
        Self {
            width,
            height,
            commands: Vec::new(),
        }
    }

    /// Removes every command, keeping the allocation, and sets the composition size.
    pub fn reset(&mut self, width: f64, height: f64) {
        self.width = width;
        self.height = height;
        self.commands.clear();
    }

    /// Removes every command, keeping the allocation and the size.
    pub fn clear(&mut self) {
        self.commands.clear();
    }

    /// Appends `command`.
    pub fn push(&mut self, command: DrawCommand) {
        self.commands.push(command);
    }

    /// Returns the number of commands.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Returns `true` when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }
}

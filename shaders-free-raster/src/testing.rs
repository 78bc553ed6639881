//! Helpers shared by the unit tests: draw commands and a one-call render.

use kurbo::{Affine, BezPath};
use peniko::{Color, Fill};
use renderer::{DrawCommand, DrawList};

use crate::{Pixmap, Rasterizer};

pub(crate) const RED: Color = Color::from_rgba8(255, 0, 0, 255);
pub(crate) const WHITE: Color = Color::from_rgba8(255, 255, 255, 255);

/// Fills `path` with `color`, untransformed, by the non-zero rule.
pub(crate) fn fill(path: BezPath, color: Color) -> DrawCommand {
    DrawCommand::Fill {
        path,
        transform: Affine::IDENTITY,
        fill_rule: Fill::NonZero,
        brush: color.into(),
    }
}

/// Renders `list` into a new `w` x `h` pixmap.
pub(crate) fn render(list: &DrawList, w: u32, h: u32) -> Pixmap {
    let mut pixmap = Pixmap::new(w, h).unwrap();
    Rasterizer::new().render(list, &mut pixmap);
    pixmap
}

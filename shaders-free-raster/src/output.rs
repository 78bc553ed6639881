//! The output a draw list is drawn into: the view transform that fits the composition to it, and
//! the offscreen pixels the list's masks, mattes and layers need there.

use kurbo::{Affine, Rect, Shape};
use renderer::{Budget, DrawCommand, DrawList, Error};

use crate::Pixmap;

/// Refuses `list` when drawing it into `out` needs more than `budget.max_offscreen_pixels`.
pub(crate) fn check_offscreen(list: &DrawList, budget: &Budget, out: &Pixmap) -> Result<(), Error> {
    let (width, height) = out.size_u16();
    let view = fit_transform(list.width, list.height, width, height);
    let offscreen = offscreen_pixels(&list.commands, view, width, height);
    if offscreen > budget.max_offscreen_pixels {
        return Err(Error::LimitExceeded(format!(
            "the frame needs {offscreen} offscreen pixels for its masks, mattes and layers at \
             {width}x{height}; the limit is {} (max_offscreen_pixels)",
            budget.max_offscreen_pixels
        )));
    }
    Ok(())
}

/// The offscreen pixels `commands` need at `width` x `height` under `view`: the whole output for
/// each mask or matte (its source is drawn into a buffer that size), and the clip's bounds, or
/// the whole output, for each layer.
fn offscreen_pixels(commands: &[DrawCommand], view: Affine, width: u16, height: u16) -> u64 {
    let output = Rect::new(0.0, 0.0, f64::from(width), f64::from(height));
    let full = u64::from(width) * u64::from(height);
    commands
        .iter()
        .map(|cmd| match cmd {
            DrawCommand::PushMask { .. } => full,
            DrawCommand::PushLayer {
                clip: Some(clip), ..
            } => {
                let bounds = (view * clip.transform)
                    .transform_rect_bbox(clip.path.bounding_box())
                    .intersect(output);
                // Rounded up to whole pixels; a NaN bound counts as the whole output.
                let area = (bounds.width().max(0.0).ceil() + 1.0)
                    * (bounds.height().max(0.0).ceil() + 1.0);
                if area.is_finite() {
                    (area as u64).min(full)
                } else {
                    full
                }
            }
            DrawCommand::PushLayer { clip: None, .. } => full,
            _ => 0,
        })
        .fold(0_u64, u64::saturating_add)
}

/// Scales a `comp_w` x `comp_h` composition uniformly to fit `width` x `height`, centred.
pub(crate) fn fit_transform(comp_w: f64, comp_h: f64, width: u16, height: u16) -> Affine {
    if !(comp_w > 0.0 && comp_h > 0.0) {
        return Affine::IDENTITY;
    }
    let (w, h) = (f64::from(width), f64::from(height));
    let scale = (w / comp_w).min(h / comp_h);
    let dx = (w - comp_w * scale) / 2.0;
    let dy = (h - comp_h * scale) / 2.0;
    Affine::translate((dx, dy)) * Affine::scale(scale)
}

//! Layer masks (`masksProperties`): each mask's coverage combined into one luminance mask.

use kurbo::{Affine, BezPath, Join, Rect, Shape as _};
use peniko::{BlendMode, Compose, Fill as FillRule, Mix};

use super::{Evaluator, paint, shape_paths};
use crate::draw::{DrawCommand, DrawList, MaskKind};
use crate::geometry::offset_path::offset_path;
use crate::geometry::projective::LayerMatrix;
use crate::model::Animation;
use crate::model::layer::{Layer, MaskMode};

impl Evaluator {
    /// Emits the mask source of `layer` and starts its masked content; returns `false` when the
    /// layer has no (effective) masks.
    pub(super) fn push_masks(
        &mut self,
        layer: &Layer,
        t: f64,
        matrix: LayerMatrix,
        anim: &Animation,
        out: &mut DrawList,
    ) -> bool {
        if layer.masks.is_empty() {
            return false;
        }
        // The coverage is built as a grey level on an opaque black canvas (a luminance mask), so
        // that every mode is one colour blend: add and subtract paint white or black over it;
        // intersect, lighten, darken and difference blend an opaque grey layer holding the
        // mask's own coverage (times its opacity) with multiply, lighten (max), darken (min)
        // and exclusion (a + b - 2ab), as After Effects and ThorVG combine masks.
        out.push(DrawCommand::PushMask {
            kind: MaskKind::Luminance,
            inverted: false,
        });
        let full = Rect::new(0.0, 0.0, anim.width, anim.height).inflate(2.0, 2.0);
        // The first mask combines with an empty coverage, except that subtracting or
        // intersecting first starts from full coverage (After Effects, rlottie).
        let starts_full = matches!(
            layer.masks[0].mode,
            MaskMode::Subtract | MaskMode::Intersect
        );
        self.fill_rect(full, GREY_BLACK, 1.0, out);
        if starts_full {
            self.fill_rect(full, GREY_WHITE, 1.0, out);
        }
        for mask in &layer.masks {
            let opacity = (mask.opacity.at(t) / 100.0).clamp(0.0, 1.0);
            let mut path = self.take_path();
            let mut data = std::mem::take(&mut self.path_data);
            mask.path.eval_into(t, &mut data);
            shape_paths::path_data(&data, &mut path);
            self.path_data = data;
            if let Some(x) = &mask.expansion {
                let x = x.at(t);
                if x != 0.0 {
                    path = offset_path(&path, x, Join::Round, 4.0);
                }
            }
            let mix = match mask.mode {
                // Painting straight onto the coverage: white adds, black subtracts.
                MaskMode::Add | MaskMode::Subtract if !mask.inverted => {
                    let grey = if mask.mode == MaskMode::Add {
                        GREY_WHITE
                    } else {
                        GREY_BLACK
                    };
                    Self::fill_grey(path, matrix, grey, opacity, out);
                    continue;
                }
                // a + b - ab.
                MaskMode::Add => Mix::Screen,
                // a * (1 - b): the layer below holds 1 - b.
                MaskMode::Subtract => Mix::Multiply,
                MaskMode::Intersect => Mix::Multiply,
                MaskMode::Lighten => Mix::Lighten,
                MaskMode::Darken => Mix::Darken,
                MaskMode::Difference => Mix::Exclusion,
            };
            // An opaque grey layer holding this mask's coverage b (times its opacity), or
            // 1 - b for a subtract, blended onto the coverage so far.
            out.push(DrawCommand::PushLayer {
                clip: None,
                opacity: 1.0,
                blend: BlendMode::new(mix, Compose::SrcOver),
            });
            let subtract = mask.mode == MaskMode::Subtract;
            // The layer's value outside the shape, and the shape's own value.
            let (outside, inside) = match (mask.inverted, subtract) {
                (false, false) => (0.0, opacity),
                (true, false) => (opacity, 0.0),
                (false, true) => (1.0, 1.0 - opacity),
                (true, true) => (1.0 - opacity, 1.0),
            };
            self.fill_rect(full, grey(outside), 1.0, out);
            Self::fill_grey(path, matrix, grey(inside), 1.0, out);
            out.push(DrawCommand::PopLayer);
        }
        out.push(DrawCommand::BeginMasked);
        true
    }

    fn fill_rect(&mut self, rect: Rect, grey: f64, alpha: f64, out: &mut DrawList) {
        let mut path = self.take_path();
        path.extend(rect.path_elements(0.1));
        out.push(DrawCommand::Fill {
            path,
            transform: Affine::IDENTITY,
            fill_rule: FillRule::NonZero,
            brush: paint::solid([grey, grey, grey, 1.0], alpha),
        });
    }

    fn fill_grey(
        mut path: BezPath,
        matrix: LayerMatrix,
        grey: f64,
        alpha: f64,
        out: &mut DrawList,
    ) {
        let transform = matrix.place(&mut path);
        out.push(DrawCommand::Fill {
            path,
            transform,
            fill_rule: FillRule::NonZero,
            brush: paint::solid([grey, grey, grey, 1.0], alpha),
        });
    }
}

/// Grey levels of a luminance mask: full and no coverage.
const GREY_WHITE: f64 = 1.0;
const GREY_BLACK: f64 = 0.0;

/// The grey level of coverage `c`.
fn grey(c: f64) -> f64 {
    c.clamp(0.0, 1.0)
}

//! Layer masks (`masksProperties`): each mask's coverage combined into one luminance mask.

use kurbo::{Affine, BezPath, Join, Rect, Shape as _};
use peniko::{BlendMode, Compose, Fill as FillRule, Mix};

use super::{Evaluator, paint, shape_paths};
use crate::draw::{Clip, DrawCommand, DrawList, MaskKind};
use crate::geometry::offset_path::offset_path;
use crate::geometry::projective::LayerMatrix;
use crate::model::Animation;
use crate::model::layer::{Layer, Mask, MaskMode};

/// How a layer's content is masked: the command that ends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Masked {
    /// No masks.
    No,
    /// A luminance mask, ended by `PopMask`.
    ByMask,
    /// A clipped layer with the mask's opacity, ended by `PopLayer`.
    ByClip,
}

impl Evaluator {
    /// Emits the masks of `layer` and starts its masked content; says how to end it.
    ///
    /// A single mask, not inverted, whose mode leaves its own coverage (see [`alone_is_own`]) is a
    /// clip path at the mask's opacity: coverage times opacity, as the mask it stands for, without
    /// a mask source painted offscreen and read back. Any other masks become one luminance mask.
    pub(super) fn push_masks(
        &mut self,
        layer: &Layer,
        t: f64,
        matrix: LayerMatrix,
        anim: &Animation,
        out: &mut DrawList,
    ) -> Masked {
        if layer.masks.is_empty() {
            return Masked::No;
        }
        if let [mask] = layer.masks.as_slice()
            && alone_is_own(mask.mode)
            && !mask.inverted
        {
            let opacity = (mask.opacity.at(t) / 100.0).clamp(0.0, 1.0);
            let path = self.mask_path(mask, t);
            push_clip_layer(path, matrix, opacity as f32, out);
            return Masked::ByClip;
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
            let path = self.mask_path(mask, t);
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
        Masked::ByMask
    }

    /// The outline of `mask` at `t`, expanded, in layer coordinates.
    fn mask_path(&mut self, mask: &Mask, t: f64) -> BezPath {
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
        path
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

/// Whether a mask of `mode` that is the layer's only one leaves its own coverage, as the
/// luminance mask below combines it: add paints it onto none; intersect multiplies it into full
/// coverage (a first intersect or subtract starts full); lighten takes the larger of it and none,
/// and difference `a + b - 2ab` with `a` = 0. (Subtract leaves the rest, darken nothing.)
fn alone_is_own(mode: MaskMode) -> bool {
    matches!(
        mode,
        MaskMode::Add | MaskMode::Intersect | MaskMode::Lighten | MaskMode::Difference
    )
}

/// Starts a layer clipped to `path` (in layer coordinates, placed by `matrix`) and faded by
/// `opacity`, ended by `PopLayer`.
pub(super) fn push_clip_layer(
    mut path: BezPath,
    matrix: LayerMatrix,
    opacity: f32,
    out: &mut DrawList,
) {
    let transform = matrix.place(&mut path);
    out.push(DrawCommand::PushLayer {
        clip: Some(Clip {
            path,
            transform,
            fill_rule: FillRule::NonZero,
        }),
        opacity,
        blend: BlendMode::default(),
    });
}

/// Grey levels of a luminance mask: full and no coverage.
const GREY_WHITE: f64 = 1.0;
const GREY_BLACK: f64 = 0.0;

/// The grey level of coverage `c`.
fn grey(c: f64) -> f64 {
    c.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use crate::draw::{DrawCommand, DrawList};

    /// Evaluates a one-layer animation with `masks` (the `masksProperties` JSON) at frame 0.
    fn masked_layer(masks: &str) -> DrawList {
        let json = format!(
            r#"{{"v":"5.7.0","fr":30,"ip":0,"op":10,"w":100,"h":100,"layers":[{{"ty":4,"ind":1,
            "ip":0,"op":10,"st":0,"ks":{{}},"hasMask":true,"masksProperties":[{masks}],
            "shapes":[{{"ty":"rc","p":{{"a":0,"k":[50,50]}},"s":{{"a":0,"k":[80,80]}},
            "r":{{"a":0,"k":0}}}},{{"ty":"fl","c":{{"a":0,"k":[1,0,0,1]}},"o":{{"a":0,"k":100}}}}]}}]}}"#
        );
        let animation = crate::Animation::from_slice(json.as_bytes()).unwrap();
        let mut list = DrawList::default();
        crate::Evaluator::new().evaluate(&animation, crate::Time::from_frames(0.0), &mut list);
        list
    }

    fn mask(mode: &str, inverted: bool, opacity: f64) -> String {
        format!(
            r#"{{"mode":"{mode}","inv":{inverted},"o":{{"a":0,"k":{opacity}}},"pt":{{"a":0,"k":
            {{"c":true,"v":[[10,10],[60,10],[60,60]],"i":[[0,0],[0,0],[0,0]],"o":[[0,0],[0,0],[0,0]]}}}}}}"#
        )
    }

    #[test]
    fn one_mask_that_leaves_its_own_coverage_is_a_clip_at_its_opacity() {
        for mode in ["a", "i", "l", "f"] {
            let list = masked_layer(&mask(mode, false, 40.0));
            let [
                DrawCommand::PushLayer {
                    clip: Some(clip),
                    opacity,
                    ..
                },
                DrawCommand::Fill { .. },
                DrawCommand::PopLayer,
            ] = list.commands.as_slice()
            else {
                panic!("{mode}: a clipped layer expected: {:?}", list.commands);
            };
            assert_eq!(*opacity, 0.4);
            assert_eq!(clip.path.elements().len(), 5, "the mask's triangle, closed");
        }
    }

    #[test]
    fn other_masks_are_a_luminance_mask() {
        let inverted = mask("a", true, 100.0);
        let two = format!("{},{}", mask("a", false, 100.0), mask("a", false, 100.0));
        for masks in [
            inverted,
            mask("s", false, 100.0),
            mask("i", true, 100.0),
            mask("d", false, 100.0),
            two,
        ] {
            let list = masked_layer(&masks);
            assert!(
                matches!(list.commands.first(), Some(DrawCommand::PushMask { .. }))
                    && matches!(list.commands.last(), Some(DrawCommand::PopMask)),
                "{masks}: {:?}",
                list.commands
            );
        }
    }
}

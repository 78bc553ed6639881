//! Compositions and layers: visibility, parenting, precomps, masks and track mattes.

use kurbo::{Affine, BezPath, Join, Rect, Shape as _};
use peniko::{BlendMode, Compose, Fill as FillRule, Mix};

use super::{Scratch, geometry, paint};
use crate::draw::{Clip, DrawCommand, DrawList, MaskKind};
use crate::geometry::offset_path::offset_path;
use crate::model::layer::{Layer, LayerContent, MaskMode, MatteMode};
use crate::model::projective::LayerMatrix;
use crate::model::{Animation, Composition};

/// Precomp clips and masks are skipped when they cover this much more than the composition.
const FULL_RECT_MARGIN: f64 = 1.0;

impl Scratch {
    /// Draws the layers of `comp` at its time `t`, bottom layer first.
    pub(crate) fn draw_composition(
        &mut self,
        anim: &Animation,
        comp: &Composition,
        t: f64,
        base: LayerMatrix,
        alpha: f64,
        out: &mut DrawList,
    ) {
        for i in (0..comp.layers.len()).rev() {
            let layer = &comp.layers[i];
            if layer.is_matte || layer.hidden || !layer.is_active(t) {
                continue;
            }
            match layer.matte {
                Some((mode, source)) if source < comp.layers.len() => {
                    let (kind, inverted) = match mode {
                        MatteMode::Alpha => (MaskKind::Alpha, false),
                        MatteMode::AlphaInverted => (MaskKind::Alpha, true),
                        MatteMode::Luma => (MaskKind::Luminance, false),
                        MatteMode::LumaInverted => (MaskKind::Luminance, true),
                    };
                    let mark = out.len();
                    out.push(DrawCommand::PushMask { kind, inverted });
                    let src = &comp.layers[source];
                    if src.is_active(t) {
                        self.draw_layer(anim, comp, source, t, base, alpha, out);
                    }
                    if !inverted && out.len() == mark + 1 {
                        // An empty alpha matte hides everything.
                        out.commands.truncate(mark);
                        continue;
                    }
                    out.push(DrawCommand::BeginMasked);
                    self.draw_layer(anim, comp, i, t, base, alpha, out);
                    out.push(DrawCommand::PopMask);
                }
                _ => self.draw_layer(anim, comp, i, t, base, alpha, out),
            }
        }
    }

    /// Returns layer `i`'s local-to-composition matrix at composition time `t`, parents included.
    fn world(comp: &Composition, i: usize, t: f64, base: LayerMatrix) -> LayerMatrix {
        let mut m = LayerMatrix::IDENTITY;
        let mut cur = Some(i);
        // Parent chains are acyclic (checked at import); the bound is a second guard.
        let mut steps = 0;
        while let Some(k) = cur {
            let l = &comp.layers[k];
            m = l.transform.layer_matrix_at(t, l.auto_orient) * m;
            cur = l.parent;
            steps += 1;
            if steps > comp.layers.len() {
                break;
            }
        }
        base * m
    }

    fn draw_layer(
        &mut self,
        anim: &Animation,
        comp: &Composition,
        i: usize,
        t: f64,
        base: LayerMatrix,
        alpha: f64,
        out: &mut DrawList,
    ) {
        let layer = &comp.layers[i];
        if matches!(layer.content, LayerContent::None) {
            return;
        }
        let lt = t;
        let alpha = alpha * layer.transform.opacity_at(lt);
        if alpha <= 0.0 {
            return;
        }
        let matrix = Self::world(comp, i, t, base);
        if let Some(blend) = layer.blend {
            out.push(DrawCommand::PushLayer {
                clip: None,
                opacity: 1.0,
                blend,
            });
        }
        let masked = self.push_masks(layer, lt, matrix, anim, out);
        match &layer.content {
            LayerContent::None => {}
            LayerContent::Shapes(group) => self.draw_shapes(group, lt, matrix, alpha, out),
            LayerContent::Solid {
                color,
                width,
                height,
            } => {
                let mut path = self.take_path();
                path.extend(Rect::new(0.0, 0.0, *width, *height).path_elements(0.1));
                let transform = matrix.place(&mut path);
                out.push(DrawCommand::Fill {
                    path,
                    transform,
                    fill_rule: FillRule::NonZero,
                    brush: paint::solid(*color, alpha),
                });
            }
            LayerContent::Precomp {
                asset,
                width,
                height,
                ..
            } => {
                let child_t = layer.content_time(t, anim.frame_rate);
                let clip_rect = Rect::new(0.0, 0.0, *width, *height);
                let clip = *width > 0.0
                    && *height > 0.0
                    && !matrix
                        .affine()
                        .is_some_and(|m| covers_composition(clip_rect, m, anim));
                if clip {
                    let mut path = self.take_path();
                    path.extend(clip_rect.path_elements(0.1));
                    let transform = matrix.place(&mut path);
                    out.push(DrawCommand::PushLayer {
                        clip: Some(Clip {
                            path,
                            transform,
                            fill_rule: FillRule::NonZero,
                        }),
                        opacity: 1.0,
                        blend: BlendMode::default(),
                    });
                }
                if let Some(child) = anim.assets.get(*asset) {
                    // rlottie fades a precomposition of several layers as one group (an
                    // offscreen buffer), and a single layer by multiplying its paints.
                    let group = child.layers.len() > 1 && alpha < 1.0;
                    if group {
                        out.push(DrawCommand::PushLayer {
                            clip: None,
                            opacity: alpha as f32,
                            blend: BlendMode::default(),
                        });
                    }
                    let inner = if group { 1.0 } else { alpha };
                    self.draw_composition(anim, child, child_t, matrix, inner, out);
                    if group {
                        out.push(DrawCommand::PopLayer);
                    }
                }
                if clip {
                    out.push(DrawCommand::PopLayer);
                }
            }
        }
        if masked {
            out.push(DrawCommand::PopMask);
        }
        if layer.blend.is_some() {
            out.push(DrawCommand::PopLayer);
        }
    }

    /// Emits the mask source of `layer` and starts its masked content; returns `false` when the
    /// layer has no (effective) masks.
    fn push_masks(
        &mut self,
        layer: &Layer,
        lt: f64,
        matrix: LayerMatrix,
        anim: &Animation,
        out: &mut DrawList,
    ) -> bool {
        if layer.masks.is_empty() {
            return false;
        }
        out.push(DrawCommand::PushMask {
            kind: MaskKind::Alpha,
            inverted: false,
        });
        let full = Rect::new(0.0, 0.0, anim.width, anim.height).inflate(2.0, 2.0);
        for (k, mask) in layer.masks.iter().enumerate() {
            let opacity = (mask.opacity.at(lt) / 100.0).clamp(0.0, 1.0) as f32;
            // The first mask combines with an empty coverage, except that subtracting or
            // intersecting first starts from full coverage (After Effects, rlottie).
            if k == 0 && matches!(mask.mode, MaskMode::Subtract | MaskMode::Intersect) {
                self.fill_rect(full, 1.0, out);
            }
            let blend = match mask.mode {
                MaskMode::Add | MaskMode::Lighten => BlendMode::default(),
                MaskMode::Subtract => BlendMode::new(Mix::Normal, Compose::DestOut),
                MaskMode::Intersect | MaskMode::Darken => {
                    BlendMode::new(Mix::Normal, Compose::DestIn)
                }
                MaskMode::Difference => BlendMode::new(Mix::Normal, Compose::Xor),
            };
            let mut path = self.take_path();
            let mut data = std::mem::take(&mut self.path_data);
            mask.path.eval_into(lt, &mut data);
            geometry::path_data(&data, &mut path);
            self.path_data = data;
            if let Some(x) = &mask.expansion {
                let x = x.at(lt);
                if x != 0.0 {
                    path = offset_path(&path, x, Join::Round, 4.0);
                }
            }
            out.push(DrawCommand::PushLayer {
                clip: None,
                opacity,
                blend,
            });
            if mask.inverted {
                self.fill_rect(full, 1.0, out);
                out.push(DrawCommand::PushLayer {
                    clip: None,
                    opacity: 1.0,
                    blend: BlendMode::new(Mix::Normal, Compose::DestOut),
                });
                Self::fill_white(path, matrix, out);
                out.push(DrawCommand::PopLayer);
            } else {
                Self::fill_white(path, matrix, out);
            }
            out.push(DrawCommand::PopLayer);
        }
        out.push(DrawCommand::BeginMasked);
        true
    }

    fn fill_rect(&mut self, rect: Rect, alpha: f64, out: &mut DrawList) {
        let mut path = self.take_path();
        path.extend(rect.path_elements(0.1));
        out.push(DrawCommand::Fill {
            path,
            transform: Affine::IDENTITY,
            fill_rule: FillRule::NonZero,
            brush: paint::solid([1.0, 1.0, 1.0, 1.0], alpha),
        });
    }

    fn fill_white(mut path: BezPath, matrix: LayerMatrix, out: &mut DrawList) {
        let transform = matrix.place(&mut path);
        out.push(DrawCommand::Fill {
            path,
            transform,
            fill_rule: FillRule::NonZero,
            brush: paint::solid([1.0, 1.0, 1.0, 1.0], 1.0),
        });
    }
}

/// Returns `true` when `rect` transformed by `m` contains the whole composition, so clipping to it
/// changes nothing.
fn covers_composition(rect: Rect, m: Affine, anim: &Animation) -> bool {
    // Only axis-aligned transforms are checked; anything else keeps the clip.
    let c = m.as_coeffs();
    if c[1].abs() > 1e-9 || c[2].abs() > 1e-9 {
        return false;
    }
    let r = m.transform_rect_bbox(rect);
    r.x0 <= -FULL_RECT_MARGIN + 1.0
        && r.y0 <= -FULL_RECT_MARGIN + 1.0
        && r.x1 >= anim.width - 1.0 + FULL_RECT_MARGIN
        && r.y1 >= anim.height - 1.0 + FULL_RECT_MARGIN
}

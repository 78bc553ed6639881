//! Compositions and layers: visibility, parenting, precomps and track mattes (masks are in
//! [`super::masks`]).

use kurbo::{Affine, Rect, Shape as _};
use peniko::{BlendMode, Fill as FillRule};

use super::masks::{Masked, push_clip_layer};
use super::{Evaluator, image, paint};
use crate::draw::{DrawCommand, DrawList, MaskKind};
use crate::geometry::projective::LayerMatrix;
use crate::model::layer::{Layer, LayerContent, MatteMode};
use crate::model::{Animation, Composition};

/// Precomp clips and masks are skipped when they cover this much more than the composition.
const FULL_RECT_MARGIN: f64 = 1.0;

/// Most track mattes applied in a chain (a matte whose source is matted, and so on).
const MAX_MATTE_DEPTH: usize = 8;

impl Evaluator {
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
            if !self.within_budget(out) {
                return;
            }
            self.draw_matted(anim, comp, i, t, base, alpha, 0, out);
        }
    }

    /// Draws layer `i` of `comp` through its track matte, if it has one. The matte source is
    /// drawn the same way, so a matte layer that is itself matted shows only where its own
    /// matte lets it (After Effects and lottie-web; rlottie and ThorVG ignore the inner
    /// matte). `depth` counts the mattes above this one; `tp` can name any layer, so a chain
    /// that reaches [`MAX_MATTE_DEPTH`] (a cycle) draws its last source unmatted.
    #[expect(
        clippy::too_many_arguments,
        reason = "one frame's drawing state, passed down"
    )]
    fn draw_matted(
        &mut self,
        anim: &Animation,
        comp: &Composition,
        i: usize,
        t: f64,
        base: LayerMatrix,
        alpha: f64,
        depth: usize,
        out: &mut DrawList,
    ) {
        let layer = &comp.layers[i];
        match layer.matte {
            Some((mode, source)) if source < comp.layers.len() && depth < MAX_MATTE_DEPTH => {
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
                    self.draw_matted(anim, comp, source, t, base, alpha, depth + 1, out);
                }
                if !inverted && out.len() == mark + 1 {
                    // An empty alpha matte hides everything.
                    out.commands.truncate(mark);
                    return;
                }
                out.push(DrawCommand::BeginMasked);
                self.draw_layer(anim, comp, i, t, base, alpha, out);
                out.push(DrawCommand::PopMask);
            }
            _ => self.draw_layer(anim, comp, i, t, base, alpha, out),
        }
    }

    /// Returns layer `i`'s local-to-composition matrix at composition time `t`, parents included,
    /// and whether the layer or one of its parents skews then.
    fn world(comp: &Composition, i: usize, t: f64, base: LayerMatrix) -> (LayerMatrix, bool) {
        let mut m = LayerMatrix::IDENTITY;
        let mut skews = false;
        let mut cur = Some(i);
        // Parent chains are acyclic (checked at import); the bound is a second guard.
        let mut steps = 0;
        while let Some(k) = cur {
            let l = &comp.layers[k];
            m = l.transform.layer_matrix_at(t, l.auto_orient) * m;
            skews |= l.transform.skews_at(t);
            cur = l.parent;
            steps += 1;
            if steps > comp.layers.len() {
                break;
            }
        }
        (base * m, skews)
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
        let alpha = alpha * layer.transform.opacity_at(t);
        if alpha <= 0.0 {
            return;
        }
        let (matrix, skews) = Self::world(comp, i, t, base);
        let outer_skew = self.skewed;
        self.skewed |= skews;
        self.draw_layer_content(anim, layer, t, matrix, alpha, out);
        self.skewed = outer_skew;
    }

    /// Draws `layer` (its masks, content and blend group) at time `t` of its composition, with
    /// its composition `matrix`.
    fn draw_layer_content(
        &mut self,
        anim: &Animation,
        layer: &Layer,
        t: f64,
        matrix: LayerMatrix,
        alpha: f64,
        out: &mut DrawList,
    ) {
        if let Some(blend) = layer.blend {
            out.push(DrawCommand::PushLayer {
                clip: None,
                opacity: 1.0,
                blend,
            });
        }
        let masked = self.push_masks(layer, t, matrix, anim, out);
        match &layer.content {
            LayerContent::None => {}
            LayerContent::Shapes(group) => {
                // rlottie (since 2023) and ThorVG fade a shape layer as one group: where its
                // paints overlap, the lower ones do not show through. A single paint is faded
                // directly, which looks the same without an offscreen group.
                let mark = out.len();
                self.draw_shapes(group, t, matrix, 1.0, out);
                if alpha < 1.0 {
                    fade_group(out, mark, alpha as f32);
                }
            }
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
            LayerContent::Text(documents) => {
                // The last document whose time has come (the first before any).
                let k = documents.partition_point(|(start, _)| *start <= t);
                let (_, group) = &documents[k.saturating_sub(1)];
                let mark = out.len();
                self.draw_shapes(group, t, matrix, 1.0, out);
                if alpha < 1.0 {
                    fade_group(out, mark, alpha as f32);
                }
            }
            LayerContent::Image {
                image,
                width,
                height,
            } => {
                let path = self.take_path();
                if let Some(fill) = image::image_fill(image, *width, *height, matrix, alpha, path) {
                    out.push(fill);
                }
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
                    push_clip_layer(path, matrix, 1.0, out);
                }
                if let Some(child) = anim.precomps.get(*asset) {
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
        match masked {
            Masked::No => {}
            Masked::ByMask => out.push(DrawCommand::PopMask),
            Masked::ByClip => out.push(DrawCommand::PopLayer),
        }
        if layer.blend.is_some() {
            out.push(DrawCommand::PopLayer);
        }
    }
}

/// Fades the commands from `mark` to the end of `out` by `opacity` as one group: a single
/// paint gets the opacity in its brush, several are wrapped in a layer.
fn fade_group(out: &mut DrawList, mark: usize, opacity: f32) {
    match &mut out.commands[mark..] {
        [] => {}
        [DrawCommand::Fill { brush, .. } | DrawCommand::Stroke { brush, .. }] => {
            *brush = std::mem::take(brush).multiply_alpha(opacity);
        }
        _ => {
            out.commands.insert(
                mark,
                DrawCommand::PushLayer {
                    clip: None,
                    opacity,
                    blend: BlendMode::default(),
                },
            );
            out.push(DrawCommand::PopLayer);
        }
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

#[cfg(test)]
mod tests {
    use kurbo::{Affine, Point};

    use crate::draw::{DrawCommand, DrawList};
    use crate::geometry::projective::Projective;

    /// Evaluates a one-layer animation at 50 % layer opacity whose root group holds `items`
    /// (JSON) at frame 0, and returns the draw list.
    fn faded_layer(items: &str) -> DrawList {
        let json = format!(
            r#"{{"v":"5.7.0","fr":30,"ip":0,"op":10,"w":100,"h":100,"layers":[{{"ty":4,"ind":1,
            "ip":0,"op":10,"st":0,"ks":{{"o":{{"a":0,"k":50}}}},
            "shapes":[{{"ty":"gr","it":[{items}]}}]}}]}}"#
        );
        let animation = crate::Animation::from_slice(json.as_bytes()).unwrap();
        let mut list = DrawList::default();
        crate::Evaluator::new().evaluate(&animation, crate::Time::from_frames(0.0), &mut list);
        list
    }

    const RECT: &str =
        r#"{"ty":"rc","p":{"a":0,"k":[50,50]},"s":{"a":0,"k":[40,20]},"r":{"a":0,"k":0}}"#;
    const FILL: &str = r#"{"ty":"fl","c":{"a":0,"k":[1,0,0,1]},"o":{"a":0,"k":100}}"#;
    const STROKE: &str =
        r#"{"ty":"st","c":{"a":0,"k":[0,0,1,1]},"o":{"a":0,"k":100},"w":{"a":0,"k":4}}"#;

    #[test]
    fn shape_layer_opacity_fades_its_paints_as_one_group() {
        // Where the stroke covers the fill, the fill must not show through it.
        let list = faded_layer(&format!("{RECT},{STROKE},{FILL}"));
        let kinds: Vec<_> = list
            .commands
            .iter()
            .map(|c| match c {
                DrawCommand::PushLayer { opacity, .. } => format!("push {opacity}"),
                DrawCommand::PopLayer => "pop".to_owned(),
                DrawCommand::Fill { brush, .. } | DrawCommand::Stroke { brush, .. } => {
                    let peniko::Brush::Solid(c) = brush else {
                        panic!("solid brush expected")
                    };
                    format!("paint {}", c.components[3])
                }
                _ => "other".to_owned(),
            })
            .collect();
        assert_eq!(kinds, ["push 0.5", "paint 1", "paint 1", "pop"]);
        // A single paint looks the same faded directly, without an offscreen group.
        let list = faded_layer(&format!("{RECT},{FILL}"));
        assert!(matches!(
            list.commands.as_slice(),
            [DrawCommand::Fill { brush: peniko::Brush::Solid(c), .. }] if c.components[3] == 0.5
        ));
    }

    /// Evaluates a 100x100 animation with one shape layer (`ks` and root group `items` as JSON)
    /// at `frame`.
    fn evaluate(ks: &str, items: &str, frame: f64) -> DrawList {
        let json = format!(
            r#"{{"v":"5.7.0","fr":30,"ip":0,"op":10,"w":100,"h":100,"layers":[{{"ty":4,"ind":1,
            "ip":0,"op":10,"st":0,"ks":{ks},"shapes":[{{"ty":"gr","it":[{items}]}}]}}]}}"#
        );
        let animation = crate::Animation::from_slice(json.as_bytes()).unwrap();
        let mut list = DrawList::default();
        crate::Evaluator::new().evaluate(&animation, crate::Time::from_frames(frame), &mut list);
        list
    }

    #[test]
    fn frames_between_integers_interpolate() {
        // Position moves linearly from x = 0 at frame 0 to x = 10 at frame 1.
        let ks = r#"{"p":{"a":1,"k":[{"t":0,"s":[0,0],"i":{"x":1,"y":1},"o":{"x":0,"y":0}},
            {"t":1,"s":[10,0]}]}}"#;
        for (frame, x) in [(0.0, 0.0), (0.25, 2.5), (0.5, 5.0), (1.0, 10.0)] {
            let list = evaluate(ks, &format!("{RECT},{FILL}"), frame);
            let Some(DrawCommand::Fill { transform, .. }) = list.commands.first() else {
                panic!("one fill expected, got {:?}", list.commands)
            };
            let moved = transform.translation().x;
            assert!(
                (moved - x).abs() < 1e-9,
                "frame {frame}: x {moved}, expected {x}"
            );
        }
    }

    #[test]
    fn strokes_under_a_skew_are_widened_in_their_own_space() {
        let plain = evaluate("{}", &format!("{RECT},{STROKE}"), 0.0);
        assert!(matches!(plain.commands[..], [DrawCommand::Stroke { .. }]));
        // A skewed layer: the stroke is drawn as the fill of its outline, skewed with it.
        let skewed = evaluate(
            r#"{"sk":{"a":0,"k":30},"sa":{"a":0,"k":0}}"#,
            &format!("{RECT},{STROKE}"),
            0.0,
        );
        assert!(matches!(skewed.commands[..], [DrawCommand::Fill { .. }]));
    }

    /// Evaluates `layers` (JSON) in a 200x200 animation with one precomposition `c` holding a
    /// 20x20 square at (10, 10), and returns the fills' outlines in composition coordinates.
    fn fills(layers: &str) -> Vec<Vec<Point>> {
        let square = r#"{"ty":4,"ind":1,"ip":0,"op":10,"st":0,"ks":{},"shapes":[
            {"ty":"rc","p":{"a":0,"k":[10,10]},"s":{"a":0,"k":[20,20]},"r":{"a":0,"k":0}},
            {"ty":"fl","c":{"a":0,"k":[1,0,0,1]},"o":{"a":0,"k":100}}]}"#;
        let json = format!(
            r#"{{"v":"5.7.0","fr":30,"ip":0,"op":10,"w":200,"h":200,
            "assets":[{{"id":"c","layers":[{square}]}}],"layers":[{layers}]}}"#
        );
        let animation = crate::Animation::from_slice(json.as_bytes()).unwrap();
        let mut list = DrawList::default();
        crate::Evaluator::new().evaluate(&animation, crate::Time::from_frames(0.0), &mut list);
        list.commands
            .iter()
            .filter_map(|c| match c {
                DrawCommand::Fill {
                    path, transform, ..
                } => Some(
                    path.elements()
                        .iter()
                        .filter_map(|el| el.end_point())
                        .map(|p| *transform * p)
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn perspective_reaches_parented_layers_and_precomposition_contents() {
        let m =
            Projective::from_affine(Affine::translate((100.0, 100.0))) * Projective::rotate_y(60.0);
        let expected: Vec<Point> = [(20.0, 0.0), (20.0, 20.0), (0.0, 20.0), (0.0, 0.0)]
            .into_iter()
            .map(|p| m.map(p.into()))
            .collect();
        let parent = r#"{"ty":3,"ind":1,"ddd":1,"ip":0,"op":10,"st":0,
            "ks":{"p":{"a":0,"k":[100,100,0]},"ry":{"a":0,"k":60}}}"#;
        let shapes = [
            // A 2D shape layer parented to a 3D null.
            format!(
                r#"{parent},{{"ty":4,"ind":2,"parent":1,"ip":0,"op":10,"st":0,"ks":{{}},
                "shapes":[{{"ty":"rc","p":{{"a":0,"k":[10,10]}},"s":{{"a":0,"k":[20,20]}},
                "r":{{"a":0,"k":0}}}},{{"ty":"fl","c":{{"a":0,"k":[1,0,0,1]}},
                "o":{{"a":0,"k":100}}}}]}}"#
            ),
            // The contents of a 3D precomposition layer.
            r#"{"ty":0,"ind":1,"ddd":1,"refId":"c","ip":0,"op":10,"st":0,
            "ks":{"p":{"a":0,"k":[100,100,0]},"ry":{"a":0,"k":60}}}"#
                .to_owned(),
        ];
        for layers in shapes {
            let fills = fills(&layers);
            assert_eq!(fills.len(), 1, "{layers}");
            let corners: Vec<Point> = fills[0].iter().copied().take(4).collect();
            for (got, want) in corners.iter().zip(&expected) {
                assert!(
                    (*got - *want).hypot() < 1e-9,
                    "{got:?} {want:?} in {layers}"
                );
            }
        }
        // A trapezoid: the edge at x = 20 (w < 1) is taller than the one on the axis.
        assert!(expected[1].y - expected[0].y > 20.0);
    }
}

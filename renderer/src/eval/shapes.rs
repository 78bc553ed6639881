//! Shape trees: collects paths group by group, applies modifiers, paints in Lottie order.
//!
//! Items are listed top-first. A fill or stroke paints every path listed *before* it in its group,
//! including the paths of nested groups before it; a paint listed later is drawn *below* an earlier
//! one. So the walk records paints with the range of paths they cover, and the paints are emitted in
//! reverse. Modifiers (trim paths) rewrite the paths before them in their group scope in place, and
//! they run before any paint is emitted, so every paint sees the modified paths, as in rlottie and
//! lottie-web.

use kurbo::{Affine, BezPath, Vec2};
use peniko::{Brush, Fill as FillRule};

use super::modifiers::trim;
use super::{Scratch, geometry, paint};
use crate::draw::{DrawCommand, DrawList};
use crate::geometry::dash;
use crate::geometry::offset_path::offset_path;
use crate::geometry::pucker_bloat::pucker_bloat;
use crate::geometry::round_corners::round_corners;
use crate::geometry::zig_zag::{ZigZagPoints, zig_zag};
use crate::model::shape::{Group, Repeater, Shape};

/// A paint recorded during the walk, emitted once all paths are final.
#[derive(Debug)]
pub(crate) struct PaintOp {
    /// Paths `start..end` of the scratch list.
    start: usize,
    end: usize,
    /// The paint's group transform relative to the layer.
    matrix: Affine,
    kind: PaintKind,
    brush: Brush,
}

/// Most copies a repeater makes.
const MAX_COPIES: usize = 1000;

#[derive(Clone, Debug)]
enum PaintKind {
    Fill(FillRule),
    Stroke(kurbo::Stroke, Option<paint::Dash>),
}

impl Scratch {
    /// Draws a shape layer's root group with `layer` (local to composition) and `alpha`.
    pub(crate) fn draw_shapes(
        &mut self,
        root: &Group,
        t: f64,
        layer: Affine,
        alpha: f64,
        out: &mut DrawList,
    ) {
        self.n_paths = 0;
        self.paints.clear();
        self.walk(root, t, Affine::IDENTITY, alpha);
        self.emit(layer, out);
    }

    fn next_path(&mut self, matrix: Affine) -> &mut BezPath {
        if self.n_paths == self.paths.len() {
            self.paths.push(BezPath::new());
            self.mats.push(matrix);
        }
        let i = self.n_paths;
        self.n_paths += 1;
        self.mats[i] = matrix;
        let p = &mut self.paths[i];
        p.truncate(0);
        p
    }

    fn walk(&mut self, group: &Group, t: f64, parent: Affine, parent_alpha: f64) {
        let matrix = parent * group.transform.matrix_at(t);
        let alpha = parent_alpha * group.transform.opacity_at(t);
        let scope = self.n_paths;
        let paint_scope = self.paints.len();
        for item in &group.items {
            match item {
                Shape::Group(g) => self.walk(g, t, matrix, alpha),
                Shape::Path(p) => {
                    let mut data = std::mem::take(&mut self.path_data);
                    p.eval_into(t, &mut data);
                    geometry::path_data(&data, self.next_path(matrix));
                    self.path_data = data;
                }
                Shape::Rect(r) => geometry::rect(r, t, self.next_path(matrix)),
                Shape::Ellipse(e) => geometry::ellipse(e, t, self.next_path(matrix)),
                Shape::Star(s) => geometry::star(s, t, self.next_path(matrix)),
                Shape::Fill(f) => {
                    let a = alpha * (f.opacity.at(t) / 100.0).clamp(0.0, 1.0);
                    let rule = if f.even_odd {
                        FillRule::EvenOdd
                    } else {
                        FillRule::NonZero
                    };
                    self.record(
                        scope,
                        matrix,
                        PaintKind::Fill(rule),
                        paint::solid(paint::shape_color(f.color.at(t)), a),
                    );
                }
                Shape::Stroke(s) => {
                    let a = alpha * (s.opacity.at(t) / 100.0).clamp(0.0, 1.0);
                    if let Some((style, dash)) = paint::stroke_style(&s.style, t) {
                        let brush = paint::solid(paint::shape_color(s.color.at(t)), a);
                        self.record(scope, matrix, PaintKind::Stroke(style, dash), brush);
                    }
                }
                Shape::GradientFill(f) => {
                    let a = alpha * (f.opacity.at(t) / 100.0).clamp(0.0, 1.0);
                    let rule = if f.even_odd {
                        FillRule::EvenOdd
                    } else {
                        FillRule::NonZero
                    };
                    if let Some(brush) = self.gradient_brush(&f.gradient, t, a) {
                        self.record(scope, matrix, PaintKind::Fill(rule), brush);
                    }
                }
                Shape::GradientStroke(s) => {
                    let a = alpha * (s.opacity.at(t) / 100.0).clamp(0.0, 1.0);
                    if let Some((style, dash)) = paint::stroke_style(&s.style, t)
                        && let Some(brush) = self.gradient_brush(&s.gradient, t, a)
                    {
                        self.record(scope, matrix, PaintKind::Stroke(style, dash), brush);
                    }
                }
                Shape::Trim(tm) => {
                    let (s, e, o) = (tm.start.at(t), tm.end.at(t), tm.offset.at(t));
                    trim::trim(
                        &mut self.paths[scope..self.n_paths],
                        s,
                        e,
                        o,
                        tm.individually,
                        &mut self.trim,
                    );
                }
                Shape::RoundCorners(r) => {
                    let r = r.at(t);
                    if r > 0.0 {
                        self.modify(scope, |p| round_corners(p, r));
                    }
                }
                Shape::OffsetPath(op) => {
                    let a = op.amount.at(t);
                    if a != 0.0 {
                        self.modify(scope, |p| offset_path(p, a, op.join, op.miter_limit));
                    }
                }
                Shape::PuckerBloat(a) => {
                    let a = a.at(t);
                    if a != 0.0 {
                        self.modify(scope, |p| pucker_bloat(p, a));
                    }
                }
                Shape::ZigZag(z) => {
                    let (size, ridges) = (z.size.at(t), z.ridges.at(t));
                    let points = if z.smooth {
                        ZigZagPoints::Smooth
                    } else {
                        ZigZagPoints::Corner
                    };
                    self.modify(scope, |p| zig_zag(p, size, ridges, points));
                }
                Shape::Repeater(rp) => self.repeat(rp, t, matrix, scope, paint_scope),
            }
        }
    }

    /// Replaces each path of the current scope with `f(path)`.
    fn modify(&mut self, scope: usize, f: impl Fn(&BezPath) -> BezPath) {
        for path in &mut self.paths[scope..self.n_paths] {
            if !path.elements().is_empty() {
                *path = f(path);
            }
        }
    }

    /// Applies a repeater to the paths and paints recorded since the start of its group.
    ///
    /// Copy `i` (shifted by the repeater's offset `k = i + o`) is transformed, in the group's
    /// coordinates, by `translate(p k) * [rotate(r k) * scale(s^k)] about the anchor`, and faded
    /// from the start to the end opacity. With `m: 1` each copy lies above the previous one.
    fn repeat(&mut self, rp: &Repeater, t: f64, group: Affine, scope: usize, paint_scope: usize) {
        let copies = rp.copies.at(t).floor().clamp(0.0, MAX_COPIES as f64) as usize;
        let det = group.determinant();
        if copies == 0 || !det.is_finite() || det.abs() <= 1e-12 {
            self.n_paths = scope;
            self.paints.truncate(paint_scope);
            return;
        }
        let inverse = group.inverse();
        let offset = rp.offset.at(t);
        let (anchor, position, scale, rotation) = (
            rp.anchor.at(t),
            rp.position.at(t),
            rp.scale.at(t) / 100.0,
            rp.rotation.at(t),
        );
        let (so, eo) = (
            (rp.start_opacity.at(t) / 100.0).clamp(0.0, 1.0),
            (rp.end_opacity.at(t) / 100.0).clamp(0.0, 1.0),
        );
        let originals: Vec<(BezPath, Affine)> = (scope..self.n_paths)
            .map(|k| (std::mem::take(&mut self.paths[k]), self.mats[k]))
            .collect();
        let paints: Vec<PaintOp> = self.paints.drain(paint_scope..).collect();
        self.n_paths = scope;
        for step in 0..copies {
            // Paints recorded first are drawn on top.
            let i = if rp.below { step } else { copies - 1 - step };
            let k = i as f64 + offset;
            let copy = Affine::translate(position * k + anchor)
                * Affine::rotate((rotation * k).to_radians())
                * Affine::scale_non_uniform(scale.x.powf(k), scale.y.powf(k))
                * Affine::translate(-anchor);
            let m = group * copy * inverse;
            // rlottie steps the opacity by (end - start) / copies, so the last copy does not
            // quite reach the end opacity.
            let alpha = so + (eo - so) * i as f64 / copies as f64;
            let base = self.n_paths;
            for (path, mat) in &originals {
                let dst = self.next_path(m * *mat);
                dst.extend(path.elements().iter().copied());
            }
            for op in &paints {
                self.paints.push(PaintOp {
                    start: base + (op.start - scope),
                    end: base + (op.end - scope),
                    matrix: m * op.matrix,
                    kind: op.kind.clone(),
                    brush: op.brush.clone().multiply_alpha(alpha as f32),
                });
            }
        }
    }

    fn gradient_brush(
        &mut self,
        g: &crate::model::paint::Gradient,
        t: f64,
        alpha: f64,
    ) -> Option<Brush> {
        if alpha <= 0.0 {
            return None;
        }
        let mut raw = std::mem::take(&mut self.stop_values);
        g.stops.eval_into(t, &mut raw);
        let brush = paint::gradient(
            g,
            &raw,
            t,
            alpha,
            &mut self.stop_positions,
            &mut self.color_stops,
        );
        self.stop_values = raw;
        brush
    }

    fn record(&mut self, scope: usize, matrix: Affine, kind: PaintKind, brush: Brush) {
        if let Brush::Solid(c) = &brush
            && c.components[3] <= 0.0
        {
            return;
        }
        if self.n_paths == scope {
            return;
        }
        self.paints.push(PaintOp {
            start: scope,
            end: self.n_paths,
            matrix,
            kind,
            brush,
        });
    }

    fn emit(&mut self, layer: Affine, out: &mut DrawList) {
        for op in self.paints.drain(..).rev() {
            let det = op.matrix.determinant();
            if !det.is_finite() || det.abs() <= 1e-12 {
                continue;
            }
            let inverse = op.matrix.inverse();
            let mut path = self.pool.pop().unwrap_or_default();
            path.truncate(0);
            for k in op.start..op.end {
                let src = &self.paths[k];
                if self.mats[k] == op.matrix {
                    path.extend(src.elements().iter().copied());
                } else {
                    let rel = inverse * self.mats[k];
                    path.extend(src.elements().iter().map(|el| rel * *el));
                }
            }
            if path.elements().len() < 2 {
                self.pool.push(path);
                continue;
            }
            let transform = layer * op.matrix;
            out.push(match op.kind {
                PaintKind::Fill(fill_rule) => DrawCommand::Fill {
                    path,
                    transform,
                    fill_rule,
                    brush: op.brush,
                },
                PaintKind::Stroke(style, dash) => {
                    let path = match dash {
                        Some(dash) => dash_stroke(&mut self.pool, path, transform, &dash),
                        None => path,
                    };
                    DrawCommand::Stroke {
                        path,
                        transform,
                        style,
                        brush: op.brush,
                    }
                }
            });
        }
    }
}

/// Cuts `path` (drawn with `transform`) into dashes.
///
/// rlottie dashes the path after transforming it to the canvas, with the pattern scaled by
/// the transform's scale along the diagonal (`getScale`); its length measure is not rotation
/// invariant, so we dash in composition space too and map the dashes back.
fn dash_stroke(
    pool: &mut Vec<BezPath>,
    path: BezPath,
    transform: Affine,
    dash: &paint::Dash,
) -> BezPath {
    let [a, b, c, d, _, _] = transform.as_coeffs();
    let scale = Vec2::new(a + c, b + d).hypot() / std::f64::consts::SQRT_2;
    let mut dashed = pool.pop().unwrap_or_default();
    dashed.truncate(0);
    let det = transform.determinant();
    if !(scale > 1e-9 && scale.is_finite() && det.abs() > 1e-12 && det.is_finite()) {
        pool.push(path);
        return dashed;
    }
    let mut device = path;
    device.apply_affine(transform);
    let pattern: Vec<f64> = dash.pattern.iter().map(|v| v * scale).collect();
    dash::dash_path(&device, &pattern, dash.offset * scale, &mut dashed);
    dashed.apply_affine(transform.inverse());
    pool.push(device);
    dashed
}

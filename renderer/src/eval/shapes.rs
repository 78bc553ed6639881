//! Shape trees: collects paths group by group, applies modifiers, paints in Lottie order.
//!
//! Items are listed top-first. A fill or stroke paints every path listed *before* it in its group,
//! including the paths of nested groups before it; a paint listed later is drawn *below* an earlier
//! one. So the walk records paints with the range of paths they cover, and the paints are emitted in
//! reverse. Modifiers (trim paths, rounded corners, offset path, pucker/bloat, zig-zag) rewrite the
//! paths before them in their group scope in place, and they run before any paint is emitted, so
//! every paint sees the modified paths, as in rlottie and lottie-web.
//!
//! A repeater repeats the items before it in its group: they are walked once per copy, each time
//! with the copy's matrix and opacity and with a path scope of their own (so a fill inside a copy
//! paints that copy only), and the items after it see the paths of every copy
//! (see [`super::modifiers::repeater`]).

use kurbo::{Affine, BezPath, PathEl};
use peniko::{Brush, Fill as FillRule};

use super::modifiers::repeater::{MAX_COPIES, RepeaterAt};
use super::modifiers::reshape::{self, Reshape};
use super::modifiers::trim;
use super::{Evaluator, paint, shape_paths};
use crate::draw::{DrawCommand, DrawList};
use crate::geometry::dash;
use crate::geometry::projective::{LayerMatrix, Projective};
use crate::model::shape::{Group, Repeater, Shape};

/// Repeater copies walked per shape layer at most (nested repeaters multiply their copies).
const COPY_BUDGET: usize = 4 * MAX_COPIES;

/// A paint recorded during the walk, emitted once all paths are final.
#[derive(Debug)]
pub(crate) struct PaintOp {
    /// Paths `start..end` of the scratch list.
    start: usize,
    end: usize,
    /// The paint's group transform relative to the layer.
    matrix: Affine,
    /// Whether a skew applies (see [`Evaluator::emit`]).
    skewed: bool,
    kind: PaintKind,
    brush: Brush,
}

#[derive(Debug)]
enum PaintKind {
    Fill(FillRule),
    Stroke(kurbo::Stroke, Option<paint::Dash>),
}

impl Evaluator {
    /// Draws a shape layer's root group with `layer` (local to composition) and `alpha`.
    pub(crate) fn draw_shapes(
        &mut self,
        root: &Group,
        t: f64,
        layer: LayerMatrix,
        alpha: f64,
        out: &mut DrawList,
    ) {
        self.n_paths = 0;
        self.paints.clear();
        self.copy_budget = COPY_BUDGET;
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
        let outer_skew = self.skewed;
        self.skewed |= group.transform.skews_at(t);
        self.walk_items(&group.items, t, matrix, alpha);
        self.skewed = outer_skew;
    }

    /// Walks `items` (a group's list or the part above a repeater) with their group's `matrix`
    /// and `alpha`; the paints and modifiers among them apply to the paths they add.
    fn walk_items(&mut self, items: &[Shape], t: f64, matrix: Affine, alpha: f64) {
        let scope = self.n_paths;
        // The last repeater repeats everything above it, earlier repeaters included.
        let mut rest = items;
        if let Some(j) = items.iter().rposition(|i| matches!(i, Shape::Repeater(_)))
            && let Shape::Repeater(rp) = &items[j]
        {
            self.repeat(rp, &items[..j], t, matrix, alpha);
            rest = &items[j + 1..];
        }
        for item in rest {
            match item {
                Shape::Group(g) => self.walk(g, t, matrix, alpha),
                Shape::Path(p) => {
                    let mut data = std::mem::take(&mut self.path_data);
                    p.eval_into(t, &mut data);
                    shape_paths::path_data(&data, self.next_path(matrix));
                    self.path_data = data;
                }
                Shape::Rect(r) => shape_paths::rect(r, t, self.next_path(matrix)),
                Shape::Ellipse(e) => shape_paths::ellipse(e, t, self.next_path(matrix)),
                Shape::Star(s) => shape_paths::star(s, t, self.next_path(matrix)),
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
                Shape::Repeater(_) => {}
                Shape::RoundCorners(m) => self.reshape(Reshape::RoundCorners(m), scope, t),
                Shape::OffsetPath(m) => self.reshape(Reshape::OffsetPath(m), scope, t),
                Shape::PuckerBloat(m) => self.reshape(Reshape::PuckerBloat(m), scope, t),
                Shape::ZigZag(m) => self.reshape(Reshape::ZigZag(m), scope, t),
            }
        }
    }

    fn reshape(&mut self, modifier: Reshape<'_>, scope: usize, t: f64) {
        reshape::apply(modifier, t, &mut self.paths[scope..self.n_paths]);
    }

    /// Walks `items` (those above the repeater `rp`) once per copy.
    fn repeat(&mut self, rp: &Repeater, items: &[Shape], t: f64, matrix: Affine, alpha: f64) {
        let r = RepeaterAt::new(rp, t);
        for i in 0..r.count {
            if self.copy_budget == 0 {
                return;
            }
            self.copy_budget -= 1;
            let k = r.copy_at(i);
            if let Some(m) = r.matrix(k) {
                self.walk_items(items, t, matrix * m, alpha * r.opacity(k));
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
            skewed: self.skewed,
            kind,
            brush,
        });
    }

    fn emit(&mut self, layer: LayerMatrix, out: &mut DrawList) {
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
            let transform = match layer {
                LayerMatrix::Affine(layer) => layer * op.matrix,
                LayerMatrix::Projective(layer) => {
                    let m = layer * Projective::from_affine(op.matrix);
                    match project(&mut path, m, &op.kind, &op.brush) {
                        Some(transform) => transform,
                        None => {
                            self.pool.push(path);
                            continue;
                        }
                    }
                }
            };
            out.push(match op.kind {
                PaintKind::Fill(fill_rule) => DrawCommand::Fill {
                    path,
                    transform,
                    fill_rule,
                    brush: op.brush,
                },
                PaintKind::Stroke(style, dash) => {
                    let (path, brush) = match dash {
                        Some(dash) => match dense_dash_coverage(&path, &dash) {
                            // Too many dashes to cut: a solid stroke faded by their coverage.
                            Some(coverage) => (path, op.brush.multiply_alpha(coverage)),
                            None => (
                                dash_stroke(&mut self.pool, path, transform, &dash),
                                op.brush,
                            ),
                        },
                        None => (path, op.brush),
                    };
                    if op.skewed {
                        // Under a skew the stroke is widened in its own space and then skewed
                        // with the shape, as After Effects, ThorVG and lottie-web do (rlottie
                        // draws no skew). Elsewhere the rasterizer strokes at rlottie's one
                        // width in output pixels.
                        outline_in_own_space(path, transform, &style, brush)
                    } else {
                        DrawCommand::Stroke {
                            path,
                            transform,
                            style,
                            brush,
                        }
                    }
                }
            });
        }
    }
}

/// Maps `path` (in a paint's group coordinates) through the projective matrix `m` of a 3D layer
/// and returns the transform to draw it with; `None` when nothing can be drawn.
///
/// The path's points end up where rlottie puts them; the transform (applied after undoing it on
/// the points) decides what the paint sees. A solid fill is drawn in composition coordinates.
/// A solid stroke gets rlottie's uniform scale for its width and dashes
/// ([`Projective::stroke_scale`]), as rlottie strokes after projecting. A gradient (fill or
/// stroke) gets the projection linearised at the centre of the path, which keeps it attached to
/// the shape (rlottie projects gradients exactly).
#[cold]
#[inline(never)]
fn project(path: &mut BezPath, m: Projective, kind: &PaintKind, brush: &Brush) -> Option<Affine> {
    let transform = match (kind, brush) {
        (_, Brush::Gradient(_)) => m.linearize_at(path.control_box().center()),
        (PaintKind::Stroke(..), _) => Affine::scale(m.stroke_scale()),
        (PaintKind::Fill(_), _) => Affine::IDENTITY,
    };
    let det = transform.determinant();
    if !(det.is_finite() && det.abs() > 1e-12) {
        return None;
    }
    m.map_path(path);
    if transform != Affine::IDENTITY {
        path.apply_affine(transform.inverse());
    }
    Some(transform)
}

/// A fill of the outline of `path` stroked with `style` in its own coordinates.
fn outline_in_own_space(
    path: BezPath,
    transform: Affine,
    style: &kurbo::Stroke,
    brush: Brush,
) -> DrawCommand {
    let [a, b, c, d, _, _] = transform.as_coeffs();
    let scale = (a * a + b * b + c * c + d * d).sqrt();
    let tolerance = if scale.is_finite() && scale > 1e-9 {
        OWN_SPACE_STROKE_TOLERANCE / scale
    } else {
        OWN_SPACE_STROKE_TOLERANCE
    };
    let outline = kurbo::stroke(path.iter(), style, &kurbo::StrokeOpts::default(), tolerance);
    DrawCommand::Fill {
        path: outline,
        transform,
        fill_rule: FillRule::NonZero,
        brush,
    }
}

/// Largest error, in composition units, of a stroke widened in its own space.
const OWN_SPACE_STROKE_TOLERANCE: f64 = 0.05;

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
    let scale = crate::draw::stroke_scale(transform);
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

/// Most dashes one stroke may be cut into before it is drawn solid instead.
const MAX_DASHES: f64 = 20_000.0;

/// For a dash pattern that would cut `path` into more than [`MAX_DASHES`] dashes, returns the
/// fraction of the line the dashes cover; `None` for ordinary patterns.
///
/// Cutting costs time per dash, so a long path with a tiny pattern (hostile input, or a
/// degenerate animation) could take minutes; at that density the dashes are far below a pixel
/// apart, and a faded solid stroke looks the same.
fn dense_dash_coverage(path: &BezPath, dash: &paint::Dash) -> Option<f32> {
    let period: f64 = dash.pattern.iter().sum();
    // The control polygon is never shorter than the curve: about an upper bound (the pattern is
    // in the same units as the path).
    let mut length = 0.0;
    let mut last = kurbo::Point::ZERO;
    for el in path.elements() {
        let (points, draws): (&[kurbo::Point], bool) = match el {
            PathEl::MoveTo(p) => (std::slice::from_ref(p), false),
            PathEl::LineTo(p) => (std::slice::from_ref(p), true),
            PathEl::QuadTo(a, p) => (&[*a, *p][..], true),
            PathEl::CurveTo(a, b, p) => (&[*a, *b, *p][..], true),
            PathEl::ClosePath => (&[][..], false),
        };
        for p in points {
            if draws {
                length += (*p - last).hypot();
            }
            last = *p;
        }
    }
    if period > 0.0 && length / period <= MAX_DASHES {
        return None;
    }
    let on: f64 = dash.pattern.iter().step_by(2).sum();
    let coverage = if period > 0.0 { on / period } else { 0.0 };
    Some(coverage.clamp(0.0, 1.0) as f32)
}

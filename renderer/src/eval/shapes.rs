//! Shape trees: collects paths group by group, applies modifiers, paints in Lottie order.
//!
//! Items are listed top-first. A fill or stroke paints every path listed *before* it in its group,
//! including the paths of nested groups before it; a paint listed later is drawn *below* an earlier
//! one. So the walk records paints with the range of paths they cover, and the paints are emitted in
//! reverse ([`super::emit`]). Modifiers (trim paths, rounded corners, offset path, pucker/bloat,
//! zig-zag) rewrite the paths before them in their group scope in place, and they run before any
//! paint is emitted, so every paint sees the modified paths, as in rlottie and lottie-web.
//!
//! A repeater repeats the items before it in its group: they are walked once per copy, each time
//! with the copy's matrix and opacity and with a path scope of their own (so a fill inside a copy
//! paints that copy only), and the items after it see the paths of every copy
//! (see [`super::modifiers::repeater`]).

use kurbo::{Affine, BezPath};
use peniko::{Brush, Fill as FillRule};

use super::emit::{PaintKind, PaintOp};
use super::modifiers::repeater::{MAX_COPIES, RepeaterAt};
use super::modifiers::reshape::{self, Reshape};
use super::modifiers::trim;
use super::{Evaluator, paint, shape_paths};
use crate::draw::DrawList;
use crate::geometry::projective::LayerMatrix;
use crate::model::shape::{Group, Repeater, Shape};

/// Repeater copies walked per shape layer at most (nested repeaters multiply their copies).
const COPY_BUDGET: usize = 4 * MAX_COPIES;

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
}

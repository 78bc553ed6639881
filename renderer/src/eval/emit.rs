//! Recorded paints -> draw commands: each paint's paths joined in its group's space, projected
//! on 3D layers, cut into dashes, and stroked in their own space under a skew.

use kurbo::{Affine, BezPath};
use peniko::{Brush, Fill as FillRule};

use super::{Evaluator, paint};
use crate::draw::{DrawCommand, DrawList};
use crate::geometry::dash;
use crate::geometry::projective::{LayerMatrix, Projective};

/// A paint recorded during the walk, emitted once all paths are final.
#[derive(Debug)]
pub(super) struct PaintOp {
    /// Paths `start..end` of the scratch list.
    pub(super) start: usize,
    pub(super) end: usize,
    /// The paint's group transform relative to the layer.
    pub(super) matrix: Affine,
    /// Whether a skew applies (see [`Evaluator::emit`]).
    pub(super) skewed: bool,
    pub(super) kind: PaintKind,
    pub(super) brush: Brush,
}

/// What a recorded paint draws.
#[derive(Debug)]
pub(super) enum PaintKind {
    /// A fill with its rule.
    Fill(FillRule),
    /// A stroke with its style and dash pattern.
    Stroke(kurbo::Stroke, Option<paint::Dash>),
}

impl Evaluator {
    /// Emits the recorded paints, last recorded first (Lottie's painting order), with the
    /// layer matrix `layer`.
    pub(super) fn emit(&mut self, layer: LayerMatrix, out: &mut DrawList) {
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
                LayerMatrix::Affine(layer) => {
                    let transform = layer * op.matrix;
                    // A singular matrix (a zero scale, or a skew of 90 degrees) flattens the
                    // paint to a line or a point: ThorVG and lottie-web draw nothing of it,
                    // where rlottie would still stroke the line at its diagonal width.
                    let det = transform.determinant();
                    if !det.is_finite() || det.abs() <= 1e-12 {
                        self.pool.push(path);
                        continue;
                    }
                    transform
                }
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
                        Some(dash) => match dash_stroke(&mut self.pool, &path, transform, &dash) {
                            Ok(dashed) => {
                                self.pool.push(path);
                                (dashed, op.brush)
                            }
                            // Too many dashes to cut: a solid stroke faded by their coverage.
                            Err(dash::TooDense { coverage }) => {
                                (path, op.brush.multiply_alpha(coverage))
                            }
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
///
/// # Errors
///
/// [`dash::TooDense`] when the dashes are too dense to cut ([`dash::dash_path`] decides).
fn dash_stroke(
    pool: &mut Vec<BezPath>,
    path: &BezPath,
    transform: Affine,
    dash: &paint::Dash,
) -> Result<BezPath, dash::TooDense> {
    let scale = crate::draw::stroke_scale(transform);
    let mut dashed = pool.pop().unwrap_or_default();
    dashed.truncate(0);
    let det = transform.determinant();
    if !(scale > 1e-9 && scale.is_finite() && det.abs() > 1e-12 && det.is_finite()) {
        return Ok(dashed);
    }
    let mut device = pool.pop().unwrap_or_default();
    device.truncate(0);
    device.extend(path.elements().iter().map(|el| transform * *el));
    let pattern: Vec<f64> = dash.pattern.iter().map(|v| v * scale).collect();
    let cut = dash::dash_path(&device, &pattern, dash.offset * scale, &mut dashed);
    pool.push(device);
    match cut {
        Ok(()) => {
            dashed.apply_affine(transform.inverse());
            Ok(dashed)
        }
        Err(too_dense) => {
            pool.push(dashed);
            Err(too_dense)
        }
    }
}

//! Image layers: the decoded picture as a rectangle filled with an image brush.

use kurbo::{Affine, BezPath, Point, Rect, Shape as _};
use peniko::{Brush, Extend, Fill as FillRule, ImageBrush, ImageData, ImageQuality, ImageSampler};

use crate::draw::DrawCommand;
use crate::geometry::projective::LayerMatrix;

/// The fill that draws `image` over `(0, 0, width, height)` of its layer with `matrix`, faded
/// by `alpha`, or `None` when nothing would show.
///
/// The command's local space is the image's pixel grid (the rectangle `(0, 0, w_px, h_px)`), so
/// the rasterizer samples the brush there; the asset's `w` x `h` scales it into the layer, as
/// ThorVG and lottie-web size a picture to its asset. Sampling is bilinear, as the references
/// filter images when they scale them. On a 3D layer with x/y rotations the picture is drawn
/// with the projection linearised at its centre (a parallelogram, not rlottie's trapezoid).
pub(super) fn image_fill(
    image: &ImageData,
    width: f64,
    height: f64,
    matrix: LayerMatrix,
    alpha: f64,
    mut path: BezPath,
) -> Option<DrawCommand> {
    let (w_px, h_px) = (f64::from(image.width), f64::from(image.height));
    if w_px == 0.0 || h_px == 0.0 || !(width > 0.0 && height > 0.0) {
        return None;
    }
    let layer = match matrix {
        LayerMatrix::Affine(m) => m,
        LayerMatrix::Projective(p) => p.linearize_at(Point::new(width / 2.0, height / 2.0)),
    };
    let transform = layer * Affine::scale_non_uniform(width / w_px, height / h_px);
    let det = transform.determinant();
    if !det.is_finite() || det.abs() <= 1e-12 {
        return None;
    }
    path.truncate(0);
    path.extend(Rect::new(0.0, 0.0, w_px, h_px).path_elements(0.1));
    let brush = Brush::Image(ImageBrush {
        image: image.clone(),
        sampler: ImageSampler {
            x_extend: Extend::Pad,
            y_extend: Extend::Pad,
            quality: ImageQuality::Medium,
            alpha: alpha.clamp(0.0, 1.0) as f32,
        },
    });
    Some(DrawCommand::Fill {
        path,
        transform,
        fill_rule: FillRule::NonZero,
        brush,
    })
}

//! Brushes and stroke styles at a time: solid colours, gradients, dashes.

use kurbo::{Point, Vec2};
use peniko::color::{AlphaColor, DynamicColor, Srgb};
use peniko::{Brush, ColorStop, Gradient as PenikoGradient, InterpolationAlphaSpace};

use crate::geometry::dash::{self, Dashing};
use crate::model::paint::{Gradient, StrokeStyle};

/// Maps a fill or stroke colour (`c`) the way rlottie and ThorVG read it: the alpha component is
/// ignored (opacity comes from `o` only), and components above 1 (files written with 0..255
/// colours) wrap around as 8-bit integers do in both engines.
pub(crate) fn shape_color(c: [f64; 4]) -> [f64; 4] {
    let channel = |v: f64| {
        if v > 1.0 {
            ((v * 255.0) as i64).rem_euclid(256) as f64 / 255.0
        } else {
            v
        }
    };
    [channel(c[0]), channel(c[1]), channel(c[2]), 1.0]
}

/// Builds a solid brush from RGBA in `0..=1` and an extra opacity factor.
pub(crate) fn solid(rgba: [f64; 4], opacity: f64) -> Brush {
    let c = |v: f64| v.clamp(0.0, 1.0) as f32;
    Brush::Solid(AlphaColor::<Srgb>::new([
        c(rgba[0]),
        c(rgba[1]),
        c(rgba[2]),
        c(rgba[3] * opacity),
    ]))
}

/// A dash pattern at a time: alternating dash and gap lengths, and the distance into the
/// pattern at the start of every subpath.
#[derive(Clone, Debug)]
pub(crate) struct Dash {
    pub(crate) pattern: Vec<f64>,
    pub(crate) offset: f64,
}

/// Builds the kurbo stroke style (without dashes) and the dash pattern at local time `t`, or
/// `None` when nothing would be drawn.
///
/// The dashes are not handed to kurbo: [`dash::dash_path`] cuts them the way rlottie does.
pub(crate) fn stroke_style(style: &StrokeStyle, t: f64) -> Option<(kurbo::Stroke, Option<Dash>)> {
    let width = style.width.at(t);
    if width.is_nan() || width <= 0.0 {
        return None;
    }
    let s = kurbo::Stroke::new(width)
        .with_caps(style.cap)
        .with_join(style.join)
        .with_miter_limit(style.miter_limit);
    let mut dashes = None;
    if !style.dashes.is_empty() {
        let mut lengths = [0.0_f64; 16];
        let n = style.dashes.len().min(lengths.len());
        for (slot, d) in lengths.iter_mut().zip(&style.dashes) {
            *slot = d.at(t);
        }
        match dash::dashing(&lengths[..n], style.dash_offset.at(t)) {
            Dashing::Solid => {}
            Dashing::Hidden => return None,
            Dashing::Dashed { pattern, offset } => dashes = Some(Dash { pattern, offset }),
        }
    }
    Some((s, dashes))
}

/// Samples channel `channel` of a stop list at `pos`. `pairs` holds `stride`-wide records that
/// start with a position, in ascending order. Where several stops share a position (a hard
/// step), `right` picks the value just after `pos`, otherwise the value just before it.
fn sample(pairs: &[f64], stride: usize, pos: f64, channel: usize, right: bool) -> f64 {
    let n = pairs.len() / stride;
    if n == 0 {
        return 1.0;
    }
    let at = |i: usize| (pairs[i * stride], pairs[i * stride + channel]);
    // `i`: the first stop past `pos` (right) or at or past `pos` (left).
    let i = (0..n)
        .find(|&i| if right { at(i).0 > pos } else { at(i).0 >= pos })
        .unwrap_or(n);
    if i == 0 {
        return at(0).1;
    }
    if i == n {
        return at(n - 1).1;
    }
    let ((pa, va), (pb, vb)) = (at(i - 1), at(i));
    let f = if pb > pa { (pos - pa) / (pb - pa) } else { 1.0 };
    va + (vb - va) * f
}

/// Builds a gradient brush from the stop data `raw` (`g.k` at a time) and the gradient geometry.
pub(crate) fn gradient(
    g: &Gradient,
    raw: &[f64],
    t: f64,
    opacity: f64,
    positions: &mut Vec<f64>,
    stops: &mut Vec<ColorStop>,
) -> Option<Brush> {
    let count = g.color_count.min(raw.len() / 4);
    if count == 0 {
        return None;
    }
    let (colors, alphas) = raw.split_at(count * 4);
    let alphas = &alphas[..alphas.len() / 2 * 2];
    positions.clear();
    positions.extend(colors.chunks_exact(4).map(|c| c[0]));
    positions.extend(alphas.chunks_exact(2).map(|c| c[0]));
    positions.sort_by(f64::total_cmp);
    positions.dedup_by(|a, b| (*a - *b).abs() < 1e-6);
    stops.clear();
    for &pos in positions.iter() {
        // Coincident stops make a hard step: emit the values on both sides of it.
        let sides = |right: bool| {
            let a = if alphas.is_empty() {
                1.0
            } else {
                sample(alphas, 2, pos, 1, right)
            };
            let c = |ch: usize| sample(colors, 4, pos, ch, right).clamp(0.0, 1.0) as f32;
            AlphaColor::<Srgb>::new([c(1), c(2), c(3), (a * opacity).clamp(0.0, 1.0) as f32])
        };
        let (before, after) = (sides(false), sides(true));
        let offset = pos.clamp(0.0, 1.0) as f32;
        stops.push(ColorStop {
            offset,
            color: DynamicColor::from_alpha_color(before),
        });
        if after != before {
            stops.push(ColorStop {
                offset,
                color: DynamicColor::from_alpha_color(after),
            });
        }
    }
    let start: Vec2 = g.start.at(t);
    let end: Vec2 = g.end.at(t);
    let grad = if g.radial {
        let d = end - start;
        let radius = d.hypot();
        let h = (g.highlight_length.at(t) / 100.0).clamp(-0.99, 0.99);
        let center = start.to_point();
        if h.abs() > 1e-6 && radius > 0.0 {
            let angle = g.highlight_angle.at(t).to_radians() + d.y.atan2(d.x);
            let focal = Point::new(
                center.x + h * radius * angle.cos(),
                center.y + h * radius * angle.sin(),
            );
            PenikoGradient::new_two_point_radial(focal, 0.0, center, radius as f32)
        } else {
            PenikoGradient::new_radial(center, radius as f32)
        }
    } else {
        PenikoGradient::new_linear(start.to_point(), end.to_point())
    };
    let mut grad = grad.with_stops(stops.as_slice());
    // rlottie and ThorVG build their colour ramps from straight (unpremultiplied) colours.
    grad.interpolation_alpha_space = InterpolationAlphaSpace::Unpremultiplied;
    Some(Brush::Gradient(grad))
}

#[cfg(test)]
mod tests {
    use super::sample;

    #[test]
    fn gradient_coincident_stops_make_a_hard_step() {
        // [pos, value] records: 0 -> 0.2, a step at 0.5 from 0.4 to 0.9, then 1 -> 1.0.
        let stops = [0.0, 0.2, 0.5, 0.4, 0.5, 0.9, 1.0, 1.0];
        assert!((sample(&stops, 2, 0.5, 1, false) - 0.4).abs() < 1e-12);
        assert!((sample(&stops, 2, 0.5, 1, true) - 0.9).abs() < 1e-12);
        assert!((sample(&stops, 2, 0.25, 1, true) - 0.3).abs() < 1e-12);
        assert!((sample(&stops, 2, 0.75, 1, false) - 0.95).abs() < 1e-12);
        assert!((sample(&stops, 2, -1.0, 1, false) - 0.2).abs() < 1e-12);
        assert!((sample(&stops, 2, 2.0, 1, true) - 1.0).abs() < 1e-12);
    }
}

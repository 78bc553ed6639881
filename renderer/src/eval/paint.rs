//! Brushes and stroke styles at a time: solid colours, gradients, dashes.

use kurbo::{Point, Vec2};
use peniko::color::{AlphaColor, DynamicColor, Srgb};
use peniko::{Brush, ColorStop, Gradient as PenikoGradient, InterpolationAlphaSpace};

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

/// Builds the kurbo stroke style at local time `t`, or `None` when nothing would be drawn.
pub(crate) fn stroke_style(style: &StrokeStyle, t: f64) -> Option<kurbo::Stroke> {
    let width = style.width.at(t);
    if width.is_nan() || width <= 0.0 {
        return None;
    }
    let mut s = kurbo::Stroke::new(width)
        .with_caps(style.cap)
        .with_join(style.join)
        .with_miter_limit(style.miter_limit);
    if !style.dashes.is_empty() {
        let mut pattern = [0.0_f64; 16];
        let n = style.dashes.len().min(16);
        let mut sum = 0.0;
        for (slot, d) in pattern.iter_mut().zip(&style.dashes) {
            *slot = d.at(t).max(0.0);
            sum += *slot;
        }
        if sum > 1e-6 {
            // An odd-length pattern repeats twice, as in SVG.
            let len = if n % 2 == 1 && n <= 8 {
                let (a, b) = pattern.split_at_mut(n);
                b[..n].copy_from_slice(a);
                2 * n
            } else {
                n
            };
            s = s.with_dashes(style.dash_offset.at(t), pattern[..len].iter().copied());
        }
    }
    Some(s)
}

fn interp(pairs: &[f64], stride: usize, pos: f64, channel: usize) -> f64 {
    // `pairs` holds `stride`-wide records starting with a position.
    let n = pairs.len() / stride;
    if n == 0 {
        return 1.0;
    }
    let at = |i: usize| (pairs[i * stride], pairs[i * stride + channel]);
    let (p0, v0) = at(0);
    if pos <= p0 {
        return v0;
    }
    for i in 1..n {
        let (p1, v1) = at(i);
        if pos <= p1 {
            let (pa, va) = at(i - 1);
            let f = if p1 > pa { (pos - pa) / (p1 - pa) } else { 1.0 };
            return va + (v1 - va) * f;
        }
    }
    at(n - 1).1
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
        let a = if alphas.is_empty() {
            1.0
        } else {
            interp(alphas, 2, pos, 1)
        };
        let c = |ch: usize| interp(colors, 4, pos, ch).clamp(0.0, 1.0) as f32;
        let color =
            AlphaColor::<Srgb>::new([c(1), c(2), c(3), (a * opacity).clamp(0.0, 1.0) as f32]);
        stops.push(ColorStop {
            offset: pos.clamp(0.0, 1.0) as f32,
            color: DynamicColor::from_alpha_color(color),
        });
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

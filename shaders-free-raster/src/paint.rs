//! Draw-list brushes to vello_cpu paints.

use std::collections::HashMap;

use peniko::Brush;
use vello_cpu::PaintType;
use vello_cpu::{Image, ImageSource};

/// Converts `brush` to vello_cpu's paint; `None` when it would draw nothing (a transparent
/// solid colour or image).
pub(crate) fn to_paint(brush: &Brush, images: &mut ImageCache) -> Option<PaintType> {
    match brush {
        Brush::Solid(color) => (color.components[3] > 0.0).then(|| PaintType::Solid(*color)),
        Brush::Gradient(gradient) => {
            let mut gradient = gradient.clone();
            guard_lut_start(&mut gradient.stops);
            Some(PaintType::Gradient(gradient))
        }
        Brush::Image(brush) => (brush.sampler.alpha > 0.0).then(|| {
            PaintType::Image(Image {
                image: images.source(&brush.image),
                sampler: brush.sampler,
            })
        }),
    }
}

/// vello_cpu's copies of the draw lists' images, by blob id, so that an image shown on every
/// frame is converted once per rasterizer rather than once per frame.
#[derive(Debug, Default)]
pub(crate) struct ImageCache {
    sources: HashMap<u64, ImageSource>,
}

impl ImageCache {
    /// Most images kept; past it the cache starts over (an animation has a few images, a
    /// rasterizer that renders many animations should not keep all of theirs).
    const MAX_ENTRIES: usize = 32;

    fn source(&mut self, image: &peniko::ImageData) -> ImageSource {
        let id = image.data.id();
        if let Some(source) = self.sources.get(&id) {
            return source.clone();
        }
        if self.sources.len() >= Self::MAX_ENTRIES {
            self.sources.clear();
        }
        // The engine bounds image sides to 16384 (`renderer::MAX_IMAGE_SIDE`), within the
        // u16 sizes this conversion needs.
        let source = ImageSource::from_peniko_image_data(image);
        self.sources.insert(id, source.clone());
        source
    }
}

/// Entries of vello_cpu's largest gradient lookup table.
const LUT_STEPS: f32 = 4096.0;

/// Works around white specks in vello_cpu 0.3's 8-bit pipeline along a gradient ramp that rises
/// steeply from zero (a glow ring, say).
///
/// vello_cpu samples each ramp of its lookup table from the table index at or below the ramp's
/// start, so the first entry can lie slightly before the stop and extrapolate below zero; it
/// clamps only from above, and its float-to-byte conversion wraps a negative value to 255 on x86
/// (the same defect as linebender/vello#1563, there for images). Where a ramp could go that far
/// below zero, the stops get a pair 1/4096 apart, which makes the table its largest (4096
/// entries), and that ramp's start moves onto a multiple of 1/4096 (at most 0.1 px along a
/// 512 px gradient), where the table has an entry exactly: nothing is extrapolated there.
fn guard_lut_start(stops: &mut peniko::ColorStops) {
    // Below this, (x * 255 + 0.5) truncates to -1 and wraps.
    const WRAPS_BELOW: f32 = -1.5 / 255.0;
    // The furthest a ramp's first table entry lies before its start, in the smallest table.
    const MAX_LEAD: f32 = 1.0 / 255.0;
    let at_risk = |k: usize, stops: &peniko::ColorStops| {
        let (s0, s1) = (&stops[k], &stops[k + 1]);
        let dx = s1.offset - s0.offset;
        dx > 0.0
            && (0..4).any(|c| {
                let (v0, v1) = (s0.color.components[c], s1.color.components[c]);
                v0 - (v1 - v0) / dx * MAX_LEAD < WRAPS_BELOW
            })
    };
    if !(0..stops.len().saturating_sub(1)).any(|k| at_risk(k, stops)) {
        return;
    }
    for k in 0..stops.len() - 1 {
        if !at_risk(k, stops) {
            continue;
        }
        let x = stops[k].offset;
        let prev = if k == 0 { 0.0 } else { stops[k - 1].offset };
        let down = (x * LUT_STEPS).floor() / LUT_STEPS;
        let up = (x * LUT_STEPS).ceil() / LUT_STEPS;
        if down >= prev {
            stops[k].offset = down;
        } else if up <= stops[k + 1].offset {
            stops[k].offset = up;
        }
    }
    // Force the largest table with a copy of the last stop 1/4096 beyond it (flat, so the
    // picture does not change) or, when it is at 1, 1/4096 before it.
    let step = 1.0 / LUT_STEPS;
    let n = stops.len();
    let last = stops[n - 1];
    if last.offset + step <= 1.0 {
        stops.push(peniko::ColorStop {
            offset: last.offset + step,
            ..last
        });
    } else if n < 2 || stops[n - 2].offset < last.offset - step {
        stops.insert(
            n - 1,
            peniko::ColorStop {
                offset: last.offset - step,
                ..last
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use kurbo::{Affine, Rect, Shape};
    use peniko::{Color, Fill};
    use renderer::{DrawCommand, DrawList};

    use crate::testing::{WHITE, render};

    /// A 2x1 premultiplied image, red then half-transparent blue.
    fn two_pixels() -> peniko::ImageData {
        peniko::ImageData {
            data: peniko::Blob::from(vec![255, 0, 0, 255, 0, 0, 128, 128]),
            format: peniko::ImageFormat::Rgba8,
            alpha_type: peniko::ImageAlphaType::AlphaPremultiplied,
            width: 2,
            height: 1,
        }
    }

    #[test]
    fn image_brush_fills_its_pixel_grid_scaled() {
        // The 2x1 image scaled 8x onto 16x8: the left half red, the right half blue at half
        // alpha, blended bilinearly only across the middle; at 50 % sampler alpha, half that.
        for (alpha, expect_a) in [(1.0, 255), (0.5, 128)] {
            let mut list = DrawList::new(16.0, 8.0);
            list.push(DrawCommand::Fill {
                path: Rect::new(0.0, 0.0, 2.0, 1.0).to_path(0.1),
                transform: Affine::scale(8.0),
                fill_rule: Fill::NonZero,
                brush: peniko::Brush::Image(peniko::ImageBrush {
                    image: two_pixels(),
                    sampler: peniko::ImageSampler {
                        quality: peniko::ImageQuality::Medium,
                        alpha,
                        ..peniko::ImageSampler::default()
                    },
                }),
            });
            let pixmap = render(&list, 16, 8);
            let left = pixmap.sample(1, 4);
            assert_eq!((left.r, left.b), (expect_a, 0), "{left:?}");
            assert!(left.a.abs_diff(expect_a) <= 1, "{left:?}");
            let right = pixmap.sample(14, 4);
            assert_eq!(right.r, 0, "{right:?}");
            assert!(right.a.abs_diff(expect_a / 2) <= 1, "{right:?}");
            let middle = pixmap.sample(8, 4);
            assert!(
                middle.r > 40 && middle.b > 10,
                "bilinear across the seam: {middle:?}"
            );
        }
    }

    #[test]
    fn image_cache_converts_each_image_once() {
        let image = two_pixels();
        let mut cache = super::ImageCache::default();
        let a = cache.source(&image);
        let b = cache.source(&image.clone());
        let (vello_cpu::ImageSource::Pixmap(a), vello_cpu::ImageSource::Pixmap(b)) = (a, b) else {
            panic!("pixmap sources");
        };
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        assert_eq!(cache.sources.len(), 1);
    }

    #[test]
    fn steep_gradient_ramp_from_zero_leaves_no_specks() {
        // Transparent up to 62 %, then a 1 px rise to opaque white: without `guard_lut_start`,
        // vello_cpu 0.3's 8-bit table puts 255 just before the rise.
        let transparent = Color::from_rgba8(255, 255, 255, 0);
        let gradient = peniko::Gradient::new_linear((0.0, 0.0), (512.0, 0.0)).with_stops([
            (0.0, transparent),
            (0.62, transparent),
            (0.623, Color::from_rgba8(255, 255, 255, 128)),
            (0.625, WHITE),
            (0.64, transparent),
            (1.0, transparent),
        ]);
        let mut list = DrawList::new(512.0, 4.0);
        list.push(DrawCommand::Fill {
            path: Rect::new(0.0, 0.0, 512.0, 4.0).to_path(0.1),
            transform: Affine::IDENTITY,
            fill_rule: Fill::NonZero,
            brush: gradient.into(),
        });
        let pixmap = render(&list, 512, 4);
        // 0.62 * 512 = 317.4: pixel centres up to x = 316.5 are in the transparent part, and
        // at 317.5 the ramp has risen to 2 % only.
        let specks: Vec<u16> = (0..=317).filter(|&x| pixmap.sample(x, 2).a > 16).collect();
        assert!(
            specks.is_empty(),
            "opaque pixels before the ramp at x = {specks:?}"
        );
        assert!(pixmap.sample(320, 2).a > 200, "the ramp itself is drawn");
    }
}

//! Draw-list paths to outlines in output pixels: flattened, snapped to the references' grid, and
//! strokes expanded to the outline they cover.

use kurbo::{Affine, BezPath, Cap, Join, PathEl, Point, Stroke, StrokeCtx, StrokeOpts};
use renderer::draw::stroke_scale;

use crate::flatten::{Flattener, to_grid};

/// Turns draw-list paths into outlines in output pixels, ready to fill with an identity
/// transform. Keeps its buffers between calls, and the outlines of the last frame it drew.
///
/// Strokes are expanded here rather than in vello_cpu, so that their outlines land on the same
/// grid as a fill's.
///
/// Most stickers hold still in places: about a third of the path elements of the 512x512 corpus
/// stickers' frames are drawn exactly as in the frame before, at the same place in the draw list.
/// So the outline made for each command is kept, with what it was made from, and reused while the
/// command at that index has the same path, transform and stroke: the output is the same, without
/// flattening or stroking again. What is kept is bounded by [`MAX_KEPT_ELEMENTS`].
#[derive(Default)]
pub(crate) struct Outliner {
    /// The outline last made when it was too large to keep, and scratch space for strokes.
    outline: BezPath,
    /// A path moved to output pixels (and into [`MAX_COORDINATE`]).
    device_path: BezPath,
    /// A stroke's outline before it is snapped.
    stroke_ctx: StrokeCtx,
    /// Curves to lines.
    flattener: Flattener,
    /// By command index: the outline made for that command, and from what.
    kept: Vec<Kept>,
    /// Path elements allocated by `kept` (keys and outlines, by capacity).
    kept_elements: usize,
}

/// Most path elements (keys and outlines) an [`Outliner`] keeps between frames: about 1.8 MB. A
/// server holds one per render thread for good, so this stays small (at 2^17 the soak test's
/// resident memory crept up by 14 % after its warm-up); a 512x512 sticker frame needs a few
/// thousand, and a frame over the limit keeps what fits first.
const MAX_KEPT_ELEMENTS: usize = 1 << 15;

/// The outline made for one draw command, with the command's geometry it was made from.
#[derive(Default)]
struct Kept {
    /// Whether `outline` was made from `path`, `transform` and `stroke`.
    valid: bool,
    path: Vec<PathEl>,
    transform: Affine,
    /// The stroke's style, or `None` for a fill.
    stroke: Option<StrokeKey>,
    outline: BezPath,
    /// Elements allocated by `outline` (a `BezPath` does not show its capacity).
    outline_capacity: usize,
}

impl Kept {
    fn made_from(&self, path: &BezPath, transform: Affine, stroke: Option<StrokeKey>) -> bool {
        self.valid
            && self.transform == transform
            && self.stroke == stroke
            && self.path.as_slice() == path.elements()
    }

    /// Path elements allocated.
    fn elements(&self) -> usize {
        self.path.capacity() + self.outline_capacity
    }
}

/// What of a [`Stroke`] shapes its outline (draw-list strokes carry no dashes).
#[derive(Clone, Copy, PartialEq)]
struct StrokeKey {
    width: f64,
    join: Join,
    miter_limit: f64,
    start_cap: Cap,
    end_cap: Cap,
}

impl StrokeKey {
    fn of(style: &Stroke) -> Self {
        Self {
            width: style.width,
            join: style.join,
            miter_limit: style.miter_limit,
            start_cap: style.start_cap,
            end_cap: style.end_cap,
        }
    }
}

impl Outliner {
    /// Forgets the kept outlines of commands at `len` and after: call once per frame with the
    /// length of its draw list.
    pub(crate) fn begin_frame(&mut self, len: usize) {
        for kept in self.kept.iter().skip(len) {
            self.kept_elements -= kept.elements();
        }
        self.kept.truncate(len);
    }

    /// Forgets every kept outline (keeping the buffers), so that the next frame makes all anew.
    pub(crate) fn forget(&mut self) {
        for kept in &mut self.kept {
            kept.valid = false;
        }
    }

    /// Returns the outline `path` covers under `m` (see [`Flattener::outline`]), to fill by the
    /// path's own fill rule. `index` is the command's index in its draw list.
    pub(crate) fn fill(&mut self, index: usize, path: &BezPath, m: Affine) -> &BezPath {
        if self.is_kept(index, path, m, None) {
            return &self.kept[index].outline;
        }
        let mut out = self.take_slot(index);
        if path.iter().all(|el| within_range(m * el)) {
            self.flattener.outline(path, m, &mut out);
        } else {
            self.set_device_path(path, m);
            self.flattener
                .outline(&self.device_path, Affine::IDENTITY, &mut out);
        }
        self.keep(index, path, m, None, out)
    }

    /// Returns the outline the stroke of `path` under `m` covers, to fill by the non-zero rule, or
    /// `None` when nothing would be drawn. `index` is the command's index in its draw list.
    ///
    /// The path is stroked in output pixels at one width, as rlottie does (see
    /// [`device_stroke`]).
    pub(crate) fn stroke(
        &mut self,
        index: usize,
        path: &BezPath,
        style: &Stroke,
        m: Affine,
    ) -> Option<&BezPath> {
        let key = Some(StrokeKey::of(style));
        if self.is_kept(index, path, m, key) {
            return Some(&self.kept[index].outline);
        }
        let device = device_stroke(style, m)?;
        self.set_device_path(path, m);
        stroke_outline(
            &self.device_path,
            &device,
            STROKE_TOLERANCE,
            &mut self.stroke_ctx,
            &mut self.outline,
        );
        let mut out = self.take_slot(index);
        self.flattener
            .outline(self.stroke_ctx.output(), Affine::IDENTITY, &mut out);
        Some(self.keep(index, path, m, key, out))
    }

    fn is_kept(&self, index: usize, path: &BezPath, m: Affine, stroke: Option<StrokeKey>) -> bool {
        self.kept
            .get(index)
            .is_some_and(|kept| kept.made_from(path, m, stroke))
    }

    /// Takes command `index`'s slot out of what is kept, and returns its outline buffer to make
    /// the new outline in (so that keeping it copies nothing).
    fn take_slot(&mut self, index: usize) -> BezPath {
        if self.kept.len() <= index {
            self.kept.resize_with(index + 1, Kept::default);
        }
        let kept = &mut self.kept[index];
        self.kept_elements -= kept.elements();
        kept.valid = false;
        kept.outline_capacity = 0;
        std::mem::take(&mut kept.outline)
    }

    /// Keeps `outline`, just made from `path`, `m` and `stroke` in the buffer [`take_slot`]
    /// returned, as command `index`'s when it fits [`MAX_KEPT_ELEMENTS`], and returns it.
    ///
    /// [`take_slot`]: Self::take_slot
    fn keep(
        &mut self,
        index: usize,
        path: &BezPath,
        m: Affine,
        stroke: Option<StrokeKey>,
        outline: BezPath,
    ) -> &BezPath {
        let outline = outline.into_elements();
        let kept = &mut self.kept[index];
        let needed = kept.path.capacity().max(path.elements().len()) + outline.capacity();
        if self.kept_elements + needed > MAX_KEPT_ELEMENTS {
            // Too much to keep: free the slot, and hand the outline out from the scratch buffer.
            *kept = Kept::default();
            self.outline = BezPath::from_vec(outline);
            return &self.outline;
        }
        kept.path.clear();
        kept.path.extend_from_slice(path.elements());
        kept.transform = m;
        kept.stroke = stroke;
        kept.valid = true;
        kept.outline_capacity = outline.capacity();
        kept.outline = BezPath::from_vec(outline);
        self.kept_elements += kept.elements();
        &kept.outline
    }

    /// Sets `device_path` to `path` under `m`, every coordinate clamped to [`MAX_COORDINATE`].
    fn set_device_path(&mut self, path: &BezPath, m: Affine) {
        self.device_path.truncate(0);
        self.device_path
            .extend(path.iter().map(|el| clamp_to_range(m * el)));
    }
}

/// Largest coordinate, in output pixels, that an outline keeps; farther points are clamped.
///
/// Flattening and stroking take time in proportion to a curve's size over the tolerance, and at
/// 10^80 px a round cap's control points are rounded so coarsely that flattening it never ends (a
/// fuzzed sticker whose easing overshoots to 10^87 filled memory this way). rlottie and ThorVG
/// keep outlines in 26.6 fixed point in 32 bits, which ends at 2^25 px, so no reference defines
/// what lies beyond; outputs are at most a few thousand pixels wide, so 2^24 px leaves every real
/// outline as it is.
const MAX_COORDINATE: f64 = 16_777_216.0;

fn within_range(el: PathEl) -> bool {
    let ok = |p: Point| p.x.abs() <= MAX_COORDINATE && p.y.abs() <= MAX_COORDINATE;
    match el {
        PathEl::MoveTo(p) | PathEl::LineTo(p) => ok(p),
        PathEl::QuadTo(p1, p2) => ok(p1) && ok(p2),
        PathEl::CurveTo(p1, p2, p3) => ok(p1) && ok(p2) && ok(p3),
        PathEl::ClosePath => true,
    }
}

fn clamp_to_range(el: PathEl) -> PathEl {
    let c = |p: Point| {
        Point::new(
            p.x.clamp(-MAX_COORDINATE, MAX_COORDINATE),
            p.y.clamp(-MAX_COORDINATE, MAX_COORDINATE),
        )
    };
    match el {
        PathEl::MoveTo(p) => PathEl::MoveTo(c(p)),
        PathEl::LineTo(p) => PathEl::LineTo(c(p)),
        PathEl::QuadTo(p1, p2) => PathEl::QuadTo(c(p1), c(p2)),
        PathEl::CurveTo(p1, p2, p3) => PathEl::CurveTo(c(p1), c(p2), c(p3)),
        PathEl::ClosePath => PathEl::ClosePath,
    }
}

/// Largest distance, in output pixels, between a stroke's true outline and kurbo's curves.
/// (0.25 px, vello_cpu's own, visibly thinned stroke edges against the references; 0.1 px
/// matches them a little better still, for about 6 % more render time.)
const STROKE_TOLERANCE: f64 = 0.18;

/// Expands the stroke of `path` into `ctx`'s output; `scratch` is reused for a cleaned copy.
///
/// kurbo 0.13's stroker returns NaN points for some cubics that are almost a point (a 0.01-unit
/// segment whose control points sit on its end, as exporters write for a sharp tip; compare
/// linebender/kurbo#519), which would drop the whole stroke. Such segments are then stroked as
/// straight lines, which is what they look like, and if that still fails, the path flattened to
/// lines.
fn stroke_outline(
    path: &BezPath,
    style: &Stroke,
    tolerance: f64,
    ctx: &mut StrokeCtx,
    scratch: &mut BezPath,
) {
    let opts = StrokeOpts::default();
    kurbo::stroke_with(path.iter(), style, &opts, tolerance, ctx);
    if is_finite(ctx.output()) {
        return;
    }
    scratch.truncate(0);
    let (mut start, mut last) = (Point::ZERO, Point::ZERO);
    for el in path.iter() {
        match el {
            PathEl::MoveTo(p) => {
                scratch.move_to(p);
                start = p;
            }
            PathEl::ClosePath => {
                scratch.close_path();
                last = start;
            }
            PathEl::QuadTo(p1, p2) if last.distance(p1) + p1.distance(p2) < tolerance => {
                scratch.line_to(p2);
            }
            PathEl::CurveTo(p1, p2, p3)
                if last.distance(p1) + p1.distance(p2) + p2.distance(p3) < tolerance =>
            {
                scratch.line_to(p3);
            }
            el => scratch.push(el),
        }
        if let Some(p) = el.end_point() {
            last = p;
        }
    }
    kurbo::stroke_with(scratch.iter(), style, &opts, tolerance, ctx);
    if is_finite(ctx.output()) {
        return;
    }
    scratch.truncate(0);
    kurbo::flatten(path.iter(), tolerance, |el| scratch.push(el));
    kurbo::stroke_with(scratch.iter(), style, &opts, tolerance, ctx);
}

/// Returns `true` when every point of `path` is finite.
fn is_finite(path: &BezPath) -> bool {
    path.elements().iter().all(|el| match *el {
        PathEl::MoveTo(p) | PathEl::LineTo(p) => p.is_finite(),
        PathEl::QuadTo(p1, p2) => p1.is_finite() && p2.is_finite(),
        PathEl::CurveTo(p1, p2, p3) => p1.is_finite() && p2.is_finite() && p3.is_finite(),
        PathEl::ClosePath => true,
    })
}

/// `style` in output pixels under `m`: the width scaled by [`stroke_scale`] (the draw-list
/// contract), the half width truncated to the references' grid as their strokers take it, and
/// any dash pattern dropped (draw-list strokes are solid). `None` when nothing would be drawn.
///
/// Under an uneven scale (say 94 % by 106 %) rlottie, and so Telegram, draws an even width, where
/// After Effects, ThorVG and lottie-web stretch the stroke with the shape. We follow rlottie:
/// over the corpus this raised 150 frames by more than 0.5 dB against rlottie and lowered one (by
/// 0.57 dB).
fn device_stroke(style: &Stroke, m: Affine) -> Option<Stroke> {
    let scale = stroke_scale(m);
    let width = 2.0 * to_grid(style.width * scale / 2.0);
    if !(width.is_finite() && width > 0.0) {
        return None;
    }
    Some(Stroke {
        width,
        join: style.join,
        miter_limit: style.miter_limit,
        start_cap: style.start_cap,
        end_cap: style.end_cap,
        dash_offset: 0.0,
        dash_pattern: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use kurbo::{Rect, Shape};
    use renderer::{DrawCommand, DrawList};

    use super::*;
    use crate::testing::{RED, fill, render};

    fn line(from: (f64, f64), to: (f64, f64)) -> BezPath {
        let mut p = BezPath::new();
        p.move_to(from);
        p.line_to(to);
        p
    }

    #[test]
    fn points_on_the_grid_stay_there_through_f32() {
        // Corners at whole and 1/64 px: the outline is the rectangle itself.
        let rect = Rect::new(1.0, 2.0, 300.5, 411.0 + 3.0 / 64.0).to_path(0.1);
        let mut outliner = Outliner::default();
        let outline = outliner.fill(0, &rect, Affine::IDENTITY).clone();
        let points: Vec<_> = outline
            .elements()
            .iter()
            .filter_map(|el| el.end_point())
            .collect();
        for corner in [
            (1.0, 2.0),
            (300.5, 2.0),
            (300.5, 411.046875),
            (1.0, 411.046875),
        ] {
            assert!(
                points.contains(&Point::from(corner)),
                "{corner:?} in {points:?}"
            );
        }
        assert!(
            points
                .iter()
                .all(|p| to_grid(p.x) == p.x && to_grid(p.y) == p.y)
        );
    }

    #[test]
    fn curves_left_out_above_the_output_leave_no_trace() {
        // A circle mostly above the output: the flattener leaves out its curves up there, and
        // the gap is bridged out of sight. What shows is the 10 px high cap below y = 0.
        let circle = kurbo::Circle::new((30.0, -30.0), 40.0).to_path(0.1);
        let mut list = DrawList::new(60.0, 20.0);
        list.push(fill(circle, RED));
        let pixmap = render(&list, 60, 20);
        let mut covered = 0.0;
        for y in 0..20 {
            for x in 0..60 {
                covered += f64::from(pixmap.sample(x, y).a) / 255.0;
            }
        }
        // r² acos((r - h) / r) - (r - h) √(2rh - h²), r = 40, h = 10.
        let cap = 1600.0 * 0.75_f64.acos() - 30.0 * 700.0_f64.sqrt();
        // Chords inside the arc and truncation to the grid take a few px² off.
        assert!(
            (covered - cap).abs() < 4.0,
            "{covered:.1} px² against {cap:.1}"
        );
        assert_eq!(pixmap.sample(30, 0).a, 255);
        assert_eq!(pixmap.sample(1, 1).a, 0);
    }

    #[test]
    fn kept_outlines_are_reused_only_for_the_same_geometry() {
        let circle = kurbo::Circle::new((20.0, 20.0), 12.0).to_path(0.1);
        let mut outliner = Outliner::default();
        outliner.begin_frame(2);
        let first = outliner.fill(0, &circle, Affine::IDENTITY).clone();
        let stroked = outliner
            .stroke(1, &circle, &Stroke::new(3.0), Affine::IDENTITY)
            .cloned();
        // The next frame: the same commands give the same outlines, from what was kept.
        outliner.begin_frame(2);
        assert_eq!(
            outliner.kept_elements,
            outliner.kept.iter().map(Kept::elements).sum::<usize>()
        );
        assert!(outliner.is_kept(0, &circle, Affine::IDENTITY, None));
        assert_eq!(outliner.fill(0, &circle, Affine::IDENTITY), &first);
        let style = Stroke::new(3.0);
        assert_eq!(
            outliner
                .stroke(1, &circle, &style, Affine::IDENTITY)
                .cloned(),
            stroked
        );
        // A moved fill, a wider stroke and a fill where a stroke was are made anew.
        let moved = Affine::translate((5.0, 0.0));
        assert!(!outliner.is_kept(0, &circle, moved, None));
        assert_ne!(outliner.fill(0, &circle, moved), &first);
        let wider = Stroke::new(4.0);
        assert_ne!(
            outliner
                .stroke(1, &circle, &wider, Affine::IDENTITY)
                .cloned(),
            stroked
        );
        assert_ne!(
            outliner.fill(1, &circle, Affine::IDENTITY).elements(),
            stroked.unwrap().elements()
        );
        // A shorter list forgets the rest.
        outliner.begin_frame(1);
        assert_eq!(outliner.kept.len(), 1);
        assert_eq!(outliner.kept_elements, outliner.kept[0].elements());
    }

    #[test]
    fn outlines_over_the_limit_are_drawn_but_not_kept() {
        // A thousand circles 2000 px across flatten to far more elements than may be kept.
        let mut huge = BezPath::new();
        for k in 0..1000 {
            let circle = kurbo::Circle::new((f64::from(k) * 10.0, 0.0), 1000.0);
            huge.extend(circle.path_elements(0.1));
        }
        let mut outliner = Outliner::default();
        outliner.begin_frame(1);
        let len = outliner.fill(0, &huge, Affine::IDENTITY).elements().len();
        assert!(len > MAX_KEPT_ELEMENTS, "{len} elements");
        assert!(!outliner.is_kept(0, &huge, Affine::IDENTITY, None));
        assert_eq!(outliner.kept_elements, 0);
    }

    #[test]
    fn a_frame_drawn_twice_is_the_same() {
        let mut list = DrawList::new(40.0, 40.0);
        list.push(fill(
            kurbo::Circle::new((20.0, 20.0), 12.0).to_path(0.1),
            RED,
        ));
        list.push(DrawCommand::Stroke {
            path: line((3.0, 3.0), (37.0, 30.0)),
            transform: Affine::rotate(0.1),
            style: Stroke::new(3.0),
            brush: RED.into(),
        });
        let mut rasterizer = crate::Rasterizer::new();
        let mut first = crate::Pixmap::new(40, 40).unwrap();
        let mut second = crate::Pixmap::new(40, 40).unwrap();
        rasterizer.render(&list, &mut first);
        rasterizer.render(&list, &mut second);
        assert_eq!(first.data(), second.data());
        assert_eq!(first.data(), render(&list, 40, 40).data());
    }

    #[test]
    fn edges_land_on_the_references_grid() {
        // A right edge at x = 6.7 covers 0.7 of pixel 6 exactly, but 44/64 on a 1/64 px grid.
        let mut list = DrawList::new(10.0, 10.0);
        list.push(fill(Rect::new(1.0, 1.0, 6.7, 9.0).to_path(0.1), RED));
        let edge = render(&list, 10, 10).sample(6, 5).a;
        assert!(
            (174..=177).contains(&edge),
            "44/64 of full coverage (176), not 0.7 (179); got {edge}"
        );
    }

    #[test]
    fn stroke_half_width_lands_on_the_references_grid() {
        // Half of 8.8 px is 4.4 px, 281.6 grid steps, truncated to 281: the stroke spans
        // 1.3 + 4.390625 = 5.690625 px to the right of x = 1.3.
        let line = line((1.3, 0.0), (1.3, 10.0));
        let device = device_stroke(&Stroke::new(8.8), Affine::IDENTITY).map(|s| s.width);
        assert_eq!(device, Some(8.78125));
        let mut list = DrawList::new(10.0, 10.0);
        list.push(DrawCommand::Stroke {
            path: line,
            transform: Affine::IDENTITY,
            style: Stroke::new(8.8),
            brush: RED.into(),
        });
        let edge = render(&list, 10, 10).sample(5, 5).a;
        assert!(
            (174..=177).contains(&edge),
            "0.690625 of full coverage (176), not 0.7 (179); got {edge}"
        );
    }

    #[test]
    fn stroke_survives_a_cubic_that_is_almost_a_point() {
        // A leaf outline whose tip is a 0.01-unit cubic with its control points on its end:
        // kurbo's stroker gives NaN points for it; `stroke_outline` must still draw the stroke.
        // The numbers of a sticker's leaf; vertex plus tangent as a Lottie path stores them.
        let v = [(209.281, 89.909), (172.548, 101.173), (172.538, 101.172)];
        let out = [(-14.761, 22.287), (-0.01, -0.001), (10.815, -22.288)];
        let inn = [(0.0, 0.0), (0.502, 0.258), (0.0, 0.0)];
        let pt = |(x, y): (f64, f64), (dx, dy): (f64, f64)| Point::new(x + dx, y + dy);
        let mut leaf = BezPath::new();
        leaf.move_to(v[0]);
        for k in 0..3 {
            let next = (k + 1) % 3;
            leaf.curve_to(
                pt(v[k], out[k]),
                pt(v[next], inn[next]),
                Point::from(v[next]),
            );
        }
        leaf.close_path();
        let style = Stroke::new(8.0);
        let (mut ctx, mut scratch) = (StrokeCtx::default(), BezPath::new());
        stroke_outline(&leaf, &style, 0.25, &mut ctx, &mut scratch);
        assert!(is_finite(ctx.output()) && ctx.output().area().abs() > 100.0);
        let mut list = DrawList::new(60.0, 40.0);
        list.push(DrawCommand::Stroke {
            path: leaf,
            transform: Affine::translate((-160.0, -75.0)),
            style,
            brush: RED.into(),
        });
        assert_eq!(render(&list, 60, 40).sample(49, 15).a, 255);
    }

    #[test]
    fn stroke_width_is_even_under_uneven_scale() {
        // rlottie's measure: a 10-unit stroke under scale (0.5, 1.5) is sqrt((0.25 + 2.25) / 2)
        // = 1.118 times as wide in every direction.
        let m = Affine::scale_non_uniform(0.5, 1.5);
        assert!((stroke_scale(m) - 1.25_f64.sqrt()).abs() < 1e-12);
        assert!((stroke_scale(Affine::rotate(0.7).then_scale(2.0)) - 2.0).abs() < 1e-12);
        let horizontal = line((0.0, 10.0), (40.0, 10.0));
        let vertical = line((10.0, 0.0), (10.0, 20.0));
        let mut list = DrawList::new(40.0, 40.0);
        for path in [horizontal, vertical] {
            list.push(DrawCommand::Stroke {
                path,
                transform: m,
                style: Stroke::new(4.0),
                brush: RED.into(),
            });
        }
        let pixmap = render(&list, 40, 40);
        let thickness = |pixels: &mut dyn Iterator<Item = (u16, u16)>| -> f64 {
            pixels
                .map(|(x, y)| f64::from(pixmap.sample(x, y).a) / 255.0)
                .sum()
        };
        // Across the horizontal line (x 0..20, at y = 15) and the vertical one (at x = 5).
        let across_h = thickness(&mut (0..40).map(|y| (12, y)));
        let across_v = thickness(&mut (0..40).map(|x| (x, 25)));
        assert!(
            (across_h - 4.47).abs() < 0.1,
            "horizontal line {across_h:.2} px"
        );
        assert!(
            (across_v - 4.47).abs() < 0.1,
            "vertical line {across_v:.2} px"
        );
    }

    #[test]
    fn far_points_are_clamped_so_outlines_stay_bounded() {
        // A fuzzed sticker eased a round-capped stroke out to 10^89 px: flattening its cap never
        // ended. Clamped to MAX_COORDINATE, the outline is small and the visible part still drawn.
        let far = line((5.0, 5.0), (1e89, 5e88));
        let mut outliner = Outliner::default();
        let mut style = Stroke::new(4.0);
        style.start_cap = kurbo::Cap::Round;
        style.end_cap = kurbo::Cap::Round;
        let outline = outliner.stroke(0, &far, &style, Affine::IDENTITY).unwrap();
        assert!(
            outline.elements().len() < 100_000,
            "{}",
            outline.elements().len()
        );
        let mut triangle = far.clone();
        triangle.line_to((5.0, 1e89));
        triangle.close_path();
        let outline = outliner.fill(1, &triangle, Affine::IDENTITY);
        assert!(
            outline.elements().len() < 100,
            "{}",
            outline.elements().len()
        );
        let mut list = DrawList::new(16.0, 16.0);
        list.push(fill(triangle, RED));
        list.push(DrawCommand::Stroke {
            path: far,
            transform: Affine::IDENTITY,
            style,
            brush: RED.into(),
        });
        let pixmap = render(&list, 16, 16);
        assert_eq!(pixmap.sample(10, 12).a, 255, "inside the triangle");
        assert_eq!(pixmap.sample(12, 2).a, 0, "above the stroke");
    }

    #[test]
    fn paths_within_range_are_not_moved() {
        let path = line((-1e6, 3.5), (2e7 / 2.0, 16_777_216.0));
        assert!(path.iter().all(within_range));
        let moved: Vec<PathEl> = path.iter().map(clamp_to_range).collect();
        assert_eq!(moved, path.elements());
        assert_eq!(
            clamp_to_range(PathEl::LineTo(Point::new(-1e300, f64::INFINITY))),
            PathEl::LineTo(Point::new(-MAX_COORDINATE, MAX_COORDINATE))
        );
    }
}

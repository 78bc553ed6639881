//! Replays a [`DrawList`] on a vello_cpu [`RenderContext`].

use kurbo::{Affine, BezPath, PathEl, Point, Rect, Shape, Stroke, StrokeCtx, StrokeOpts};
use peniko::Fill;
use renderer::draw::stroke_scale;
use renderer::{DrawCommand, DrawList, MaskKind};
use vello_cpu::{Mask, RasterizerSettings, RenderContext, RenderMode, RenderSettings, Resources};

use crate::Pixmap;
use crate::paint::to_paint;

/// Turns draw lists into pixels. Keeps its render contexts and buffers between calls, so reuse one
/// per thread.
pub struct Rasterizer {
    /// One context per mask nesting depth; index 0 draws the output.
    contexts: Vec<RenderContext>,
    resources: Resources,
    /// Scratch pixmaps for mask sources, one per nesting depth.
    mask_pixmaps: Vec<vello_cpu::Pixmap>,
    /// For each `PushMask`/`BeginMasked`/`PushLayer` index: the index of its partner.
    partners: Vec<usize>,
    stack: Vec<usize>,
    /// Scratch: a path in output pixels, made by [`to_device_outline`].
    outline: BezPath,
    /// Scratch: a stroked path moved to output pixels.
    stroke_path: BezPath,
    /// Scratch: a stroke's outline.
    stroke_ctx: StrokeCtx,
}

impl std::fmt::Debug for Rasterizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rasterizer")
            .field("contexts", &self.contexts.len())
            .finish_non_exhaustive()
    }
}

impl Default for Rasterizer {
    fn default() -> Self {
        Self::new()
    }
}

/// State that is the same for every context of one render.
struct Frame {
    view: Affine,
    width: u16,
    height: u16,
}

impl Rasterizer {
    /// Creates a rasterizer. Contexts are allocated lazily at the first render.
    pub fn new() -> Self {
        Self {
            contexts: Vec::new(),
            resources: Resources::new(),
            mask_pixmaps: Vec::new(),
            partners: Vec::new(),
            stack: Vec::new(),
            outline: BezPath::new(),
            stroke_path: BezPath::new(),
            stroke_ctx: StrokeCtx::default(),
        }
    }

    /// Renders `list` into `out`, replacing its contents.
    ///
    /// The composition is scaled uniformly to fit the pixmap, centred, and clipped to its own
    /// rectangle; the background is transparent. Unbalanced push/pop commands are tolerated: a pop
    /// without a push is ignored and unclosed groups are closed at the end.
    pub fn render(&mut self, list: &DrawList, out: &mut Pixmap) {
        let (width, height) = out.size_u16();
        let frame = Frame {
            view: fit_transform(list.width, list.height, width, height),
            width,
            height,
        };
        self.match_partners(&list.commands);

        let mut ctx = self.take_context(0, &frame);
        // Clip to the composition only when it does not cover the output exactly.
        let comp = frame
            .view
            .transform_rect_bbox(Rect::new(0.0, 0.0, list.width, list.height));
        let covers = comp.x0 <= 0.01
            && comp.y0 <= 0.01
            && comp.x1 >= f64::from(width) - 0.01
            && comp.y1 >= f64::from(height) - 0.01;
        if !covers {
            ctx.set_transform(Affine::IDENTITY);
            ctx.set_fill_rule(Fill::NonZero);
            ctx.push_clip_layer(&comp.to_path(0.1));
        }
        self.replay(&mut ctx, &list.commands, 0, list.commands.len(), 0, &frame);
        if !covers {
            ctx.pop_layer();
        }
        ctx.flush();
        ctx.render_with(out.as_vello_mut(), &mut self.resources, raster_settings());
        self.contexts[0] = ctx;
    }

    /// Fills `self.partners`: for every push command, the index of the command that closes it
    /// (`BeginMasked` for `PushMask`, `PopMask` for `BeginMasked`, `PopLayer` for `PushLayer`).
    /// Unclosed pushes are paired with `commands.len()`.
    fn match_partners(&mut self, commands: &[DrawCommand]) {
        self.partners.clear();
        self.partners.resize(commands.len(), usize::MAX);
        self.stack.clear();
        for (i, cmd) in commands.iter().enumerate() {
            match cmd {
                DrawCommand::PushLayer { .. } | DrawCommand::PushMask { .. } => self.stack.push(i),
                DrawCommand::BeginMasked => {
                    if let Some(open) = self.stack.pop() {
                        self.partners[open] = i;
                    }
                    self.stack.push(i);
                }
                DrawCommand::PopLayer | DrawCommand::PopMask => {
                    if let Some(open) = self.stack.pop() {
                        self.partners[open] = i;
                    }
                }
                DrawCommand::Fill { .. } | DrawCommand::Stroke { .. } => {}
            }
        }
        while let Some(open) = self.stack.pop() {
            self.partners[open] = commands.len();
        }
    }

    fn take_context(&mut self, depth: usize, frame: &Frame) -> RenderContext {
        while self.contexts.len() <= depth {
            self.contexts.push(new_context(frame.width, frame.height));
        }
        let mut ctx = std::mem::replace(&mut self.contexts[depth], RenderContext::new(1, 1));
        if ctx.width() != frame.width || ctx.height() != frame.height {
            ctx = new_context(frame.width, frame.height);
        } else {
            ctx.reset();
        }
        ctx
    }

    /// Replays `commands[start..end]` on `ctx`; `depth` is the mask nesting depth of `ctx`.
    fn replay(
        &mut self,
        ctx: &mut RenderContext,
        commands: &[DrawCommand],
        start: usize,
        end: usize,
        depth: usize,
        frame: &Frame,
    ) {
        let mut i = start;
        let mut open_layers = 0_usize;
        while i < end {
            match &commands[i] {
                DrawCommand::Fill {
                    path,
                    transform,
                    fill_rule,
                    brush,
                } => {
                    if let Some(paint) = to_paint(brush) {
                        let m = frame.view * *transform;
                        ctx.set_fill_rule(*fill_rule);
                        ctx.set_paint(paint);
                        to_device_outline(path, m, &mut self.outline);
                        fill_device_outline(ctx, &self.outline, m);
                    }
                }
                DrawCommand::Stroke {
                    path,
                    transform,
                    style,
                    brush,
                } => {
                    if style.width > 0.0
                        && style.width.is_finite()
                        && let Some(paint) = to_paint(brush)
                    {
                        let m = frame.view * *transform;
                        // Stroked in output pixels at one width, as rlottie does (see
                        // `stroke_scale`); the paint stays positioned by `m`.
                        if let Some(style) = device_stroke(style, m) {
                            self.stroke_path.truncate(0);
                            self.stroke_path.extend(path.iter().map(|el| m * el));
                            ctx.set_paint(paint);
                            // Expand the stroke here rather than in vello_cpu, so that its
                            // outline goes through `to_device_outline` like a fill's.
                            stroke_outline(
                                &self.stroke_path,
                                &style,
                                STROKE_TOLERANCE,
                                &mut self.stroke_ctx,
                                &mut self.outline,
                            );
                            ctx.set_fill_rule(Fill::NonZero);
                            to_device_outline(
                                self.stroke_ctx.output(),
                                Affine::IDENTITY,
                                &mut self.outline,
                            );
                            fill_device_outline(ctx, &self.outline, m);
                        }
                    }
                }
                DrawCommand::PushLayer {
                    clip,
                    opacity,
                    blend,
                } => {
                    match clip {
                        Some(clip) => {
                            ctx.set_transform(frame.view * clip.transform);
                            ctx.set_fill_rule(clip.fill_rule);
                            ctx.push_layer(
                                Some(&clip.path),
                                Some(*blend),
                                Some(*opacity),
                                None,
                                None,
                            );
                        }
                        None => ctx.push_layer(None, Some(*blend), Some(*opacity), None, None),
                    }
                    open_layers += 1;
                }
                DrawCommand::PopLayer => {
                    if open_layers > 0 {
                        ctx.pop_layer();
                        open_layers -= 1;
                    }
                }
                DrawCommand::PushMask { kind, inverted } => {
                    let begin = self.partners[i].min(end);
                    let pop = if begin < end {
                        self.partners[begin].min(end)
                    } else {
                        end
                    };
                    let mask = self.render_mask(
                        commands,
                        i + 1,
                        begin,
                        depth + 1,
                        frame,
                        *kind,
                        *inverted,
                    );
                    ctx.push_layer(None, None, None, Some(mask), None);
                    if begin < end {
                        self.replay(ctx, commands, begin + 1, pop, depth, frame);
                    }
                    ctx.pop_layer();
                    i = pop;
                }
                // Stray markers (their push was outside this range): ignore.
                DrawCommand::BeginMasked | DrawCommand::PopMask => {}
            }
            i += 1;
        }
        for _ in 0..open_layers {
            ctx.pop_layer();
        }
    }

    /// Renders the mask source `commands[start..end]` offscreen and turns it into a coverage mask.
    fn render_mask(
        &mut self,
        commands: &[DrawCommand],
        start: usize,
        end: usize,
        depth: usize,
        frame: &Frame,
        kind: MaskKind,
        inverted: bool,
    ) -> Mask {
        let mut ctx = self.take_context(depth, frame);
        self.replay(&mut ctx, commands, start, end, depth, frame);
        ctx.flush();
        while self.mask_pixmaps.len() <= depth {
            self.mask_pixmaps
                .push(vello_cpu::Pixmap::new(frame.width, frame.height));
        }
        let mut pixmap =
            std::mem::replace(&mut self.mask_pixmaps[depth], vello_cpu::Pixmap::new(0, 0));
        if pixmap.width() != frame.width || pixmap.height() != frame.height {
            pixmap.resize(frame.width, frame.height);
        }
        ctx.render_with(&mut pixmap, &mut self.resources, raster_settings());
        self.contexts[depth] = ctx;

        let data = pixmap
            .data()
            .iter()
            .map(|px| {
                let value = match kind {
                    MaskKind::Alpha => px.a,
                    MaskKind::Luminance => {
                        // Rec. 709 luma of the premultiplied colour, i.e. luminance times alpha.
                        let luma = 0.2126 * f32::from(px.r)
                            + 0.7152 * f32::from(px.g)
                            + 0.0722 * f32::from(px.b);
                        (luma + 0.5).min(255.0) as u8
                    }
                };
                if inverted { 255 - value } else { value }
            })
            .collect();
        self.mask_pixmaps[depth] = pixmap;
        Mask::from_parts(data, frame.width, frame.height)
    }
}

fn new_context(width: u16, height: u16) -> RenderContext {
    // Single-threaded on purpose: callers parallelise across frames and requests.
    let settings = RenderSettings {
        num_threads: 0,
        ..RenderSettings::default()
    };
    RenderContext::new_with(width, height, settings)
}

/// vello_cpu's u8/u16 pipeline: the fastest, and what every golden image was made with.
fn raster_settings() -> RasterizerSettings {
    RasterizerSettings {
        render_mode: RenderMode::OptimizeSpeed,
        ..RasterizerSettings::default()
    }
}

/// Scales a `comp_w` x `comp_h` composition uniformly to fit `width` x `height`, centred.
fn fit_transform(comp_w: f64, comp_h: f64, width: u16, height: u16) -> Affine {
    if !(comp_w > 0.0 && comp_h > 0.0) {
        return Affine::IDENTITY;
    }
    let (w, h) = (f64::from(width), f64::from(height));
    let scale = (w / comp_w).min(h / comp_h);
    let dx = (w - comp_w * scale) / 2.0;
    let dy = (h - comp_h * scale) / 2.0;
    Affine::translate((dx, dy)) * Affine::scale(scale)
}

/// Largest distance, in output pixels, between a curve and the lines that replace it.
///
/// vello_cpu flattens curves to within 0.25 px. The chords of a convex curve lie inside it, so
/// every curved outline came out about 0.1 px inset: a 300 px circle lost 110 px² of its area,
/// where rlottie and ThorVG (which subdivide far more finely) are exact to a few px². That shows
/// as an edge difference along every curve. Flattening to this tolerance (an upper bound: it is
/// divided by [`affine_scale`], √2 times the scale of a uniform transform) removes the bias.
/// Over the corpus, 0.1 matched the references best; both 0.05 and 0.2 scored lower.
const FLATTEN_TOLERANCE: f64 = 0.1;

/// Largest distance, in output pixels, between a stroke's true outline and kurbo's curves.
/// (0.25 px, vello_cpu's own, visibly thinned stroke edges against the references; 0.1 px
/// matches them a little better still, for about 6 % more render time.)
const STROKE_TOLERANCE: f64 = 0.18;

/// Steps per output pixel of the coordinate grid of rlottie and ThorVG.
///
/// Both scan-convert FreeType-style, in 26.6 fixed point: every point of an outline, after its
/// transform, is truncated to 1/64 px, and a stroke's half width too. We do the same, so that
/// edges land on the same fraction of a pixel as in the references (a 0.7 px coverage comes out
/// as 176 rather than 179, a 8.8 px stroke as 8.78 px wide). Over the corpus this raised the
/// median PSNR of a frame by 0.4 dB against rlottie and 0.3 dB against ThorVG.
const SUBPIXEL_STEPS: f64 = 64.0;

/// An upper bound of the factor by which `m` stretches lengths.
fn affine_scale(m: Affine) -> f64 {
    let [a, b, c, d, _, _] = m.as_coeffs();
    let s = (a * a + b * b + c * c + d * d).sqrt();
    if s.is_finite() && s > 1e-9 { s } else { 1.0 }
}

/// Truncates a coordinate in output pixels to the references' grid (towards zero, as their
/// float-to-fixed conversion does).
fn to_grid(v: f64) -> f64 {
    (v * SUBPIXEL_STEPS).trunc() / SUBPIXEL_STEPS
}

/// Writes into `out` the outline `path` covers under `m`, in output pixels: curves replaced by
/// lines within [`FLATTEN_TOLERANCE`], every point on the references' grid.
fn to_device_outline(path: &BezPath, m: Affine, out: &mut BezPath) {
    let snap = |p: Point| {
        let p = m * p;
        Point::new(to_grid(p.x), to_grid(p.y))
    };
    out.truncate(0);
    kurbo::flatten(
        path.iter(),
        FLATTEN_TOLERANCE / affine_scale(m),
        |el| match el {
            PathEl::MoveTo(p) => out.move_to(snap(p)),
            PathEl::LineTo(p) => out.line_to(snap(p)),
            PathEl::ClosePath => out.close_path(),
            // `flatten` emits only the three above.
            PathEl::QuadTo(..) | PathEl::CurveTo(..) => {}
        },
    );
}

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

/// Fills an outline made by [`to_device_outline`] with the current paint, which is still
/// positioned by `m`, the transform the outline was made with.
fn fill_device_outline(ctx: &mut RenderContext, outline: &BezPath, m: Affine) {
    ctx.set_transform(Affine::IDENTITY);
    ctx.set_paint_transform(m);
    ctx.fill_path(outline);
    ctx.reset_paint_transform();
}

/// `style` in output pixels under `m`: the width scaled by [`stroke_scale`] (the draw-list
/// contract) and any dash pattern dropped (draw-list strokes are solid), the half width truncated to the references' grid as their strokers take
/// it. `None` when nothing would be drawn.
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
    use super::*;
    use crate::testing::{RED, WHITE, fill, render};
    use peniko::BlendMode;
    use renderer::Clip;

    fn square(x: f64, y: f64, size: f64) -> BezPath {
        Rect::new(x, y, x + size, y + size).to_path(0.1)
    }

    fn line(from: (f64, f64), to: (f64, f64)) -> BezPath {
        let mut p = BezPath::new();
        p.move_to(from);
        p.line_to(to);
        p
    }

    #[test]
    fn fit_centres_wide_composition() {
        // A 20x10 composition in a 20x20 output sits in rows 5..15 and is clipped there.
        let mut list = DrawList::new(20.0, 10.0);
        list.push(fill(square(-50.0, -50.0, 200.0), RED));
        let pixmap = render(&list, 20, 20);
        assert_eq!(pixmap.sample(10, 2).a, 0, "above the composition");
        assert_eq!(pixmap.sample(10, 10).a, 255, "inside the composition");
        assert_eq!(pixmap.sample(10, 17).a, 0, "below the composition");
    }

    #[test]
    fn mask_alpha_limits_content() {
        let mut list = DrawList::new(10.0, 10.0);
        list.push(DrawCommand::PushMask {
            kind: MaskKind::Alpha,
            inverted: false,
        });
        list.push(fill(square(0.0, 0.0, 5.0), WHITE));
        list.push(DrawCommand::BeginMasked);
        list.push(fill(square(0.0, 0.0, 10.0), RED));
        list.push(DrawCommand::PopMask);
        let pixmap = render(&list, 10, 10);
        assert_eq!(pixmap.sample(2, 2).a, 255, "inside the mask");
        assert_eq!(pixmap.sample(8, 8).a, 0, "outside the mask");
    }

    #[test]
    fn mask_inverted_luminance() {
        let mut list = DrawList::new(10.0, 10.0);
        list.push(DrawCommand::PushMask {
            kind: MaskKind::Luminance,
            inverted: true,
        });
        list.push(fill(square(0.0, 0.0, 5.0), WHITE));
        list.push(DrawCommand::BeginMasked);
        list.push(fill(square(0.0, 0.0, 10.0), RED));
        list.push(DrawCommand::PopMask);
        let pixmap = render(&list, 10, 10);
        assert_eq!(pixmap.sample(2, 2).a, 0, "white luma inverted hides");
        assert_eq!(pixmap.sample(8, 8).a, 255, "no source inverted shows");
    }

    #[test]
    fn layer_clip_and_opacity() {
        let mut list = DrawList::new(10.0, 10.0);
        list.push(DrawCommand::PushLayer {
            clip: Some(Clip {
                path: square(0.0, 0.0, 5.0),
                transform: Affine::IDENTITY,
                fill_rule: Fill::NonZero,
            }),
            opacity: 0.5,
            blend: BlendMode::default(),
        });
        list.push(fill(square(0.0, 0.0, 10.0), RED));
        list.push(DrawCommand::PopLayer);
        let pixmap = render(&list, 10, 10);
        let inside = pixmap.sample(2, 2).a;
        assert!((126..=129).contains(&inside), "half opacity, got {inside}");
        assert_eq!(pixmap.sample(8, 8).a, 0, "clipped");
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
        // kurbo's stroker gives NaN points for it, which used to drop the whole stroke.
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
    fn unbalanced_commands_do_not_panic() {
        let mut list = DrawList::new(10.0, 10.0);
        list.push(DrawCommand::PopLayer);
        list.push(DrawCommand::PopMask);
        list.push(DrawCommand::BeginMasked);
        list.push(DrawCommand::PushMask {
            kind: MaskKind::Alpha,
            inverted: false,
        });
        list.push(fill(square(0.0, 0.0, 5.0), WHITE));
        list.push(DrawCommand::PushLayer {
            clip: None,
            opacity: 1.0,
            blend: BlendMode::default(),
        });
        let _ = render(&list, 10, 10);
    }
}

//! Replays a [`DrawList`] on a vello_cpu [`RenderContext`].

use std::time::Instant;

use kurbo::{Affine, BezPath, Rect, Shape};
use peniko::Fill;
use renderer::{Budget, DrawCommand, DrawList, Error, MaskKind};
use vello_cpu::{Mask, RasterizerSettings, RenderContext, RenderMode, RenderSettings, Resources};

use crate::Pixmap;
use crate::damage::{PixelRect, Unit};
use crate::outline::Outliner;
use crate::output::{check_offscreen, fit_transform};
use crate::paint::{ImageCache, to_paint};

/// Pixels painted around a region (see [`Rasterizer::render_region_within`]) but not copied out.
///
/// vello_cpu clips lines at the edges of its scene, and the points where it cuts them round a
/// little differently from where the lines would cross the edge of a tile inside a larger scene: a
/// pixel next to the scene's edge can then differ by one in a channel from the same pixel of the
/// whole output. One 4x4 tile of margin keeps most such pixels out of the region: over every
/// frame of the `frame_coherence` test (the fixtures, and 1,878 frames of corpus stickers), 2
/// frames then differ from the whole output, by one in a few pixels; without it, 116 did.
const SCENE_MARGIN: u16 = 4;

/// Turns draw lists into pixels. Keeps its render contexts and buffers between calls, so reuse one
/// per thread.
pub struct Rasterizer {
    /// One context per mask nesting depth; index 0 draws the output.
    contexts: Vec<RenderContext>,
    resources: Resources,
    /// Scratch pixmaps for mask sources, one per nesting depth.
    mask_pixmaps: Vec<vello_cpu::Pixmap>,
    /// Scratch pixmap for painting a region of the output again.
    region_pixmap: vello_cpu::Pixmap,
    /// For each `PushMask`/`BeginMasked`/`PushLayer` index: the index of its partner.
    partners: Vec<usize>,
    stack: Vec<usize>,
    outliner: Outliner,
    /// vello_cpu copies of the images drawn so far.
    images: ImageCache,
    /// When the render must stop ([`Rasterizer::render_within`]); `None` when unlimited.
    deadline: Option<Instant>,
    /// Set when the deadline passed: the replay stops at the next command.
    timed_out: bool,
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

/// What one render paints: the view transform that fits the composition to the output, and the
/// rectangle of the output painted, which vello_cpu sees as a scene of its own.
struct Target {
    /// Composition to output pixels (outlines are made, and kept, in output pixels).
    view: Affine,
    /// Output pixels to the painted rectangle's own: a whole-pixel translation (exact on the
    /// outlines' 1/64 px grid), the identity when the whole output is painted.
    shift: Affine,
    /// The painted rectangle's size.
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
            region_pixmap: vello_cpu::Pixmap::new(0, 0),
            partners: Vec::new(),
            stack: Vec::new(),
            outliner: Outliner::default(),
            images: ImageCache::default(),
            deadline: None,
            timed_out: false,
        }
    }

    /// Like [`Rasterizer::render`], within `budget`: refuses a list whose masks, mattes and
    /// layers would need more than `max_offscreen_pixels` before drawing anything, and stops
    /// between commands once `max_time` has passed since `started` (when the frame began,
    /// evaluation included).
    ///
    /// # Errors
    ///
    /// [`Error::LimitExceeded`] naming the limit; `out` then holds no complete frame.
    pub fn render_within(
        &mut self,
        list: &DrawList,
        budget: &Budget,
        started: Instant,
        out: &mut Pixmap,
    ) -> Result<(), Error> {
        self.draw_within(list, None, budget, started, out)
    }

    /// Like [`Rasterizer::render_within`], but paints only `region` of `out` again, replaying
    /// only the `units` of `list` (see [`split_units`](crate::damage::split_units)) that touch
    /// it; the rest of `out` is left as it is.
    pub(crate) fn render_region_within(
        &mut self,
        list: &DrawList,
        units: &[Unit],
        region: PixelRect,
        budget: &Budget,
        started: Instant,
        out: &mut Pixmap,
    ) -> Result<(), Error> {
        self.draw_within(list, Some((units, region)), budget, started, out)
    }

    fn draw_within(
        &mut self,
        list: &DrawList,
        part: Option<(&[Unit], PixelRect)>,
        budget: &Budget,
        started: Instant,
        out: &mut Pixmap,
    ) -> Result<(), Error> {
        check_offscreen(list, budget, out)?;
        self.deadline = started.checked_add(budget.max_time);
        self.timed_out = false;
        self.draw(list, part, out);
        self.deadline = None;
        if self.timed_out {
            return Err(Error::LimitExceeded(format!(
                "the frame takes more than {} ms to render (max_time)",
                budget.max_time.as_millis()
            )));
        }
        Ok(())
    }

    /// Renders `list` into `out`, replacing its contents.
    ///
    /// The composition is scaled uniformly to fit the pixmap, centred, and clipped to its own
    /// rectangle; the background is transparent. Unbalanced push/pop commands are tolerated: a pop
    /// without a push is ignored and unclosed groups are closed at the end.
    pub fn render(&mut self, list: &DrawList, out: &mut Pixmap) {
        self.draw(list, None, out);
    }

    /// Renders `list` into `out`: all of it, or with `part`, only the region given, from the
    /// units given.
    fn draw(&mut self, list: &DrawList, part: Option<(&[Unit], PixelRect)>, out: &mut Pixmap) {
        let (width, height) = out.size_u16();
        // A region is painted as a scene of its own, a tile larger on every side (within the
        // output), so that vello_cpu's tiles, strips and fine stage only work around it.
        let area = part.map_or(PixelRect::full(width, height), |(_, region)| {
            region
                .grow(SCENE_MARGIN)
                .intersect(PixelRect::full(width, height))
        });
        let target = Target {
            view: fit_transform(list.width, list.height, width, height),
            shift: Affine::translate((-f64::from(area.x0), -f64::from(area.y0))),
            width: area.x1 - area.x0,
            height: area.y1 - area.y0,
        };
        self.match_partners(&list.commands);
        self.outliner.begin_frame(list.commands.len());

        let mut ctx = self.take_context(0, &target);
        // Clip to the composition only when it does not cover the output exactly.
        let comp = target
            .view
            .transform_rect_bbox(Rect::new(0.0, 0.0, list.width, list.height));
        let covers = comp.x0 <= 0.01
            && comp.y0 <= 0.01
            && comp.x1 >= f64::from(width) - 0.01
            && comp.y1 >= f64::from(height) - 0.01;
        if !covers {
            ctx.set_transform(target.shift);
            ctx.set_fill_rule(Fill::NonZero);
            ctx.push_clip_layer(&comp.to_path(0.1));
        }
        match part {
            None => self.replay(&mut ctx, &list.commands, 0, list.commands.len(), 0, &target),
            Some((units, region)) => {
                for unit in units.iter().filter(|u| u.bounds.intersects(region)) {
                    self.replay(&mut ctx, &list.commands, unit.start, unit.end, 0, &target);
                }
            }
        }
        if !covers {
            ctx.pop_layer();
        }
        ctx.flush();
        match part {
            None => ctx.render_with(out.as_vello_mut(), &mut self.resources, raster_settings()),
            Some((_, region)) => {
                // vello_cpu paints whole pixmaps: paint a scratch one of the scene's size, and
                // copy the region from it.
                let mut scratch =
                    std::mem::replace(&mut self.region_pixmap, vello_cpu::Pixmap::new(0, 0));
                if scratch.width() != target.width || scratch.height() != target.height {
                    scratch.resize(target.width, target.height);
                }
                ctx.render_with(&mut scratch, &mut self.resources, raster_settings());
                out.copy_region(&scratch, area, region);
                self.region_pixmap = scratch;
            }
        }
        self.contexts[0] = ctx;
    }

    /// Forgets the outlines kept from the frames drawn before (see `Outliner`).
    pub(crate) fn forget_outlines(&mut self) {
        self.outliner.forget();
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

    fn take_context(&mut self, depth: usize, target: &Target) -> RenderContext {
        while self.contexts.len() <= depth {
            self.contexts.push(new_context(target.width, target.height));
        }
        let mut ctx = std::mem::replace(&mut self.contexts[depth], RenderContext::new(1, 1));
        if ctx.width() != target.width || ctx.height() != target.height {
            // Keeps its buffers: regions of a different size follow each other.
            ctx.reset_and_resize(target.width, target.height);
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
        target: &Target,
    ) {
        let mut i = start;
        let mut open_layers = 0_usize;
        while i < end {
            if let Some(deadline) = self.deadline
                && (self.timed_out || Instant::now() > deadline)
            {
                self.timed_out = true;
                break;
            }
            match &commands[i] {
                DrawCommand::Fill {
                    path,
                    transform,
                    fill_rule,
                    brush,
                } => {
                    if let Some(paint) = to_paint(brush, &mut self.images) {
                        let m = target.view * *transform;
                        ctx.set_fill_rule(*fill_rule);
                        ctx.set_paint(paint);
                        fill_device_outline(ctx, self.outliner.fill(i, path, m), m, target);
                    }
                }
                DrawCommand::Stroke {
                    path,
                    transform,
                    style,
                    brush,
                } => {
                    let m = target.view * *transform;
                    if let Some(paint) = to_paint(brush, &mut self.images)
                        && let Some(outline) = self.outliner.stroke(i, path, style, m)
                    {
                        ctx.set_paint(paint);
                        ctx.set_fill_rule(Fill::NonZero);
                        fill_device_outline(ctx, outline, m, target);
                    }
                }
                DrawCommand::PushLayer {
                    clip,
                    opacity,
                    blend,
                } => {
                    match clip {
                        Some(clip) => {
                            // Outlined as fills are (and kept between frames), on the same grid.
                            let m = target.view * clip.transform;
                            ctx.set_transform(target.shift);
                            ctx.set_fill_rule(clip.fill_rule);
                            ctx.push_layer(
                                Some(self.outliner.fill(i, &clip.path, m)),
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
                    if let Some((path, transform, fill_rule)) =
                        clip_for_mask(&commands[i + 1..begin], *kind, *inverted)
                    {
                        // The mask is the coverage of one opaque fill: clip to its outline, as
                        // layer masks are, without painting it offscreen and reading it back.
                        let m = target.view * transform;
                        ctx.set_transform(target.shift);
                        ctx.set_fill_rule(fill_rule);
                        ctx.push_clip_layer(self.outliner.fill(i + 1, path, m));
                    } else {
                        let mask = self.render_mask(
                            commands,
                            i + 1,
                            begin,
                            depth + 1,
                            target,
                            *kind,
                            *inverted,
                        );
                        ctx.push_layer(None, None, None, Some(mask), None);
                    }
                    if begin < end {
                        self.replay(ctx, commands, begin + 1, pop, depth, target);
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
        target: &Target,
        kind: MaskKind,
        inverted: bool,
    ) -> Mask {
        let mut ctx = self.take_context(depth, target);
        self.replay(&mut ctx, commands, start, end, depth, target);
        ctx.flush();
        while self.mask_pixmaps.len() <= depth {
            self.mask_pixmaps
                .push(vello_cpu::Pixmap::new(target.width, target.height));
        }
        let mut pixmap =
            std::mem::replace(&mut self.mask_pixmaps[depth], vello_cpu::Pixmap::new(0, 0));
        if pixmap.width() != target.width || pixmap.height() != target.height {
            pixmap.resize(target.width, target.height);
        }
        ctx.render_with(&mut pixmap, &mut self.resources, raster_settings());
        self.contexts[depth] = ctx;

        // One loop per kind, so that each is a plain map over the pixels (the alpha ones vectorise).
        let pixels = pixmap.data().iter();
        let data: Vec<u8> = match (kind, inverted) {
            (MaskKind::Alpha, false) => pixels.map(|px| px.a).collect(),
            (MaskKind::Alpha, true) => pixels.map(|px| 255 - px.a).collect(),
            (MaskKind::Luminance, false) => pixels.map(luminance).collect(),
            (MaskKind::Luminance, true) => pixels.map(|px| 255 - luminance(px)).collect(),
        };
        self.mask_pixmaps[depth] = pixmap;
        Mask::from_parts(data, target.width, target.height)
    }
}

/// The path, transform and fill rule to clip to instead of the mask made from `source` (the
/// commands between `PushMask` and `BeginMasked`), when that is one fill with an opaque colour
/// under an alpha mask that is not inverted: its alpha is then the fill's coverage.
fn clip_for_mask(
    source: &[DrawCommand],
    kind: MaskKind,
    inverted: bool,
) -> Option<(&BezPath, Affine, Fill)> {
    match source {
        [
            DrawCommand::Fill {
                path,
                transform,
                fill_rule,
                brush: peniko::Brush::Solid(color),
            },
        ] if kind == MaskKind::Alpha && !inverted && color.components[3] >= 1.0 => {
            Some((path, *transform, *fill_rule))
        }
        _ => None,
    }
}

/// Rec. 709 luma of a premultiplied colour, i.e. luminance times alpha, as a mask value.
fn luminance(px: &vello_cpu::color::PremulRgba8) -> u8 {
    let luma = 0.2126 * f32::from(px.r) + 0.7152 * f32::from(px.g) + 0.0722 * f32::from(px.b);
    (luma + 0.5).min(255.0) as u8
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

/// Fills an outline made by [`Outliner`] (in output pixels) with the current paint, which is still
/// positioned by `m`, the transform the outline was made with; both are shifted into the painted
/// rectangle of `target`.
fn fill_device_outline(ctx: &mut RenderContext, outline: &BezPath, m: Affine, target: &Target) {
    // vello_cpu places the paint by the transform times the paint transform.
    ctx.set_transform(target.shift);
    ctx.set_paint_transform(m);
    ctx.fill_path(outline);
    ctx.reset_paint_transform();
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
    fn an_alpha_mask_of_one_opaque_fill_clips_as_the_mask_would() {
        // A circle as the matte of a square; the second list adds a source fill that draws
        // nothing, which makes it an offscreen mask read back.
        let circle = kurbo::Circle::new((20.0, 20.0), 13.3).to_path(0.01);
        let masked = |extra_source: bool| {
            let mut list = DrawList::new(40.0, 40.0);
            list.push(DrawCommand::PushMask {
                kind: MaskKind::Alpha,
                inverted: false,
            });
            list.push(fill(circle.clone(), WHITE));
            if extra_source {
                list.push(fill(square(-50.0, -50.0, 5.0), WHITE));
            }
            list.push(DrawCommand::BeginMasked);
            list.push(fill(square(5.0, 5.0, 30.0), RED));
            list.push(DrawCommand::PopMask);
            render(&list, 40, 40)
        };
        let (clipped, read_back) = (masked(false), masked(true));
        let most = clipped
            .data()
            .iter()
            .zip(read_back.data())
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        assert!(most <= Some(1), "differs by {most:?}");
        assert_eq!(clipped.sample(20, 20).a, 255, "inside the circle");
        assert_eq!(
            clipped.sample(6, 6).a,
            0,
            "in the square, outside the circle"
        );
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

    #[test]
    fn render_within_refuses_before_drawing_and_stops_in_time() {
        let square = Rect::new(0.0, 0.0, 10.0, 10.0).to_path(0.1);
        let mut list = DrawList::new(10.0, 10.0);
        list.push(fill(square.clone(), RED));
        list.push(DrawCommand::PushMask {
            kind: MaskKind::Alpha,
            inverted: false,
        });
        list.push(fill(square.clone(), WHITE));
        list.push(DrawCommand::BeginMasked);
        list.push(fill(square, RED));
        list.push(DrawCommand::PopMask);
        let mut rasterizer = Rasterizer::new();
        let mut pixmap = Pixmap::new(10, 10).unwrap();

        // One mask over a 10x10 output: 100 offscreen pixels.
        let tight = Budget {
            max_offscreen_pixels: 99,
            ..Budget::UNLIMITED
        };
        let err = rasterizer
            .render_within(&list, &tight, Instant::now(), &mut pixmap)
            .unwrap_err();
        assert!(err.to_string().contains("max_offscreen_pixels"), "{err}");
        assert!(pixmap.data().iter().all(|&b| b == 0), "nothing drawn");

        let enough = Budget {
            max_offscreen_pixels: 100,
            ..Budget::UNLIMITED
        };
        rasterizer
            .render_within(&list, &enough, Instant::now(), &mut pixmap)
            .unwrap();
        assert_eq!(pixmap.sample(5, 5).a, 255, "drawn within the budget");

        let no_time = Budget {
            max_time: std::time::Duration::ZERO,
            ..Budget::UNLIMITED
        };
        let started = Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let err = rasterizer
            .render_within(&list, &no_time, started, &mut pixmap)
            .unwrap_err();
        assert!(err.to_string().contains("max_time"), "{err}");
    }
}

//! What changed between two frames, and where: a draw list split into the units it is painted in,
//! each with the output pixels it can touch, and the rectangle that the units that differ from
//! the frame before cover.
//!
//! A unit is a top-level fill or stroke, or a whole top-level group (layer, mask or matte, with
//! everything nested in it). A unit paints only inside its bounds (below), so a pixel outside the
//! units that changed is painted by the same units, in the same order, with the same commands as
//! in the frame before: it keeps its value, and only the damaged rectangle needs painting again.

use kurbo::{Affine, BezPath, PathEl, Stroke};
use peniko::BlendMode;
use renderer::DrawCommand;
use renderer::draw::stroke_scale;

/// A rectangle of output pixels, `x0..x1` by `y0..y1`; empty when `x0 >= x1` or `y0 >= y1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PixelRect {
    pub(crate) x0: u16,
    pub(crate) y0: u16,
    pub(crate) x1: u16,
    pub(crate) y1: u16,
}

impl PixelRect {
    pub(crate) const EMPTY: Self = Self {
        x0: 0,
        y0: 0,
        x1: 0,
        y1: 0,
    };

    /// The whole `width` x `height` output.
    pub(crate) fn full(width: u16, height: u16) -> Self {
        Self {
            x0: 0,
            y0: 0,
            x1: width,
            y1: height,
        }
    }

    pub(crate) fn is_empty(self) -> bool {
        self.x0 >= self.x1 || self.y0 >= self.y1
    }

    pub(crate) fn area(self) -> u64 {
        if self.is_empty() {
            0
        } else {
            u64::from(self.x1 - self.x0) * u64::from(self.y1 - self.y0)
        }
    }

    pub(crate) fn union(self, other: Self) -> Self {
        if self.is_empty() {
            return other;
        }
        if other.is_empty() {
            return self;
        }
        Self {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    pub(crate) fn intersect(self, other: Self) -> Self {
        let r = Self {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        };
        if r.is_empty() { Self::EMPTY } else { r }
    }

    /// This rectangle widened by `by` on every side (not clipped to any output).
    pub(crate) fn grow(self, by: u16) -> Self {
        Self {
            x0: self.x0.saturating_sub(by),
            y0: self.y0.saturating_sub(by),
            x1: self.x1.saturating_add(by),
            y1: self.y1.saturating_add(by),
        }
    }

    pub(crate) fn intersects(self, other: Self) -> bool {
        !self.intersect(other).is_empty()
    }
}

/// One top-level unit of a draw list: `commands[start..end]`, painting only inside `bounds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) bounds: PixelRect,
}

/// Pixels around a path's control points that vello_cpu may still write: its coverage reaches a
/// pixel past an edge, strokes are expanded within 0.18 px, and it works in 4x4 tiles (a tile it
/// touches is written whole, with zero coverage where nothing is). Bounds are widened by this and
/// then rounded out to whole tiles.
const MARGIN: f64 = 2.0;
const TILE: i64 = 4;

/// Splits `commands` into its top-level units (appended to `out`, which is cleared first), with
/// their bounds in a `width` x `height` output under `view`. Returns `false`, leaving `out` in no
/// useful state, when the pushes and pops do not balance (such a list is always drawn whole).
pub(crate) fn split_units(
    commands: &[DrawCommand],
    view: Affine,
    width: u16,
    height: u16,
    out: &mut Vec<Unit>,
) -> bool {
    out.clear();
    let canvas = PixelRect::full(width, height);
    let mut i = 0;
    while i < commands.len() {
        let Some((end, bounds)) = unit_at(commands, i, view, canvas, true) else {
            return false;
        };
        out.push(Unit {
            start: i,
            end,
            bounds,
        });
        i = end;
    }
    true
}

/// The unit that starts at `commands[i]`: where it ends, and its bounds within `canvas`. `None`
/// when it is a stray pop or an unclosed group.
fn unit_at(
    commands: &[DrawCommand],
    i: usize,
    view: Affine,
    canvas: PixelRect,
    top_level: bool,
) -> Option<(usize, PixelRect)> {
    match &commands[i] {
        DrawCommand::Fill {
            path, transform, ..
        } => Some((i + 1, path_bounds(path, view * *transform, 0.0, canvas))),
        DrawCommand::Stroke {
            path,
            transform,
            style,
            ..
        } => {
            let m = view * *transform;
            let reach = stroke_reach(style, m);
            Some((i + 1, path_bounds(path, m, reach, canvas)))
        }
        DrawCommand::PushLayer { clip, blend, .. } => {
            let (end, mut bounds) = children(commands, i + 1, view, canvas, Closer::PopLayer)?;
            if let Some(clip) = clip {
                bounds =
                    bounds.intersect(path_bounds(&clip.path, view * clip.transform, 0.0, canvas));
            }
            // A group composited onto the output by anything but source-over can change pixels
            // where it is transparent (a destination-in erases them). Within a group the
            // group's own buffer starts transparent, so that cannot reach past its children.
            if top_level && *blend != BlendMode::default() {
                bounds = canvas;
            }
            Some((end, bounds))
        }
        DrawCommand::PushMask { .. } => {
            // The mask source only decides where the content shows: the content bounds it.
            let (begin, _) = children(commands, i + 1, view, canvas, Closer::BeginMasked)?;
            let (end, bounds) = children(commands, begin, view, canvas, Closer::PopMask)?;
            Some((end, bounds))
        }
        DrawCommand::PopLayer | DrawCommand::BeginMasked | DrawCommand::PopMask => None,
    }
}

/// The command that ends a run of [`children`].
#[derive(Clone, Copy, PartialEq)]
enum Closer {
    PopLayer,
    BeginMasked,
    PopMask,
}

/// The units from `commands[start]` up to the closer: the index after the closer, and the union
/// of their bounds. `None` when another closer comes first or none comes.
fn children(
    commands: &[DrawCommand],
    start: usize,
    view: Affine,
    canvas: PixelRect,
    closer: Closer,
) -> Option<(usize, PixelRect)> {
    let mut i = start;
    let mut bounds = PixelRect::EMPTY;
    while i < commands.len() {
        let found = match commands[i] {
            DrawCommand::PopLayer => Some(Closer::PopLayer),
            DrawCommand::BeginMasked => Some(Closer::BeginMasked),
            DrawCommand::PopMask => Some(Closer::PopMask),
            _ => None,
        };
        if let Some(found) = found {
            return (found == closer).then_some((i + 1, bounds));
        }
        let (end, unit) = unit_at(commands, i, view, canvas, false)?;
        bounds = bounds.union(unit);
        i = end;
    }
    None
}

/// How far past its centre line, in output pixels, a stroke of `style` under `m` can paint: half
/// its width (as [`crate::outline`] scales it, at most), times what a miter or square cap adds.
fn stroke_reach(style: &Stroke, m: Affine) -> f64 {
    let half = (style.width * stroke_scale(m)).abs() / 2.0;
    half * style.miter_limit.max(std::f64::consts::SQRT_2)
}

/// The pixels that the outline of `path` under `m`, widened by `reach`, can touch, within
/// `canvas` (rounded out to whole tiles); all of `canvas` when a point is not finite.
fn path_bounds(path: &BezPath, m: Affine, reach: f64, canvas: PixelRect) -> PixelRect {
    let (mut x0, mut y0, mut x1, mut y1) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    let mut nan = false;
    let mut add = |p: kurbo::Point| {
        let p = m * p;
        nan |= p.is_nan();
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    };
    // The curves lie within their control points' hull.
    for el in path.elements() {
        match *el {
            PathEl::MoveTo(p) | PathEl::LineTo(p) => add(p),
            PathEl::QuadTo(p1, p2) => {
                add(p1);
                add(p2);
            }
            PathEl::CurveTo(p1, p2, p3) => {
                add(p1);
                add(p2);
                add(p3);
            }
            PathEl::ClosePath => {}
        }
    }
    if nan {
        // Nobody knows what a rasterizer makes of it.
        return canvas;
    }
    if x0 > x1 {
        // No points.
        return PixelRect::EMPTY;
    }
    let pad = reach + MARGIN;
    let (x0, y0, x1, y1) = (x0 - pad, y0 - pad, x1 + pad, y1 + pad);
    if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
        return canvas;
    }
    let lo = |v: f64, max: u16| -> u16 {
        let v = v.max(0.0).min(f64::from(max));
        #[expect(
            clippy::cast_possible_truncation,
            reason = "0 <= v <= max, whole tiles"
        )]
        let tiles = (v as i64) / TILE * TILE;
        u16::try_from(tiles).unwrap_or(max)
    };
    let hi = |v: f64, max: u16| -> u16 {
        let v = v.max(0.0).min(f64::from(max));
        #[expect(clippy::cast_possible_truncation, reason = "0 <= v <= max")]
        let whole = v.ceil() as i64;
        let tiles = (whole + TILE - 1) / TILE * TILE;
        u16::try_from(tiles.min(i64::from(max))).unwrap_or(max)
    };
    let r = PixelRect {
        x0: lo(x0, canvas.x1),
        y0: lo(y0, canvas.y1),
        x1: hi(x1, canvas.x1),
        y1: hi(y1, canvas.y1),
    };
    if r.is_empty() { PixelRect::EMPTY } else { r }
}

/// The pixels to paint again to turn the frame `before` (split into `before_units`) into the
/// frame `after` (split into `after_units`): the bounds, in both frames, of the units that differ.
///
/// Lists of as many units are compared unit by unit: a pixel outside the bounds of the units that
/// differ is painted by units that are all the same, in the same order. Otherwise units are
/// matched from the start and from the end of both lists, so that a unit inserted or removed (a
/// layer reaching its in- or out-point) damages only itself and what is between.
pub(crate) fn damage(
    before: &[DrawCommand],
    before_units: &[Unit],
    after: &[DrawCommand],
    after_units: &[Unit],
) -> PixelRect {
    let same = |a: &Unit, b: &Unit| {
        a.bounds == b.bounds && before[a.start..a.end] == after[b.start..b.end]
    };
    if before_units.len() == after_units.len() {
        return before_units
            .iter()
            .zip(after_units)
            .filter(|(a, b)| !same(a, b))
            .fold(PixelRect::EMPTY, |r, (a, b)| {
                r.union(a.bounds).union(b.bounds)
            });
    }
    let prefix = before_units
        .iter()
        .zip(after_units)
        .take_while(|(a, b)| same(a, b))
        .count();
    let suffix = before_units[prefix..]
        .iter()
        .rev()
        .zip(after_units[prefix..].iter().rev())
        .take_while(|(a, b)| same(a, b))
        .count();
    let changed = |units: &[Unit]| {
        units[prefix..units.len() - suffix]
            .iter()
            .fold(PixelRect::EMPTY, |r, u| r.union(u.bounds))
    };
    changed(before_units).union(changed(after_units))
}

#[cfg(test)]
mod tests {
    use kurbo::{Rect, Shape};
    use peniko::{Compose, Mix};
    use renderer::MaskKind;

    use super::*;
    use crate::testing::{RED, WHITE, fill};

    fn square(x: f64, y: f64, size: f64) -> BezPath {
        Rect::new(x, y, x + size, y + size).to_path(0.1)
    }

    fn rect(x0: u16, y0: u16, x1: u16, y1: u16) -> PixelRect {
        PixelRect { x0, y0, x1, y1 }
    }

    fn units(commands: &[DrawCommand]) -> Vec<Unit> {
        let mut out = Vec::new();
        assert!(split_units(commands, Affine::IDENTITY, 100, 100, &mut out));
        out
    }

    #[test]
    fn fills_are_bounded_by_whole_tiles_around_them() {
        let list = [fill(square(10.5, 20.0, 10.0), RED)];
        // 10.5 - 2 = 8.5 -> 8; 20.5 + 2 = 22.5 -> 23 -> 24; 18 -> 16; 32 -> 32.
        assert_eq!(units(&list)[0].bounds, rect(8, 16, 24, 32));
        let off_canvas = [fill(square(-50.0, -50.0, 10.0), RED)];
        assert!(units(&off_canvas)[0].bounds.is_empty());
        let huge = [fill(square(-1e300, -1e300, f64::INFINITY), RED)];
        assert_eq!(units(&huge)[0].bounds, rect(0, 0, 100, 100));
    }

    #[test]
    fn strokes_reach_past_their_centre_line() {
        let mut line = BezPath::new();
        line.move_to((50.0, 50.0));
        line.line_to((60.0, 50.0));
        let stroke = DrawCommand::Stroke {
            path: line,
            transform: Affine::scale(2.0),
            style: Stroke::new(4.0),
            brush: RED.into(),
        };
        // 8 px wide at scale 2, a miter limit of 4: 16 px of reach, and 2 more.
        assert_eq!(units(&[stroke])[0].bounds, rect(80, 80, 100, 100));
    }

    #[test]
    fn groups_are_one_unit_bounded_by_their_content() {
        let mut list = vec![fill(square(0.0, 0.0, 8.0), RED)];
        list.push(DrawCommand::PushMask {
            kind: MaskKind::Alpha,
            inverted: true,
        });
        list.push(fill(square(0.0, 0.0, 100.0), WHITE));
        list.push(DrawCommand::BeginMasked);
        list.push(DrawCommand::PushLayer {
            clip: None,
            opacity: 0.5,
            blend: Compose::DestOut.into(),
        });
        list.push(fill(square(40.0, 40.0, 10.0), RED));
        list.push(DrawCommand::PopLayer);
        list.push(DrawCommand::PopMask);
        list.push(DrawCommand::PushLayer {
            clip: None,
            opacity: 1.0,
            blend: Mix::Multiply.into(),
        });
        list.push(fill(square(40.0, 40.0, 10.0), RED));
        list.push(DrawCommand::PopLayer);
        let units = units(&list);
        let spans: Vec<_> = units.iter().map(|u| (u.start, u.end)).collect();
        assert_eq!(spans, [(0, 1), (1, 8), (8, 11)]);
        assert_eq!(units[1].bounds, rect(36, 36, 52, 52), "the masked content");
        assert_eq!(
            units[2].bounds,
            rect(0, 0, 100, 100),
            "blended onto the output"
        );
    }

    #[test]
    fn unbalanced_lists_are_not_split() {
        let mut out = Vec::new();
        for list in [
            vec![DrawCommand::PopLayer],
            vec![DrawCommand::PushMask {
                kind: MaskKind::Alpha,
                inverted: false,
            }],
            vec![
                DrawCommand::PushLayer {
                    clip: None,
                    opacity: 1.0,
                    blend: BlendMode::default(),
                },
                DrawCommand::PopMask,
            ],
        ] {
            assert!(!split_units(&list, Affine::IDENTITY, 10, 10, &mut out));
        }
    }

    #[test]
    fn damage_covers_what_changed_before_and_after() {
        let a = fill(square(10.0, 10.0, 10.0), RED);
        let b = fill(square(50.0, 50.0, 10.0), RED);
        let b_moved = fill(square(70.0, 50.0, 10.0), RED);
        let c = fill(square(0.0, 80.0, 10.0), WHITE);
        let before = vec![a.clone(), b, c.clone()];
        let after = vec![a.clone(), b_moved, c.clone()];
        let (bu, au) = (units(&before), units(&after));
        assert_eq!(damage(&before, &bu, &before, &bu), PixelRect::EMPTY);
        assert_eq!(damage(&before, &bu, &after, &au), rect(48, 48, 84, 64));
        // Units that are the same between two that changed are not damaged.
        let d = fill(square(30.0, 10.0, 10.0), WHITE);
        let d_moved = fill(square(30.0, 14.0, 10.0), WHITE);
        let before_middle = vec![a.clone(), d.clone(), c.clone(), d.clone()];
        let after_middle = vec![a.clone(), d_moved.clone(), c.clone(), d_moved];
        let (bm, am) = (units(&before_middle), units(&after_middle));
        assert_eq!(
            damage(&before_middle, &bm, &after_middle, &am),
            rect(28, 8, 44, 28)
        );
        // One unit fewer: only it is damaged, the rest is matched from both ends.
        let fewer = vec![a, c];
        let fu = units(&fewer);
        assert_eq!(damage(&before, &bu, &fewer, &fu), rect(48, 48, 64, 64));
    }
}

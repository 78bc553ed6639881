//! Repeater (`rp`): the per-copy transform, opacity and stacking order.
//!
//! A repeater draws everything above it in its group (shapes *and* their fills and strokes, nested
//! groups included) `c` times; `eval/shapes.rs` walks those items once per copy with the matrix and
//! opacity given here. Items below the repeater in the same group (a fill, a trim) see the paths of
//! all copies. <https://lottiefiles.github.io/lottie-docs/shapes/#repeater>
//!
//! # Which engine this follows
//!
//! * Copy `k` is transformed `k + o` times by the repeater transform `tr`, in the group's own
//!   coordinates: `T(p (k + o) + a) S(s^(k + o)) R(r (k + o)) T(-a)`, the scale compounding as a
//!   power. rlottie, ThorVG and lottie-web agree (lottie-web interpolates a fractional offset's
//!   scale linearly instead of as a power; we follow rlottie and ThorVG).
//! * The number of copies is `floor(c)` (rlottie and ThorVG; lottie-web rounds up).
//! * Stacking: with `m: 2` the first copy is at the bottom and each next copy above the previous
//!   one; all three engines draw it so. With `m: 1` (what After Effects exports by default) ThorVG
//!   and lottie-web put the first copy on top and each next copy below; rlottie ignores `m` and
//!   stacks as for `m: 2`. We follow ThorVG and lottie-web: lottie-web comes from the After Effects
//!   exporter's authors, and two engines agree on it.
//! * Opacity: copy `k` of `n` gets `so + (eo - so) k / (n - 1)`, so the first copy has the start
//!   opacity and the last the end opacity, as the spec names them and as lottie-web draws them.
//!   The engines disagree here: rlottie uses `k / n` (the last copy never reaches `eo`), ThorVG
//!   `(k + 1) / n` (the first copy never has `so`). Only files with `so != eo` are affected;
//!   none in our corpus is.
//! * The copy opacity multiplies the paints *inside* the copies (above the repeater). A paint below
//!   the repeater paints all copies at its own opacity (rlottie; each copy is a group of its own).

use kurbo::{Affine, Vec2};

use crate::model::shape::Repeater;

/// Most copies a repeater may draw (rlottie caps shape content the same way), so that a corrupt or
/// hostile `c` cannot stall a frame.
pub(crate) const MAX_COPIES: usize = 1000;

/// A repeater's values at one time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RepeaterAt {
    /// Number of copies to draw.
    pub(crate) count: usize,
    offset: f64,
    below: bool,
    anchor: Vec2,
    position: Vec2,
    scale: Vec2,
    rotation: f64,
    start_opacity: f64,
    end_opacity: f64,
}

impl RepeaterAt {
    /// Evaluates `rp` at local time `t`.
    pub(crate) fn new(rp: &Repeater, t: f64) -> Self {
        let copies = rp.copies.at(t);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 0..=MAX_COPIES first"
        )]
        let count = if copies.is_finite() {
            copies.floor().clamp(0.0, MAX_COPIES as f64) as usize
        } else {
            0
        };
        let offset = rp.offset.at(t);
        Self {
            count,
            offset: if offset.is_finite() { offset } else { 0.0 },
            below: rp.below,
            anchor: rp.anchor.at(t),
            position: rp.position.at(t),
            scale: rp.scale.at(t) / 100.0,
            rotation: rp.rotation.at(t),
            start_opacity: rp.start_opacity.at(t) / 100.0,
            end_opacity: rp.end_opacity.at(t) / 100.0,
        }
    }

    /// Returns the copy drawn `i`-th in walk order (`0..count`).
    ///
    /// The shape walk records paints top-first, so the copy on top comes first.
    pub(crate) fn copy_at(&self, i: usize) -> usize {
        if self.below { self.count - 1 - i } else { i }
    }

    /// Returns copy `k`'s transform, relative to the repeater's group, or `None` when it is not
    /// finite (a negative scale raised to a fractional power).
    pub(crate) fn matrix(&self, k: usize) -> Option<Affine> {
        #[expect(clippy::cast_precision_loss, reason = "k <= MAX_COPIES")]
        let m = k as f64 + self.offset;
        let m = Affine::translate(self.position * m + self.anchor)
            * Affine::scale_non_uniform(self.scale.x.powf(m), self.scale.y.powf(m))
            * Affine::rotate((self.rotation * m).to_radians())
            * Affine::translate(-self.anchor);
        m.is_finite().then_some(m)
    }

    /// Returns copy `k`'s opacity in `0..=1`.
    pub(crate) fn opacity(&self, k: usize) -> f64 {
        let f = if self.count > 1 {
            #[expect(clippy::cast_precision_loss, reason = "k, count <= MAX_COPIES")]
            let f = k as f64 / (self.count - 1) as f64;
            f
        } else {
            0.0
        };
        (self.start_opacity + (self.end_opacity - self.start_opacity) * f).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::property::Property;
    use kurbo::Point;

    fn repeater(copies: f64, offset: f64, below: bool) -> Repeater {
        Repeater {
            copies: Property::Static(copies),
            offset: Property::Static(offset),
            below,
            anchor: Property::Static(Vec2::new(10.0, 0.0)),
            position: Property::Static(Vec2::new(5.0, 0.0)),
            scale: Property::Static(Vec2::new(50.0, 50.0)),
            rotation: Property::Static(90.0),
            start_opacity: Property::Static(100.0),
            end_opacity: Property::Static(20.0),
        }
    }

    fn close(a: Point, b: Point) -> bool {
        (a - b).hypot() < 1e-9
    }

    #[test]
    fn repeater_first_copy_is_untransformed() {
        let r = RepeaterAt::new(&repeater(3.7, 0.0, false), 0.0);
        assert_eq!(r.count, 3, "fractional copies are dropped");
        assert!(close(
            r.matrix(0).unwrap() * Point::new(3.0, 4.0),
            Point::new(3.0, 4.0)
        ));
    }

    #[test]
    fn repeater_transform_compounds_about_anchor() {
        let r = RepeaterAt::new(&repeater(3.0, 0.0, false), 0.0);
        // Copy 2: rotate 180 degrees and scale by 0.25 about (10, 0), then move by (10, 0).
        let p = r.matrix(2).unwrap() * Point::new(14.0, 0.0);
        assert!(close(p, Point::new(19.0, 0.0)), "{p:?}");
    }

    #[test]
    fn repeater_offset_shifts_copies() {
        let r = RepeaterAt::new(&repeater(2.0, 1.0, false), 0.0);
        let a = RepeaterAt::new(&repeater(2.0, 0.0, false), 0.0);
        assert_eq!(r.matrix(0), a.matrix(1));
    }

    #[test]
    fn repeater_opacity_runs_from_start_to_end() {
        let r = RepeaterAt::new(&repeater(5.0, 0.0, false), 0.0);
        assert!((r.opacity(0) - 1.0).abs() < 1e-12);
        assert!((r.opacity(4) - 0.2).abs() < 1e-12);
        assert!((r.opacity(2) - 0.6).abs() < 1e-12);
    }

    #[test]
    fn repeater_composite_order() {
        let above = RepeaterAt::new(&repeater(3.0, 0.0, false), 0.0);
        let below = RepeaterAt::new(&repeater(3.0, 0.0, true), 0.0);
        assert_eq!(
            (0..3).map(|i| above.copy_at(i)).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(
            (0..3).map(|i| below.copy_at(i)).collect::<Vec<_>>(),
            [2, 1, 0]
        );
    }

    /// Evaluates a one-layer animation whose root group holds `items` (JSON) at frame 0.
    fn draw(items: &str) -> crate::draw::DrawList {
        let json = format!(
            r#"{{"v":"5.7.0","fr":30,"ip":0,"op":10,"w":100,"h":100,"layers":[{{"ty":4,"ind":1,
            "ip":0,"op":10,"st":0,"ks":{{}},"shapes":[{{"ty":"gr","it":[{items}]}}]}}]}}"#
        );
        let animation = crate::Animation::from_slice(json.as_bytes()).unwrap();
        let mut list = crate::draw::DrawList::default();
        crate::Evaluator::new().evaluate(&animation, crate::Time::from_frames(0.0), &mut list);
        list
    }

    const SHAPE: &str =
        r#"{"ty":"rc","p":{"a":0,"k":[10,10]},"s":{"a":0,"k":[10,10]},"r":{"a":0,"k":0}}"#;
    const FILL: &str = r#"{"ty":"fl","c":{"a":0,"k":[1,0,0,1]},"o":{"a":0,"k":100}}"#;

    fn rp(m: u8) -> String {
        format!(
            r#"{{"ty":"rp","c":{{"a":0,"k":3}},"o":{{"a":0,"k":0}},"m":{m},"tr":{{"p":{{"a":0,"k":[20,0]}}}}}}"#
        )
    }

    fn fills(list: &crate::draw::DrawList) -> Vec<(f64, usize)> {
        list.commands
            .iter()
            .filter_map(|c| match c {
                crate::draw::DrawCommand::Fill {
                    path, transform, ..
                } => {
                    let x = (*transform * path.elements()[0].end_point().unwrap()).x;
                    let subpaths = path
                        .elements()
                        .iter()
                        .filter(|e| matches!(e, kurbo::PathEl::MoveTo(_)))
                        .count();
                    Some((x, subpaths))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn repeater_copies_paints_above_it() {
        // m: 1 draws the first copy on top, so it comes last in painting order.
        let list = draw(&format!("{SHAPE},{FILL},{}", rp(1)));
        let xs: Vec<f64> = fills(&list).iter().map(|f| f.0).collect();
        assert_eq!(xs, [55.0, 35.0, 15.0]);
        let list = draw(&format!("{SHAPE},{FILL},{}", rp(2)));
        let xs: Vec<f64> = fills(&list).iter().map(|f| f.0).collect();
        assert_eq!(xs, [15.0, 35.0, 55.0]);
    }

    #[test]
    fn repeater_paint_below_covers_every_copy() {
        let list = draw(&format!("{SHAPE},{},{FILL}", rp(1)));
        assert_eq!(fills(&list), [(15.0, 3)]);
    }

    #[test]
    fn repeater_nested_copies_multiply() {
        let list = draw(&format!("{SHAPE},{FILL},{},{}", rp(1), rp(1)));
        assert_eq!(fills(&list).len(), 9);
    }
}

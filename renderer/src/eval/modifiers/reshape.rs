//! Reshaping modifiers: rounded corners (`rd`), offset path (`op`), pucker/bloat (`pb`) and
//! zig-zag (`zz`), evaluated at a time and applied to the paths above them, each path turned
//! into a new one.
//!
//! Each modifier rewrites every path above it in its group, nested groups included, in the list
//! order of the file (lottie-web; ThorVG always runs an offset path last, whatever its place). A
//! path is modified in its own coordinates. The geometry itself lives in
//! [`crate::geometry`]; its module docs say which engine each modifier follows.
//!
//! Rectangles under Rounded Corners are rounded like any path: a rectangle without its own
//! roundness has four sharp vertices, each rounded with the modifier's radius clamped to half of
//! each adjacent side (so a radius larger than half the short side gives elliptical ends), and a
//! rectangle with its own roundness has no sharp vertex left and keeps its own corners. ThorVG and
//! lottie-web draw it so; rlottie instead rebuilds the rectangle with the modifier's radius in place
//! of its own, clamped to half the short side (circular ends). The three agree when the rectangle
//! has no roundness of its own and the radius fits in half its short side.

use kurbo::BezPath;

use crate::geometry::{offset_path, pucker_bloat, round_corners, zig_zag};
use crate::model::shape::{OffsetPath, PuckerBloat, RoundCorners, ZigZag};

/// A reshaping modifier of the shape list.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reshape<'a> {
    /// `rd`.
    RoundCorners(&'a RoundCorners),
    /// `op`.
    OffsetPath(&'a OffsetPath),
    /// `pb`.
    PuckerBloat(&'a PuckerBloat),
    /// `zz`.
    ZigZag(&'a ZigZag),
}

/// Applies `modifier` at local time `t` to `paths`.
pub(crate) fn apply(modifier: Reshape<'_>, t: f64, paths: &mut [BezPath]) {
    match modifier {
        Reshape::RoundCorners(rd) => {
            let r = rd.radius.at(t);
            if r.is_nan() || r <= 0.0 {
                return;
            }
            each(paths, |p| round_corners::round_corners(p, r));
        }
        Reshape::OffsetPath(op) => {
            let a = op.amount.at(t);
            if a.is_nan() || a == 0.0 {
                return;
            }
            let ml = op.miter_limit.at(t);
            each(paths, |p| offset_path::offset_path(p, a, op.join, ml));
        }
        Reshape::PuckerBloat(pb) => {
            let a = pb.amount.at(t);
            if a.is_nan() || a == 0.0 {
                return;
            }
            each(paths, |p| pucker_bloat::pucker_bloat(p, a));
        }
        Reshape::ZigZag(zz) => {
            let s = zz.size.at(t);
            if s.is_nan() || s == 0.0 {
                return;
            }
            let r = zz.ridges.at(t);
            let pt = zig_zag::ZigZagPoints::from_lottie(zz.points.at(t).round());
            each(paths, |p| zig_zag::zig_zag(p, s, r, pt));
        }
    }
}

fn each(paths: &mut [BezPath], f: impl Fn(&BezPath) -> BezPath) {
    for path in paths {
        if !path.elements().is_empty() {
            *path = f(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use kurbo::PathEl;

    use crate::draw::{DrawCommand, DrawList};

    /// Evaluates a one-layer animation whose root group holds `items` (JSON) at frame 0 and
    /// returns the number of curve segments of each fill.
    fn curves(items: &str) -> Vec<usize> {
        let json = format!(
            r#"{{"v":"5.7.0","fr":30,"ip":0,"op":10,"w":100,"h":100,"layers":[{{"ty":4,"ind":1,
            "ip":0,"op":10,"st":0,"ks":{{}},"shapes":[{{"ty":"gr","it":[{items}]}}]}}]}}"#
        );
        let animation = crate::Animation::from_slice(json.as_bytes()).unwrap();
        let mut list = DrawList::default();
        crate::Evaluator::new().evaluate(&animation, crate::Time::from_frames(0.0), &mut list);
        list.commands
            .iter()
            .filter_map(|c| match c {
                DrawCommand::Fill { path, .. } => Some(
                    path.elements()
                        .iter()
                        .filter(|e| matches!(e, PathEl::CurveTo(..)))
                        .count(),
                ),
                _ => None,
            })
            .collect()
    }

    const RECT: &str =
        r#"{"ty":"rc","p":{"a":0,"k":[50,50]},"s":{"a":0,"k":[40,20]},"r":{"a":0,"k":0}}"#;
    const FILL: &str = r#"{"ty":"fl","c":{"a":0,"k":[1,0,0,1]},"o":{"a":0,"k":100}}"#;
    const ROUND: &str = r#"{"ty":"rd","r":{"a":0,"k":4}}"#;

    #[test]
    fn round_corners_applies_to_paths_above_in_nested_groups() {
        assert_eq!(curves(&format!("{RECT},{FILL}")), [0]);
        assert_eq!(curves(&format!("{RECT},{ROUND},{FILL}")), [4]);
        // A modifier below the paint still shapes the paths the paint covers.
        assert_eq!(curves(&format!("{RECT},{FILL},{ROUND}")), [4]);
        assert_eq!(
            curves(&format!(r#"{{"ty":"gr","it":[{RECT}]}},{ROUND},{FILL}"#)),
            [4]
        );
        // Paths below the modifier are not touched.
        assert_eq!(curves(&format!("{ROUND},{RECT},{FILL}")), [0]);
    }

    #[test]
    fn rounded_rectangle_keeps_its_own_corners() {
        let own =
            r#"{"ty":"rc","p":{"a":0,"k":[50,50]},"s":{"a":0,"k":[40,20]},"r":{"a":0,"k":2}}"#;
        assert_eq!(curves(&format!("{own},{ROUND},{FILL}")), [4]);
    }
}

//! Path geometry on kurbo types, with no Lottie model in sight: the shape modifiers (rounded
//! corners, offset path, pucker/bloat, zig-zag), dashes, path lengths as rlottie measures them
//! ([`measure`]), and the projective matrices of 3D layers ([`projective`]).
//!
//! Every modifier function takes a [`kurbo::BezPath`] in shape-local coordinates plus the modifier's
//! parameters already evaluated at the current frame (plain `f64`s), and returns a new path. No
//! Lottie model types and no JSON appear here; `eval/modifiers` evaluates the properties and
//! calls in. The modifiers are defined on Lottie's vertex form of a path (a point with in and
//! out tangents), which [`contour`] recovers from a `BezPath`; so shapes must reach these
//! functions with Lottie's own vertices (an ellipse as four cubics from its top point, a
//! rectangle from its top-right corner, a polystar with one vertex per point), not as a
//! flattened or re-fitted outline.
//!
//! Spec: <https://lottiefiles.github.io/lottie-docs/shapes/#modifiers>.
//!
//! # Entry points
//!
//! | Lottie | function | follows |
//! |---|---|---|
//! | `rd` | [`round_corners::round_corners`]`(path, r)` | ThorVG/lottie-web construction (rectangles too), lottie-web handle length |
//! | `op` | [`offset_path::offset_path`]`(path, a, join, ml)` (`lj` 1/2/3 = `Join::Miter`/`Round`/`Bevel`) | ThorVG |
//! | `pb` | [`pucker_bloat::pucker_bloat`]`(path, a)` | lottie-web (= ThorVG on polygons) |
//! | `zz` | [`zig_zag::zig_zag`]`(path, s, r, ZigZagPoints::from_lottie(pt))` | lottie-web |
//! | `st.d` | [`dash::dashing`]`(&d_and_g, o)` | rlottie |
//!
//! A modifier applies to every path above it in its group and in nested groups, in order; each
//! function handles all subpaths of the path it is given independently. ThorVG always runs an
//! offset path last in a chain of modifiers, whatever the file order; we keep the file order
//! (lottie-web). rlottie runs none of them except `rd` on rectangles. ThorVG also short-cuts two
//! shapes: `op` on an ellipse draws an ellipse with both radii grown by `a` (not a true parallel
//! curve), and `rd` leaves ellipses alone (their vertices are smooth anyway).
//!
//! # Dashes
//!
//! Lottie's `st.d` entries follow rlottie's rules, not SVG's: odd counts, zero-length dashes,
//! all-zero patterns and the offset. [`dash::dashing`] reads the entries into a pattern and
//! [`dash::dash_path`] cuts a path into dashes with it, measuring lengths as rlottie does (see
//! [`dash`]). The engine dashes paths itself, so the strokes it emits are solid.

pub(crate) mod contour;
pub(crate) mod dash;
pub(crate) mod measure;
pub(crate) mod offset_path;
pub(crate) mod projective;
pub(crate) mod pucker_bloat;
pub(crate) mod round_corners;
pub(crate) mod zig_zag;

#[cfg(test)]
pub(crate) mod testing;

/// Degenerate inputs every modifier must survive without panicking or producing NaN.
#[cfg(test)]
mod robustness_tests {
    use super::{offset_path, pucker_bloat, round_corners, zig_zag};
    use kurbo::{BezPath, Join};

    fn degenerate_paths() -> Vec<BezPath> {
        let mut cases = vec![BezPath::new()];
        let mut p = BezPath::new();
        p.move_to((1.0, 1.0));
        cases.push(p.clone());
        p.close_path();
        cases.push(p);
        let mut p = BezPath::new();
        p.move_to((1.0, 1.0));
        p.line_to((1.0, 1.0));
        p.line_to((1.0, 1.0));
        p.close_path();
        cases.push(p);
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.curve_to((0.0, 0.0), (0.0, 0.0), (0.0, 0.0));
        cases.push(p);
        let mut p = BezPath::new();
        p.move_to((0.0, 0.0));
        p.line_to((10.0, 0.0));
        p.line_to((0.0, 0.0));
        p.close_path();
        cases.push(p);
        cases
    }

    #[test]
    fn robustness_degenerate_paths_stay_finite() {
        for path in degenerate_paths() {
            let outputs = [
                round_corners::round_corners(&path, 5.0),
                pucker_bloat::pucker_bloat(&path, 50.0),
                zig_zag::zig_zag(&path, 3.0, 2.0, zig_zag::ZigZagPoints::Smooth),
                offset_path::offset_path(&path, 4.0, Join::Round, 4.0),
                offset_path::offset_path(&path, -4.0, Join::Miter, 4.0),
            ];
            for out in outputs {
                assert!(out.is_finite(), "{path:?} gave {out:?}");
            }
        }
    }
}

//! Pure path geometry for the Lottie shape modifiers: rounded corners, offset path,
//! pucker/bloat and zig-zag.
//!
//! Every function takes a [`kurbo::BezPath`] in shape-local coordinates plus the modifier's
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
//! # Dashes
//!
//! kurbo's dasher (`kurbo::Stroke::with_dashes`, used by vello_cpu's stroker) does the arc-length
//! work, but cannot take Lottie's `st.d` entries as they are: odd counts, zero-length dashes,
//! all-zero patterns and the offset follow rlottie's own rules, not SVG's. [`dash::dashing`]
//! converts the entries into a pattern kurbo draws the way rlottie does (see its docs).

#![cfg_attr(
    not(test),
    expect(dead_code, reason = "wired into eval/modifiers by the engine")
)]

pub(crate) mod contour;
pub(crate) mod dash;
pub(crate) mod offset_path;
pub(crate) mod pucker_bloat;
pub(crate) mod round_corners;
pub(crate) mod zig_zag;

#[cfg(test)]
pub(crate) mod testing;

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
//! See `dash.rs` (pending): kurbo's dasher is used as is, with a note on where it differs from
//! rlottie.

#![cfg_attr(
    not(test),
    expect(dead_code, reason = "wired into eval/modifiers by the engine")
)]

pub(crate) mod contour;
pub(crate) mod round_corners;

#[cfg(test)]
pub(crate) mod testing;

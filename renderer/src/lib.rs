//! A Lottie engine: loads Telegram `.tgs` stickers and Lottie JSON into an immutable model, and
//! evaluates it at a time into a [`DrawList`] of draw commands.
//!
//! The layering, lowest first: each module uses only modules listed before it (and `error`),
//! never one listed after it, and no two modules use each other:
//!
//! | module | what | uses |
//! |---|---|---|
//! | [`draw`] | the draw commands, the seam to a rasterizer | |
//! | `geometry` | path and matrix maths on kurbo types: shape modifiers, dashes, path lengths as rlottie measures them, the projective matrices of 3D layers | |
//! | `interpolation` | keyframe maths: easing curves, tweening, motion paths | `geometry` |
//! | `model` | the animation as plain data: compositions, layers, shapes, properties | `interpolation` (its keyframes' curves) |
//! | `sampling` | model values at a time: properties, transform matrices and opacity | `model`, `interpolation`, `geometry` |
//! | `import` | bytes -> model ([`Animation::load`], [`Animation::from_slice`]): limits, gzip, JSON | `model`, `interpolation`, `sampling` |
//! | [`timeline`] | frame index -> [`Time`]; when layers are shown, what time precompositions see | `model`, `sampling` |
//! | `eval` | model x [`Time`] -> [`DrawList`] ([`Evaluator`]) | all of the above |
//!
//! The JSON is read leniently (missing fields take defaults, legacy keyframe forms are accepted,
//! unknown items are skipped with a warning). The crate never touches pixels:
//! `shaders-free-raster` turns a [`DrawList`] into RGBA, and is the crate to depend on to render
//! frames to pixels.
//!
//! # Usage
//!
//! ```
//! use renderer::{Animation, DrawList, Evaluator, LoadLimits};
//!
//! let json = br#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":64,"h":64,"layers":[]}"#;
//! let animation = Animation::load(json, &LoadLimits::default())?;
//! let time = animation.frame_time(15)?;
//! let mut list = DrawList::default();
//! Evaluator::new().evaluate(&animation, time, &mut list);
//! assert!(list.is_empty());
//! # Ok::<(), renderer::Error>(())
//! ```
//!
//! # Features
//!
//! - Layers: shape, solid, null and precomposition layers (nested, `st`/`sr`, time remap `tm`,
//!   `w`/`h` clip), in/out points, parenting (opacity does not propagate), hidden layers, auto-orient.
//! - Image layers showing embedded PNG and JPEG assets (`p` a base64 `data:` URI, `e: 1`),
//!   decoded once at import within [`LoadLimits::max_image_pixels`], drawn at the asset's `w` x
//!   `h` with bilinear sampling, with opacity, masks and mattes like any layer.
//! - Text layers with embedded glyphs (`chars`): size, tracking, line height, justification,
//!   baseline shift, fill and stroke colours, stroke over fill, documents switching at keyframes.
//! - Transforms: anchor, position (also split `x`/`y` and motion paths from `to`/`ti`), scale,
//!   rotation (`r`; on 3D layers `rz`, and `rx`/`ry` flattened as rlottie does: with its
//!   perspective, a camera 1024 px in front, so rotated layers become trapezoids; it carries to
//!   children and precomposition contents), skew and skew axis (periodic in 180 degrees; at
//!   +-90 the layer collapses and is not drawn), opacity. Layers and paints whose matrix is
//!   singular (a zero scale) draw nothing.
//! - Keyframes: per-dimension cubic-bezier easing, hold keyframes, legacy `s`/`e` keyframes and
//!   last keyframes holding only `t`; values before the first and after the last keyframe.
//! - Shapes: groups with their transform and opacity, paths (with morphing), rectangles (rounded),
//!   ellipses, stars and polygons (roundness, partial points), direction; Lottie painting order.
//! - Paints: fills (nonzero / even-odd), strokes (caps, joins, miter limit, dashes), linear and radial
//!   gradients (highlight length and angle, opacity stops) for fills and strokes.
//! - Modifiers: trim paths (simultaneous and individual, offset wrap-around), repeaters (copies,
//!   offset, transform, start/end opacity, stacking order), round corners, offset path,
//!   pucker/bloat, zig-zag.
//! - Masks (add, subtract, intersect, lighten, darken, difference, none; inverted, opacity,
//!   expansion; several in order, combined as After Effects does) and track mattes (alpha, alpha
//!   inverted, luma, luma inverted; `tt` and `tp` matte parents; sources that are precompositions
//!   or are themselves matted).
//! - Layer blend modes (`bm`, as ThorVG and lottie-web; rlottie ignores them).
//! - rlottie's reading of colours: the alpha of `c` is ignored and 0..255 components wrap.
//! - rlottie's shared easing curves: keyframes whose tangents print alike (`%.2f`) or share a
//!   name (`n`) reuse the first such curve in document order, as rlottie's parser does.
//!
//! Measured against rlottie on the 387-file corpus (`cargo test --release --test integration corpus`,
//! 5 frames per file at 512x512): on the frames where rlottie and ThorVG agree (>= 35 dB), 99.8 %
//! of our frames are within 35 dB of rlottie (1620/1623), none below 20 dB. Render time
//! (`tgs-converter bench-render`, the 115 512x512 corpus stickers, every frame, one thread): total
//! CPU 0.67x ThorVG's and 0.49x rlottie's, evaluation and rasterization together (mean 1.08 ms per
//! frame; ThorVG 1.60 ms, rlottie 2.18 ms, back to back; see `benches/README.md`).
//!
//! # Unsupported features
//!
//! Each adds one warning to [`Animation::warnings`] and draws nothing for that item: image layers
//! showing external files (`e: 0` or a path: a server must never open paths named by an upload)
//! or formats other than PNG and JPEG, text layers without embedded glyphs, text animators,
//! paragraph boxes and text on a path, camera layers, layer effects, merge paths (the paths are drawn unmerged, as rlottie, ThorVG
//! and lottie-web all do), twist, expressions (ignored; the static or keyframed value is used),
//! the 3D orientation `or` when it is not zero (ignored, as rlottie does).

#![forbid(unsafe_code)]

mod budget;
pub mod draw;
mod error;
mod eval;
mod geometry;
mod import;
mod interpolation;
mod model;
mod sampling;
pub mod timeline;

pub use budget::Budget;
pub use draw::{Clip, DrawCommand, DrawList, MaskKind};
pub use error::Error;
pub use eval::Evaluator;
pub use import::{
    LoadLimits, MAX_IMAGE_SIDE, MAX_KEYFRAMES, MAX_LAYER_INSTANCES, MAX_LAYERS, MAX_PATH_POINTS,
    MAX_PRECOMP_DEPTH, MAX_SHAPES, MAX_SIZE, decompress,
};
pub use model::Animation;
pub use timeline::Time;

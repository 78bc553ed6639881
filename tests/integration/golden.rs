//! Golden-image tests: our render of each authored fixture against a reference engine's PNG.
//!
//! Fixtures live in `tests/fixtures/<topic>/<case>.{json,tgs}`, references in
//! `golden-images/<topic>/<case>/f<NNN>.png` (see `golden-images/README.md` for which engine made
//! each one and why). Each reference PNG also fixes the render size.
//!
//! # Tolerance
//!
//! Our rasterizer (vello_cpu) and the reference (rlottie or ThorVG) anti-alias differently, so an
//! exact match is impossible. A frame passes when, on premultiplied RGBA8 (as `lottie_ref.py
//! compare` measures it):
//!
//! * PSNR >= [`MIN_PSNR_DB`] (33 dB), and
//! * at most [`MAX_PCT_OVER_16`] (2 %) of the pixels have a channel difference above 16.
//!
//! Tuned on these fixtures. Where rlottie and ThorVG are both right they agree at >= 33.8 dB
//! (lowest: `transform/scale`, AA of a thin stroke scaled to 30 %; `mattes/luma`, AA along a dark
//! matte edge; median ~55 dB) with at most 0.81 % of pixels above 16. Our renderer's edges differ
//! more from rlottie's than ThorVG's do (curves flattened differently: up to 1.33 % of pixels
//! above 16 on `shapes/star`, `shapes/ellipse`, `shapes/path_morph`, all at 40-42 dB, i.e.
//! visually identical), hence 2 %. Every real feature gap seen so far (blend modes, repeater,
//! mask expansion, round corners) is below 28 dB, so PSNR is the discriminating criterion; the
//! pixel criterion catches a moderate difference spread over a large area (a colour off by 20 in
//! one channel over 30 % of the frame is 33 dB but 30 % of pixels).
//!
//! # Environment
//!
//! * `GOLDEN_UPDATE=1` rewrites every reference with our render; `GOLDEN_UPDATE=topic_case,...`
//!   (test names or `topic/case` paths) only those. The test then fails with "reference updated",
//!   so CI can never pass on an update.
//! * Cases listed in `tests/golden-expected-failures.txt` still run; they must fail (and are
//!   printed as "known failing"); a listed case that passes fails the test so the list shrinks.

use std::path::{Path, PathBuf};

use tgs_converter::pipeline::{self, Limits};

use crate::util::{self, Rgba};

/// Minimum PSNR (dB, premultiplied RGBA) for a frame to pass.
const MIN_PSNR_DB: f64 = 33.0;
/// Maximum percentage of pixels whose largest channel difference exceeds 16.
const MAX_PCT_OVER_16: f64 = 2.0;
/// Largest reference PNG we accept in git (bytes).
const MAX_REFERENCE_BYTES: u64 = 64 * 1024;
/// Render size used when a reference is missing (all current references are 256x256).
const DEFAULT_SIZE: u32 = 256;

/// A per-case tolerance.
#[derive(Clone, Copy, Debug)]
struct Tolerance {
    min_psnr: f64,
    max_pct_over_16: f64,
}

const DEFAULT_TOLERANCE: Tolerance = Tolerance {
    min_psnr: MIN_PSNR_DB,
    max_pct_over_16: MAX_PCT_OVER_16,
};

/// `golden!(test_name, "topic/case", frames = [..])` declares one test per case. A case that needs
/// its own tolerance calls `run` with a `Tolerance` in a hand-written test, with a comment giving
/// the reason (there is none yet).
macro_rules! golden {
    ($name:ident, $path:literal, frames = [$($frame:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            run(stringify!($name), $path, &[$($frame),*], DEFAULT_TOLERANCE);
        }
    };

}

// images (embedded PNG and JPEG assets)
golden!(images_png, "images/png", frames = [0, 13, 26, 39]);
golden!(images_jpeg, "images/jpeg", frames = [0, 13, 26, 39]);
golden!(
    images_png_masked,
    "images/png_masked",
    frames = [0, 13, 26, 39]
);
golden!(
    images_jpeg_matte,
    "images/jpeg_matte",
    frames = [0, 13, 26, 39]
);

// text with embedded glyphs
golden!(text_glyphs, "text/glyphs", frames = [0, 6, 13, 19]);
golden!(
    text_justify_tracking,
    "text/justify_tracking",
    frames = [0, 13, 26, 39]
);
golden!(
    text_document_keyframes,
    "text/document_keyframes",
    frames = [0, 10, 19, 29]
);

// transform
golden!(
    transform_anchor_rotation,
    "transform/anchor_rotation",
    frames = [0, 20, 39, 59]
);
golden!(
    transform_fit_non_square,
    "transform/fit_non_square",
    frames = [0, 6, 13, 19]
);
golden!(
    transform_group_transform,
    "transform/group_transform",
    frames = [0, 13, 26, 39]
);
golden!(
    transform_motion_path,
    "transform/motion_path",
    frames = [0, 20, 39, 59]
);
golden!(
    transform_opacity,
    "transform/opacity",
    frames = [0, 10, 19, 29]
);
golden!(
    transform_position_linear,
    "transform/position_linear",
    frames = [0, 10, 19, 29]
);
golden!(
    transform_rotation,
    "transform/rotation",
    frames = [0, 20, 39, 59]
);
golden!(transform_scale, "transform/scale", frames = [0, 13, 26, 39]);
golden!(transform_skew, "transform/skew", frames = [0, 13, 26, 39]);
golden!(
    transform_skew_90,
    "transform/skew_90",
    frames = [0, 6, 13, 19]
);
golden!(
    transform_skew_animated_through_90,
    "transform/skew_animated_through_90",
    frames = [0, 13, 26, 39]
);
golden!(
    transform_skew_beyond_90,
    "transform/skew_beyond_90",
    frames = [0, 6, 13, 19]
);
golden!(
    transform_skew_negative_scale,
    "transform/skew_negative_scale",
    frames = [0, 13, 26, 39]
);
golden!(
    transform_degenerate,
    "transform/degenerate",
    frames = [0, 6, 13, 19]
);
golden!(
    transform_split_position,
    "transform/split_position",
    frames = [0, 15, 29, 44]
);
golden!(
    transform_auto_orient,
    "transform/auto_orient",
    frames = [0, 20, 39, 59]
);
// parenting
golden!(parenting_chain, "parenting/chain", frames = [0, 20, 39, 59]);
golden!(
    parenting_scale_opacity,
    "parenting/scale_opacity",
    frames = [0, 10, 19, 29]
);
// keyframes
golden!(
    keyframes_bezier_per_dimension,
    "keyframes/bezier_per_dimension",
    frames = [0, 13, 26, 39]
);
golden!(keyframes_hold, "keyframes/hold", frames = [0, 13, 26, 39]);
golden!(
    keyframes_linear_color,
    "keyframes/linear_color",
    frames = [0, 10, 19, 29]
);
golden!(
    keyframes_overshoot,
    "keyframes/overshoot",
    frames = [0, 10, 19, 29]
);
// precomp
golden!(precomp_basic, "precomp/basic", frames = [0, 20, 39, 59]);
golden!(precomp_clip, "precomp/clip", frames = [0, 10, 19, 29]);
golden!(precomp_ip_op, "precomp/ip_op", frames = [0, 20, 39, 59]);
golden!(precomp_nested, "precomp/nested", frames = [0, 20, 39, 59]);
golden!(
    precomp_start_stretch,
    "precomp/start_stretch",
    frames = [0, 20, 39, 59]
);
// layers
golden!(
    layers_composition_ip_offset,
    "layers/composition_ip_offset",
    frames = [0, 10, 19, 29]
);
golden!(layers_hidden, "layers/hidden", frames = [0, 3, 6, 9]);
golden!(
    layers_in_out_points,
    "layers/in_out_points",
    frames = [0, 20, 39, 59]
);
golden!(layers_order, "layers/order", frames = [0, 3, 6, 9]);
golden!(layers_solid, "layers/solid", frames = [0, 10, 19, 29]);
golden!(
    layers_3d_flattened,
    "layers/3d_flattened",
    frames = [0, 13, 26, 39]
);
golden!(
    layers_unsupported_features,
    "layers/unsupported_features",
    frames = [0, 10, 19, 29]
);
// shapes
golden!(shapes_direction, "shapes/direction", frames = [0, 3, 6, 9]);
golden!(shapes_ellipse, "shapes/ellipse", frames = [0, 10, 19, 29]);
golden!(shapes_open_path, "shapes/open_path", frames = [0, 3, 6, 9]);
golden!(
    shapes_path_morph,
    "shapes/path_morph",
    frames = [0, 13, 26, 39]
);
golden!(shapes_polygon, "shapes/polygon", frames = [0, 10, 19, 29]);
golden!(
    shapes_rect_rounded,
    "shapes/rect_rounded",
    frames = [0, 10, 19, 29]
);
golden!(shapes_star, "shapes/star", frames = [0, 10, 19, 29]);
// fill
golden!(fill_evenodd, "fill/evenodd", frames = [0, 3, 6, 9]);
golden!(fill_nonzero, "fill/nonzero", frames = [0, 3, 6, 9]);
golden!(fill_opacity, "fill/opacity", frames = [0, 10, 19, 29]);
golden!(fill_two_fills, "fill/two_fills", frames = [0, 3, 6, 9]);
// stroke
golden!(stroke_caps, "stroke/caps", frames = [0, 3, 6, 9]);
golden!(
    stroke_closed_rect_joins,
    "stroke/closed_rect_joins",
    frames = [0, 3, 6, 9]
);
golden!(stroke_dashes, "stroke/dashes", frames = [0, 13, 26, 39]);
golden!(stroke_joins, "stroke/joins", frames = [0, 3, 6, 9]);
golden!(
    stroke_miter_limit,
    "stroke/miter_limit",
    frames = [0, 3, 6, 9]
);
golden!(
    stroke_width_opacity,
    "stroke/width_opacity",
    frames = [0, 10, 19, 29]
);
// trim
golden!(trim_filled, "trim/filled", frames = [0, 10, 19, 29]);
golden!(
    trim_individually,
    "trim/individually",
    frames = [0, 13, 26, 39]
);
golden!(
    trim_offset_wrap,
    "trim/offset_wrap",
    frames = [0, 20, 39, 59]
);
golden!(
    trim_simultaneous,
    "trim/simultaneous",
    frames = [0, 13, 26, 39]
);
golden!(
    trim_start_end_animated,
    "trim/start_end_animated",
    frames = [0, 13, 26, 39]
);
golden!(
    trim_nested_groups,
    "trim/nested_groups",
    frames = [0, 13, 26, 39]
);
// gradients
golden!(
    gradients_linear,
    "gradients/linear",
    frames = [0, 10, 19, 29]
);
golden!(
    gradients_opacity_stops,
    "gradients/opacity_stops",
    frames = [0, 3, 6, 9]
);
golden!(
    gradients_radial_highlight,
    "gradients/radial_highlight",
    frames = [0, 10, 19, 29]
);
golden!(
    gradients_stroke,
    "gradients/stroke",
    frames = [0, 10, 19, 29]
);
// sticker (.tgs, gzip)
golden!(
    sticker_gzip_tgs,
    "sticker/gzip_tgs",
    frames = [0, 40, 79, 119]
);
golden!(sticker_smiley, "sticker/smiley", frames = [0, 30, 59, 89]);
// masks (issue 3)
golden!(masks_add, "masks/add", frames = [0, 10, 19, 29]);
golden!(masks_expansion, "masks/expansion", frames = [0, 10, 19, 29]);
golden!(masks_intersect, "masks/intersect", frames = [0, 10, 19, 29]);
golden!(masks_inverted, "masks/inverted", frames = [0, 3, 6, 9]);
golden!(masks_opacity, "masks/opacity", frames = [0, 10, 19, 29]);
golden!(masks_subtract, "masks/subtract", frames = [0, 10, 19, 29]);
golden!(masks_darken, "masks/darken", frames = [0, 10, 19, 29]);
golden!(
    masks_difference,
    "masks/difference",
    frames = [0, 10, 19, 29]
);
golden!(masks_lighten, "masks/lighten", frames = [0, 10, 19, 29]);
golden!(masks_none, "masks/none", frames = [0, 10, 19, 29]);
golden!(
    masks_several_in_order,
    "masks/several_in_order",
    frames = [0, 10, 19, 29]
);
// mattes (issue 3)
golden!(mattes_alpha, "mattes/alpha", frames = [0, 10, 19, 29]);
golden!(
    mattes_alpha_inverted,
    "mattes/alpha_inverted",
    frames = [0, 10, 19, 29]
);
golden!(mattes_luma, "mattes/luma", frames = [0, 3, 6, 9]);
golden!(
    mattes_luma_inverted,
    "mattes/luma_inverted",
    frames = [0, 3, 6, 9]
);
golden!(
    mattes_tp_parent,
    "mattes/tp_parent",
    frames = [0, 10, 19, 29]
);
golden!(
    mattes_matted_matte,
    "mattes/matted_matte",
    frames = [0, 10, 19, 29]
);
golden!(
    mattes_precomp_source,
    "mattes/precomp_source",
    frames = [0, 10, 19, 29]
);
// path modifiers (issue 3)
golden!(
    modifiers_offset_path,
    "modifiers/offset_path",
    frames = [0, 10, 19, 29]
);
golden!(
    modifiers_pucker_bloat,
    "modifiers/pucker_bloat",
    frames = [0, 10, 19, 29]
);
golden!(
    modifiers_zig_zag,
    "modifiers/zig_zag",
    frames = [0, 10, 19, 29]
);
// modifiers and layer features (issue 3)
golden!(repeater_basic, "repeater/basic", frames = [0, 10, 19, 29]);
golden!(repeater_above, "repeater/above", frames = [0, 3, 6, 9]);
golden!(repeater_below, "repeater/below", frames = [0, 10, 19, 29]);
golden!(merge_modes, "merge/modes", frames = [0, 3, 6, 9]);
golden!(
    round_corners_basic,
    "round_corners/basic",
    frames = [0, 10, 19, 29]
);
golden!(
    time_remap_basic,
    "time_remap/basic",
    frames = [0, 20, 39, 59]
);
golden!(blend_multiply, "blend/multiply", frames = [0, 3, 6, 9]);
golden!(blend_screen, "blend/screen", frames = [0, 3, 6, 9]);
golden!(blend_overlay, "blend/overlay", frames = [0, 3, 6, 9]);
golden!(blend_darken, "blend/darken", frames = [0, 3, 6, 9]);
golden!(blend_lighten, "blend/lighten", frames = [0, 3, 6, 9]);
golden!(
    blend_color_dodge,
    "blend/color_dodge",
    frames = [0, 3, 6, 9]
);
golden!(blend_color_burn, "blend/color_burn", frames = [0, 3, 6, 9]);
golden!(blend_hard_light, "blend/hard_light", frames = [0, 3, 6, 9]);
golden!(blend_soft_light, "blend/soft_light", frames = [0, 3, 6, 9]);
golden!(blend_difference, "blend/difference", frames = [0, 3, 6, 9]);
golden!(blend_exclusion, "blend/exclusion", frames = [0, 3, 6, 9]);
golden!(blend_hue, "blend/hue", frames = [0, 3, 6, 9]);
golden!(blend_saturation, "blend/saturation", frames = [0, 3, 6, 9]);
golden!(blend_color, "blend/color", frames = [0, 3, 6, 9]);
golden!(blend_luminosity, "blend/luminosity", frames = [0, 3, 6, 9]);
golden!(blend_add, "blend/add", frames = [0, 3, 6, 9]);

/// One frame's outcome.
enum FrameResult {
    Pass,
    Fail(String),
    Updated(PathBuf),
}

fn fixture_path(case: &str) -> Option<PathBuf> {
    let base = util::repo_root().join("tests/fixtures").join(case);
    ["json", "tgs"]
        .iter()
        .map(|ext| base.with_extension(ext))
        .find(|p| p.is_file())
}

fn reference_path(case: &str, frame: u32) -> PathBuf {
    util::repo_root()
        .join("golden-images")
        .join(case)
        .join(format!("f{frame:03}.png"))
}

/// Whether `GOLDEN_UPDATE` asks to rewrite this case.
fn update_requested(name: &str, case: &str) -> bool {
    let Ok(value) = std::env::var("GOLDEN_UPDATE") else {
        return false;
    };
    let value = value.trim();
    if value == "1" || value.eq_ignore_ascii_case("all") {
        return true;
    }
    value
        .split(',')
        .map(str::trim)
        .any(|v| v == name || v == case || v == format!("golden::{name}"))
}

/// Cases listed in `tests/golden-expected-failures.txt` (`topic/case  reason`), with reasons.
pub(crate) fn expected_failures() -> Vec<(String, String)> {
    util::read_reason_list("tests/golden-expected-failures.txt")
}

fn diff_dir() -> PathBuf {
    util::target_dir().join("golden-diffs")
}

fn run(name: &str, case: &str, frames: &[u32], tolerance: Tolerance) {
    let known = expected_failures().into_iter().find(|(c, _)| c == case);
    let update = update_requested(name, case);
    let outcome = std::panic::catch_unwind(|| check_case(name, case, frames, tolerance, update))
        .unwrap_or_else(|panic| {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown panic".to_owned());
            vec![FrameResult::Fail(format!("{case}: panicked: {msg}"))]
        });
    let updated: Vec<String> = outcome
        .iter()
        .filter_map(|r| match r {
            FrameResult::Updated(p) => Some(p.display().to_string()),
            _ => None,
        })
        .collect();
    if !updated.is_empty() {
        panic!(
            "{case}: reference updated ({}); review the PNGs, commit them and re-run without \
             GOLDEN_UPDATE",
            updated.join(", ")
        );
    }
    let failures: Vec<&String> = outcome
        .iter()
        .filter_map(|r| match r {
            FrameResult::Fail(msg) => Some(msg),
            _ => None,
        })
        .collect();
    match (known, failures.is_empty()) {
        (None, true) => {}
        (None, false) => panic!(
            "golden {case} failed:\n  {}",
            failures
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        ),
        (Some((_, reason)), false) => {
            util::visible(&format!(
                "known failing: {case} ({reason}); {} frame(s) differ, first: {}",
                failures.len(),
                failures[0]
            ));
        }
        (Some((_, reason)), true) => panic!(
            "{case} passes now but is listed in tests/golden-expected-failures.txt ({reason}): \
             remove it from the list"
        ),
    }
}

fn check_case(
    name: &str,
    case: &str,
    frames: &[u32],
    tolerance: Tolerance,
    update: bool,
) -> Vec<FrameResult> {
    let Some(fixture) = fixture_path(case) else {
        return vec![FrameResult::Fail(format!(
            "{case}: no fixture tests/fixtures/{case}.json or .tgs"
        ))];
    };
    let bytes = std::fs::read(&fixture).expect("fixture is readable");
    let animation = match pipeline::load(&bytes, &Limits::default()) {
        Ok(a) => a,
        Err(e) => {
            return vec![FrameResult::Fail(format!(
                "{}: load failed: {e}",
                fixture.display()
            ))];
        }
    };
    let mut results: Vec<FrameResult> = frames
        .iter()
        .map(|&frame| check_frame(name, case, &animation, frame, tolerance, update))
        .collect();
    // The engine's import warnings (skipped features) usually explain a failure.
    let warnings = animation.warnings();
    if !warnings.is_empty() {
        for r in &mut results {
            if let FrameResult::Fail(msg) = r {
                msg.push_str(&format!("; engine warnings: {}", warnings.join("; ")));
            }
        }
    }
    results
}

fn check_frame(
    name: &str,
    case: &str,
    animation: &renderer::Animation,
    frame: u32,
    tolerance: Tolerance,
    update: bool,
) -> FrameResult {
    let reference_file = reference_path(case, frame);
    let reference = if reference_file.is_file() {
        match util::read_png(&reference_file) {
            Ok(r) => Some(r),
            Err(e) => return FrameResult::Fail(e),
        }
    } else {
        None
    };
    if let Some(size) = reference_file.metadata().ok().map(|m| m.len())
        && size > MAX_REFERENCE_BYTES
        && !update
    {
        return FrameResult::Fail(format!(
            "{} is {size} bytes, above the {MAX_REFERENCE_BYTES}-byte cap: re-encode it or \
                 use a smaller fixture",
            reference_file.display()
        ));
    }
    let (width, height) = reference
        .as_ref()
        .map_or((DEFAULT_SIZE, DEFAULT_SIZE), |r| (r.width, r.height));
    let image = match pipeline::render_frame(
        animation,
        u64::from(frame),
        width,
        height,
        &Limits::default().budget,
    ) {
        Ok(image) => image,
        Err(e) => return FrameResult::Fail(format!("{case} frame {frame}: render failed: {e}")),
    };
    let actual = Rgba {
        width: image.width,
        height: image.height,
        data: image.data,
    };
    if update {
        return match util::write_png(&reference_file, actual.width, actual.height, &actual.data) {
            Ok(()) => FrameResult::Updated(reference_file),
            Err(e) => FrameResult::Fail(e),
        };
    }
    let Some(expected) = reference else {
        return FrameResult::Fail(format!(
            "missing reference {} (generate it with golden-images/generate.py, see \
             golden-images/README.md)",
            reference_file.display()
        ));
    };
    if (actual.width, actual.height) != (expected.width, expected.height) {
        return FrameResult::Fail(format!(
            "{case} frame {frame}: rendered {}x{}, reference is {}x{}",
            actual.width, actual.height, expected.width, expected.height
        ));
    }
    let m = util::metrics(
        &util::premultiply(&expected.data),
        &util::premultiply(&actual.data),
    );
    let pass = m.psnr >= tolerance.min_psnr && m.pct_over_16 <= tolerance.max_pct_over_16;
    // One line per frame, pass or fail, for tuning and for the expected-failures review.
    let metrics_dir = util::target_dir().join("golden-metrics");
    let _ = std::fs::create_dir_all(&metrics_dir);
    let _ = std::fs::write(
        metrics_dir.join(format!("{name}_f{frame:03}.tsv")),
        format!(
            "{case}\t{frame}\t{}\t{:.3}\t{}\t{}\n",
            util::fmt_psnr(m.psnr),
            m.pct_over_16,
            m.max_difference,
            if pass { "pass" } else { "fail" }
        ),
    );
    if pass {
        return FrameResult::Pass;
    }
    let stem = format!("{name}_f{frame:03}");
    let dir = diff_dir();
    let panel_path = dir.join(format!("{stem}.png"));
    let json_path = dir.join(format!("{stem}.json"));
    let panel = util::diff_panel(&expected, &actual);
    let _ = util::write_png(&panel_path, panel.width, panel.height, &panel.data);
    let _ = util::write_png(
        &dir.join(format!("{stem}.actual.png")),
        actual.width,
        actual.height,
        &actual.data,
    );
    let json = serde_json::json!({
        "case": case,
        "frame": frame,
        "psnr_db": if m.psnr.is_finite() { serde_json::json!(m.psnr) } else { serde_json::json!("inf") },
        "pixel_count": m.pixels_over_16,
        "pct_px_gt16": m.pct_over_16,
        "max_difference": m.max_difference,
        "min_psnr_db": tolerance.min_psnr,
        "max_pct_px_gt16": tolerance.max_pct_over_16,
        "expected": reference_file.display().to_string(),
        "diff": panel_path.display().to_string(),
    });
    let _ = std::fs::write(&json_path, format!("{json:#}\n"));
    FrameResult::Fail(format!(
        "frame {frame}: psnr {} dB (min {}), {:.2} % pixels > 16 (max {}), max diff {}; \
         expected {} | diff {}",
        util::fmt_psnr(m.psnr),
        tolerance.min_psnr,
        m.pct_over_16,
        tolerance.max_pct_over_16,
        m.max_difference,
        rel(&reference_file),
        panel_path.display()
    ))
}

fn rel(path: &Path) -> String {
    path.strip_prefix(util::repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Every fixture has a golden test and every listed expected failure names a real case.
#[test]
fn golden_every_fixture_has_a_test() {
    let source = include_str!("golden.rs");
    let mut missing = Vec::new();
    let root = util::repo_root().join("tests/fixtures");
    for topic in std::fs::read_dir(&root).expect("tests/fixtures exists") {
        let topic = topic.expect("readable dir entry").path();
        // `cli/` and `http/` hold inputs of the CLI and HTTP tests, not golden cases.
        let name = topic
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !topic.is_dir() || name == "cli" || name == "http" {
            continue;
        }
        for file in std::fs::read_dir(&topic).expect("readable topic dir") {
            let file = file.expect("readable dir entry").path();
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext != "json" && ext != "tgs" {
                continue;
            }
            let case = format!(
                "{}/{}",
                topic.file_name().unwrap().to_string_lossy(),
                file.file_stem().unwrap().to_string_lossy()
            );
            if !source.contains(&format!("\"{case}\"")) {
                missing.push(case);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fixtures without a golden! test: {missing:?}"
    );
    // No orphan references: every golden-images/<topic>/<case>/ belongs to a fixture.
    let mut orphans = Vec::new();
    let golden = util::repo_root().join("golden-images");
    for topic in std::fs::read_dir(&golden).expect("golden-images exists") {
        let topic = topic.expect("readable dir entry").path();
        if !topic.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&topic).expect("readable topic dir") {
            let case = case.expect("readable dir entry").path();
            let rel = format!(
                "{}/{}",
                topic.file_name().unwrap_or_default().to_string_lossy(),
                case.file_name().unwrap_or_default().to_string_lossy()
            );
            if case.is_dir() && fixture_path(&rel).is_none() {
                orphans.push(rel);
            }
        }
    }
    assert!(
        orphans.is_empty(),
        "golden-images without a fixture: {orphans:?}"
    );
    let unknown: Vec<String> = expected_failures()
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| fixture_path(c).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "tests/golden-expected-failures.txt names unknown cases: {unknown:?}"
    );
}

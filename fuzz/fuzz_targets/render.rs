//! Import + render: loads arbitrary bytes (plain or `.tgs`) with the default limits and renders
//! a few frames at 64x64 (the composition fitted, as the service does) within the default
//! render `Budget`, so a hostile file stops with `limit_exceeded` instead of running on; then
//! exports the first frames as a small animation (resampling schedule + animated encoder).
//! Every call must return `Ok` or `Err`; a render error may only be `limit_exceeded`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tgs_converter::encode::ImageFormat;
use tgs_converter::pipeline::{
    self, ExportOptions, FrameSelection, Limits, PipelineError, output_size, render_frame,
};

/// The side the composition is fitted into.
const SIDE: u32 = 64;

fn fitted(animation: &renderer::Animation, limits: &Limits) -> Option<(u32, u32)> {
    let (w, h) = (animation.width(), animation.height());
    let (width, height) = if w >= h {
        (Some(SIDE), None)
    } else {
        (None, Some(SIDE))
    };
    output_size(animation, width, height, limits).ok()
}

fn expect_render_ok(result: Result<(), PipelineError>, what: &str) {
    match result {
        Ok(()) | Err(PipelineError::LimitExceeded(_)) => {}
        Err(err) => panic!("{what}: unexpected error for a loaded animation: {err}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let Ok(animation) = pipeline::load(data, &limits) else {
        return;
    };
    let Some((width, height)) = fitted(&animation, &limits) else {
        return;
    };
    let total = u64::from(animation.total_frames());
    for index in [0, total / 2, total - 1] {
        let result = render_frame(&animation, index, width, height, &limits.budget);
        if let Ok(image) = &result {
            assert_eq!(image.data.len(), (width * height * 4) as usize);
        }
        expect_render_ok(result.map(drop), "render_frame");
    }
    // A short animated export: the frame schedule and an animated encoder, at a smaller size.
    let formats = [ImageFormat::WebP, ImageFormat::Apng, ImageFormat::Gif];
    let options = ExportOptions {
        format: formats[data.len() % formats.len()],
        frames: FrameSelection::Range {
            start: 0,
            end: (total - 1).min(2),
        },
        fps: None,
        quality: if data.len() % 2 == 0 { 100 } else { 60 },
        background: None,
        width: width.div_ceil(4),
        height: height.div_ceil(4),
    };
    let result = pipeline::export(&animation, &options, &limits);
    expect_render_ok(result.map(drop), "export");
});

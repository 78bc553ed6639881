//! One frame into a straight-alpha [`Image`], through the engine's own render call.

use raster::Pixmap;
use renderer::{Animation, Budget};

use super::PipelineError;
use crate::encode::Image;

/// Renders frame `index` of `animation` at `width` x `height` (the composition scaled to fit,
/// centred, on a transparent background) as a straight-alpha [`Image`], within `budget`.
///
/// # Errors
///
/// [`PipelineError::FrameOutOfRange`], [`PipelineError::BadSize`] for a side of 0 or over
/// 65535 (callers check their own, smaller limit first with [`super::output_size`]), or
/// [`PipelineError::LimitExceeded`] when the frame passes `budget`.
pub fn render_frame(
    animation: &Animation,
    index: u64,
    width: u32,
    height: u32,
    budget: &Budget,
) -> Result<Image, PipelineError> {
    let pixmap = render_pixmap(animation, index, width, height, budget)?;
    Ok(Image {
        width,
        height,
        data: pixmap.to_straight_rgba8(),
    })
}

/// [`render_frame`] without the conversion to straight alpha: the rasterizer's premultiplied
/// pixmap, for an encoder that converts as it reads
/// ([`encode_png_premultiplied`](crate::encode::encode_png_premultiplied)).
///
/// # Errors
///
/// As [`render_frame`].
pub fn render_pixmap(
    animation: &Animation,
    index: u64,
    width: u32,
    height: u32,
    budget: &Budget,
) -> Result<Pixmap, PipelineError> {
    let time = animation.frame_time(index)?;
    let mut pixmap = new_pixmap(width, height)?;
    raster::render_within(animation, time, budget, &mut pixmap)?;
    Ok(pixmap)
}

/// Returns a transparent `width` x `height` pixmap.
///
/// # Errors
///
/// [`PipelineError::BadSize`] when a side is 0 or over 65535.
pub fn new_pixmap(width: u32, height: u32) -> Result<Pixmap, PipelineError> {
    Pixmap::new(width, height).ok_or_else(|| {
        PipelineError::BadSize(format!(
            "output size {width}x{height} is not between 1x1 and 65535x65535"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_frame_has_requested_size() {
        let json = br#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":200,"h":100,"layers":[]}"#;
        let anim = Animation::from_slice(json).unwrap();
        let img = render_frame(&anim, 0, 20, 10, &Budget::default()).unwrap();
        assert_eq!((img.width, img.height, img.data.len()), (20, 10, 800));
        assert!(matches!(
            render_frame(&anim, 30, 20, 10, &Budget::default()),
            Err(PipelineError::FrameOutOfRange {
                frame: 30,
                total: 30
            })
        ));
        assert!(matches!(
            render_frame(&anim, 0, 0, 10, &Budget::default()),
            Err(PipelineError::BadSize(_))
        ));
    }
}

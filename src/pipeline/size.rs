//! The output size of a request.

use renderer::Animation;

use super::{Limits, PipelineError};

/// Returns the output size for a request: the composition size by default; with only one side
/// given, the other follows the composition's aspect ratio; with both, exactly that.
///
/// # Errors
///
/// [`PipelineError::BadSize`] when a side is 0 or exceeds [`Limits::max_output_side`].
pub fn output_size(
    animation: &Animation,
    width: Option<u32>,
    height: Option<u32>,
    limits: &Limits,
) -> Result<(u32, u32), PipelineError> {
    let (cw, ch) = (animation.width(), animation.height());
    let derived = |side: u32, ratio: f64| -> u32 {
        let v = (f64::from(side) * ratio).round();
        if v >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            (v as u32).max(1)
        }
    };
    let (w, h) = match (width, height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, derived(w, ch / cw)),
        (None, Some(h)) => (derived(h, cw / ch), h),
        (None, None) => (derived(1, cw), derived(1, ch)),
    };
    let max = limits.max_output_side;
    if width == Some(0) || height == Some(0) {
        return Err(PipelineError::BadSize(
            "width and height must be at least 1".into(),
        ));
    }
    if w == 0 || h == 0 {
        return Err(PipelineError::BadSize(format!(
            "output size {w}x{h} is empty; width and height must be at least 1"
        )));
    }
    if w > max || h > max {
        let hint = if width.is_none() && height.is_none() {
            "; pass a smaller width or height"
        } else {
            ""
        };
        return Err(PipelineError::BadSize(format!(
            "output size {w}x{h} exceeds the limit of {max}x{max} pixels{hint}"
        )));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_size_keeps_aspect() {
        let json = br#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":200,"h":100,"layers":[]}"#;
        let anim = Animation::from_slice(json).unwrap();
        let limits = Limits::default();
        let size = |w, h| output_size(&anim, w, h, &limits);
        assert_eq!(size(None, None).unwrap(), (200, 100));
        assert_eq!(size(Some(100), None).unwrap(), (100, 50));
        assert_eq!(size(None, Some(50)).unwrap(), (100, 50));
        assert_eq!(size(Some(64), Some(64)).unwrap(), (64, 64));
        assert!(matches!(
            size(Some(0), None),
            Err(PipelineError::BadSize(_))
        ));
        let err = size(Some(5000), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "output size 5000x2500 exceeds the limit of 2048x2048 pixels"
        );
    }
}

//! Output size and quality settings.

/// Speed/precision trade-off of the pixel pipeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Quality {
    /// vello_cpu's u8/u16 pipeline: the fastest.
    #[default]
    Fast,
    /// vello_cpu's f32 pipeline: slower, more precise blending (recommended for snapshots).
    Accurate,
}

/// Where and how a draw list is rasterized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RasterSettings {
    /// Output width in pixels (at least 1).
    pub width: u16,
    /// Output height in pixels (at least 1).
    pub height: u16,
    /// Pixel pipeline precision.
    pub quality: Quality,
}

impl RasterSettings {
    /// Settings for a `width` x `height` output with the default quality.
    pub fn new(width: u16, height: u16) -> Self {
        Self {
            width,
            height,
            quality: Quality::default(),
        }
    }
}

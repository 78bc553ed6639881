//! The output buffer: premultiplied RGBA8 pixels, and their conversion to straight alpha.

/// A `width` x `height` buffer of premultiplied RGBA8 pixels, row-major, the top row first.
///
/// This is the rasterizer's output. It wraps vello_cpu's pixmap without exposing it, so that
/// vello_cpu's version is not part of this crate's API.
#[derive(Clone)]
pub struct Pixmap {
    inner: vello_cpu::Pixmap,
}

impl std::fmt::Debug for Pixmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pixmap")
            .field("width", &self.width())
            .field("height", &self.height())
            .finish_non_exhaustive()
    }
}

impl Pixmap {
    /// Largest width or height a pixmap can have.
    pub const MAX_SIDE: u32 = u16::MAX as u32;

    /// Returns a transparent `width` x `height` pixmap, or `None` when a side is 0 or over
    /// [`Pixmap::MAX_SIDE`].
    ///
    /// The buffer takes `width * height * 4` bytes: bound the size before calling this with
    /// sizes from untrusted input.
    pub fn new(width: u32, height: u32) -> Option<Self> {
        let width = u16::try_from(width).ok().filter(|&w| w > 0)?;
        let height = u16::try_from(height).ok().filter(|&h| h > 0)?;
        Some(Self {
            inner: vello_cpu::Pixmap::new(width, height),
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        u32::from(self.inner.width())
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        u32::from(self.inner.height())
    }

    /// The pixels as premultiplied RGBA8 bytes, 4 per pixel, row-major.
    pub fn data(&self) -> &[u8] {
        self.inner.data_as_u8_slice()
    }

    /// Returns the pixels as straight (un-premultiplied) RGBA8, 4 bytes per pixel, row-major.
    pub fn to_straight_rgba8(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_straight_rgba8(&mut out);
        out
    }

    /// Writes the pixels into `out` as straight (un-premultiplied) RGBA8, replacing its contents.
    ///
    /// Encoders (PNG, WebP) want straight alpha; the rasterizer produces premultiplied alpha.
    /// Colour channels are rounded to nearest, so a fully opaque pixel round-trips exactly.
    pub fn write_straight_rgba8(&self, out: &mut Vec<u8>) {
        out.clear();
        out.reserve(self.data().len());
        for px in self.data().chunks_exact(4) {
            match px[3] {
                0 => out.extend_from_slice(&[0, 0, 0, 0]),
                255 => out.extend_from_slice(px),
                a => {
                    let a16 = u16::from(a);
                    let un = |c: u8| {
                        let v = (u16::from(c) * 255 + a16 / 2) / a16;
                        v.min(255) as u8
                    };
                    out.extend_from_slice(&[un(px[0]), un(px[1]), un(px[2]), a]);
                }
            }
        }
    }

    /// The wrapped vello_cpu pixmap, for the rasterizer.
    pub(crate) fn as_vello_mut(&mut self) -> &mut vello_cpu::Pixmap {
        &mut self.inner
    }

    /// The premultiplied pixel at (`x`, `y`).
    #[cfg(test)]
    pub(crate) fn sample(&self, x: u16, y: u16) -> vello_cpu::color::PremulRgba8 {
        self.inner.sample(x, y)
    }

    /// The size as vello_cpu takes it (both sides fit `u16` by construction).
    pub(crate) fn size_u16(&self) -> (u16, u16) {
        (self.inner.width(), self.inner.height())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_bounds() {
        assert!(Pixmap::new(0, 1).is_none());
        assert!(Pixmap::new(1, Pixmap::MAX_SIDE + 1).is_none());
        let p = Pixmap::new(3, 2).unwrap();
        assert_eq!((p.width(), p.height(), p.data().len()), (3, 2, 24));
        assert!(p.data().iter().all(|&b| b == 0));
    }

    #[test]
    fn unpremultiply_half_alpha() {
        let mut pixmap = Pixmap::new(2, 1).unwrap();
        pixmap.inner.data_mut()[0] = vello_cpu::color::PremulRgba8 {
            r: 128,
            g: 64,
            b: 0,
            a: 128,
        };
        assert_eq!(
            pixmap.to_straight_rgba8(),
            vec![255, 128, 0, 128, 0, 0, 0, 0]
        );
    }
}

//! The output buffer: premultiplied RGBA8 pixels, and their conversion to straight alpha.

use crate::damage::PixelRect;

/// A `width` x `height` buffer of premultiplied RGBA8 pixels, row-major, the top row first.
///
/// This is the rasterizer's output. It wraps vello_cpu's pixmap without exposing it, so that
/// vello_cpu's version is not part of this crate's API.
#[derive(Clone)]
pub struct Pixmap {
    inner: vello_cpu::Pixmap,
    /// Names the frame the pixels hold, so that [`crate::FrameRenderer`] knows when they are
    /// its own last frame (and paints only what changed); 0 when unknown. Pixels change only
    /// through [`Pixmap::as_vello_mut`], which resets it.
    content: u64,
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
            content: 0,
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
        out.extend_from_slice(self.data());
        straighten(out);
    }

    /// Writes row `y` (the top row is 0) into `out` as straight RGBA8, as
    /// [`Pixmap::write_straight_rgba8`] does for the whole pixmap: for an encoder that takes
    /// one row at a time.
    ///
    /// # Panics
    ///
    /// When `y` is not below the height or `out` is not `width * 4` bytes long.
    pub fn write_straight_row(&self, y: u32, out: &mut [u8]) {
        let len = self.width() as usize * 4;
        let start = y as usize * len;
        out.copy_from_slice(&self.data()[start..start + len]);
        straighten(out);
    }

    /// The wrapped vello_cpu pixmap, for the rasterizer. Forgets what frame the pixels hold.
    pub(crate) fn as_vello_mut(&mut self) -> &mut vello_cpu::Pixmap {
        self.content = 0;
        &mut self.inner
    }

    /// Forgets which frame the pixels hold, so that the next frame rendered into this pixmap is
    /// drawn whole rather than painted from this one (see [`crate::FrameRenderer`]). A frame
    /// painted from the one before can differ from the frame drawn whole by one in a channel;
    /// forget at fixed frames to get the same pixels however frames are spread over threads.
    pub fn forget_frame(&mut self) {
        self.content = 0;
    }

    /// What frame the pixels hold (see [`Pixmap::set_content`]); 0 when unknown.
    pub(crate) fn content(&self) -> u64 {
        self.content
    }

    /// Records that the pixels hold the frame named `content` (by a number never used for
    /// another frame).
    pub(crate) fn set_content(&mut self, content: u64) {
        self.content = content;
    }

    /// Copies the pixels of `region` from `source`, which holds the pixels of `source_area` (a
    /// rectangle of this pixmap that contains `region`).
    pub(crate) fn copy_region(
        &mut self,
        source: &vello_cpu::Pixmap,
        source_area: PixelRect,
        region: PixelRect,
    ) {
        let width = usize::from(self.inner.width());
        let source_width = usize::from(source_area.x1 - source_area.x0);
        let (x0, x1) = (usize::from(region.x0), usize::from(region.x1));
        let source_x0 = usize::from(region.x0 - source_area.x0);
        let target = self.as_vello_mut().data_mut();
        for y in region.y0..region.y1 {
            let row = usize::from(y) * width;
            let source_row = usize::from(y - source_area.y0) * source_width + source_x0;
            target[row + x0..row + x1]
                .copy_from_slice(&source.data()[source_row..source_row + (x1 - x0)]);
        }
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

/// Turns premultiplied RGBA8 pixels straight, in place.
fn straighten(pixels: &mut [u8]) {
    // Opaque and transparent pixels, most of a sticker, are already right, and are skipped
    // four at a time; the rest are divided through a table.
    const ALPHAS: u128 = 0xff00_0000_ff00_0000_ff00_0000_ff00_0000;
    let mut quads = pixels.chunks_exact_mut(16);
    for quad in &mut quads {
        let mut bytes = [0; 16];
        bytes.copy_from_slice(quad);
        let word = u128::from_le_bytes(bytes);
        let alphas = word & ALPHAS;
        if alphas == ALPHAS || word == 0 {
            continue;
        }
        quad.chunks_exact_mut(4).for_each(unpremultiply_pixel);
    }
    quads
        .into_remainder()
        .chunks_exact_mut(4)
        .for_each(unpremultiply_pixel);
}

/// Turns one premultiplied RGBA8 pixel straight, in place.
fn unpremultiply_pixel(px: &mut [u8]) {
    match px[3] {
        255 => {}
        0 => px[..3].fill(0),
        a => {
            let row = &UNPREMULTIPLY[usize::from(a)];
            px[0] = row[usize::from(px[0])];
            px[1] = row[usize::from(px[1])];
            px[2] = row[usize::from(px[2])];
        }
    }
}

/// A premultiplied colour channel `c` at alpha `a`, straight: `c * 255 / a` rounded to nearest,
/// at most 255 (0 at alpha 0).
const fn unpremultiply(c: u8, a: u8) -> u8 {
    if a == 0 {
        return 0;
    }
    let (c, a) = (c as u16, a as u16);
    let v = (c * 255 + a / 2) / a;
    if v > 255 { 255 } else { v as u8 }
}

/// [`unpremultiply`] of every channel value (inner index) at every alpha (outer index): a table
/// lookup instead of a division per channel (64 KiB, made at compile time).
static UNPREMULTIPLY: [[u8; 256]; 256] = {
    let mut table = [[0_u8; 256]; 256];
    let mut a = 0;
    while a < 256 {
        let mut c = 0;
        while c < 256 {
            table[a][c] = unpremultiply(c as u8, a as u8);
            c += 1;
        }
        a += 1;
    }
    table
};

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
    fn straight_alpha_matches_the_plain_division_for_every_input() {
        // Every premultiplied (c, a), including c > a (not valid premultiplied, but possible).
        let mut pixmap = Pixmap::new(256, 256).unwrap();
        for (i, px) in pixmap.inner.data_mut().iter_mut().enumerate() {
            let (c, a) = ((i % 256) as u8, (i / 256) as u8);
            *px = vello_cpu::color::PremulRgba8 {
                r: c,
                g: c.wrapping_mul(7),
                b: 255 - c,
                a,
            };
        }
        let plain = |c: u8, a: u8| -> u8 {
            match a {
                0 => 0,
                255 => c,
                a => ((u32::from(c) * 255 + u32::from(a) / 2) / u32::from(a)).min(255) as u8,
            }
        };
        let straight = pixmap.to_straight_rgba8();
        for (px, out) in pixmap.data().chunks_exact(4).zip(straight.chunks_exact(4)) {
            let a = px[3];
            let want = [plain(px[0], a), plain(px[1], a), plain(px[2], a), a];
            assert_eq!(out, want, "premultiplied {px:?}");
        }
        let mut row = vec![0; 256 * 4];
        for y in [0, 1, 128, 255] {
            pixmap.write_straight_row(y, &mut row);
            let start = y as usize * row.len();
            assert_eq!(row, straight[start..start + row.len()], "row {y}");
        }
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

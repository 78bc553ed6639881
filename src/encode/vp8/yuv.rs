//! RGBA to the encoder's planes: BT.601 `Y'CbCr` (studio range, as VP8 decoders assume), chroma
//! subsampled 2x2, both padded to whole macroblocks, with masks of the pixels that show.

use crate::encode::Image;

/// Padded Y, U and V planes of one frame and where they are visible.
#[derive(Debug)]
pub(super) struct Planes {
    /// Macroblock columns.
    pub(super) mb_w: usize,
    /// Macroblock rows.
    pub(super) mb_h: usize,
    /// Luma, `mb_w * 16` wide.
    pub(super) y: Vec<u8>,
    /// 1 where the luma pixel is inside the image and not fully transparent.
    pub(super) y_vis: Vec<u8>,
    /// Blue-difference chroma, `mb_w * 8` wide.
    pub(super) u: Vec<u8>,
    /// Red-difference chroma, `mb_w * 8` wide.
    pub(super) v: Vec<u8>,
    /// 1 where any of the chroma sample's four pixels is visible.
    pub(super) uv_vis: Vec<u8>,
    /// The alpha plane, unpadded (`width` wide), for the `ALPH` chunk.
    pub(super) alpha: Vec<u8>,
}

impl Planes {
    /// Luma row stride.
    pub(super) fn y_stride(&self) -> usize {
        self.mb_w * 16
    }

    /// Chroma row stride.
    pub(super) fn uv_stride(&self) -> usize {
        self.mb_w * 8
    }

    /// Converts `image`. Pixels that are fully transparent or outside the image are marked
    /// invisible: the encoder may reconstruct anything there, and does whatever is cheapest.
    ///
    /// A chroma sample averages the visible pixels of its 2x2 block weighted by alpha, so that
    /// the colour of faint edge pixels does not bleed into the solid ones next to them.
    pub(super) fn from_image(image: &Image) -> Self {
        let (w, h) = (image.width as usize, image.height as usize);
        let (mb_w, mb_h) = (w.div_ceil(16), h.div_ceil(16));
        let ys = mb_w * 16;
        let cs = mb_w * 8;
        let mut y = vec![0; ys * mb_h * 16];
        let mut y_vis = vec![0; y.len()];
        let mut u = vec![128; cs * mb_h * 8];
        let mut v = vec![128; u.len()];
        let mut uv_vis = vec![0; u.len()];
        let row_bytes = w * 4;
        let mut alpha = vec![0; w * h];
        for (yy, row) in image.data.chunks_exact(row_bytes).enumerate() {
            let (pixels, _) = row.as_chunks::<4>();
            let out = &mut y[yy * ys..][..w];
            let vis = &mut y_vis[yy * ys..][..w];
            let alpha = &mut alpha[yy * w..][..w];
            // Runs of 8 transparent pixels (most of a sticker's background) are left as the
            // zeros the planes start with; a transparent pixel's luma is 0.
            for (c, run) in pixels.chunks(8).enumerate() {
                if run.iter().all(|px| px[3] == 0) {
                    continue;
                }
                for (k, &[r, g, b, a]) in run.iter().enumerate() {
                    let i = c * 8 + k;
                    let shown = a != 0;
                    out[i] = if shown { luma(r, g, b) } else { 0 };
                    vis[i] = u8::from(shown);
                    alpha[i] = a;
                }
            }
        }
        for cy in 0..h.div_ceil(2) {
            let r0 = &image.data[cy * 2 * row_bytes..(cy * 2 + 1) * row_bytes];
            // A last odd row pairs with itself: the same pixels, weighted twice.
            let r1 = if cy * 2 + 1 < h {
                &image.data[(cy * 2 + 1) * row_bytes..(cy * 2 + 2) * row_bytes]
            } else {
                r0
            };
            for cx in 0..w.div_ceil(2) {
                let x0 = cx * 8;
                // A last odd column pairs with itself too.
                let x1 = if cx * 2 + 1 < w { x0 + 4 } else { x0 };
                let quad = [
                    &r0[x0..x0 + 4],
                    &r0[x1..x1 + 4],
                    &r1[x0..x0 + 4],
                    &r1[x1..x1 + 4],
                ];
                let rgb = if quad.iter().all(|p| p[3] == 255) {
                    let sum = |c: usize| quad.iter().map(|p| i32::from(p[c])).sum::<i32>();
                    [(sum(0) + 2) >> 2, (sum(1) + 2) >> 2, (sum(2) + 2) >> 2]
                } else {
                    let sa: u32 = quad.iter().map(|p| u32::from(p[3])).sum();
                    if sa == 0 {
                        continue;
                    }
                    let sum = |c: usize| {
                        quad.iter()
                            .map(|p| u32::from(p[c]) * u32::from(p[3]))
                            .sum::<u32>()
                    };
                    let avg = |s: u32| ((s + sa / 2) / sa) as i32;
                    [avg(sum(0)), avg(sum(1)), avg(sum(2))]
                };
                let (cu, cv) = chroma(rgb[0], rgb[1], rgb[2]);
                let i = cy * cs + cx;
                u[i] = cu;
                v[i] = cv;
                uv_vis[i] = 1;
            }
        }
        Self {
            mb_w,
            mb_h,
            y,
            y_vis,
            u,
            v,
            uv_vis,
            alpha,
        }
    }

    /// Whether every pixel is opaque (then the frame needs no `ALPH` chunk).
    pub(super) fn is_opaque(&self) -> bool {
        self.alpha.iter().all(|&a| a == 255)
    }
}

/// BT.601 studio-range luma, 16-bit fixed point: `16 + 0.2568 R + 0.5041 G + 0.0979 B`.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = 16829 * i32::from(r) + 33039 * i32::from(g) + 6416 * i32::from(b);
    ((y + (16 << 16) + (1 << 15)) >> 16) as u8
}

/// BT.601 studio-range chroma (Cb, Cr) of an RGB triple, 16-bit fixed point.
fn chroma(r: i32, g: i32, b: i32) -> (u8, u8) {
    let u = -9714 * r - 19070 * g + 28784 * b;
    let v = 28784 * r - 24103 * g - 4681 * b;
    let fix = |c: i32| ((c + (128 << 16) + (1 << 15)) >> 16).clamp(0, 255) as u8;
    (fix(u), fix(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn studio_range_extremes() {
        assert_eq!(luma(0, 0, 0), 16, "black");
        assert_eq!(luma(255, 255, 255), 235, "white");
        assert_eq!(chroma(128, 128, 128), (128, 128), "grey has no chroma");
        assert_eq!(chroma(0, 0, 255).0, 240, "blue is the top of Cb");
    }

    #[test]
    fn planes_pad_and_mask() {
        let image = Image {
            width: 3,
            height: 1,
            data: vec![255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 128],
        };
        let planes = Planes::from_image(&image);
        assert_eq!((planes.mb_w, planes.mb_h), (1, 1), "one macroblock");
        assert_eq!(
            planes.y_vis[..4],
            [1, 0, 1, 0],
            "transparent and padding are hidden"
        );
        assert_eq!(
            planes.uv_vis[..3],
            [1, 1, 0],
            "chroma visible where any pixel is"
        );
        // The transparent green pixel does not tint the red one's chroma.
        assert_eq!(
            (planes.u[0], planes.v[0]),
            chroma(255, 0, 0),
            "alpha-weighted"
        );
    }
}

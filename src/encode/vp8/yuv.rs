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
    ///
    /// The planes are built by appending, 16 pixels (8 chroma samples) at a time through
    /// fixed-size kernels that vectorise, so nothing is written twice.
    pub(super) fn from_image(image: &Image) -> Self {
        let (w, h) = (image.width as usize, image.height as usize);
        let (mb_w, mb_h) = (w.div_ceil(16), h.div_ceil(16));
        let (ys, cs) = (mb_w * 16, mb_w * 8);
        let mut y = Vec::with_capacity(ys * mb_h * 16);
        let mut y_vis = Vec::with_capacity(y.capacity());
        let mut alpha = Vec::with_capacity(w * h);
        let row_bytes = w * 4;
        for row in image.data.chunks_exact(row_bytes) {
            let (pixels, _) = row.as_chunks::<4>();
            let (chunks, tail) = pixels.as_chunks::<16>();
            for chunk in chunks {
                let (luma, vis, a) = luma16(chunk);
                y.extend_from_slice(&luma);
                y_vis.extend_from_slice(&vis);
                alpha.extend_from_slice(&a);
            }
            for &[r, g, b, a] in tail {
                let shown = a != 0;
                y.push(if shown { luma(r, g, b) } else { 0 });
                y_vis.push(u8::from(shown));
                alpha.push(a);
            }
            y.resize(y.len() + ys - w, 0);
            y_vis.resize(y.len(), 0);
        }
        y.resize(ys * mb_h * 16, 0);
        y_vis.resize(y.len(), 0);

        let mut u = Vec::with_capacity(cs * mb_h * 8);
        let mut v = Vec::with_capacity(u.capacity());
        let mut uv_vis = Vec::with_capacity(u.capacity());
        for cy in 0..h.div_ceil(2) {
            let r0 = &image.data[cy * 2 * row_bytes..(cy * 2 + 1) * row_bytes];
            // A last odd row pairs with itself: the same pixels, weighted twice.
            let r1 = if cy * 2 + 1 < h {
                &image.data[(cy * 2 + 1) * row_bytes..(cy * 2 + 2) * row_bytes]
            } else {
                r0
            };
            let (p0, _) = r0.as_chunks::<4>();
            let (p1, _) = r1.as_chunks::<4>();
            let (c0, t0) = p0.as_chunks::<16>();
            let (c1, t1) = p1.as_chunks::<16>();
            for (top, bottom) in c0.iter().zip(c1) {
                let (cu, cv, vis) = chroma8(top, bottom);
                u.extend_from_slice(&cu);
                v.extend_from_slice(&cv);
                uv_vis.extend_from_slice(&vis);
            }
            // The last pixels, fewer than 16; a last odd column pairs with itself too.
            for (x0, _) in t0.iter().enumerate().step_by(2) {
                let x1 = (x0 + 1).min(t0.len() - 1);
                let sample = quad_chroma([t0[x0], t0[x1], t1[x0], t1[x1]]);
                let (cu, cv) = sample.unwrap_or((128, 128));
                u.push(cu);
                v.push(cv);
                uv_vis.push(u8::from(sample.is_some()));
            }
            u.resize((cy + 1) * cs, 128);
            v.resize(u.len(), 128);
            uv_vis.resize(u.len(), 0);
        }
        u.resize(cs * mb_h * 8, 128);
        v.resize(u.len(), 128);
        uv_vis.resize(u.len(), 0);
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

/// 16 pixels as little-endian words, `r | g << 8 | b << 16 | a << 24`: the form the kernels
/// below take apart with shifts and masks, which vectorises where byte gathers do not.
fn words(pixels: &[[u8; 4]; 16]) -> [u32; 16] {
    std::array::from_fn(|i| u32::from_le_bytes(pixels[i]))
}

/// Luma, visibility and alpha of 16 pixels; a transparent pixel's luma is 0. Fixed-size and
/// branch-free but for the test for 16 transparent pixels (most of a sticker's background),
/// so that it vectorises.
fn luma16(pixels: &[[u8; 4]; 16]) -> ([u8; 16], [u8; 16], [u8; 16]) {
    let px = words(pixels);
    let alpha: [u8; 16] = std::array::from_fn(|i| (px[i] >> 24) as u8);
    if alpha == [0; 16] {
        return ([0; 16], [0; 16], alpha);
    }
    let mut out = [0; 16];
    let mut vis = [0; 16];
    for i in 0..16 {
        let p = px[i];
        let (r, g, b) = (p & 0xff, (p >> 8) & 0xff, (p >> 16) & 0xff);
        let shown = u8::from(alpha[i] != 0);
        out[i] = luma_fixed(r, g, b) & shown.wrapping_neg();
        vis[i] = shown;
    }
    (out, vis, alpha)
}

/// Chroma (U, V) and visibility of the 8 samples under 16 pixels of two rows (`top`,
/// `bottom`). Fully transparent and fully opaque runs, nearly all of a sticker, take
/// fixed-size branch-free paths that vectorise; the rest goes sample by sample.
fn chroma8(top: &[[u8; 4]; 16], bottom: &[[u8; 4]; 16]) -> ([u8; 8], [u8; 8], [u8; 8]) {
    let (t, b) = (words(top), words(bottom));
    let alpha_and = t.iter().chain(&b).fold(u32::MAX, |acc, &p| acc & p) >> 24;
    let alpha_or = t.iter().chain(&b).fold(0, |acc, &p| acc | p) >> 24;
    if alpha_or == 0 {
        return ([128; 8], [128; 8], [0; 8]);
    }
    let (mut u, mut v, mut vis) = ([128; 8], [128; 8], [0; 8]);
    if alpha_and == 255 {
        for k in 0..8 {
            let quad = [t[2 * k], t[2 * k + 1], b[2 * k], b[2 * k + 1]];
            // Red and blue, then green (and alpha), summed two to a word.
            let rb: u32 = quad.iter().map(|p| p & 0x00ff_00ff).sum();
            let ga: u32 = quad.iter().map(|p| (p >> 8) & 0x00ff_00ff).sum();
            let mean = |s: u32| (((s & 0xffff) + 2) >> 2) as i32;
            (u[k], v[k]) = chroma(mean(rb), mean(ga), mean(rb >> 16));
        }
        return (u, v, [1; 8]);
    }
    for k in 0..8 {
        let quad = [top[2 * k], top[2 * k + 1], bottom[2 * k], bottom[2 * k + 1]];
        if let Some((cu, cv)) = quad_chroma(quad) {
            (u[k], v[k], vis[k]) = (cu, cv, 1);
        }
    }
    (u, v, vis)
}

/// Chroma of a 2x2 block, its colours weighted by alpha, or `None` when all four pixels are
/// transparent. For four opaque pixels this is the rounded mean, as in [`chroma8`]'s opaque
/// path: `(255 s + 510) / 1020` is `(s + 2) / 4`.
fn quad_chroma(quad: [[u8; 4]; 4]) -> Option<(u8, u8)> {
    let sa: u32 = quad.iter().map(|p| u32::from(p[3])).sum();
    if sa == 0 {
        return None;
    }
    let avg = |c: usize| {
        let s: u32 = quad.iter().map(|p| u32::from(p[c]) * u32::from(p[3])).sum();
        ((s + sa / 2) / sa) as i32
    };
    Some(chroma(avg(0), avg(1), avg(2)))
}

/// BT.601 studio-range luma, 16-bit fixed point: `16 + 0.2568 R + 0.5041 G + 0.0979 B`.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    luma_fixed(u32::from(r), u32::from(g), u32::from(b))
}

/// [`luma`] of channels 0-255 held in words.
fn luma_fixed(r: u32, g: u32, b: u32) -> u8 {
    let y = 16829 * r + 33039 * g + 6416 * b;
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
    fn kernels_agree_with_the_per_pixel_formulas() {
        let mut seed = 1_u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) as u8
        };
        // Random colours under random, binary, all-opaque and all-transparent alpha.
        for case in 0..400 {
            let mut rows = [[[0_u8; 4]; 16]; 2];
            for px in rows.iter_mut().flatten() {
                let a = next();
                *px = [next(), next(), next(), a];
                px[3] = match case % 4 {
                    0 => a,
                    1 => {
                        if a < 128 {
                            0
                        } else {
                            255
                        }
                    }
                    2 => 255,
                    _ => 0,
                };
            }
            let (luma_row, vis, alpha) = luma16(&rows[0]);
            for (i, &[r, g, b, a]) in rows[0].iter().enumerate() {
                let expected = if a == 0 { 0 } else { luma(r, g, b) };
                assert_eq!(
                    (luma_row[i], vis[i], alpha[i]),
                    (expected, u8::from(a != 0), a),
                    "case {case} pixel {i}"
                );
            }
            let (u, v, vis) = chroma8(&rows[0], &rows[1]);
            for k in 0..8 {
                let quad = [
                    rows[0][2 * k],
                    rows[0][2 * k + 1],
                    rows[1][2 * k],
                    rows[1][2 * k + 1],
                ];
                let expected = quad_chroma(quad);
                let got = (vis[k] == 1).then_some((u[k], v[k]));
                assert_eq!(got, expected, "case {case} sample {k}");
            }
        }
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

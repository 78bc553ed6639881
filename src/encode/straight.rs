//! Premultiplied to straight alpha: what the renderer draws into what the encoders take.
//!
//! Sticker frames are mostly fully opaque or fully transparent pixels, whose straight form is a
//! copy or zeros; only edge pixels need the division. So pixels go four at a time (16 bytes),
//! and four opaque or four transparent ones are copied or skipped as one. The rounding is the
//! raster crate's `Pixmap::write_straight_rgba8`: `(c * 255 + a / 2) / a`, at most 255, and
//! zeros for a transparent pixel.

/// Writes the premultiplied RGBA8 pixels of `premultiplied` into `out` as straight RGBA8,
/// replacing its contents (the same length).
pub fn unpremultiply_into(premultiplied: &[u8], out: &mut Vec<u8>) {
    if out.len() != premultiplied.len() {
        // A fresh zeroed allocation (no fill pass); every chunk is written below anyway.
        *out = vec![0; premultiplied.len()];
    }
    let (src, src_tail) = premultiplied.as_chunks::<16>();
    let (dst, dst_tail) = out.as_chunks_mut::<16>();
    for (s, d) in src.iter().zip(dst) {
        let alphas = [s[3], s[7], s[11], s[15]];
        if alphas == [255; 4] {
            *d = *s;
        } else if alphas == [0; 4] {
            *d = [0; 16];
        } else {
            let (s, _) = s.as_chunks::<4>();
            let (d, _) = d.as_chunks_mut::<4>();
            for (p, q) in s.iter().zip(d) {
                *q = straight(*p);
            }
        }
    }
    let (s, _) = src_tail.as_chunks::<4>();
    let (d, _) = dst_tail.as_chunks_mut::<4>();
    for (p, q) in s.iter().zip(d) {
        *q = straight(*p);
    }
}

/// One pixel to straight alpha.
#[inline]
fn straight(px: [u8; 4]) -> [u8; 4] {
    match px[3] {
        0 => [0; 4],
        255 => px,
        a => {
            let a16 = u16::from(a);
            let un = |c: u8| ((u16::from(c) * 255 + a16 / 2) / a16).min(255) as u8;
            [un(px[0]), un(px[1]), un(px[2]), a]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conversion pixel by pixel, as the raster crate writes it.
    fn reference(premultiplied: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for px in premultiplied.chunks_exact(4) {
            match px[3] {
                0 => out.extend_from_slice(&[0, 0, 0, 0]),
                255 => out.extend_from_slice(px),
                a => {
                    let un = |c: u8| {
                        let v = (u32::from(c) * 255 + u32::from(a) / 2) / u32::from(a);
                        v.min(255) as u8
                    };
                    out.extend_from_slice(&[un(px[0]), un(px[1]), un(px[2]), a]);
                }
            }
        }
        out
    }

    #[test]
    fn matches_the_pixel_by_pixel_conversion() {
        // Every alpha with a spread of colours, in runs that mix, fill and straddle the
        // four-pixel chunks, plus a tail of fewer than four pixels.
        let mut data = Vec::new();
        for a in 0..=255_u8 {
            for c in [0_u8, 1, 37, 128, 200, 254, 255] {
                data.extend_from_slice(&[c.min(a), (c / 2).min(a), c, a]);
            }
        }
        for _ in 0..9 {
            data.extend_from_slice(&[10, 20, 30, 255]);
        }
        data.extend_from_slice(&[0; 4 * 8]);
        data.extend_from_slice(&[9, 9, 9, 9, 50, 60, 70, 255, 1, 2, 3, 0, 4, 5, 6, 7]);
        assert_ne!((data.len() / 4) % 4, 0, "a tail");
        let mut out = vec![7; 3];
        unpremultiply_into(&data, &mut out);
        assert_eq!(out, reference(&data));
        // Reused: transparent pixels come out zero whatever the buffer held.
        let opaque = vec![255_u8; data.len()];
        unpremultiply_into(&opaque, &mut out);
        unpremultiply_into(&data, &mut out);
        assert_eq!(out, reference(&data));
    }
}

//! The output buffer and conversion to straight (un-premultiplied) RGBA8.

pub use vello_cpu::Pixmap;

/// Writes the pixels of `pixmap` into `out` as straight RGBA8, row-major, replacing its contents.
///
/// Encoders (PNG, WebP) want straight alpha; vello_cpu produces premultiplied alpha. Colour channels
/// are rounded to nearest, so a fully opaque pixel round-trips exactly.
pub fn unpremultiply_into(pixmap: &Pixmap, out: &mut Vec<u8>) {
    out.clear();
    out.reserve(pixmap.data().len() * 4);
    for px in pixmap.data() {
        match px.a {
            0 => out.extend_from_slice(&[0, 0, 0, 0]),
            255 => out.extend_from_slice(&[px.r, px.g, px.b, 255]),
            a => {
                let a16 = u16::from(a);
                let un = |c: u8| {
                    let v = (u16::from(c) * 255 + a16 / 2) / a16;
                    v.min(255) as u8
                };
                out.extend_from_slice(&[un(px.r), un(px.g), un(px.b), a]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vello_cpu::color::PremulRgba8;

    #[test]
    fn unpremultiply_half_alpha() {
        let mut pixmap = Pixmap::new(2, 1);
        pixmap.data_mut()[0] = PremulRgba8 {
            r: 128,
            g: 64,
            b: 0,
            a: 128,
        };
        let mut out = Vec::new();
        unpremultiply_into(&pixmap, &mut out);
        assert_eq!(out, vec![255, 128, 0, 128, 0, 0, 0, 0]);
    }
}

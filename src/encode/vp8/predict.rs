//! Intra prediction (RFC 6386 section 12): the four whole-block modes for 16x16 luma and 8x8
//! chroma, and the ten 4x4 sub-block modes.
//!
//! Predictions read a workspace laid out as the decoder's: row 0 holds the top-left pixel then
//! the row above (for luma, 16 pixels plus 4 above-right ones), and each following row starts with
//! the pixel to the left. Edges outside the frame are 127 above and 129 to the left.

/// Luma workspace stride: the left column, 16 pixels and 4 above-right pixels.
pub(super) const Y_STRIDE: usize = 21;
/// Luma workspace size: the row above plus 16 rows.
pub(super) const Y_WS: usize = Y_STRIDE * 17;
/// Chroma workspace stride: the left column and 8 pixels.
pub(super) const C_STRIDE: usize = 9;
/// Chroma workspace size: the row above plus 8 rows.
pub(super) const C_WS: usize = C_STRIDE * 9;

/// A whole-block prediction mode (luma 16x16 or chroma 8x8), numbered as in the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlockMode {
    /// Mean of the edges.
    Dc = 0,
    /// Copies the row above.
    V = 1,
    /// Copies the left column.
    H = 2,
    /// `left + above - top_left` (`TrueMotion`).
    Tm = 3,
}

impl BlockMode {
    /// All four modes.
    pub(super) const ALL: [Self; 4] = [Self::Dc, Self::V, Self::H, Self::Tm];
}

/// A 4x4 sub-block mode, numbered as in the spec (`B_DC_PRED` = 0 ... `B_HU_PRED` = 9).
pub(super) type SubMode = u8;
/// `B_DC_PRED`.
pub(super) const B_DC: SubMode = 0;
/// `B_TM_PRED`.
pub(super) const B_TM: SubMode = 1;
/// `B_VE_PRED`.
pub(super) const B_VE: SubMode = 2;
/// `B_HE_PRED`.
pub(super) const B_HE: SubMode = 3;

impl BlockMode {
    /// The sub-block mode a non-`B_PRED` macroblock implies for its neighbours' mode contexts.
    pub(super) fn implied_sub_mode(self) -> SubMode {
        match self {
            Self::Dc => B_DC,
            Self::V => B_VE,
            Self::H => B_HE,
            Self::Tm => B_TM,
        }
    }
}

/// Predicts a `size`x`size` block (16 or 8) from workspace `ws` with row stride `stride` into
/// `out` (row-major, `size` wide). `has_top` / `has_left` say whether the edges are in the
/// frame, which only DC prediction looks at.
pub(super) fn predict_block(
    ws: &[u8],
    stride: usize,
    size: usize,
    mode: BlockMode,
    has_top: bool,
    has_left: bool,
    out: &mut [u8],
) {
    let top = &ws[1..=size];
    let left = |r: usize| ws[(r + 1) * stride];
    match mode {
        BlockMode::Dc => {
            let shift = size.trailing_zeros();
            let sum_top: u32 = top.iter().map(|&v| u32::from(v)).sum();
            let sum_left: u32 = (0..size).map(|r| u32::from(left(r))).sum();
            let dc = match (has_top, has_left) {
                (true, true) => (sum_top + sum_left + size as u32) >> (shift + 1),
                (true, false) => (sum_top + (size as u32 >> 1)) >> shift,
                (false, true) => (sum_left + (size as u32 >> 1)) >> shift,
                (false, false) => 128,
            };
            out[..size * size].fill(dc as u8);
        }
        BlockMode::V => {
            for row in out[..size * size].chunks_exact_mut(size) {
                row.copy_from_slice(top);
            }
        }
        BlockMode::H => {
            for (r, row) in out[..size * size].chunks_exact_mut(size).enumerate() {
                row.fill(left(r));
            }
        }
        BlockMode::Tm => {
            let corner = i32::from(ws[0]);
            for (r, row) in out[..size * size].chunks_exact_mut(size).enumerate() {
                let l = i32::from(left(r)) - corner;
                for (px, &t) in row.iter_mut().zip(top) {
                    *px = (l + i32::from(t)).clamp(0, 255) as u8;
                }
            }
        }
    }
}

fn avg2(a: u8, b: u8) -> u8 {
    ((u16::from(a) + u16::from(b) + 1) >> 1) as u8
}

fn avg3(a: u8, b: u8, c: u8) -> u8 {
    ((u16::from(a) + 2 * u16::from(b) + u16::from(c) + 2) >> 2) as u8
}

/// Predicts the 4x4 sub-block whose first pixel is at `ws[pos]` (luma workspace) with sub-block
/// mode `mode` into `out` (row-major, 4 wide).
pub(super) fn predict_sub(ws: &[u8], pos: usize, mode: SubMode, out: &mut [u8; 16]) {
    let s = Y_STRIDE;
    let above: [u8; 8] = std::array::from_fn(|i| ws[pos - s + i]);
    let left: [u8; 4] = std::array::from_fn(|r| ws[pos + r * s - 1]);
    let p = ws[pos - s - 1];
    // The edge in one line, from the bottom-left pixel up to the top-left, then rightwards.
    let e = [
        left[3], left[2], left[1], left[0], p, above[0], above[1], above[2], above[3], above[4],
        above[5], above[6], above[7],
    ];
    let mut set = |r: usize, c: usize, v: u8| out[r * 4 + c] = v;
    match mode {
        0 => {
            let sum: u32 = above[..4].iter().chain(&left).map(|&v| u32::from(v)).sum();
            out.fill(((sum + 4) >> 3) as u8);
        }
        1 => {
            for (r, &l) in left.iter().enumerate() {
                for (c, &a) in above[..4].iter().enumerate() {
                    let v = i32::from(l) + i32::from(a) - i32::from(p);
                    set(r, c, v.clamp(0, 255) as u8);
                }
            }
        }
        2 => {
            for c in 0..4 {
                let v = avg3(e[4 + c], e[5 + c], e[6 + c]);
                for r in 0..4 {
                    set(r, c, v);
                }
            }
        }
        3 => {
            let rows = [
                avg3(p, left[0], left[1]),
                avg3(left[0], left[1], left[2]),
                avg3(left[1], left[2], left[3]),
                avg3(left[2], left[3], left[3]),
            ];
            for (r, v) in rows.into_iter().enumerate() {
                for c in 0..4 {
                    set(r, c, v);
                }
            }
        }
        4 => {
            // Down-left, from the row above and above-right.
            for r in 0..4 {
                for c in 0..4 {
                    let i = r + c;
                    let v = if i == 6 {
                        avg3(above[6], above[7], above[7])
                    } else {
                        avg3(above[i], above[i + 1], above[i + 2])
                    };
                    set(r, c, v);
                }
            }
        }
        5 => {
            // Down-right, along the edge.
            for r in 0..4 {
                for c in 0..4 {
                    let i = 3 + c - r;
                    set(r, c, avg3(e[i], e[i + 1], e[i + 2]));
                }
            }
        }
        6 => {
            // Vertical-right.
            set(3, 0, avg3(e[1], e[2], e[3]));
            set(2, 0, avg3(e[2], e[3], e[4]));
            let v = avg3(e[3], e[4], e[5]);
            set(3, 1, v);
            set(1, 0, v);
            let v = avg2(e[4], e[5]);
            set(2, 1, v);
            set(0, 0, v);
            let v = avg3(e[4], e[5], e[6]);
            set(3, 2, v);
            set(1, 1, v);
            let v = avg2(e[5], e[6]);
            set(2, 2, v);
            set(0, 1, v);
            let v = avg3(e[5], e[6], e[7]);
            set(3, 3, v);
            set(1, 2, v);
            let v = avg2(e[6], e[7]);
            set(2, 3, v);
            set(0, 2, v);
            set(1, 3, avg3(e[6], e[7], e[8]));
            set(0, 3, avg2(e[7], e[8]));
        }
        7 => {
            // Vertical-left.
            let a = above;
            set(0, 0, avg2(a[0], a[1]));
            set(1, 0, avg3(a[0], a[1], a[2]));
            let v = avg2(a[1], a[2]);
            set(2, 0, v);
            set(0, 1, v);
            let v = avg3(a[1], a[2], a[3]);
            set(1, 1, v);
            set(3, 0, v);
            let v = avg2(a[2], a[3]);
            set(2, 1, v);
            set(0, 2, v);
            let v = avg3(a[2], a[3], a[4]);
            set(3, 1, v);
            set(1, 2, v);
            let v = avg2(a[3], a[4]);
            set(2, 2, v);
            set(0, 3, v);
            let v = avg3(a[3], a[4], a[5]);
            set(3, 2, v);
            set(1, 3, v);
            set(2, 3, avg3(a[4], a[5], a[6]));
            set(3, 3, avg3(a[5], a[6], a[7]));
        }
        8 => {
            // Horizontal-down.
            set(3, 0, avg2(e[0], e[1]));
            set(3, 1, avg3(e[0], e[1], e[2]));
            let v = avg2(e[1], e[2]);
            set(2, 0, v);
            set(3, 2, v);
            let v = avg3(e[1], e[2], e[3]);
            set(2, 1, v);
            set(3, 3, v);
            let v = avg2(e[2], e[3]);
            set(2, 2, v);
            set(1, 0, v);
            let v = avg3(e[2], e[3], e[4]);
            set(2, 3, v);
            set(1, 1, v);
            let v = avg2(e[3], e[4]);
            set(1, 2, v);
            set(0, 0, v);
            let v = avg3(e[3], e[4], e[5]);
            set(1, 3, v);
            set(0, 1, v);
            set(0, 2, avg3(e[4], e[5], e[6]));
            set(0, 3, avg3(e[5], e[6], e[7]));
        }
        _ => {
            // Horizontal-up, from the left column only.
            let l = left;
            set(0, 0, avg2(l[0], l[1]));
            set(0, 1, avg3(l[0], l[1], l[2]));
            let v = avg2(l[1], l[2]);
            set(0, 2, v);
            set(1, 0, v);
            let v = avg3(l[1], l[2], l[3]);
            set(0, 3, v);
            set(1, 1, v);
            let v = avg2(l[2], l[3]);
            set(1, 2, v);
            set(2, 0, v);
            let v = avg3(l[2], l[3], l[3]);
            set(1, 3, v);
            set(2, 1, v);
            for (r, c) in [(2, 2), (2, 3), (3, 0), (3, 1), (3, 2), (3, 3)] {
                set(r, c, l[3]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A luma workspace with a known top-left (10), row above (`20 + i`) and left column
    /// (`100 + r`).
    fn workspace() -> [u8; Y_WS] {
        let mut ws = [0; Y_WS];
        ws[0] = 10;
        for i in 0..20 {
            ws[1 + i] = 20 + i as u8;
        }
        for r in 0..16 {
            ws[(r + 1) * Y_STRIDE] = 100 + r as u8;
        }
        ws
    }

    #[test]
    fn block_prediction_modes() {
        let ws = workspace();
        let mut out = [0; 256];
        predict_block(&ws, Y_STRIDE, 16, BlockMode::V, true, true, &mut out);
        assert_eq!(&out[16 * 5..16 * 6], &ws[1..17], "V copies the row above");
        predict_block(&ws, Y_STRIDE, 16, BlockMode::H, true, true, &mut out);
        assert!(
            out[16 * 7..16 * 8].iter().all(|&v| v == 107),
            "H copies the left"
        );
        predict_block(&ws, Y_STRIDE, 16, BlockMode::Tm, true, true, &mut out);
        assert_eq!(
            out[16 * 2 + 3],
            102 + 23 - 10,
            "TM is left + above - corner"
        );
        predict_block(&ws, Y_STRIDE, 16, BlockMode::Dc, true, true, &mut out);
        let expected = ((20..36).sum::<u32>() + (100..116).sum::<u32>() + 16) >> 5;
        assert!(out.iter().all(|&v| u32::from(v) == expected), "DC mean");
        predict_block(&ws, Y_STRIDE, 16, BlockMode::Dc, false, false, &mut out);
        assert!(out.iter().all(|&v| v == 128), "DC without edges is 128");
        predict_block(&ws, Y_STRIDE, 16, BlockMode::Dc, false, true, &mut out);
        assert!(out.iter().all(|&v| v == 108), "DC from the left only");
    }

    #[test]
    fn sub_block_modes_use_the_right_edges() {
        let ws = workspace();
        let pos = Y_STRIDE + 1;
        let mut out = [0; 16];
        predict_sub(&ws, pos, B_DC, &mut out);
        assert!(
            out.iter()
                .all(|&v| v == ((20 + 21 + 22 + 23 + 100 + 101 + 102 + 103 + 4) >> 3) as u8),
            "B_DC"
        );
        predict_sub(&ws, pos, B_VE, &mut out);
        assert_eq!(
            out[..4],
            [
                avg3(10, 20, 21),
                avg3(20, 21, 22),
                avg3(21, 22, 23),
                avg3(22, 23, 24)
            ],
            "B_VE smooths the row above"
        );
        predict_sub(&ws, pos, 4, &mut out);
        assert_eq!(
            out[15],
            avg3(26, 27, 27),
            "B_LD bottom-right uses above-right"
        );
        predict_sub(&ws, pos, 9, &mut out);
        assert_eq!(out[15], 103, "B_HU bottom-right is the last left pixel");
        predict_sub(&ws, pos, 5, &mut out);
        assert_eq!(
            out[0],
            avg3(100, 10, 20),
            "B_RD top-left smooths around the corner"
        );
    }
}

//! The 4x4 transforms: forward DCT and Walsh-Hadamard transform (ours) and their exact inverses
//! (RFC 6386 section 14.3), which the encoder runs to reconstruct what the decoder will see.

/// `sqrt(2) * cos(pi / 8)` in 12-bit fixed point.
const C1_12: i32 = 5352;
/// `sqrt(2) * sin(pi / 8)` in 12-bit fixed point.
const S1_12: i32 = 2217;

/// Forward 4x4 DCT of `input` (a residual, row-major), scaled so that the spec's inverse
/// ([`idct_add`]) returns it: the DC coefficient is 8 times the mean.
///
/// The basis is the one the inverse implies, `sqrt(2) * cos((2n + 1) k pi / 8)` for the odd rows;
/// rows first with 3 extra bits of precision, removed with rounding in the column pass.
pub(super) fn fdct(input: &[i16; 16], out: &mut [i16; 16]) {
    // Half the blocks of flat artwork predict exactly.
    if *input == [0; 16] {
        *out = [0; 16];
        return;
    }
    let mut tmp = [0_i32; 16];
    for i in 0..4 {
        let r = &input[i * 4..i * 4 + 4];
        let (x0, x1, x2, x3) = (
            i32::from(r[0]),
            i32::from(r[1]),
            i32::from(r[2]),
            i32::from(r[3]),
        );
        let a = (x0 + x3) * 8;
        let b = (x1 + x2) * 8;
        let c = (x1 - x2) * 8;
        let d = (x0 - x3) * 8;
        tmp[i * 4] = a + b;
        tmp[i * 4 + 2] = a - b;
        tmp[i * 4 + 1] = (c * S1_12 + d * C1_12 + (1 << 11)) >> 12;
        tmp[i * 4 + 3] = (d * S1_12 - c * C1_12 + (1 << 11)) >> 12;
    }
    for i in 0..4 {
        let a = tmp[i] + tmp[12 + i];
        let b = tmp[4 + i] + tmp[8 + i];
        let c = tmp[4 + i] - tmp[8 + i];
        let d = tmp[i] - tmp[12 + i];
        out[i] = ((a + b + 7) >> 4) as i16;
        out[8 + i] = ((a - b + 7) >> 4) as i16;
        out[4 + i] = ((c * S1_12 + d * C1_12 + (1 << 15)) >> 16) as i16;
        out[12 + i] = ((d * S1_12 - c * C1_12 + (1 << 15)) >> 16) as i16;
    }
}

/// `sqrt(2) * cos(pi / 8) - 1` in 16-bit fixed point, as in the spec's inverse DCT.
const COS_MINUS_1: i32 = 20091;
/// `sqrt(2) * sin(pi / 8)` in 16-bit fixed point, as in the spec's inverse DCT.
const SIN: i32 = 35468;

/// The spec's inverse DCT of `coeffs`, added to the 4x4 prediction at `dst[0]` (rows `stride`
/// apart) with clamping to 0-255, exactly as a decoder does it.
pub(super) fn idct_add(coeffs: &[i16; 16], dst: &mut [u8], stride: usize) {
    // Most coded blocks of flat artwork carry a DC alone (the luma DCs come from the Y2
    // block), and then the inverse is exactly a constant `(dc + 4) >> 3` on every pixel.
    if coeffs[1..] == [0; 15] {
        let dc = (i32::from(coeffs[0]) + 4) >> 3;
        for row in dst.chunks_mut(stride).take(4) {
            for px in &mut row[..4] {
                *px = (i32::from(*px) + dc).clamp(0, 255) as u8;
            }
        }
        return;
    }
    idct_add_full(coeffs, dst, stride);
}

/// [`idct_add`] without the DC-only shortcut: the spec's two passes.
fn idct_add_full(coeffs: &[i16; 16], dst: &mut [u8], stride: usize) {
    let mut tmp = [0_i32; 16];
    for i in 0..4 {
        let x0 = i32::from(coeffs[i]);
        let x1 = i32::from(coeffs[4 + i]);
        let x2 = i32::from(coeffs[8 + i]);
        let x3 = i32::from(coeffs[12 + i]);
        let a = x0 + x2;
        let b = x0 - x2;
        let c = ((x1 * SIN) >> 16) - (x3 + ((x3 * COS_MINUS_1) >> 16));
        let d = (x1 + ((x1 * COS_MINUS_1) >> 16)) + ((x3 * SIN) >> 16);
        tmp[i] = a + d;
        tmp[4 + i] = b + c;
        tmp[8 + i] = b - c;
        tmp[12 + i] = a - d;
    }
    for i in 0..4 {
        let x0 = tmp[i * 4];
        let x1 = tmp[i * 4 + 1];
        let x2 = tmp[i * 4 + 2];
        let x3 = tmp[i * 4 + 3];
        let a = x0 + x2;
        let b = x0 - x2;
        let c = ((x1 * SIN) >> 16) - (x3 + ((x3 * COS_MINUS_1) >> 16));
        let d = (x1 + ((x1 * COS_MINUS_1) >> 16)) + ((x3 * SIN) >> 16);
        let row = &mut dst[i * stride..i * stride + 4];
        for (px, v) in row.iter_mut().zip([a + d, b + c, b - c, a - d]) {
            *px = (i32::from(*px) + ((v + 4) >> 3)).clamp(0, 255) as u8;
        }
    }
}

/// The 4-point Walsh-Hadamard butterfly the spec's inverse uses; it is its own transpose.
fn wht4(x0: i32, x1: i32, x2: i32, x3: i32) -> [i32; 4] {
    let a = x0 + x3;
    let b = x1 + x2;
    let c = x1 - x2;
    let d = x0 - x3;
    [a + b, c + d, a - b, d - c]
}

/// Forward WHT of the 16 luma DC coefficients (`input[i]` is the DC of sub-block `i`).
///
/// The spec's inverse is `H C H / 8` with `H H = 4 I`, so the forward is `H X H / 2`, rounded
/// half away from zero.
pub(super) fn fwht(input: &[i16; 16], out: &mut [i16; 16]) {
    let mut tmp = [0_i32; 16];
    for i in 0..4 {
        let col = wht4(
            i32::from(input[i]),
            i32::from(input[4 + i]),
            i32::from(input[8 + i]),
            i32::from(input[12 + i]),
        );
        for (k, v) in col.into_iter().enumerate() {
            tmp[k * 4 + i] = v;
        }
    }
    for k in 0..4 {
        let row = wht4(tmp[k * 4], tmp[k * 4 + 1], tmp[k * 4 + 2], tmp[k * 4 + 3]);
        for (j, v) in row.into_iter().enumerate() {
            let half = if v < 0 {
                -((-v + 1) >> 1)
            } else {
                (v + 1) >> 1
            };
            out[k * 4 + j] = half as i16;
        }
    }
}

/// The spec's inverse WHT: returns the 16 luma DC coefficients from the Y2 block.
pub(super) fn iwht(input: &[i16; 16]) -> [i16; 16] {
    let mut tmp = [0_i32; 16];
    for i in 0..4 {
        let col = wht4(
            i32::from(input[i]),
            i32::from(input[4 + i]),
            i32::from(input[8 + i]),
            i32::from(input[12 + i]),
        );
        for (k, v) in col.into_iter().enumerate() {
            tmp[k * 4 + i] = v;
        }
    }
    let mut out = [0_i16; 16];
    for k in 0..4 {
        let row = wht4(tmp[k * 4], tmp[k * 4 + 1], tmp[k * 4 + 2], tmp[k * 4 + 3]);
        for (j, v) in row.into_iter().enumerate() {
            out[k * 4 + j] = ((v + 3) >> 3) as i16;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(seed: i32, amp: i32) -> [i16; 16] {
        std::array::from_fn(|i| {
            let i = i as i32;
            ((i * 37 + seed * 11) % (2 * amp + 1) - amp) as i16
        })
    }

    #[test]
    fn dct_round_trip_is_within_one() {
        for seed in 0..50 {
            let residual = pattern(seed, 255);
            let mut coeffs = [0; 16];
            fdct(&residual, &mut coeffs);
            // Reconstruct on a mid-grey prediction so that clamping does not hide errors.
            let mut pixels = [128_u8; 16];
            let shifted: [i16; 16] = residual.map(|r| r / 2);
            fdct(&shifted, &mut coeffs);
            idct_add(&coeffs, &mut pixels, 4);
            for i in 0..16 {
                let back = i32::from(pixels[i]) - 128;
                assert!(
                    (back - i32::from(shifted[i])).abs() <= 1,
                    "seed {seed} pixel {i}: {back} vs {}",
                    shifted[i]
                );
            }
        }
    }

    #[test]
    fn dc_only_shortcut_is_the_full_inverse() {
        for dc in (-2048_i16..=2047).step_by(7) {
            let mut coeffs = [0; 16];
            coeffs[0] = dc;
            for base in [0_u8, 17, 128, 250] {
                let (mut fast, mut full) = ([base; 16], [base; 16]);
                idct_add(&coeffs, &mut fast, 4);
                idct_add_full(&coeffs, &mut full, 4);
                assert_eq!(fast, full, "dc {dc} on {base}");
            }
        }
    }

    #[test]
    fn dct_of_flat_block_is_dc_only() {
        let mut coeffs = [0; 16];
        fdct(&[10; 16], &mut coeffs);
        assert_eq!(coeffs[0], 80, "DC is 8 times the mean");
        assert!(coeffs[1..].iter().all(|&c| c == 0), "{coeffs:?}");
    }

    #[test]
    fn wht_round_trip_is_exact_for_even_inputs() {
        for seed in 0..50 {
            let dcs = pattern(seed, 2000).map(|v| v * 2);
            let mut y2 = [0; 16];
            fwht(&dcs, &mut y2);
            let back = iwht(&y2);
            for i in 0..16 {
                assert!(
                    (back[i] - dcs[i]).abs() <= 1,
                    "seed {seed} dc {i}: {} vs {}",
                    back[i],
                    dcs[i]
                );
            }
        }
    }
}

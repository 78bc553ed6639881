//! Quantisation: `quality` to the frame's quantiser index, and the per-block-type matrices.

use super::tables::{AC_QUANT, DC_QUANT, ZIGZAG};

/// Fixed-point precision of the reciprocal steps.
const QFIX: u32 = 17;

/// Largest level a token can carry (`DCT_CAT6` has 11 extra bits above 67).
pub(super) const MAX_LEVEL: i32 = 2047;

/// Maps `quality` (0-100) to the frame's quantiser index (0-127, lower is finer) the way libwebp
/// does, so that the same setting means about the same thing: quality is made linear in
/// compression (steeper above 75), then a cube root spreads it over the index range.
///
/// The index is kept within 2..=117: outside it, decoders disagree on the clamping of the Y2 AC
/// and chroma DC steps (RFC 6386 clamps them, some decoders do not).
pub(super) fn quality_to_index(quality: u8) -> u8 {
    let c = f64::from(quality.min(100)) / 100.0;
    let linear = if c < 0.75 {
        c * (2.0 / 3.0)
    } else {
        2.0 * c - 1.0
    };
    let compression = linear.cbrt();
    let index = (127.0 * (1.0 - compression)) as i32;
    index.clamp(2, 117) as u8
}

/// Steps and rounding of one block type (Y, Y2 or chroma), DC then AC.
#[derive(Clone, Copy, Debug)]
pub(super) struct Matrix {
    /// Quantiser step, DC then AC.
    pub(super) step: [u32; 2],
    /// `2^QFIX / step`.
    recip: [u32; 2],
    /// Rounding added before the shift, in `2^QFIX` units of a step.
    bias: [u32; 2],
    /// Smallest magnitude that quantises to a non-zero level, DC then AC.
    zero_below: [u32; 2],
}

impl Matrix {
    fn new(dc: i32, ac: i32, bias_dc: u32, bias_ac: u32) -> Self {
        let step = [dc as u32, ac as u32];
        let recip = step.map(|s| (1 << QFIX) / s);
        let bias = [bias_dc << (QFIX - 8), bias_ac << (QFIX - 8)];
        let zero_below = [0, 1].map(|k| ((1 << QFIX) - bias[k]).div_ceil(recip[k]));
        Self {
            step,
            recip,
            bias,
            zero_below,
        }
    }

    /// Quantises `coeffs` (raster order) from position `first` of the scan on. Writes the
    /// levels in scan order to `levels` (positions before `first` are zero) and the dequantised
    /// coefficients in raster order to `dequant`. Returns one past the last non-zero position,
    /// or 0 when all are zero.
    pub(super) fn quantise(
        &self,
        coeffs: &[i16; 16],
        first: usize,
        levels: &mut [i16; 16],
        dequant: &mut [i16; 16],
    ) -> usize {
        let mut end = 0;
        *levels = [0; 16];
        *dequant = [0; 16];
        // Most blocks of flat artwork quantise to nothing: one pass over the magnitudes
        // settles that.
        let dc_small = first > 0 || u32::from(coeffs[0].unsigned_abs()) < self.zero_below[0];
        if dc_small
            && coeffs[1..]
                .iter()
                .all(|c| u32::from(c.unsigned_abs()) < self.zero_below[1])
        {
            return 0;
        }
        for (n, &pos) in ZIGZAG.iter().enumerate().skip(first) {
            let k = usize::from(n > 0);
            let c = i32::from(coeffs[pos]);
            let level = ((c.unsigned_abs() * self.recip[k] + self.bias[k]) >> QFIX) as i32;
            if level != 0 {
                let level = level.min(MAX_LEVEL);
                let signed = if c < 0 { -level } else { level };
                levels[n] = signed as i16;
                dequant[pos] = (signed * self.step[k] as i32) as i16;
                end = n + 1;
            }
        }
        end
    }
}

/// The three matrices of a frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Quantiser {
    /// The frame's quantiser index (`y_ac_qi`).
    pub(super) index: u8,
    /// Luma blocks (their DC is only used in `B_PRED` macroblocks).
    pub(super) y1: Matrix,
    /// The second-order block of the luma DCs.
    pub(super) y2: Matrix,
    /// Chroma blocks.
    pub(super) uv: Matrix,
}

impl Quantiser {
    /// The matrices the decoder derives from `index` with no deltas (RFC 6386 section 9.6,
    /// 14.1).
    pub(super) fn new(index: u8) -> Self {
        let i = usize::from(index.min(127));
        let dc = i32::from(DC_QUANT[i]);
        let ac = i32::from(AC_QUANT[i]);
        Self {
            index,
            y1: Matrix::new(dc, ac, 96, 110),
            y2: Matrix::new(dc * 2, (ac * 155 / 100).max(8), 96, 108),
            uv: Matrix::new(dc.min(132), ac, 110, 115),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_maps_like_libwebp() {
        assert_eq!(quality_to_index(75), 26, "q75 is index 26");
        assert!(
            quality_to_index(90) < quality_to_index(50),
            "higher quality, finer steps"
        );
        assert_eq!(quality_to_index(100), 2, "the finest index used");
        assert_eq!(quality_to_index(0), 117, "the coarsest index used");
    }

    #[test]
    fn zero_threshold_matches_rounding() {
        let m = Quantiser::new(40).y1;
        let (mut levels, mut dequant) = ([0; 16], [0; 16]);
        let t = m.zero_below[1] as i16;
        let mut coeffs = [0_i16; 16];
        coeffs[5] = t - 1;
        assert_eq!(
            m.quantise(&coeffs, 0, &mut levels, &mut dequant),
            0,
            "below"
        );
        coeffs[5] = -t;
        assert!(
            m.quantise(&coeffs, 0, &mut levels, &mut dequant) > 0,
            "at the threshold"
        );
    }

    #[test]
    fn quantise_rounds_and_reports_the_end() {
        let q = Quantiser::new(26).y1;
        let mut coeffs = [0_i16; 16];
        coeffs[0] = 500;
        coeffs[4] = -(q.step[1] as i16) * 3;
        let (mut levels, mut dequant) = ([0; 16], [0; 16]);
        let end = q.quantise(&coeffs, 0, &mut levels, &mut dequant);
        assert_eq!(end, 3, "raster 4 is scan position 2");
        assert_eq!(levels[2], -3, "exact multiple");
        assert_eq!(
            dequant[4],
            -(q.step[1] as i16) * 3,
            "dequantised in raster order"
        );
        let end = q.quantise(&coeffs, 1, &mut levels, &mut dequant);
        assert_eq!(
            (end, levels[0], dequant[0]),
            (3, 0, 0),
            "DC skipped from first = 1"
        );
    }
}

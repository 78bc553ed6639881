//! Luma mode decision: the best 16x16 mode with its Y2 and AC blocks, and the 4x4 (`B_PRED`)
//! trial with a mode per sub-block.

use super::{Analysis, Levels, block4, residual, sse};
use crate::encode::vp8::dct::{fdct, fwht, idct_add, iwht};
use crate::encode::vp8::modes::{Y_MODE_PROBS, sub_mode_cost, y_mode_cost};
use crate::encode::vp8::predict::{
    B_DC, BlockMode, SubMode, Y_STRIDE, Y_WS, predict_block, predict_sub,
};
use crate::encode::vp8::tokens::{TYPE_Y_WITH_DC, TokenCost, bit_cost, put_block, put_luma_tokens};

/// The first pass over one macroblock's luma with 16x16 prediction.
pub(super) struct LumaTrial {
    pub(super) mode: BlockMode,
    /// Y2 then 16 Y blocks.
    pub(super) blocks: [Levels; 17],
    pub(super) recon: [u8; 256],
    pub(super) distortion: u32,
    /// Token and mode cost, 1/256 bit.
    pub(super) rate: u32,
}

/// The first pass over one macroblock's luma with 4x4 prediction.
pub(super) struct SubTrial {
    pub(super) modes: [SubMode; 16],
    /// Y2 (unused) then 16 Y blocks.
    pub(super) blocks: [Levels; 17],
    pub(super) recon: [u8; 256],
}

impl Analysis<'_> {
    pub(super) fn luma_16(
        &self,
        ws: &[u8; Y_WS],
        src: &[u8; 256],
        vis: &[u8; 256],
        mx: usize,
        my: usize,
        visible: bool,
    ) -> LumaTrial {
        let mut pred = [0_u8; 256];
        let mut mode = BlockMode::Dc;
        let mut pred_err = 0;
        if visible {
            let mut best = u64::MAX;
            let mut candidate = [0_u8; 256];
            for m in BlockMode::ALL {
                predict_block(ws, Y_STRIDE, 16, m, my > 0, mx > 0, &mut candidate);
                let err = sse(src, &candidate, vis);
                let score =
                    u64::from(err) * 256 + u64::from(self.lambda) * u64::from(y_mode_cost(m));
                if score < best {
                    best = score;
                    mode = m;
                    pred = candidate;
                    pred_err = err;
                }
                if err == 0 {
                    // Exact: no other mode can do better by more than its mode bits.
                    break;
                }
            }
        } else {
            predict_block(ws, Y_STRIDE, 16, mode, my > 0, mx > 0, &mut pred);
        }
        let mut blocks = [Levels::default(); 17];
        let mut recon = pred;
        let rate = y_mode_cost(mode);
        // Nothing visible, or an exact prediction (a third of the visible macroblocks of
        // flat artwork): no residual, so no levels, and the prediction is the reconstruction.
        if !visible || pred_err == 0 {
            return LumaTrial {
                mode,
                blocks,
                recon,
                distortion: 0,
                rate,
            };
        }
        let mut coeffs = [[0_i16; 16]; 16];
        let mut dcs = [0_i16; 16];
        for b in 0..16 {
            let (x, y) = ((b % 4) * 4, (b / 4) * 4);
            let res = residual(
                &block4(src, 16, x, y),
                &block4(&pred, 16, x, y),
                &block4(vis, 16, x, y),
            );
            fdct(&res, &mut coeffs[b]);
            dcs[b] = coeffs[b][0];
        }
        let mut y2 = [0_i16; 16];
        fwht(&dcs, &mut y2);
        let mut y2_deq = [0_i16; 16];
        let b0 = &mut blocks[0];
        b0.end = self.quant.y2.quantise(&y2, 0, &mut b0.levels, &mut y2_deq);
        let dc_rec = iwht(&y2_deq);
        for b in 0..16 {
            let mut deq = [0_i16; 16];
            let bl = &mut blocks[1 + b];
            bl.end = self
                .quant
                .y1
                .quantise(&coeffs[b], 1, &mut bl.levels, &mut deq);
            deq[0] = dc_rec[b];
            if deq.iter().any(|&c| c != 0) {
                idct_add(&deq, &mut recon[(b / 4) * 64 + (b % 4) * 4..], 16);
            }
        }
        let distortion = sse(src, &recon, vis);
        LumaTrial {
            mode,
            blocks,
            recon,
            distortion,
            rate,
        }
    }

    /// Token cost of 16x16-predicted luma (Y2 and the 16 AC blocks) in the current contexts.
    pub(super) fn luma_16_token_cost(&self, mx: usize, blocks: &[Levels; 17]) -> u32 {
        let mut cost = TokenCost::default();
        let (mut top, mut left) = (self.nz.top[mx], self.nz.left);
        put_luma_tokens(&mut cost, &mut top, &mut left, true, blocks);
        cost.0
    }

    /// Tries 4x4 prediction, each sub-block's mode chosen by prediction error and mode cost.
    /// Returns `None` as soon as the cost reaches `budget` (the 16x16 cost): costs only grow
    /// from one sub-block to the next, so that is exactly when 4x4 would not be chosen.
    pub(super) fn luma_4(
        &self,
        ws: &[u8; Y_WS],
        src: &[u8; 256],
        vis: &[u8; 256],
        mx: usize,
        budget: u64,
    ) -> Option<SubTrial> {
        let mut ws = *ws;
        let mut modes = [B_DC; 16];
        let mut blocks = [Levels::default(); 17];
        let mut top_nz = [
            self.nz.top[mx][0],
            self.nz.top[mx][1],
            self.nz.top[mx][2],
            self.nz.top[mx][3],
        ];
        let mut left_nz = [
            self.nz.left[0],
            self.nz.left[1],
            self.nz.left[2],
            self.nz.left[3],
        ];
        let lambda = u64::from(self.lambda);
        // The B_PRED flag itself.
        let mut rate = u64::from(bit_cost(Y_MODE_PROBS[0], false));
        let mut distortion = 0_u64;
        for b in 0..16 {
            let (bx, by) = (b % 4, b / 4);
            let pos = (1 + by * 4) * Y_STRIDE + 1 + bx * 4;
            let above = if by == 0 {
                self.top_modes[mx][bx]
            } else {
                modes[b - 4]
            };
            let left = if bx == 0 {
                self.left_modes[by]
            } else {
                modes[b - 1]
            };
            let sub_src = block4(src, 16, bx * 4, by * 4);
            let sub_vis = block4(vis, 16, bx * 4, by * 4);
            let mut best = (u64::MAX, 0, [0_u8; 16], u32::MAX);
            let mut pred = [0_u8; 16];
            for mode in 0..10 {
                // The four simple modes first; the six diagonal ones only when those leave
                // a visible error (mean square above 4), which spares most of the search on
                // smooth blocks.
                if mode == 4 && best.3 <= 4 * 16 {
                    break;
                }
                predict_sub(&ws, pos, mode, &mut pred);
                let err = sse(&sub_src, &pred, &sub_vis);
                let score =
                    u64::from(err) * 256 + lambda * u64::from(sub_mode_cost(above, left, mode));
                if score < best.0 {
                    best = (score, mode, pred, err);
                }
            }
            let (_, mode, pred, _) = best;
            modes[b] = mode;
            rate += u64::from(sub_mode_cost(above, left, mode));
            let res = residual(&sub_src, &pred, &sub_vis);
            let mut coeffs = [0_i16; 16];
            fdct(&res, &mut coeffs);
            let mut deq = [0_i16; 16];
            let bl = &mut blocks[1 + b];
            bl.end = self.quant.y1.quantise(&coeffs, 0, &mut bl.levels, &mut deq);
            let mut rec = pred;
            if bl.end > 0 {
                idct_add(&deq, &mut rec, 4);
            }
            let ctx = usize::from(top_nz[bx]) + usize::from(left_nz[by]);
            let mut sink = TokenCost::default();
            let any = put_block(&mut sink, TYPE_Y_WITH_DC, ctx, 0, &bl.levels, bl.end);
            top_nz[bx] = any;
            left_nz[by] = any;
            rate += u64::from(sink.0);
            distortion += u64::from(sse(&sub_src, &rec, &sub_vis));
            if distortion * 256 + lambda * rate >= budget {
                return None;
            }
            for r in 0..4 {
                ws[pos + r * Y_STRIDE..pos + r * Y_STRIDE + 4]
                    .copy_from_slice(&rec[r * 4..r * 4 + 4]);
            }
        }
        let mut recon = [0_u8; 256];
        for r in 0..16 {
            let p = (r + 1) * Y_STRIDE + 1;
            recon[r * 16..r * 16 + 16].copy_from_slice(&ws[p..p + 16]);
        }
        Some(SubTrial {
            modes,
            blocks,
            recon,
        })
    }
}

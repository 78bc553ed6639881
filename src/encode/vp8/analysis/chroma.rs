//! Chroma mode decision and coding: one mode for both 8x8 planes, by prediction error.

use super::{Analysis, Levels, block4, residual, sse};
use crate::encode::vp8::dct::{fdct, idct_add};
use crate::encode::vp8::modes::uv_mode_cost;
use crate::encode::vp8::predict::{BlockMode, C_STRIDE, predict_block};
use crate::encode::vp8::quant::Matrix;

impl Analysis<'_> {
    pub(super) fn chroma(
        &mut self,
        src: &[[u8; 64]; 2],
        vis: &[u8; 64],
        mx: usize,
        my: usize,
    ) -> (BlockMode, [Levels; 8]) {
        let cs = self.planes.uv_stride();
        let ws = [
            self.chroma_workspace(&self.u_rec, mx, my),
            self.chroma_workspace(&self.v_rec, mx, my),
        ];
        let mut preds = [[0_u8; 64]; 2];
        let mut mode = BlockMode::Dc;
        let visible = vis.iter().any(|&v| v != 0);
        if visible {
            let mut best = u64::MAX;
            let mut candidate = [[0_u8; 64]; 2];
            for m in BlockMode::ALL {
                let mut err = 0;
                for p in 0..2 {
                    predict_block(&ws[p], C_STRIDE, 8, m, my > 0, mx > 0, &mut candidate[p]);
                    err += sse(&src[p], &candidate[p], vis);
                }
                let score =
                    u64::from(err) * 256 + u64::from(self.lambda) * u64::from(uv_mode_cost(m));
                if score < best {
                    best = score;
                    mode = m;
                    preds = candidate;
                }
            }
        } else {
            for p in 0..2 {
                predict_block(&ws[p], C_STRIDE, 8, mode, my > 0, mx > 0, &mut preds[p]);
            }
        }
        let mut blocks = [Levels::default(); 8];
        for p in 0..2 {
            let mut recon = preds[p];
            if visible {
                for b in 0..4 {
                    let (x, y) = ((b % 2) * 4, (b / 2) * 4);
                    let res = residual(
                        &block4(&src[p], 8, x, y),
                        &block4(&preds[p], 8, x, y),
                        &block4(vis, 8, x, y),
                    );
                    let mut coeffs = [0_i16; 16];
                    fdct(&res, &mut coeffs);
                    let mut deq = [0_i16; 16];
                    let bl = &mut blocks[p * 4 + b];
                    bl.end = quantise(&self.quant.uv, &coeffs, &mut bl.levels, &mut deq);
                    if bl.end > 0 {
                        idct_add(&deq, &mut recon[y * 8 + x..], 8);
                    }
                }
            }
            let rec = if p == 0 {
                &mut self.u_rec
            } else {
                &mut self.v_rec
            };
            for r in 0..8 {
                let i = (my * 8 + r) * cs + mx * 8;
                rec[i..i + 8].copy_from_slice(&recon[r * 8..r * 8 + 8]);
            }
        }
        (mode, blocks)
    }
}

fn quantise(m: &Matrix, coeffs: &[i16; 16], levels: &mut [i16; 16], deq: &mut [i16; 16]) -> usize {
    m.quantise(coeffs, 0, levels, deq)
}

//! Macroblock analysis, the first pass: per macroblock, the prediction modes (16x16 or 4x4 luma
//! by rate and distortion, chroma by prediction error), then transform, quantisation and the
//! decoder's reconstruction, which the next macroblocks predict from.
//!
//! Stickers are flat colour on transparency, and the cheap cases come first: a macroblock with
//! no visible pixel is skipped outright, an exact 16x16 prediction codes nothing, and 4x4
//! prediction is only tried where 16x16 leaves detail, and abandoned once it costs more.

mod chroma;
mod luma;

use super::predict::{B_DC, BlockMode, C_STRIDE, C_WS, SubMode, Y_STRIDE, Y_WS};
use super::quant::Quantiser;
use super::tokens::{Levels, NzContext};
use super::yuv::Planes;
use luma::LumaTrial;

/// Encoder settings derived from `quality`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Settings {
    /// Quantiser index 0-127.
    pub(super) q_index: u8,
    /// Whether to try 4x4 (`B_PRED`) luma prediction.
    pub(super) sub_blocks: bool,
}

/// Luma prediction of a macroblock.
#[derive(Clone, Copy, Debug)]
pub(super) enum LumaMode {
    /// One 16x16 mode (with a Y2 block).
    Block(BlockMode),
    /// A mode per 4x4 sub-block (`B_PRED`).
    Sub([SubMode; 16]),
}

impl LumaMode {
    /// Whether the macroblock has a Y2 block (every luma mode but `B_PRED`).
    pub(super) fn has_y2(self) -> bool {
        matches!(self, Self::Block(_))
    }
}

/// What the first pass decided for a macroblock.
#[derive(Clone, Copy, Debug)]
pub(super) struct MbInfo {
    /// Luma prediction.
    pub(super) luma: LumaMode,
    /// Chroma prediction.
    pub(super) chroma: BlockMode,
    /// No levels at all (then nothing is stored in `blocks`).
    pub(super) skip: bool,
    /// Index of the first of its 25 blocks (Y2, 16 Y, 4 U, 4 V) in the level store.
    pub(super) blocks: usize,
}

/// The first pass's result: per macroblock, in raster order, its modes and where its levels
/// are.
pub(super) struct Decisions {
    /// One per macroblock.
    pub(super) infos: Vec<MbInfo>,
    /// The levels of the coded macroblocks, 25 blocks each.
    pub(super) store: Vec<Levels>,
}

/// Runs the first pass over the frame with quantiser `quant`.
pub(super) fn analyse(planes: &Planes, quant: Quantiser, settings: Settings) -> Decisions {
    let ac = quant.y1.step[1];
    let mut an = Analysis {
        planes,
        quant,
        settings,
        lambda: (ac * ac / 32).max(1),
        y_rec: vec![0; planes.y.len()],
        u_rec: vec![0; planes.u.len()],
        v_rec: vec![0; planes.v.len()],
        nz: NzContext::new(planes.mb_w),
        top_modes: vec![[B_DC; 4]; planes.mb_w],
        left_modes: [B_DC; 4],
        infos: Vec::with_capacity(planes.mb_w * planes.mb_h),
        store: Vec::new(),
    };
    for my in 0..planes.mb_h {
        an.nz.new_row();
        an.left_modes = [B_DC; 4];
        for mx in 0..planes.mb_w {
            an.encode_mb(mx, my);
        }
    }
    Decisions {
        infos: an.infos,
        store: an.store,
    }
}

/// Sum of squared differences over the visible pixels (`vis` is 0 or 1) of a block of a
/// multiple of 16 pixels.
///
/// Not inlined: unrolled into its callers' loops, it was left scalar.
#[inline(never)]
fn sse<const N: usize>(src: &[u8; N], pred: &[u8; N], vis: &[u8; N]) -> u32 {
    let (src, _) = src.as_chunks::<16>();
    let (pred, _) = pred.as_chunks::<16>();
    let (vis, _) = vis.as_chunks::<16>();
    let mut sum = 0;
    for i in 0..N / 16 {
        sum += sse16(&src[i], &pred[i], &vis[i]);
    }
    sum as u32
}

/// [`sse`] of 16 pixels, fixed-size and branch-free in the shapes SIMD units have instructions
/// for (a byte absolute difference, masked by `0 - vis`, squared and summed pairwise in 32
/// bits): a handful of instructions.
#[inline(always)]
fn sse16(src: &[u8; 16], pred: &[u8; 16], vis: &[u8; 16]) -> i32 {
    let mut sum = 0_i32;
    for i in 0..16 {
        let d = i16::from(src[i].abs_diff(pred[i]) & vis[i].wrapping_neg());
        sum += i32::from(d) * i32::from(d);
    }
    sum
}

/// The 4x4 block at (`x`, `y`) of a `w`-wide buffer.
fn block4(buf: &[u8], w: usize, x: usize, y: usize) -> [u8; 16] {
    let mut out = [0_u8; 16];
    for r in 0..4 {
        out[r * 4..r * 4 + 4].copy_from_slice(&buf[(y + r) * w + x..][..4]);
    }
    out
}

/// Residual of a 4x4 block.
///
/// Invisible pixels take the mean residual of the visible ones, which keeps the block smooth
/// (cheap to code) without pulling the visible pixels towards the prediction; a block with no
/// visible pixel has no residual.
fn residual(src: &[u8; 16], pred: &[u8; 16], vis: &[u8; 16]) -> [i16; 16] {
    let mut out = [0_i16; 16];
    for i in 0..16 {
        out[i] = (i16::from(src[i]) - i16::from(pred[i])) * i16::from(vis[i]);
    }
    if *vis == [1; 16] {
        return out;
    }
    let count: i32 = vis.iter().map(|&v| i32::from(v)).sum();
    if count > 0 {
        let sum: i32 = out.iter().map(|&r| i32::from(r)).sum();
        let mean = (sum + count / 2).div_euclid(count) as i16;
        for (r, &v) in out.iter_mut().zip(vis) {
            if v == 0 {
                *r = mean;
            }
        }
    }
    out
}

/// Frame-wide state of the first pass.
struct Analysis<'a> {
    planes: &'a Planes,
    quant: Quantiser,
    settings: Settings,
    /// Rate-distortion trade-off: distortion units per bit.
    lambda: u32,
    y_rec: Vec<u8>,
    u_rec: Vec<u8>,
    v_rec: Vec<u8>,
    nz: NzContext,
    /// Bottom-row sub-block modes of the macroblock row above, per column.
    top_modes: Vec<[SubMode; 4]>,
    left_modes: [SubMode; 4],
    infos: Vec<MbInfo>,
    store: Vec<Levels>,
}

impl Analysis<'_> {
    fn luma_workspace(&self, mx: usize, my: usize) -> [u8; Y_WS] {
        let ys = self.planes.y_stride();
        let mut ws = [0_u8; Y_WS];
        if my == 0 {
            ws[..Y_STRIDE].fill(127);
        } else {
            let row = (my * 16 - 1) * ys + mx * 16;
            ws[1..17].copy_from_slice(&self.y_rec[row..row + 16]);
            if mx + 1 == self.planes.mb_w {
                ws[17..21].fill(self.y_rec[row + 15]);
            } else {
                ws[17..21].copy_from_slice(&self.y_rec[row + 16..row + 20]);
            }
            ws[0] = if mx == 0 { 129 } else { self.y_rec[row - 1] };
        }
        // Sub-blocks on the right column take their above-right pixels from the row above
        // the macroblock, at every sub-block row.
        for r in [4, 8, 12] {
            ws.copy_within(17..21, r * Y_STRIDE + 17);
        }
        for r in 0..16 {
            ws[(r + 1) * Y_STRIDE] = if mx == 0 {
                129
            } else {
                self.y_rec[(my * 16 + r) * ys + mx * 16 - 1]
            };
        }
        ws
    }

    fn chroma_workspace(&self, rec: &[u8], mx: usize, my: usize) -> [u8; C_WS] {
        let cs = self.planes.uv_stride();
        let mut ws = [0_u8; C_WS];
        if my == 0 {
            ws[..C_STRIDE].fill(127);
        } else {
            let row = (my * 8 - 1) * cs + mx * 8;
            ws[1..9].copy_from_slice(&rec[row..row + 8]);
            ws[0] = if mx == 0 { 129 } else { rec[row - 1] };
        }
        for r in 0..8 {
            ws[(r + 1) * C_STRIDE] = if mx == 0 {
                129
            } else {
                rec[(my * 8 + r) * cs + mx * 8 - 1]
            };
        }
        ws
    }

    fn encode_mb(&mut self, mx: usize, my: usize) {
        let ys = self.planes.y_stride();
        let cs = self.planes.uv_stride();
        let mut src = [0_u8; 256];
        let mut vis = [0_u8; 256];
        for r in 0..16 {
            let i = (my * 16 + r) * ys + mx * 16;
            src[r * 16..r * 16 + 16].copy_from_slice(&self.planes.y[i..i + 16]);
            vis[r * 16..r * 16 + 16].copy_from_slice(&self.planes.y_vis[i..i + 16]);
        }
        let mut csrc = [[0_u8; 64]; 2];
        let mut cvis = [0_u8; 64];
        for r in 0..8 {
            let i = (my * 8 + r) * cs + mx * 8;
            csrc[0][r * 8..r * 8 + 8].copy_from_slice(&self.planes.u[i..i + 8]);
            csrc[1][r * 8..r * 8 + 8].copy_from_slice(&self.planes.v[i..i + 8]);
            cvis[r * 8..r * 8 + 8].copy_from_slice(&self.planes.uv_vis[i..i + 8]);
        }
        let visible = vis.iter().any(|&v| v != 0);
        if !visible {
            // Chroma covers the same pixels, so it is invisible too.
            self.transparent_mb(mx, my);
            return;
        }
        let ws = self.luma_workspace(mx, my);

        let i16 = self.luma_16(&ws, &src, &vis, mx, my, visible);
        let mut luma = LumaMode::Block(i16.mode);
        let mut y_blocks = i16.blocks;
        let mut recon = i16.recon;
        if self.settings.sub_blocks && visible && !self.flat_enough(&i16) {
            let rate16 = i16.rate + self.luma_16_token_cost(mx, &i16.blocks);
            let cost16 =
                u64::from(i16.distortion) * 256 + u64::from(self.lambda) * u64::from(rate16);
            if let Some(sub) = self.luma_4(&ws, &src, &vis, mx, cost16) {
                luma = LumaMode::Sub(sub.modes);
                y_blocks = sub.blocks;
                recon = sub.recon;
            }
        }

        let (chroma, uv_blocks) = self.chroma(&csrc, &cvis, mx, my);

        let has_y2 = matches!(luma, LumaMode::Block(_));
        let skip = y_blocks.iter().all(|b| b.end == 0) && uv_blocks.iter().all(|b| b.end == 0);
        let start = self.store.len();
        if skip {
            self.nz.skip(mx, has_y2);
        } else {
            self.store.extend_from_slice(&y_blocks);
            self.store.extend_from_slice(&uv_blocks);
            self.nz.code(mx, has_y2, &self.store[start..]);
        }
        let bottom: [SubMode; 4] = match luma {
            LumaMode::Block(mode) => [mode.implied_sub_mode(); 4],
            LumaMode::Sub(modes) => [modes[12], modes[13], modes[14], modes[15]],
        };
        self.top_modes[mx] = bottom;
        self.left_modes = match luma {
            LumaMode::Block(mode) => [mode.implied_sub_mode(); 4],
            LumaMode::Sub(modes) => [modes[3], modes[7], modes[11], modes[15]],
        };
        self.infos.push(MbInfo {
            luma,
            chroma,
            skip,
            blocks: start,
        });
        for r in 0..16 {
            let i = (my * 16 + r) * ys + mx * 16;
            self.y_rec[i..i + 16].copy_from_slice(&recon[r * 16..r * 16 + 16]);
        }
    }

    /// A macroblock with no visible pixel: DC prediction everywhere, no residual, skipped. Only
    /// the reconstruction (the prediction) is computed, for the neighbours' predictions.
    fn transparent_mb(&mut self, mx: usize, my: usize) {
        let planes = [
            (&mut self.y_rec, self.planes.y_stride(), 16),
            (&mut self.u_rec, self.planes.uv_stride(), 8),
            (&mut self.v_rec, self.planes.uv_stride(), 8),
        ];
        for (rec, stride, size) in planes {
            let (x0, y0) = (mx * size, my * size);
            let shift = size.trailing_zeros();
            let top: u32 = if my > 0 {
                rec[(y0 - 1) * stride + x0..][..size]
                    .iter()
                    .map(|&v| u32::from(v))
                    .sum()
            } else {
                0
            };
            let left: u32 = if mx > 0 {
                (0..size)
                    .map(|r| u32::from(rec[(y0 + r) * stride + x0 - 1]))
                    .sum()
            } else {
                0
            };
            let dc = match (my > 0, mx > 0) {
                (true, true) => (top + left + size as u32) >> (shift + 1),
                (true, false) => (top + (size as u32 >> 1)) >> shift,
                (false, true) => (left + (size as u32 >> 1)) >> shift,
                (false, false) => 128,
            };
            for r in 0..size {
                rec[(y0 + r) * stride + x0..][..size].fill(dc as u8);
            }
        }
        self.nz.skip(mx, true);
        self.top_modes[mx] = [B_DC; 4];
        self.left_modes = [B_DC; 4];
        self.infos.push(MbInfo {
            luma: LumaMode::Block(BlockMode::Dc),
            chroma: BlockMode::Dc,
            skip: true,
            blocks: self.store.len(),
        });
    }

    /// Whether the 16x16 result is good enough that 4x4 prediction cannot pay for its modes.
    fn flat_enough(&self, trial: &LumaTrial) -> bool {
        let coded_ac = trial.blocks[1..].iter().any(|b| b.end > 0);
        !coded_ac && trial.distortion <= 256 * 2
    }
}

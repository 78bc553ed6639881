//! The macroblock loop: mode decisions, transform, quantisation and reconstruction (first
//! pass), then the two partitions (modes, tokens) of a VP8 key frame (RFC 6386 sections 9, 19).

use super::bool_encoder::BoolEncoder;
use super::dct::{fdct, fwht, idct_add, iwht};
use super::predict::{
    B_DC, BlockMode, C_STRIDE, C_WS, SubMode, Y_STRIDE, Y_WS, predict_block, predict_sub,
};
use super::quant::{Matrix, Quantiser};
use super::tables::{BMODE_PROBS, COEFF_PROBS, COEFF_UPDATE_PROBS};
use super::tokens::{
    CostSink, TYPE_UV, TYPE_Y_AFTER_Y2, TYPE_Y_WITH_DC, TYPE_Y2, TokenProbs, TokenStats, bit_cost,
    count_block, put_block,
};
use super::yuv::Planes;

/// The path of each sub-block mode through the `B_PRED` mode tree: (node, branch) pairs.
const SUB_MODE_PATHS: [&[(usize, bool)]; 10] = [
    &[(0, false)],
    &[(0, true), (1, false)],
    &[(0, true), (1, true), (2, false)],
    &[(0, true), (1, true), (2, true), (3, false), (4, false)],
    &[(0, true), (1, true), (2, true), (3, true), (6, false)],
    &[
        (0, true),
        (1, true),
        (2, true),
        (3, false),
        (4, true),
        (5, false),
    ],
    &[
        (0, true),
        (1, true),
        (2, true),
        (3, false),
        (4, true),
        (5, true),
    ],
    &[
        (0, true),
        (1, true),
        (2, true),
        (3, true),
        (6, true),
        (7, false),
    ],
    &[
        (0, true),
        (1, true),
        (2, true),
        (3, true),
        (6, true),
        (7, true),
        (8, false),
    ],
    &[
        (0, true),
        (1, true),
        (2, true),
        (3, true),
        (6, true),
        (7, true),
        (8, true),
    ],
];

/// Key-frame luma mode tree: `B_PRED` is "0"; DC, V, H, TM are "100", "101", "110", "111".
const Y_MODE_PROBS: [u8; 4] = [145, 156, 163, 128];
/// Key-frame chroma mode tree probabilities (DC "0", V "10", H "110", TM "111").
const UV_MODE_PROBS: [u8; 3] = [142, 114, 183];

fn put_y_mode(enc: &mut BoolEncoder, mode: Option<BlockMode>) {
    let Some(mode) = mode else {
        enc.put(Y_MODE_PROBS[0], false);
        return;
    };
    enc.put(Y_MODE_PROBS[0], true);
    match mode {
        BlockMode::Dc | BlockMode::V => {
            enc.put(Y_MODE_PROBS[1], false);
            enc.put(Y_MODE_PROBS[2], mode == BlockMode::V);
        }
        BlockMode::H | BlockMode::Tm => {
            enc.put(Y_MODE_PROBS[1], true);
            enc.put(Y_MODE_PROBS[3], mode == BlockMode::Tm);
        }
    }
}

fn y_mode_cost(mode: BlockMode) -> u32 {
    let p = Y_MODE_PROBS;
    bit_cost(p[0], true)
        + match mode {
            BlockMode::Dc => bit_cost(p[1], false) + bit_cost(p[2], false),
            BlockMode::V => bit_cost(p[1], false) + bit_cost(p[2], true),
            BlockMode::H => bit_cost(p[1], true) + bit_cost(p[3], false),
            BlockMode::Tm => bit_cost(p[1], true) + bit_cost(p[3], true),
        }
}

fn put_uv_mode(enc: &mut BoolEncoder, mode: BlockMode) {
    let p = UV_MODE_PROBS;
    enc.put(p[0], mode != BlockMode::Dc);
    if mode != BlockMode::Dc {
        enc.put(p[1], mode != BlockMode::V);
        if mode != BlockMode::V {
            enc.put(p[2], mode == BlockMode::Tm);
        }
    }
}

fn uv_mode_cost(mode: BlockMode) -> u32 {
    let p = UV_MODE_PROBS;
    match mode {
        BlockMode::Dc => bit_cost(p[0], false),
        BlockMode::V => bit_cost(p[0], true) + bit_cost(p[1], false),
        BlockMode::H => bit_cost(p[0], true) + bit_cost(p[1], true) + bit_cost(p[2], false),
        BlockMode::Tm => bit_cost(p[0], true) + bit_cost(p[1], true) + bit_cost(p[2], true),
    }
}

fn sub_mode_cost(above: SubMode, left: SubMode, mode: SubMode) -> u32 {
    let probs = &BMODE_PROBS[usize::from(above)][usize::from(left)];
    SUB_MODE_PATHS[usize::from(mode)]
        .iter()
        .map(|&(node, bit)| bit_cost(probs[node], bit))
        .sum()
}

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
enum LumaMode {
    Block(BlockMode),
    Sub([SubMode; 16]),
}

/// One block's levels in scan order and one past its last non-zero level.
#[derive(Clone, Copy, Debug, Default)]
struct Levels {
    levels: [i16; 16],
    end: usize,
}

/// What the first pass decided for a macroblock.
#[derive(Clone, Copy, Debug)]
struct MbInfo {
    luma: LumaMode,
    chroma: BlockMode,
    /// No levels at all (then nothing is stored in `blocks`).
    skip: bool,
    /// Index of the first of its 25 blocks (Y2, 16 Y, 4 U, 4 V) in the level store.
    blocks: usize,
}

/// Non-zero flags of the blocks along a macroblock edge: 4 Y, 2 U, 2 V, then Y2.
type NzEdge = [bool; 9];

/// Token contexts for one macroblock row in progress.
struct NzContext {
    top: Vec<NzEdge>,
    left: NzEdge,
}

impl NzContext {
    fn new(mb_w: usize) -> Self {
        Self {
            top: vec![[false; 9]; mb_w],
            left: [false; 9],
        }
    }

    /// Records a coded macroblock's blocks (Y2, 16 Y, 4 U, 4 V): a block is non-zero when it
    /// has any level.
    fn code(&mut self, mx: usize, has_y2: bool, blocks: &[Levels]) {
        let (top, left) = (&mut self.top[mx], &mut self.left);
        if has_y2 {
            top[8] = blocks[0].end > 0;
            left[8] = top[8];
        }
        for i in 0..4 {
            top[i] = blocks[13 + i].end > 0;
            left[i] = blocks[4 + 4 * i].end > 0;
        }
        for (plane, off) in [(17, 4), (21, 6)] {
            for i in 0..2 {
                top[off + i] = blocks[plane + 2 + i].end > 0;
                left[off + i] = blocks[plane + 1 + 2 * i].end > 0;
            }
        }
    }

    fn skip(&mut self, mx: usize, has_y2: bool) {
        let keep_y2 = !has_y2;
        let (t, l) = (self.top[mx][8], self.left[8]);
        self.top[mx] = [false; 9];
        self.left = [false; 9];
        if keep_y2 {
            self.top[mx][8] = t;
            self.left[8] = l;
        }
    }
}

/// Writes or costs the tokens of a coded macroblock, updating the contexts.
fn put_mb_tokens<S: super::tokens::BitSink>(
    sink: &mut S,
    probs: &TokenProbs,
    nz: &mut NzContext,
    mx: usize,
    has_y2: bool,
    blocks: &[Levels],
) {
    let top = &mut nz.top[mx];
    let left = &mut nz.left;
    let (plane, first) = if has_y2 {
        let ctx = usize::from(top[8]) + usize::from(left[8]);
        let b = &blocks[0];
        let any = put_block(sink, probs, TYPE_Y2, ctx, 0, &b.levels, b.end);
        top[8] = any;
        left[8] = any;
        (TYPE_Y_AFTER_Y2, 1)
    } else {
        (TYPE_Y_WITH_DC, 0)
    };
    for by in 0..4 {
        for bx in 0..4 {
            let ctx = usize::from(top[bx]) + usize::from(left[by]);
            let b = &blocks[1 + by * 4 + bx];
            let any = put_block(sink, probs, plane, ctx, first, &b.levels, b.end);
            top[bx] = any;
            left[by] = any;
        }
    }
    for (plane_off, ctx_off) in [(17, 4), (21, 6)] {
        for by in 0..2 {
            for bx in 0..2 {
                let ctx = usize::from(top[ctx_off + bx]) + usize::from(left[ctx_off + by]);
                let b = &blocks[plane_off + by * 2 + bx];
                let any = put_block(sink, probs, TYPE_UV, ctx, 0, &b.levels, b.end);
                top[ctx_off + bx] = any;
                left[ctx_off + by] = any;
            }
        }
    }
}

/// Counts the token branches of a coded macroblock, updating the contexts.
fn count_mb_tokens(
    stats: &mut TokenStats,
    nz: &mut NzContext,
    mx: usize,
    has_y2: bool,
    blocks: &[Levels],
) {
    let top = &mut nz.top[mx];
    let left = &mut nz.left;
    let (plane, first) = if has_y2 {
        let ctx = usize::from(top[8]) + usize::from(left[8]);
        let b = &blocks[0];
        count_block(stats, TYPE_Y2, ctx, 0, &b.levels, b.end);
        top[8] = b.end > 0;
        left[8] = b.end > 0;
        (TYPE_Y_AFTER_Y2, 1)
    } else {
        (TYPE_Y_WITH_DC, 0)
    };
    for by in 0..4 {
        for bx in 0..4 {
            let ctx = usize::from(top[bx]) + usize::from(left[by]);
            let b = &blocks[1 + by * 4 + bx];
            count_block(stats, plane, ctx, first, &b.levels, b.end);
            top[bx] = b.end > 0;
            left[by] = b.end > 0;
        }
    }
    for (plane_off, ctx_off) in [(17, 4), (21, 6)] {
        for by in 0..2 {
            for bx in 0..2 {
                let ctx = usize::from(top[ctx_off + bx]) + usize::from(left[ctx_off + by]);
                let b = &blocks[plane_off + by * 2 + bx];
                count_block(stats, TYPE_UV, ctx, 0, &b.levels, b.end);
                top[ctx_off + bx] = b.end > 0;
                left[ctx_off + by] = b.end > 0;
            }
        }
    }
}

/// Sum of squared differences over the visible pixels (`vis` is 0 or 1) of a block.
///
/// Fixed-size, branch-free and in integers, so that it vectorises.
fn sse<const N: usize>(src: &[u8; N], pred: &[u8; N], vis: &[u8; N]) -> u32 {
    let mut sum = 0_u32;
    for i in 0..N {
        let d = (i32::from(src[i]) - i32::from(pred[i])) * i32::from(vis[i]);
        sum += (d * d) as u32;
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

/// The first pass over one macroblock's luma with 16x16 prediction.
struct LumaTrial {
    mode: BlockMode,
    /// Y2 then 16 Y blocks.
    blocks: [Levels; 17],
    recon: [u8; 256],
    distortion: u32,
    /// Token and mode cost, 1/256 bit.
    rate: u32,
}

/// The first pass over one macroblock's luma with 4x4 prediction.
struct SubTrial {
    modes: [SubMode; 16],
    /// Y2 (unused) then 16 Y blocks.
    blocks: [Levels; 17],
    recon: [u8; 256],
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

    fn luma_16(
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
    fn luma_16_token_cost(&self, mx: usize, blocks: &[Levels; 17]) -> u32 {
        let mut sink = CostSink::default();
        let (mut top, mut left) = (self.nz.top[mx], self.nz.left);
        let ctx = usize::from(top[8]) + usize::from(left[8]);
        let b = &blocks[0];
        put_block(&mut sink, &COEFF_PROBS, TYPE_Y2, ctx, 0, &b.levels, b.end);
        for by in 0..4 {
            for bx in 0..4 {
                let ctx = usize::from(top[bx]) + usize::from(left[by]);
                let b = &blocks[1 + by * 4 + bx];
                let any = put_block(
                    &mut sink,
                    &COEFF_PROBS,
                    TYPE_Y_AFTER_Y2,
                    ctx,
                    1,
                    &b.levels,
                    b.end,
                );
                top[bx] = any;
                left[by] = any;
            }
        }
        sink.0
    }

    /// Tries 4x4 prediction, each sub-block's mode chosen by prediction error and mode cost.
    /// Returns `None` as soon as the cost reaches `budget` (the 16x16 cost): costs only grow
    /// from one sub-block to the next, so that is exactly when 4x4 would not be chosen.
    fn luma_4(
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
            let mut sink = CostSink::default();
            let any = put_block(
                &mut sink,
                &COEFF_PROBS,
                TYPE_Y_WITH_DC,
                ctx,
                0,
                &bl.levels,
                bl.end,
            );
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

    fn chroma(
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

/// Chooses updated token probabilities where the saving pays for the update (RFC 6386
/// section 13.4): each slot's new probability is the observed frequency of its `false`
/// branch.
fn choose_probs(stats: &TokenStats) -> (TokenProbs, Vec<bool>) {
    let mut probs = COEFF_PROBS;
    let mut updated = Vec::with_capacity(4 * 8 * 3 * 11);
    for t in 0..4 {
        for b in 0..8 {
            for c in 0..3 {
                for n in 0..11 {
                    let [n0, n1] = stats.counts[t][b][c][n];
                    let old = COEFF_PROBS[t][b][c][n];
                    let upd = COEFF_UPDATE_PROBS[t][b][c][n];
                    let total = n0 + n1;
                    let mut change = false;
                    if total > 0 {
                        let new = ((u64::from(n0) * 256 + u64::from(total) / 2) / u64::from(total))
                            .clamp(1, 255) as u8;
                        let cost = |p: u8| {
                            u64::from(n0) * u64::from(bit_cost(p, false))
                                + u64::from(n1) * u64::from(bit_cost(p, true))
                        };
                        let keep = cost(old) + u64::from(bit_cost(upd, false));
                        let swap = cost(new) + u64::from(bit_cost(upd, true)) + 8 * 256;
                        if swap < keep {
                            probs[t][b][c][n] = new;
                            change = true;
                        }
                    }
                    updated.push(change);
                }
            }
        }
    }
    (probs, updated)
}

/// Loop-filter level for quantiser index `q_index`: about a quarter of the AC step, which
/// smooths block edges about as much as the quantiser roughens them.
fn filter_level(quant: &Quantiser) -> u32 {
    (quant.y1.step[1] * 9 / 32).min(63)
}

/// Encodes the planes as a VP8 key frame (the payload of a `VP8 ` chunk).
///
/// Returns `None` when the first partition would not fit its 19-bit size field.
pub(super) fn encode_frame(
    planes: &Planes,
    width: u32,
    height: u32,
    settings: Settings,
) -> Option<Vec<u8>> {
    let quant = Quantiser::new(settings.q_index);
    let ac = quant.y1.step[1];
    let mb_count = planes.mb_w * planes.mb_h;
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
        infos: Vec::with_capacity(mb_count),
        store: Vec::new(),
    };
    for my in 0..planes.mb_h {
        an.nz.left = [false; 9];
        an.left_modes = [B_DC; 4];
        for mx in 0..planes.mb_w {
            an.encode_mb(mx, my);
        }
    }

    // Token statistics with the contexts as the decoder will see them, then better
    // probabilities.
    let mut stats = TokenStats::default();
    let mut nz = NzContext::new(planes.mb_w);
    for (i, info) in an.infos.iter().enumerate() {
        let mx = i % planes.mb_w;
        if mx == 0 {
            nz.left = [false; 9];
        }
        let has_y2 = matches!(info.luma, LumaMode::Block(_));
        if info.skip {
            nz.skip(mx, has_y2);
        } else {
            count_mb_tokens(&mut stats, &mut nz, mx, has_y2, &an.store[info.blocks..]);
        }
    }
    let (probs, updated) = choose_probs(&stats);

    // Second partition: the tokens.
    let mut tokens = BoolEncoder::with_capacity(an.store.len() * 4);
    let mut nz = NzContext::new(planes.mb_w);
    for (i, info) in an.infos.iter().enumerate() {
        let mx = i % planes.mb_w;
        if mx == 0 {
            nz.left = [false; 9];
        }
        let has_y2 = matches!(info.luma, LumaMode::Block(_));
        if info.skip {
            nz.skip(mx, has_y2);
        } else {
            put_mb_tokens(
                &mut tokens,
                &probs,
                &mut nz,
                mx,
                has_y2,
                &an.store[info.blocks..],
            );
        }
    }
    let tokens = tokens.finish();

    // First partition: the frame header and the modes.
    let mut head = BoolEncoder::with_capacity(mb_count + 1024);
    head.put_flag(false); // colour space: YUV
    head.put_flag(false); // clamping required
    head.put_flag(false); // no segmentation
    head.put_flag(false); // normal loop filter
    head.put_literal(6, filter_level(&quant));
    head.put_literal(3, 0); // sharpness
    head.put_flag(false); // no loop-filter deltas
    head.put_literal(2, 0); // one token partition
    head.put_literal(7, u32::from(quant.index));
    for _ in 0..5 {
        head.put_flag(false); // no quantiser deltas
    }
    head.put_flag(false); // refresh_entropy_probs: irrelevant for a single key frame
    let mut k = 0;
    for t in 0..4 {
        for b in 0..8 {
            for c in 0..3 {
                for n in 0..11 {
                    head.put(COEFF_UPDATE_PROBS[t][b][c][n], updated[k]);
                    if updated[k] {
                        head.put_literal(8, u32::from(probs[t][b][c][n]));
                    }
                    k += 1;
                }
            }
        }
    }
    let skipped = an.infos.iter().filter(|i| i.skip).count();
    let prob_skip =
        (((mb_count - skipped) * 256 + mb_count / 2) / mb_count.max(1)).clamp(1, 255) as u8;
    head.put_flag(true); // per-macroblock skip flags
    head.put_literal(8, u32::from(prob_skip));
    let mut top_modes = vec![[B_DC; 4]; planes.mb_w];
    let mut left_modes = [B_DC; 4];
    for (i, info) in an.infos.iter().enumerate() {
        let mx = i % planes.mb_w;
        if mx == 0 {
            left_modes = [B_DC; 4];
        }
        head.put(prob_skip, info.skip);
        match info.luma {
            LumaMode::Block(mode) => {
                put_y_mode(&mut head, Some(mode));
                top_modes[mx] = [mode.implied_sub_mode(); 4];
                left_modes = [mode.implied_sub_mode(); 4];
            }
            LumaMode::Sub(modes) => {
                put_y_mode(&mut head, None);
                for (b, &mode) in modes.iter().enumerate() {
                    let (bx, by) = (b % 4, b / 4);
                    let above = if by == 0 {
                        top_modes[mx][bx]
                    } else {
                        modes[b - 4]
                    };
                    let left = if bx == 0 {
                        left_modes[by]
                    } else {
                        modes[b - 1]
                    };
                    let probs = &BMODE_PROBS[usize::from(above)][usize::from(left)];
                    for &(node, bit) in SUB_MODE_PATHS[usize::from(mode)] {
                        head.put(probs[node], bit);
                    }
                }
                top_modes[mx] = [modes[12], modes[13], modes[14], modes[15]];
                left_modes = [modes[3], modes[7], modes[11], modes[15]];
            }
        }
        put_uv_mode(&mut head, info.chroma);
    }
    let head = head.finish();
    if head.len() >= 1 << 19 {
        return None;
    }

    let mut out = Vec::with_capacity(10 + head.len() + tokens.len());
    // Frame tag: key frame (0), version 0, shown, first partition size.
    let tag = (head.len() as u32) << 5 | 1 << 4;
    out.extend_from_slice(&tag.to_le_bytes()[..3]);
    out.extend_from_slice(&[0x9d, 0x01, 0x2a]);
    out.extend_from_slice(&(width as u16).to_le_bytes());
    out.extend_from_slice(&(height as u16).to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&tokens);
    Some(out)
}

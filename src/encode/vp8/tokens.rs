//! DCT token coding (RFC 6386 section 13): one walk over a block's levels down the token tree,
//! generic over where the branches go (written, costed or counted), the macroblock's blocks in
//! bitstream order with their non-zero contexts, and the per-frame probability update.

use super::bool_encoder::BoolEncoder;
use super::tables::{BANDS, CAT_BASE, CAT_PROBS, COEFF_PROBS, COEFF_UPDATE_PROBS};

/// Token probabilities, `[plane type][band][context][node]`.
pub(super) type TokenProbs = [[[[u8; 11]; 3]; 8]; 4];

/// Plane type of luma blocks whose DC went to the Y2 block (coded from position 1).
pub(super) const TYPE_Y_AFTER_Y2: usize = 0;
/// Plane type of the Y2 block.
pub(super) const TYPE_Y2: usize = 1;
/// Plane type of chroma blocks.
pub(super) const TYPE_UV: usize = 2;
/// Plane type of luma blocks with their own DC (`B_PRED` macroblocks).
pub(super) const TYPE_Y_WITH_DC: usize = 3;

/// Cost in 1/256 bit of an event of probability `p / 256`, for `p` in 0..=256 (0 is treated as
/// 1): `round(-log2(p / 256) * 256)`, as a constant so that the cost loops look nothing up
/// lazily (a test checks it against the formula).
#[rustfmt::skip]
const COST: [u16; 257] = [
    2048, 2048, 1792, 1642, 1536, 1454, 1386, 1329, 1280, 1236, 1198, 1162, 1130, 1101, 1073, 1048,
    1024, 1002, 980, 961, 942, 924, 906, 890, 874, 859, 845, 831, 817, 804, 792, 780,
    768, 757, 746, 735, 724, 714, 705, 695, 686, 676, 668, 659, 650, 642, 634, 626,
    618, 611, 603, 596, 589, 582, 575, 568, 561, 555, 548, 542, 536, 530, 524, 518,
    512, 506, 501, 495, 490, 484, 479, 474, 468, 463, 458, 453, 449, 444, 439, 434,
    430, 425, 420, 416, 412, 407, 403, 399, 394, 390, 386, 382, 378, 374, 370, 366,
    362, 358, 355, 351, 347, 343, 340, 336, 333, 329, 326, 322, 319, 315, 312, 309,
    305, 302, 299, 296, 292, 289, 286, 283, 280, 277, 274, 271, 268, 265, 262, 259,
    256, 253, 250, 247, 245, 242, 239, 236, 234, 231, 228, 226, 223, 220, 218, 215,
    212, 210, 207, 205, 202, 200, 197, 195, 193, 190, 188, 185, 183, 181, 178, 176,
    174, 171, 169, 167, 164, 162, 160, 158, 156, 153, 151, 149, 147, 145, 143, 140,
    138, 136, 134, 132, 130, 128, 126, 124, 122, 120, 118, 116, 114, 112, 110, 108,
    106, 104, 102, 101, 99, 97, 95, 93, 91, 89, 87, 86, 84, 82, 80, 78,
    77, 75, 73, 71, 70, 68, 66, 64, 63, 61, 59, 58, 56, 54, 53, 51,
    49, 48, 46, 44, 43, 41, 40, 38, 36, 35, 33, 32, 30, 28, 27, 25,
    24, 22, 21, 19, 18, 16, 15, 13, 12, 10, 9, 7, 6, 4, 3, 1,
    0,
];

/// Cost in 1/256 bit of writing `bit` with probability `prob` of `false`.
#[inline]
pub(super) const fn bit_cost(prob: u8, bit: bool) -> u32 {
    let p = if bit {
        256 - prob as usize
    } else {
        prob as usize
    };
    COST[p] as u32
}

/// A token probability slot: plane type, band, context.
#[derive(Clone, Copy, Debug)]
pub(super) struct Slot {
    plane: usize,
    band: usize,
    ctx: usize,
}

/// Where the token walk sends its branches.
pub(super) trait TokenSink {
    /// A branch at `node` (0-10) of the token tree with the probabilities of `slot`.
    fn node(&mut self, slot: Slot, node: usize, bit: bool);
    /// A bit of fixed probability: a sign (128) or a category's extra bit.
    fn fixed(&mut self, prob: u8, bit: bool);
}

/// Writes tokens with the given probabilities.
pub(super) struct TokenWriter<'a> {
    /// The token partition.
    pub(super) enc: &'a mut BoolEncoder,
    /// The frame's probabilities.
    pub(super) probs: &'a TokenProbs,
}

impl TokenSink for TokenWriter<'_> {
    #[inline]
    fn node(&mut self, s: Slot, node: usize, bit: bool) {
        self.enc.put(self.probs[s.plane][s.band][s.ctx][node], bit);
    }

    #[inline]
    fn fixed(&mut self, prob: u8, bit: bool) {
        self.enc.put(prob, bit);
    }
}

/// Sums the cost, in 1/256 bit, of the tokens under the default probabilities (what the
/// mode decisions compare before the frame's own probabilities are known).
#[derive(Debug, Default)]
pub(super) struct TokenCost(pub(super) u32);

impl TokenSink for TokenCost {
    #[inline]
    fn node(&mut self, s: Slot, node: usize, bit: bool) {
        self.0 += bit_cost(COEFF_PROBS[s.plane][s.band][s.ctx][node], bit);
    }

    #[inline]
    fn fixed(&mut self, prob: u8, bit: bool) {
        self.0 += bit_cost(prob, bit);
    }
}

/// `(false, true)` branch counts per token probability slot.
pub(super) type BranchCounts = [[[[[u32; 2]; 11]; 3]; 8]; 4];

/// Counts, per probability slot, how often each branch was taken, to choose updated
/// probabilities.
#[derive(Debug)]
pub(super) struct TokenStats {
    /// `[type][band][ctx][node]` -> (false count, true count).
    pub(super) counts: Box<BranchCounts>,
}

impl Default for TokenStats {
    fn default() -> Self {
        Self {
            counts: Box::new([[[[[0; 2]; 11]; 3]; 8]; 4]),
        }
    }
}

impl TokenSink for TokenStats {
    #[inline]
    fn node(&mut self, s: Slot, node: usize, bit: bool) {
        self.counts[s.plane][s.band][s.ctx][node][usize::from(bit)] += 1;
    }

    /// Fixed-probability bits have nothing to update.
    #[inline]
    fn fixed(&mut self, _prob: u8, _bit: bool) {}
}

/// Walks the levels of one block, in scan order from position `first`; `end` is one past the
/// last non-zero level (0 when there is none) and `ctx` the number of neighbouring blocks
/// (above, left) with non-zero levels. Returns whether the block had any.
pub(super) fn put_block<S: TokenSink>(
    sink: &mut S,
    plane: usize,
    ctx: usize,
    first: usize,
    levels: &[i16; 16],
    end: usize,
) -> bool {
    let mut n = first;
    let mut slot = Slot {
        plane,
        band: BANDS[n],
        ctx,
    };
    if end <= first {
        sink.node(slot, 0, false);
        return false;
    }
    let mut after_zero = false;
    while n < end {
        let level = levels[n];
        let v = level.unsigned_abs();
        if !after_zero {
            sink.node(slot, 0, true);
        }
        n += 1;
        if v == 0 {
            sink.node(slot, 1, false);
            after_zero = true;
            slot.band = BANDS[n];
            slot.ctx = 0;
            continue;
        }
        sink.node(slot, 1, true);
        let next_ctx = if v == 1 {
            sink.node(slot, 2, false);
            1
        } else {
            sink.node(slot, 2, true);
            put_large(sink, slot, v);
            2
        };
        sink.fixed(128, level < 0);
        after_zero = false;
        slot.band = BANDS[n];
        slot.ctx = next_ctx;
    }
    if n < 16 {
        sink.node(slot, 0, false);
    }
    true
}

/// Writes a magnitude of 2 or more: the rest of the token tree and the category's extra bits.
fn put_large<S: TokenSink>(sink: &mut S, slot: Slot, v: u16) {
    if v <= 4 {
        sink.node(slot, 3, false);
        if v == 2 {
            sink.node(slot, 4, false);
        } else {
            sink.node(slot, 4, true);
            sink.node(slot, 5, v == 4);
        }
        return;
    }
    sink.node(slot, 3, true);
    let cat = if v <= 10 {
        sink.node(slot, 6, false);
        let cat = usize::from(v > 6);
        sink.node(slot, 7, cat == 1);
        cat
    } else {
        sink.node(slot, 6, true);
        if v <= 34 {
            sink.node(slot, 8, false);
            let cat = 2 + usize::from(v > 18);
            sink.node(slot, 9, cat == 3);
            cat
        } else {
            sink.node(slot, 8, true);
            let cat = 4 + usize::from(v > 66);
            sink.node(slot, 10, cat == 5);
            cat
        }
    };
    let extra = u32::from(v - CAT_BASE[cat]);
    let probs = CAT_PROBS[cat];
    for (i, &prob) in probs.iter().enumerate() {
        let shift = probs.len() - 1 - i;
        sink.fixed(prob, (extra >> shift) & 1 != 0);
    }
}

/// One block's levels in scan order and one past its last non-zero level.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Levels {
    /// Quantised coefficients in zigzag order.
    pub(super) levels: [i16; 16],
    /// One past the last non-zero level; 0 for none.
    pub(super) end: usize,
}

/// Non-zero flags of the blocks along a macroblock edge: 4 Y, 2 U, 2 V, then Y2.
pub(super) type NzEdge = [bool; 9];

/// Token contexts for one macroblock row in progress.
pub(super) struct NzContext {
    /// The bottom edge of each macroblock of the row above (then of this row, as it goes).
    pub(super) top: Vec<NzEdge>,
    /// The right edge of the macroblock to the left.
    pub(super) left: NzEdge,
}

impl NzContext {
    /// Contexts for a frame `mb_w` macroblocks wide.
    pub(super) fn new(mb_w: usize) -> Self {
        Self {
            top: vec![[false; 9]; mb_w],
            left: [false; 9],
        }
    }

    /// Records a coded macroblock's blocks (Y2, 16 Y, 4 U, 4 V) without walking them: a block
    /// is non-zero when it has any level.
    pub(super) fn code(&mut self, mx: usize, has_y2: bool, blocks: &[Levels]) {
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

    /// Starts a macroblock row.
    pub(super) fn new_row(&mut self) {
        self.left = [false; 9];
    }

    /// Records a skipped macroblock: its blocks are all zero, except that a macroblock without
    /// Y2 leaves the Y2 context alone.
    pub(super) fn skip(&mut self, mx: usize, has_y2: bool) {
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

/// Walks the luma blocks of a macroblock (`blocks[0]` is Y2, used when `has_y2`, then 16 Y
/// blocks) in bitstream order, updating the edge contexts.
pub(super) fn put_luma_tokens<S: TokenSink>(
    sink: &mut S,
    top: &mut NzEdge,
    left: &mut NzEdge,
    has_y2: bool,
    blocks: &[Levels],
) {
    let (plane, first) = if has_y2 {
        let ctx = usize::from(top[8]) + usize::from(left[8]);
        let b = &blocks[0];
        let any = put_block(sink, TYPE_Y2, ctx, 0, &b.levels, b.end);
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
            let any = put_block(sink, plane, ctx, first, &b.levels, b.end);
            top[bx] = any;
            left[by] = any;
        }
    }
}

/// Walks all 25 blocks of a coded macroblock (Y2, 16 Y, 4 U, 4 V) in bitstream order,
/// updating the contexts: the one walk both the statistics pass and the token partition use.
pub(super) fn put_mb_tokens<S: TokenSink>(
    sink: &mut S,
    nz: &mut NzContext,
    mx: usize,
    has_y2: bool,
    blocks: &[Levels],
) {
    let top = &mut nz.top[mx];
    let left = &mut nz.left;
    put_luma_tokens(sink, top, left, has_y2, blocks);
    for (plane_off, ctx_off) in [(17, 4), (21, 6)] {
        for by in 0..2 {
            for bx in 0..2 {
                let ctx = usize::from(top[ctx_off + bx]) + usize::from(left[ctx_off + by]);
                let b = &blocks[plane_off + by * 2 + bx];
                let any = put_block(sink, TYPE_UV, ctx, 0, &b.levels, b.end);
                top[ctx_off + bx] = any;
                left[ctx_off + by] = any;
            }
        }
    }
}

/// Chooses updated token probabilities where the saving pays for the update (RFC 6386
/// section 13.4): each slot's new probability is the observed frequency of its `false`
/// branch. Returns the probabilities and, per slot in bitstream order, whether it changed.
pub(super) fn choose_probs(stats: &TokenStats) -> (TokenProbs, Vec<bool>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_table_is_the_formula() {
        for (p, &cost) in COST.iter().enumerate() {
            let prob = (p.max(1) as f64) / 256.0;
            let expected = (-prob.log2() * 256.0).round();
            assert_eq!(f64::from(cost), expected, "probability {p}/256");
        }
    }
}

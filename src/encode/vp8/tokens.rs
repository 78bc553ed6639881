//! DCT token coding (RFC 6386 section 13): writing a block's levels with the token tree, and
//! the same walk summing bit costs for rate estimates.

use std::sync::LazyLock;

use super::bool_encoder::BoolEncoder;
use super::tables::{BANDS, CAT_BASE, CAT_PROBS};

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

/// Cost in 1/256 bit of an event of probability `p / 256`, for `p` in 0..=256 (0 is treated as 1).
static COST: LazyLock<[u16; 257]> = LazyLock::new(|| {
    std::array::from_fn(|p| {
        let p = (p.max(1) as f64) / 256.0;
        (-p.log2() * 256.0).round() as u16
    })
});

/// Cost in 1/256 bit of writing `bit` with probability `prob` of `false`.
#[inline]
pub(super) fn bit_cost(prob: u8, bit: bool) -> u32 {
    let p = if bit {
        256 - usize::from(prob)
    } else {
        usize::from(prob)
    };
    u32::from(COST[p])
}

/// Where a token stream goes: a real encoder, or a cost accumulator.
pub(super) trait BitSink {
    /// Records `bit` with probability `prob` of `false`.
    fn bit(&mut self, prob: u8, bit: bool);
}

impl BitSink for BoolEncoder {
    #[inline]
    fn bit(&mut self, prob: u8, bit: bool) {
        self.put(prob, bit);
    }
}

/// Sums costs in 1/256 bit.
#[derive(Debug, Default)]
pub(super) struct CostSink(pub(super) u32);

impl BitSink for CostSink {
    #[inline]
    fn bit(&mut self, prob: u8, bit: bool) {
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

/// Writes (or costs) the levels of one block, in scan order from position `first`; `end` is
/// one past the last non-zero level (0 when there is none) and `ctx` the number of neighbouring
/// blocks (above, left) with non-zero levels. Returns whether the block had any.
pub(super) fn put_block<S: BitSink>(
    sink: &mut S,
    probs: &TokenProbs,
    plane: usize,
    ctx: usize,
    first: usize,
    levels: &[i16; 16],
    end: usize,
) -> bool {
    let table = &probs[plane];
    let mut n = first;
    let mut p = &table[BANDS[n]][ctx];
    if end <= first {
        sink.bit(p[0], false);
        return false;
    }
    let mut after_zero = false;
    while n < end {
        let level = levels[n];
        let v = level.unsigned_abs();
        if !after_zero {
            sink.bit(p[0], true);
        }
        if v == 0 {
            sink.bit(p[1], false);
            after_zero = true;
            n += 1;
            p = &table[BANDS[n]][0];
            continue;
        }
        sink.bit(p[1], true);
        let next_ctx = if v == 1 {
            sink.bit(p[2], false);
            1
        } else {
            sink.bit(p[2], true);
            put_large(sink, p, v);
            2
        };
        sink.bit(128, level < 0);
        after_zero = false;
        n += 1;
        p = &table[BANDS[n]][next_ctx];
    }
    if n < 16 {
        sink.bit(p[0], false);
    }
    true
}

/// Writes a magnitude of 2 or more: the rest of the token tree and the category's extra bits.
fn put_large<S: BitSink>(sink: &mut S, p: &[u8; 11], v: u16) {
    if v <= 4 {
        sink.bit(p[3], false);
        if v == 2 {
            sink.bit(p[4], false);
        } else {
            sink.bit(p[4], true);
            sink.bit(p[5], v == 4);
        }
        return;
    }
    sink.bit(p[3], true);
    let cat = if v <= 10 {
        sink.bit(p[6], false);
        let cat = usize::from(v > 6);
        sink.bit(p[7], cat == 1);
        cat
    } else {
        sink.bit(p[6], true);
        if v <= 34 {
            sink.bit(p[8], false);
            let cat = 2 + usize::from(v > 18);
            sink.bit(p[9], cat == 3);
            cat
        } else {
            sink.bit(p[8], true);
            let cat = 4 + usize::from(v > 66);
            sink.bit(p[10], cat == 5);
            cat
        }
    };
    let extra = u32::from(v - CAT_BASE[cat]);
    let probs = CAT_PROBS[cat];
    for (i, &prob) in probs.iter().enumerate() {
        let shift = probs.len() - 1 - i;
        sink.bit(prob, (extra >> shift) & 1 != 0);
    }
}

/// Counts the branches [`put_block`] would take, into `stats`.
pub(super) fn count_block(
    stats: &mut TokenStats,
    plane: usize,
    ctx: usize,
    first: usize,
    levels: &[i16; 16],
    end: usize,
) {
    let table = &mut stats.counts[plane];
    let mut n = first;
    let mut c = ctx;
    if end <= first {
        table[BANDS[n]][c][0][0] += 1;
        return;
    }
    let mut after_zero = false;
    while n < end {
        let v = levels[n].unsigned_abs();
        let slot = &mut table[BANDS[n]][c];
        if !after_zero {
            slot[0][1] += 1;
        }
        if v == 0 {
            slot[1][0] += 1;
            after_zero = true;
            c = 0;
            n += 1;
            continue;
        }
        slot[1][1] += 1;
        if v == 1 {
            slot[2][0] += 1;
            c = 1;
        } else {
            slot[2][1] += 1;
            // The nodes below 2 depend on the magnitude only.
            let mut counter = NodeCounter(slot);
            put_large(&mut counter, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], v);
            c = 2;
        }
        after_zero = false;
        n += 1;
    }
    if n < 16 {
        table[BANDS[n]][c][0][0] += 1;
    }
}

/// Counts node branches: `put_large` is given each node's number as its "probability"; the
/// category extra bits carry real probabilities (all above 128) and are ignored.
struct NodeCounter<'a>(&'a mut [[u32; 2]; 11]);

impl BitSink for NodeCounter<'_> {
    fn bit(&mut self, prob: u8, bit: bool) {
        if (3..=10).contains(&prob) {
            self.0[usize::from(prob)][usize::from(bit)] += 1;
        }
    }
}

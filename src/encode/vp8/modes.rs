//! Prediction modes in the first partition (RFC 6386 sections 11.2-11.5): the key-frame mode
//! trees with their fixed probabilities, written or costed.

use super::bool_encoder::BoolEncoder;
use super::predict::{BlockMode, SubMode};
use super::tables::BMODE_PROBS;
use super::tokens::bit_cost;

/// The path of each sub-block mode through the `B_PRED` mode tree: (node, branch) pairs.
pub(super) const SUB_MODE_PATHS: [&[(usize, bool)]; 10] = [
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
pub(super) const Y_MODE_PROBS: [u8; 4] = [145, 156, 163, 128];
/// Key-frame chroma mode tree probabilities (DC "0", V "10", H "110", TM "111").
pub(super) const UV_MODE_PROBS: [u8; 3] = [142, 114, 183];

/// Writes a macroblock's luma mode: `None` is `B_PRED`.
pub(super) fn put_y_mode(enc: &mut BoolEncoder, mode: Option<BlockMode>) {
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

/// Cost in 1/256 bit of a whole-block luma mode.
pub(super) fn y_mode_cost(mode: BlockMode) -> u32 {
    let p = Y_MODE_PROBS;
    bit_cost(p[0], true)
        + match mode {
            BlockMode::Dc => bit_cost(p[1], false) + bit_cost(p[2], false),
            BlockMode::V => bit_cost(p[1], false) + bit_cost(p[2], true),
            BlockMode::H => bit_cost(p[1], true) + bit_cost(p[3], false),
            BlockMode::Tm => bit_cost(p[1], true) + bit_cost(p[3], true),
        }
}

/// Writes a macroblock's chroma mode.
pub(super) fn put_uv_mode(enc: &mut BoolEncoder, mode: BlockMode) {
    let p = UV_MODE_PROBS;
    enc.put(p[0], mode != BlockMode::Dc);
    if mode != BlockMode::Dc {
        enc.put(p[1], mode != BlockMode::V);
        if mode != BlockMode::V {
            enc.put(p[2], mode == BlockMode::Tm);
        }
    }
}

/// Cost in 1/256 bit of a chroma mode.
pub(super) fn uv_mode_cost(mode: BlockMode) -> u32 {
    let p = UV_MODE_PROBS;
    match mode {
        BlockMode::Dc => bit_cost(p[0], false),
        BlockMode::V => bit_cost(p[0], true) + bit_cost(p[1], false),
        BlockMode::H => bit_cost(p[0], true) + bit_cost(p[1], true) + bit_cost(p[2], false),
        BlockMode::Tm => bit_cost(p[0], true) + bit_cost(p[1], true) + bit_cost(p[2], true),
    }
}

/// Cost in 1/256 bit of sub-block mode `mode` next to the `above` and `left` ones.
pub(super) fn sub_mode_cost(above: SubMode, left: SubMode, mode: SubMode) -> u32 {
    u32::from(SUB_MODE_COSTS[usize::from(above)][usize::from(left)][usize::from(mode)])
}

/// [`sub_mode_cost`] for every `[above][left][mode]`, worked out at compile time: the 4x4 mode
/// search asks for it once per candidate mode.
const SUB_MODE_COSTS: [[[u16; 10]; 10]; 10] = {
    let mut table = [[[0_u16; 10]; 10]; 10];
    let mut above = 0;
    while above < 10 {
        let mut left = 0;
        while left < 10 {
            let probs = &BMODE_PROBS[above][left];
            let mut mode = 0;
            while mode < 10 {
                let path = SUB_MODE_PATHS[mode];
                let (mut cost, mut i) = (0, 0);
                while i < path.len() {
                    let (node, bit) = path[i];
                    cost += bit_cost(probs[node], bit);
                    i += 1;
                }
                table[above][left][mode] = cost as u16;
                mode += 1;
            }
            left += 1;
        }
        above += 1;
    }
    table
};

/// Writes the 16 sub-block modes of a `B_PRED` macroblock, each in the context of the modes
/// above and to the left (`top` and `left`: the neighbouring macroblocks' edge modes).
pub(super) fn put_sub_modes(
    enc: &mut BoolEncoder,
    modes: &[SubMode; 16],
    top: &[SubMode; 4],
    left: &[SubMode; 4],
) {
    for (b, &mode) in modes.iter().enumerate() {
        let (bx, by) = (b % 4, b / 4);
        let above = if by == 0 { top[bx] } else { modes[b - 4] };
        let left = if bx == 0 { left[by] } else { modes[b - 1] };
        let probs = &BMODE_PROBS[usize::from(above)][usize::from(left)];
        for &(node, bit) in SUB_MODE_PATHS[usize::from(mode)] {
            enc.put(probs[node], bit);
        }
    }
}

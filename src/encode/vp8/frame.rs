//! A VP8 key frame from the first pass's decisions (RFC 6386 sections 9 and 19): token
//! statistics and probability updates, the token partition, then the first partition (frame
//! header, loop-filter level, probability updates, modes) and the frame tag.

use super::analysis::{self, Decisions, Settings};
use super::bool_encoder::BoolEncoder;
use super::modes::{put_sub_modes, put_uv_mode, put_y_mode};
use super::predict::B_DC;
use super::quant::Quantiser;
use super::tables::COEFF_UPDATE_PROBS;
use super::tokens::{
    NzContext, TokenProbs, TokenSink, TokenStats, TokenWriter, choose_probs, put_mb_tokens,
};
use super::yuv::Planes;

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
    let decisions = analysis::analyse(planes, quant, settings);

    // Token statistics with the contexts as the decoder will see them, then better
    // probabilities.
    let mut stats = TokenStats::default();
    walk_tokens(&mut stats, &decisions, planes.mb_w);
    let (probs, updated) = choose_probs(&stats);

    let mut tokens = BoolEncoder::with_capacity(decisions.store.len() * 4);
    let mut writer = TokenWriter {
        enc: &mut tokens,
        probs: &probs,
    };
    walk_tokens(&mut writer, &decisions, planes.mb_w);
    let tokens = tokens.finish();

    let head = first_partition(&decisions, &quant, &probs, &updated, planes.mb_w);
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

/// Walks every coded macroblock's tokens into `sink`, with the contexts the decoder tracks.
fn walk_tokens<S: TokenSink>(sink: &mut S, decisions: &Decisions, mb_w: usize) {
    let mut nz = NzContext::new(mb_w);
    for (i, info) in decisions.infos.iter().enumerate() {
        let mx = i % mb_w;
        if mx == 0 {
            nz.new_row();
        }
        let has_y2 = info.luma.has_y2();
        if info.skip {
            nz.skip(mx, has_y2);
        } else {
            put_mb_tokens(sink, &mut nz, mx, has_y2, &decisions.store[info.blocks..]);
        }
    }
}

/// Loop-filter level for the frame's quantiser: about a quarter of the AC step, which smooths
/// block edges about as much as the quantiser roughens them.
fn filter_level(quant: &Quantiser) -> u32 {
    (quant.y1.step[1] * 9 / 32).min(63)
}

/// The first partition: frame header, token probability updates, then each macroblock's skip
/// flag and modes.
fn first_partition(
    decisions: &Decisions,
    quant: &Quantiser,
    probs: &TokenProbs,
    updated: &[bool],
    mb_w: usize,
) -> Vec<u8> {
    let infos = &decisions.infos;
    let mb_count = infos.len();
    let mut head = BoolEncoder::with_capacity(mb_count + 1024);
    head.put_flag(false); // colour space: YUV
    head.put_flag(false); // clamping required
    head.put_flag(false); // no segmentation
    head.put_flag(false); // normal loop filter
    head.put_literal(6, filter_level(quant));
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
    let skipped = infos.iter().filter(|i| i.skip).count();
    let prob_skip =
        (((mb_count - skipped) * 256 + mb_count / 2) / mb_count.max(1)).clamp(1, 255) as u8;
    head.put_flag(true); // per-macroblock skip flags
    head.put_literal(8, u32::from(prob_skip));
    let mut top_modes = vec![[B_DC; 4]; mb_w];
    let mut left_modes = [B_DC; 4];
    for (i, info) in infos.iter().enumerate() {
        let mx = i % mb_w;
        if mx == 0 {
            left_modes = [B_DC; 4];
        }
        head.put(prob_skip, info.skip);
        match info.luma {
            analysis::LumaMode::Block(mode) => {
                put_y_mode(&mut head, Some(mode));
                top_modes[mx] = [mode.implied_sub_mode(); 4];
                left_modes = [mode.implied_sub_mode(); 4];
            }
            analysis::LumaMode::Sub(modes) => {
                put_y_mode(&mut head, None);
                put_sub_modes(&mut head, &modes, &top_modes[mx], &left_modes);
                top_modes[mx] = [modes[12], modes[13], modes[14], modes[15]];
                left_modes = [modes[3], modes[7], modes[11], modes[15]];
            }
        }
        put_uv_mode(&mut head, info.chroma);
    }
    head.finish()
}

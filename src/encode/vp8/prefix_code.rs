//! VP8L prefix (Huffman) codes for the `ALPH` stream: length-limited code lengths from symbol
//! counts, canonical codes, and the code's description in the bitstream (WebP lossless
//! bitstream specification, section 3.7.2 "Decoding of Prefix Codes").

/// Writes bits least significant first, as VP8L reads them.
#[derive(Debug, Default)]
pub(super) struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitWriter {
    /// Starts an empty stream with room for `capacity` bytes.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            out: Vec::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// Writes the low `count` (at most 32) bits of `bits`.
    #[inline]
    pub(super) fn put(&mut self, bits: u32, count: u32) {
        self.acc |= u64::from(bits) << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// Pads the last byte with zeros and returns the bytes.
    pub(super) fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Longest code the format allows for the data alphabets.
const MAX_LENGTH: u8 = 15;
/// Longest code of the code-length alphabet (its lengths are written in 3 bits).
const MAX_CODE_LENGTH_LENGTH: u8 = 7;
/// The order in which the code-length code's own lengths are written.
const CODE_LENGTH_ORDER: [usize; 19] = [
    17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
];

/// A prefix code for one alphabet: per symbol, its length and its bits (already reversed for
/// least-significant-first writing). A code of one symbol has length 0: it costs nothing.
#[derive(Debug)]
pub(super) struct PrefixCode {
    lengths: Vec<u8>,
    codes: Vec<u16>,
    /// The symbols in use, when there are at most two of them and all are below 256: such a
    /// code is written in the format's short "simple" form.
    simple: Option<Vec<u16>>,
}

impl PrefixCode {
    /// Builds the code for `counts` (one per symbol of the alphabet).
    pub(super) fn new(counts: &[u32]) -> Self {
        let used: Vec<u16> = (0..counts.len() as u16)
            .filter(|&s| counts[usize::from(s)] > 0)
            .collect();
        let n = counts.len();
        if used.len() <= 2 && used.iter().all(|&s| s < 256) {
            let mut lengths = vec![0; n];
            if used.len() == 2 {
                for &s in &used {
                    lengths[usize::from(s)] = 1;
                }
            }
            let codes = canonical_codes(&lengths);
            // No symbol at all (an unused alphabet): one symbol, 0, that is never written.
            let simple = if used.is_empty() { vec![0] } else { used };
            return Self {
                lengths,
                codes,
                simple: Some(simple),
            };
        }
        let lengths = code_lengths(counts, MAX_LENGTH);
        let codes = canonical_codes(&lengths);
        Self {
            lengths,
            codes,
            simple: None,
        }
    }

    /// Writes `symbol`'s code.
    #[inline]
    pub(super) fn put(&self, w: &mut BitWriter, symbol: usize) {
        w.put(
            u32::from(self.codes[symbol]),
            u32::from(self.lengths[symbol]),
        );
    }

    /// Writes the code's description, as the decoder reads it before the data.
    pub(super) fn write_header(&self, w: &mut BitWriter) {
        if let Some(symbols) = &self.simple {
            w.put(1, 1); // simple code
            w.put(symbols.len() as u32 - 1, 1);
            let first = u32::from(symbols[0]);
            if first < 2 {
                w.put(0, 1); // the first symbol in 1 bit
                w.put(first, 1);
            } else {
                w.put(1, 1); // ... in 8 bits
                w.put(first, 8);
            }
            if let Some(&second) = symbols.get(1) {
                w.put(u32::from(second), 8);
            }
            return;
        }
        w.put(0, 1); // normal code
        let tokens = length_tokens(&self.lengths);
        let mut counts = [0_u32; 19];
        for &(symbol, _) in &tokens {
            counts[usize::from(symbol)] += 1;
        }
        // A code-length code needs two symbols to be a complete tree; lend a second one.
        if counts.iter().filter(|&&c| c > 0).count() < 2 {
            let spare = usize::from(counts[0] > 0);
            counts[spare] = 1;
        }
        let cl_lengths = code_lengths(&counts, MAX_CODE_LENGTH_LENGTH);
        let cl_codes = canonical_codes(&cl_lengths);
        let written = CODE_LENGTH_ORDER
            .iter()
            .rposition(|&s| cl_lengths[s] > 0)
            .map_or(4, |last| (last + 1).max(4));
        w.put(written as u32 - 4, 4);
        for &s in &CODE_LENGTH_ORDER[..written] {
            w.put(u32::from(cl_lengths[s]), 3);
        }
        w.put(0, 1); // the lengths cover the whole alphabet
        for (symbol, extra) in tokens {
            let s = usize::from(symbol);
            w.put(u32::from(cl_codes[s]), u32::from(cl_lengths[s]));
            match symbol {
                16 => w.put(u32::from(extra), 2),
                17 => w.put(u32::from(extra), 3),
                18 => w.put(u32::from(extra), 7),
                _ => {}
            }
        }
    }
}

/// The code lengths as code-length symbols with their extra bits: 0-15 literal, 16 repeats the
/// previous non-zero length 3-6 times, 17 and 18 are runs of 3-10 and 11-138 zeros.
fn length_tokens(lengths: &[u8]) -> Vec<(u8, u8)> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < lengths.len() {
        let value = lengths[i];
        let run = lengths[i..].iter().take_while(|&&l| l == value).count();
        i += run;
        let mut left = run;
        if value == 0 {
            while left >= 11 {
                let n = left.min(138);
                tokens.push((18, (n - 11) as u8));
                left -= n;
            }
            if left >= 3 {
                tokens.push((17, (left - 3) as u8));
                left = 0;
            }
        } else {
            // The value itself, then repeats of it.
            tokens.push((value, 0));
            left -= 1;
            while left >= 3 {
                let n = left.min(6);
                tokens.push((16, (n - 3) as u8));
                left -= n;
            }
        }
        tokens.extend(std::iter::repeat_n((value, 0), left));
    }
    tokens
}

/// Huffman code lengths of at most `limit` bits for the symbols with a non-zero count (at least
/// two of them). When the tree is too deep, small counts are raised and the tree rebuilt,
/// which flattens it: the code stays complete and near-optimal.
fn code_lengths(counts: &[u32], limit: u8) -> Vec<u8> {
    let mut lengths = vec![0_u8; counts.len()];
    let used: Vec<usize> = (0..counts.len()).filter(|&s| counts[s] > 0).collect();
    let n = used.len();
    debug_assert!(n >= 2, "a tree needs two symbols");
    let mut floor = 1_u32;
    loop {
        let mut leaves: Vec<(u32, usize)> =
            used.iter().map(|&s| (counts[s].max(floor), s)).collect();
        leaves.sort_unstable();
        // Two-queue Huffman construction: leaves in weight order, then internal nodes, which
        // are created in weight order too. Nodes 0..n are the leaves, n.. the internal ones.
        let mut weight: Vec<u64> = leaves.iter().map(|&(c, _)| u64::from(c)).collect();
        weight.reserve(n - 1);
        let mut parent = vec![0_usize; 2 * n - 1];
        let (mut next_leaf, mut next_inner) = (0, n);
        for node in n..2 * n - 1 {
            let mut pick = || {
                let take_leaf = next_leaf < n
                    && (next_inner >= node || weight[next_leaf] <= weight[next_inner]);
                if take_leaf {
                    next_leaf += 1;
                    next_leaf - 1
                } else {
                    next_inner += 1;
                    next_inner - 1
                }
            };
            let (a, b) = (pick(), pick());
            parent[a] = node;
            parent[b] = node;
            weight.push(weight[a] + weight[b]);
        }
        let mut depth = vec![0_u8; 2 * n - 1];
        for node in (0..2 * n - 2).rev() {
            depth[node] = depth[parent[node]] + 1;
        }
        if depth[..n].iter().all(|&d| d <= limit) {
            for (i, &(_, s)) in leaves.iter().enumerate() {
                lengths[s] = depth[i];
            }
            return lengths;
        }
        floor = floor.saturating_mul(2);
    }
}

/// Canonical codes for `lengths` (shorter codes first, then by symbol), bit-reversed for
/// least-significant-first writing.
fn canonical_codes(lengths: &[u8]) -> Vec<u16> {
    let mut per_length = [0_u16; 16];
    for &l in lengths {
        per_length[usize::from(l)] += 1;
    }
    per_length[0] = 0;
    let mut next = [0_u16; 16];
    let mut code = 0_u16;
    for l in 1..16 {
        code = (code + per_length[l - 1]) << 1;
        next[l] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[usize::from(l)];
            next[usize::from(l)] += 1;
            c.reverse_bits() >> (16 - l)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lengths_are_limited_and_complete() {
        // Fibonacci counts make the deepest possible Huffman tree.
        let mut counts = vec![0_u32; 40];
        let (mut a, mut b) = (1_u32, 1_u32);
        for c in counts.iter_mut().take(30) {
            *c = a;
            (a, b) = (b, a + b);
        }
        let lengths = code_lengths(&counts, 15);
        assert!(lengths.iter().all(|&l| l <= 15), "{lengths:?}");
        let kraft: f64 = lengths
            .iter()
            .filter(|&&l| l > 0)
            .map(|&l| 0.5_f64.powi(i32::from(l)))
            .sum();
        assert!((kraft - 1.0).abs() < 1e-12, "complete: Kraft sum {kraft}");
        assert_eq!(lengths[30..], [0; 10], "unused symbols have no code");
    }

    #[test]
    fn canonical_codes_are_prefix_free() {
        let lengths = [2, 1, 3, 3, 0];
        let codes = canonical_codes(&lengths);
        // Undo the reversal: 1 -> "0", 0 -> "10", 2 -> "110", 3 -> "111".
        let plain: Vec<u16> = codes
            .iter()
            .zip(lengths)
            .map(|(&c, l)| {
                if l == 0 {
                    0
                } else {
                    c.reverse_bits() >> (16 - l)
                }
            })
            .collect();
        assert_eq!(plain[..4], [0b10, 0b0, 0b110, 0b111]);
    }

    #[test]
    fn length_tokens_expand_back() {
        let lengths: Vec<u8> = [
            vec![0; 150],
            vec![5; 9],
            vec![0; 4],
            vec![3, 3],
            vec![0; 20],
        ]
        .concat();
        let mut out = Vec::new();
        let mut previous = 8;
        for (symbol, extra) in length_tokens(&lengths) {
            match symbol {
                16 => out.extend(std::iter::repeat_n(previous, 3 + usize::from(extra))),
                17 => out.extend(std::iter::repeat_n(0, 3 + usize::from(extra))),
                18 => out.extend(std::iter::repeat_n(0, 11 + usize::from(extra))),
                l => {
                    out.push(l);
                    if l != 0 {
                        previous = l;
                    }
                }
            }
        }
        assert_eq!(out, lengths);
    }

    #[test]
    fn bit_writer_is_lsb_first() {
        let mut w = BitWriter::default();
        w.put(1, 1);
        w.put(0b10, 2);
        w.put(0x1ff, 9);
        assert_eq!(w.finish(), [0b1111_1101, 0b1111]);
    }
}

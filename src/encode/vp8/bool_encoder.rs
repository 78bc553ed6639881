//! The boolean entropy encoder of RFC 6386 section 7.

/// Writes booleans, each with an 8-bit probability of being `false`, into an arithmetic-coded
/// byte stream (RFC 6386 section 7.3).
///
/// `bottom` keeps the low end of the interval with 24 bits of look-ahead; a carry out of it
/// ripples back into the bytes already written (`0xff` bytes turn to `0x00`).
#[derive(Debug)]
pub(super) struct BoolEncoder {
    out: Vec<u8>,
    range: u32,
    bottom: u32,
    bit_count: u32,
}

impl BoolEncoder {
    /// Starts an empty stream with room for `capacity` bytes.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            out: Vec::with_capacity(capacity),
            range: 255,
            bottom: 0,
            bit_count: 24,
        }
    }

    /// Writes `bit`, which is `false` with probability `prob / 256`.
    #[inline]
    pub(super) fn put(&mut self, prob: u8, bit: bool) {
        let split = 1 + (((self.range - 1) * u32::from(prob)) >> 8);
        if bit {
            self.bottom = self.bottom.wrapping_add(split);
            self.range -= split;
        } else {
            self.range = split;
        }
        if self.range >= 128 {
            return;
        }
        // Renormalise: shift until the range is back in 128..=255. In one go when no bit
        // shifted out of `bottom` is set (no carry) and no byte completes: the same result as
        // the loop below, which is needed otherwise.
        let shift = self.range.leading_zeros() - 24;
        if shift < self.bit_count && self.bottom >> (32 - shift) == 0 {
            self.range <<= shift;
            self.bottom <<= shift;
            self.bit_count -= shift;
            return;
        }
        // One bit at a time, as the carry test needs the top bit of `bottom` before each shift.
        while self.range < 128 {
            self.range <<= 1;
            if self.bottom & (1 << 31) != 0 {
                self.carry();
            }
            self.bottom <<= 1;
            self.bit_count -= 1;
            if self.bit_count == 0 {
                self.out.push((self.bottom >> 24) as u8);
                self.bottom &= (1 << 24) - 1;
                self.bit_count = 8;
            }
        }
    }

    /// Writes `bit` with even odds.
    #[inline]
    pub(super) fn put_flag(&mut self, bit: bool) {
        self.put(128, bit);
    }

    /// Writes the low `bits` bits of `value`, most significant first, with even odds (the
    /// spec's `L(n)`).
    pub(super) fn put_literal(&mut self, bits: u32, value: u32) {
        for i in (0..bits).rev() {
            self.put_flag((value >> i) & 1 != 0);
        }
    }

    fn carry(&mut self) {
        for byte in self.out.iter_mut().rev() {
            if *byte == 255 {
                *byte = 0;
            } else {
                *byte += 1;
                return;
            }
        }
    }

    /// Flushes the interval and returns the bytes.
    pub(super) fn finish(mut self) -> Vec<u8> {
        let shift = self.bit_count;
        let mut v = self.bottom;
        if shift < 32 && v & (1 << (32 - shift)) != 0 {
            self.carry();
        }
        v <<= shift & 7;
        for _ in 0..(shift >> 3) {
            v <<= 8;
        }
        for _ in 0..4 {
            self.out.push((v >> 24) as u8);
            v <<= 8;
        }
        self.out
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The decoder of RFC 6386 section 7.3, to check the encoder against.
    pub(crate) struct BoolDecoder<'a> {
        data: &'a [u8],
        pos: usize,
        value: u32,
        range: u32,
        bit_count: u32,
    }

    impl<'a> BoolDecoder<'a> {
        pub(crate) fn new(data: &'a [u8]) -> Self {
            let byte = |i: usize| u32::from(data.get(i).copied().unwrap_or(0));
            Self {
                data,
                pos: 2,
                value: (byte(0) << 8) | byte(1),
                range: 255,
                bit_count: 0,
            }
        }

        pub(crate) fn get(&mut self, prob: u8) -> bool {
            let split = 1 + (((self.range - 1) * u32::from(prob)) >> 8);
            let big_split = split << 8;
            let bit = if self.value >= big_split {
                self.range -= split;
                self.value -= big_split;
                true
            } else {
                self.range = split;
                false
            };
            while self.range < 128 {
                self.value <<= 1;
                self.range <<= 1;
                self.bit_count += 1;
                if self.bit_count == 8 {
                    self.bit_count = 0;
                    self.value |= u32::from(self.data.get(self.pos).copied().unwrap_or(0));
                    self.pos += 1;
                }
            }
            bit
        }

        pub(crate) fn literal(&mut self, bits: u32) -> u32 {
            (0..bits).fold(0, |acc, _| (acc << 1) | u32::from(self.get(128)))
        }
    }

    #[test]
    fn bool_coder_round_trips_skewed_and_even_bits() {
        // A deterministic mix of probabilities (including the extremes 1 and 255) and bits,
        // with long runs that force carries through 0xff bytes.
        let mut state = 0x1234_5678_u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let symbols: Vec<(u8, bool)> = (0..20_000)
            .map(|i| {
                let r = next();
                let prob = if i % 7 == 0 { 1 + (r % 255) as u8 } else { 250 };
                (prob, (r >> 8) % 11 == 0 || i % 997 < 40)
            })
            .collect();
        let mut enc = BoolEncoder::with_capacity(0);
        for &(p, b) in &symbols {
            enc.put(p, b);
        }
        enc.put_literal(7, 100);
        let bytes = enc.finish();
        let mut dec = BoolDecoder::new(&bytes);
        for (i, &(p, b)) in symbols.iter().enumerate() {
            assert_eq!(dec.get(p), b, "symbol {i}");
        }
        assert_eq!(dec.literal(7), 100, "literal after the symbols");
    }

    #[test]
    fn bool_coder_compresses_predictable_bits() {
        let mut enc = BoolEncoder::with_capacity(0);
        for _ in 0..8000 {
            enc.put(255, false);
        }
        let bytes = enc.finish();
        assert!(
            bytes.len() < 40,
            "8000 near-certain bits took {} bytes",
            bytes.len()
        );
    }
}

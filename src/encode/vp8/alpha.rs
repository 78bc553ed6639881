//! The `ALPH` chunk: the alpha plane as a header-less VP8L image stream (WebP container
//! specification, "Alpha"; WebP lossless bitstream specification for the stream).
//!
//! Sticker alpha is long runs of 0 and 255 with thin anti-aliased edges, and each row's edge is
//! close to the row above. So the stream uses no transform and two kinds of backward reference
//! only: a run of the previous value (distance 1) and a copy of the row above (distance code 1,
//! "one row up"), chosen greedily by length. The plane comes from the colour conversion pass,
//! one byte per pixel, which keeps this a small fraction of the frame's encode time (the
//! general-purpose lossless encoder of image-webp took a quarter of it, and wrote larger
//! streams, having no row-above copies).

use super::prefix_code::{BitWriter, PrefixCode};

/// `ALPH` header byte: no pre-processing, no filtering, compression method 1 (lossless).
const HEADER_LOSSLESS: u8 = 0b0000_0001;

/// Size of the green alphabet: 256 literals and 24 length prefixes (no colour cache).
const GREEN_SYMBOLS: usize = 256 + 24;
/// Size of the distance alphabet.
const DISTANCE_SYMBOLS: usize = 40;
/// Distance code of the pixel above (the first entry of the spec's distance map, (0, 1)).
const CODE_ABOVE: u32 = 1;
/// Distance code of the pixel to the left (the map's second entry, (1, 0)).
const CODE_LEFT: u32 = 2;
/// Longest backward reference the length prefixes can express.
const MAX_COPY: usize = 4096;
/// Shortest copy worth its length and distance codes.
const MIN_COPY: usize = 3;

/// One element of the stream: a literal alpha value, or a copy of `len` pixels from the
/// distance `code` names.
#[derive(Clone, Copy, Debug)]
enum Token {
    Literal(u8),
    Copy { len: u16, code: u32 },
}

/// The prefix symbol and extra bits of a length or distance code `value` (at least 1):
/// values 1-4 are symbols 0-3, then each pair of symbols doubles the range.
fn prefix(value: u32) -> (usize, u32, u32) {
    let v = value - 1;
    if v < 4 {
        return (v as usize, 0, 0);
    }
    let high = 31 - v.leading_zeros();
    let second = (v >> (high - 1)) & 1;
    let extra_bits = high - 1;
    (
        (2 * high + second) as usize,
        extra_bits,
        v & ((1 << extra_bits) - 1),
    )
}

/// How many pixels from `at` on repeat the ones from `from` on (`from < at`, overlapping
/// allowed), up to [`MAX_COPY`].
fn match_len(plane: &[u8], from: usize, at: usize) -> usize {
    let limit = MAX_COPY.min(plane.len() - at);
    let (a, b) = (&plane[at..at + limit], &plane[from..from + limit]);
    // Eight pixels at a time through the long runs, then the rest one by one.
    let word = |s: &[u8]| u64::from_le_bytes(s.try_into().expect("8 bytes"));
    let whole = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .take_while(|(x, y)| word(x) == word(y))
        .count()
        * 8;
    whole
        + a[whole..]
            .iter()
            .zip(&b[whole..])
            .take_while(|(x, y)| x == y)
            .count()
}

/// Splits the plane into literals and the longer of the two copies at each position.
fn tokenize(plane: &[u8], width: usize) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(plane.len() / 16);
    let mut i = 0;
    while i < plane.len() {
        let left = if i >= 1 {
            match_len(plane, i - 1, i)
        } else {
            0
        };
        let above = if i >= width && left < MAX_COPY {
            match_len(plane, i - width, i)
        } else {
            0
        };
        let (len, code) = if above > left {
            (above, CODE_ABOVE)
        } else {
            (left, CODE_LEFT)
        };
        if len >= MIN_COPY {
            tokens.push(Token::Copy {
                len: len as u16,
                code,
            });
            i += len;
        } else {
            tokens.push(Token::Literal(plane[i]));
            i += 1;
        }
    }
    tokens
}

/// Encodes an alpha plane `width` pixels wide as an `ALPH` chunk payload.
pub(super) fn encode_alpha(plane: &[u8], width: usize) -> Vec<u8> {
    let tokens = tokenize(plane, width);

    let mut green = [0_u32; GREEN_SYMBOLS];
    let mut distance = [0_u32; DISTANCE_SYMBOLS];
    for &t in &tokens {
        match t {
            Token::Literal(v) => green[usize::from(v)] += 1,
            Token::Copy { len, code } => {
                green[256 + prefix(u32::from(len)).0] += 1;
                distance[prefix(code).0] += 1;
            }
        }
    }
    let green = PrefixCode::new(&green);
    let distance = PrefixCode::new(&distance);
    // Red, blue and alpha are 0 throughout: one-symbol codes that cost no bits per pixel.
    let zero = PrefixCode::new(&[1]);

    let mut w = BitWriter::with_capacity(tokens.len() + 64);
    w.put(0, 1); // no transform
    w.put(0, 1); // no colour cache
    w.put(0, 1); // one set of prefix codes for the whole image
    green.write_header(&mut w);
    for _ in 0..3 {
        zero.write_header(&mut w); // red, blue, alpha
    }
    distance.write_header(&mut w);
    for t in tokens {
        match t {
            Token::Literal(v) => green.put(&mut w, usize::from(v)),
            Token::Copy { len, code } => {
                let (symbol, bits, extra) = prefix(u32::from(len));
                green.put(&mut w, 256 + symbol);
                w.put(extra, bits);
                let (symbol, bits, extra) = prefix(code);
                distance.put(&mut w, symbol);
                w.put(extra, bits);
            }
        }
    }
    let stream = w.finish();
    let mut out = Vec::with_capacity(1 + stream.len());
    out.push(HEADER_LOSSLESS);
    out.extend_from_slice(&stream);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_codes_match_the_spec() {
        // (value, symbol, extra bits, extra value), from the spec's decoding rule.
        for (value, symbol, bits, extra) in [
            (1, 0, 0, 0),
            (4, 3, 0, 0),
            (5, 4, 1, 0),
            (6, 4, 1, 1),
            (7, 5, 1, 0),
            (9, 6, 2, 0),
            (4096, 23, 10, 1023),
        ] {
            assert_eq!(prefix(value), (symbol, bits, extra), "value {value}");
        }
    }

    #[test]
    fn tokens_cover_the_plane_with_runs_and_row_copies() {
        let width = 8;
        let mut plane = vec![0_u8; 8 * 4];
        for row in 1..4 {
            plane[row * width + 2..row * width + 6].copy_from_slice(&[40, 255, 255, 90]);
        }
        let tokens = tokenize(&plane, width);
        let covered: usize = tokens
            .iter()
            .map(|t| match t {
                Token::Literal(_) => 1,
                Token::Copy { len, .. } => usize::from(*len),
            })
            .sum();
        assert_eq!(covered, plane.len(), "every pixel once");
        assert!(
            tokens.iter().any(|t| matches!(
                t,
                Token::Copy {
                    code: CODE_ABOVE,
                    ..
                }
            )),
            "the repeated rows are copies from above: {tokens:?}"
        );
    }
}

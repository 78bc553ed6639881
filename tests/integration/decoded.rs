//! Animated outputs read back by an independent decoder: the `image` crate's pure-Rust codecs for
//! frames and delays, and the containers' loop fields read by hand from the spec layouts.

use std::io::Cursor;

use image::codecs::gif::GifDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::{AnimationDecoder, Frames, RgbaImage};

/// An animation as a viewer composes it: every frame on the canvas, with its delay.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// Container: `webp`, `apng` or `gif`.
    pub(crate) format: &'static str,
    /// Composed canvas of each frame.
    pub(crate) frames: Vec<RgbaImage>,
    /// Delay of each frame in milliseconds (exact fraction as f64).
    pub(crate) delays_ms: Vec<f64>,
    /// Loop count from the container; 0 = forever.
    pub(crate) loops: u32,
}

impl Decoded {
    /// Total duration in milliseconds.
    pub(crate) fn duration_ms(&self) -> f64 {
        self.delays_ms.iter().sum()
    }

    /// Canvas size.
    pub(crate) fn size(&self) -> (u32, u32) {
        self.frames[0].dimensions()
    }
}

/// Decodes an animated WebP, APNG or GIF, recognised by its magic bytes.
pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    let (format, frames, loops): (_, Frames<'_>, _) = if bytes.starts_with(b"RIFF") {
        let decoder = WebPDecoder::new(Cursor::new(bytes)).expect("webp header");
        assert!(decoder.has_animation(), "the WebP is animated");
        ("webp", decoder.into_frames(), webp_loops(bytes))
    } else if bytes.starts_with(b"\x89PNG") {
        let decoder = PngDecoder::new(Cursor::new(bytes)).expect("png header");
        assert!(decoder.is_apng().expect("png info"), "the PNG has acTL");
        let frames = decoder.apng().expect("apng").into_frames();
        ("apng", frames, apng_loops(bytes))
    } else if bytes.starts_with(b"GIF89a") {
        let decoder = GifDecoder::new(Cursor::new(bytes)).expect("gif header");
        ("gif", decoder.into_frames(), gif_loops(bytes))
    } else {
        panic!("not an animation: {:?}", &bytes[..bytes.len().min(8)]);
    };
    let mut images = Vec::new();
    let mut delays_ms = Vec::new();
    for frame in frames {
        let frame = frame.expect("a frame decodes");
        let (num, den) = frame.delay().numer_denom_ms();
        delays_ms.push(f64::from(num) / f64::from(den));
        images.push(frame.into_buffer());
    }
    assert!(!images.is_empty(), "at least one frame");
    Decoded {
        format,
        frames: images,
        delays_ms,
        loops,
    }
}

/// The loop count of the `ANIM` chunk (offset 4 of its payload, little-endian).
fn webp_loops(bytes: &[u8]) -> u32 {
    let at = find(bytes, b"ANIM").expect("an ANIM chunk");
    u32::from(u16::from_le_bytes([bytes[at + 12], bytes[at + 13]]))
}

/// `num_plays` of the `acTL` chunk (offset 4 of its payload, big-endian).
fn apng_loops(bytes: &[u8]) -> u32 {
    let at = find(bytes, b"acTL").expect("an acTL chunk");
    u32::from_be_bytes(bytes[at + 8..at + 12].try_into().unwrap())
}

/// The NETSCAPE2.0 application extension's loop count; a GIF without it plays once (1).
fn gif_loops(bytes: &[u8]) -> u32 {
    match find(bytes, b"NETSCAPE2.0") {
        Some(at) => {
            let sub = &bytes[at + 11..at + 16];
            assert_eq!(&sub[..2], &[3, 1], "loop sub-block");
            u32::from(u16::from_le_bytes([sub[2], sub[3]]))
        }
        None => 1,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

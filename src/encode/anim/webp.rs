//! Animated WebP: the RIFF container (`VP8X`, `ANIM`, one `ANMF` per frame) written here around
//! per-frame bitstreams from a [`FrameEncoder`].
//!
//! Container layout from the WebP spec
//! (<https://developers.google.com/speed/webp/docs/riff_container#animation>). The frame
//! bitstreams come from a still WebP encoder whose file is taken apart into its image chunks
//! (`VP8L`, or `ALPH` + `VP8 `): today the lossless encoder of [`crate::encode::encode_webp`], and
//! whatever that function produces once it has a lossy mode, with no change here.

use rayon::prelude::*;

use super::{
    AnimationEncoder, Rect, TimedFrame, Timeline, changed_rects, check_frame, crop, to_units,
};
use crate::encode::{EncodeError, Image, encode_webp};

/// One frame's image chunks, ready to go inside an `ANMF` chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebPFrame {
    /// The chunks in file order, each as its chunk id and payload: `VP8L`, or `ALPH` then `VP8 `.
    pub chunks: Vec<([u8; 4], Vec<u8>)>,
}

/// Compresses one frame into WebP image chunks; the seam where a lossy encoder plugs in.
pub trait FrameEncoder: Sync {
    /// Encodes `image`, a whole canvas-sized frame.
    ///
    /// # Errors
    ///
    /// [`EncodeError`] when the codec fails.
    fn encode_frame(&self, image: &Image) -> Result<WebPFrame, EncodeError>;
}

/// Frames encoded by the still encoder ([`encode_webp`]) at a quality, its file taken apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StillWebPFrames {
    /// Quality 1-100, as for a still WebP (100 is exact).
    pub quality: u8,
}

impl FrameEncoder for StillWebPFrames {
    fn encode_frame(&self, image: &Image) -> Result<WebPFrame, EncodeError> {
        let file = encode_webp(image, self.quality)?;
        image_chunks(&file)
    }
}

/// Returns the image chunks (`ALPH`, `VP8 `, `VP8L`) of a still WebP file, dropping `VP8X` and
/// metadata.
fn image_chunks(file: &[u8]) -> Result<WebPFrame, EncodeError> {
    let bad = |what: &str| EncodeError::Animation(format!("still WebP frame: {what}"));
    if file.len() < 12 || &file[..4] != b"RIFF" || &file[8..12] != b"WEBP" {
        return Err(bad("not a RIFF WEBP file"));
    }
    let mut chunks = Vec::new();
    let mut rest = &file[12..];
    while rest.len() >= 8 {
        let fourcc: [u8; 4] = rest[..4].try_into().expect("4 bytes");
        let size = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes")) as usize;
        let end = 8 + size;
        if end > rest.len() {
            return Err(bad("chunk runs past the end"));
        }
        if matches!(&fourcc, b"ALPH" | b"VP8 " | b"VP8L") {
            chunks.push((fourcc, rest[8..end].to_vec()));
        }
        rest = &rest[(end + (size & 1)).min(rest.len())..];
    }
    if chunks.is_empty() {
        return Err(bad("no image chunk"));
    }
    Ok(WebPFrame { chunks })
}

/// Writes an animated WebP; frames are encoded in parallel by `F` and kept compressed.
#[derive(Debug)]
pub struct AnimatedWebPEncoder<F> {
    timeline: Timeline,
    frames: F,
    /// The `ANMF` chunks so far, headers included.
    body: Vec<u8>,
    count: usize,
    alpha: bool,
    /// The last frame added: what the canvas shows before the next one.
    previous: Option<Image>,
}

impl<F: FrameEncoder> AnimatedWebPEncoder<F> {
    /// Starts an animation on `timeline` whose frames `frames` compresses.
    ///
    /// # Errors
    ///
    /// [`EncodeError::Animation`] when the canvas is larger than WebP's 16384x16384.
    pub fn new(timeline: Timeline, frames: F) -> Result<Self, EncodeError> {
        if !(1..=16384).contains(&timeline.width) || !(1..=16384).contains(&timeline.height) {
            return Err(EncodeError::Animation(format!(
                "a WebP canvas is at most 16384x16384, not {}x{}",
                timeline.width, timeline.height
            )));
        }
        Ok(Self {
            timeline,
            frames,
            body: Vec::new(),
            count: 0,
            alpha: false,
            previous: None,
        })
    }
}

impl<F: FrameEncoder + Send> AnimationEncoder for AnimatedWebPEncoder<F> {
    fn add_frames(&mut self, mut frames: Vec<TimedFrame>) -> Result<(), EncodeError> {
        for frame in &frames {
            check_frame(frame, &self.timeline)?;
        }
        // Each frame after the first is only the rectangle where it differs from the one before
        // (origin on even coordinates, as ANMF stores x/2 and y/2), drawn without blending: its
        // pixels, transparent ones included, replace the canvas there, so the result is exact.
        let rects = changed_rects(self.previous.as_ref(), &frames, Rect::to_even_origin);
        let encoded: Vec<Result<WebPFrame, EncodeError>> = frames
            .par_iter()
            .zip(&rects)
            .map(|(f, &rect)| {
                if rect == Rect::full(&f.image) {
                    self.frames.encode_frame(&f.image)
                } else {
                    self.frames.encode_frame(&crop(&f.image, rect))
                }
            })
            .collect();
        let ts = self.timeline.timescale;
        for ((frame, encoded), rect) in frames.iter().zip(encoded).zip(&rects) {
            let encoded = encoded?;
            let ms = to_units(frame.end, ts, 1000) - to_units(frame.start, ts, 1000);
            let ms = u32::try_from(ms).unwrap_or(u32::MAX).min(0xFF_FFFF);
            self.alpha |= frame.image.data.chunks_exact(4).any(|px| px[3] != 255);
            let payload: usize = encoded.chunks.iter().map(|c| c.1.len() + 9).sum();
            let mut anmf = Vec::with_capacity(16 + payload);
            put_u24(&mut anmf, rect.x / 2);
            put_u24(&mut anmf, rect.y / 2);
            put_u24(&mut anmf, rect.width - 1);
            put_u24(&mut anmf, rect.height - 1);
            put_u24(&mut anmf, ms);
            // Blending bit (1) set: the frame replaces the canvas under it, so transparent pixels
            // clear what the previous frame drew; disposal bit (0) clear: the next frame starts
            // from this one.
            anmf.push(0b10);
            for (fourcc, data) in &encoded.chunks {
                put_chunk(&mut anmf, fourcc, data);
            }
            put_chunk(&mut self.body, b"ANMF", &anmf);
            self.count += 1;
        }
        if let Some(last) = frames.pop() {
            self.previous = Some(last.image);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>, EncodeError> {
        if self.count == 0 {
            return Err(EncodeError::Animation("an animation needs a frame".into()));
        }
        let mut vp8x = Vec::with_capacity(10);
        // Flags: alpha (0x10) when some pixel is not opaque, animation (0x02).
        vp8x.push(if self.alpha { 0x12 } else { 0x02 });
        vp8x.extend_from_slice(&[0, 0, 0]);
        put_u24(&mut vp8x, self.timeline.width - 1);
        put_u24(&mut vp8x, self.timeline.height - 1);
        let mut anim = Vec::with_capacity(6);
        anim.extend_from_slice(&[0, 0, 0, 0]); // background colour (BGRA): transparent
        anim.extend_from_slice(&self.timeline.loop_count.to_le_bytes());
        let mut out = Vec::with_capacity(self.body.len() + 64);
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&[0; 4]); // patched below
        out.extend_from_slice(b"WEBP");
        put_chunk(&mut out, b"VP8X", &vp8x);
        put_chunk(&mut out, b"ANIM", &anim);
        out.extend_from_slice(&self.body);
        let riff_size = u32::try_from(out.len() - 8)
            .map_err(|_| EncodeError::Animation("animated WebP exceeds 4 GiB".into()))?;
        out[4..8].copy_from_slice(&riff_size.to_le_bytes());
        Ok(out)
    }
}

fn put_u24(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes()[..3]);
}

/// Appends a RIFF chunk: chunk id, little-endian size, payload, a pad byte to an even length.
fn put_chunk(out: &mut Vec<u8>, fourcc: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(fourcc);
    let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(value: u8, start: u64, end: u64) -> TimedFrame {
        TimedFrame {
            image: Image {
                width: 3,
                height: 2,
                data: vec![value; 24],
            },
            start,
            end,
        }
    }

    fn timeline() -> Timeline {
        Timeline {
            width: 3,
            height: 2,
            timescale: 60,
            loop_count: 0,
        }
    }

    #[test]
    fn animated_webp_has_one_anmf_per_frame_and_exact_durations() {
        let mut enc = Box::new(
            AnimatedWebPEncoder::new(timeline(), StillWebPFrames { quality: 100 }).unwrap(),
        );
        enc.add_frames(vec![frame(10, 0, 1), frame(200, 1, 3)])
            .unwrap();
        enc.add_frames(vec![frame(255, 3, 4)]).unwrap();
        let file = enc.finish().unwrap();
        assert_eq!(&file[..4], b"RIFF");
        assert_eq!(
            u32::from_le_bytes(file[4..8].try_into().unwrap()) as usize,
            file.len() - 8
        );
        // VP8X at 12, ANIM at 30, then the frames.
        assert_eq!(&file[12..16], b"VP8X");
        assert_eq!(file[20], 0x12, "alpha + animation flags");
        assert_eq!(&file[30..34], b"ANIM");
        let mut durations = Vec::new();
        let mut pos = 44;
        while pos < file.len() {
            assert_eq!(&file[pos..pos + 4], b"ANMF");
            let size = u32::from_le_bytes(file[pos + 4..pos + 8].try_into().unwrap()) as usize;
            let d = &file[pos + 8 + 12..pos + 8 + 15];
            durations.push(u32::from(d[0]) | u32::from(d[1]) << 8 | u32::from(d[2]) << 16);
            assert_eq!(&file[pos + 8 + 16..pos + 8 + 20], b"VP8L");
            pos += 8 + size + size % 2;
        }
        // 1/60 s, 2/60 s, 1/60 s in ms, rounding the ends: 17, 33, 17 = 67 = round(4000 / 60).
        assert_eq!(durations, vec![17, 33, 17]);
    }

    #[test]
    fn image_chunks_rejects_what_is_not_webp() {
        assert!(image_chunks(b"RIFF\0\0\0\0WAVE").is_err(), "not webp");
        assert!(
            image_chunks(b"RIFF\x0c\0\0\0WEBPVP8L\xff\0\0\0").is_err(),
            "truncated"
        );
    }
}

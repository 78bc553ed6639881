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
    AnimationEncoder, Rect, TimedFrame, Timeline, changed_rect, check_frame, crop, to_units,
};
use crate::encode::vp8::{Effort, LossyOptions, encode_lossy_frame_with};
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

    /// Whether frames come back pixel for pixel (lossless): such frames are never alpha-blended,
    /// so that every decoder shows them exactly (`image-webp` rounds blended opaque pixels).
    fn is_exact(&self) -> bool;
}

/// Frames encoded as the still encoder ([`encode_webp`]) encodes them at a quality: lossy frames
/// straight from the VP8 encoder with `effort`, lossless ones from the still file taken apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StillWebPFrames {
    /// Quality 1-100, as for a still WebP (100 is exact).
    pub quality: u8,
    /// The lossy encoder's mode search effort (quality below 100).
    pub effort: Effort,
}

impl StillWebPFrames {
    /// Frames at `quality` with the encoder's full effort.
    pub fn new(quality: u8) -> Self {
        Self {
            quality,
            effort: Effort::Full,
        }
    }
}

impl FrameEncoder for StillWebPFrames {
    fn encode_frame(&self, image: &Image) -> Result<WebPFrame, EncodeError> {
        if self.quality < 100 {
            let options = LossyOptions {
                quality: self.quality,
                effort: self.effort,
            };
            let frame = encode_lossy_frame_with(image, &options)?;
            let mut chunks = Vec::with_capacity(2);
            chunks.extend(frame.alpha.map(|alpha| (*b"ALPH", alpha)));
            chunks.push((*b"VP8 ", frame.vp8));
            return Ok(WebPFrame { chunks });
        }
        let file = encode_webp(image, self.quality)?;
        image_chunks(&file)
    }

    fn is_exact(&self) -> bool {
        self.quality >= 100
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
        // Every frame is planned (its rectangle against the frame before) and compressed on its
        // own, all in parallel; only the container is written in order.
        let previous = self.previous.as_ref();
        let blend = !self.frames.is_exact();
        let encoded: Vec<Result<(SubFrame, WebPFrame), EncodeError>> = (0..frames.len())
            .into_par_iter()
            .map(|k| {
                let before = if k == 0 {
                    previous
                } else {
                    Some(&frames[k - 1].image)
                };
                let sub = SubFrame::new(before, &frames[k].image, blend);
                let encoded = self.frames.encode_frame(&sub.image)?;
                Ok((sub, encoded))
            })
            .collect();
        let ts = self.timeline.timescale;
        for (frame, encoded) in frames.iter().zip(encoded) {
            let (sub, encoded) = encoded?;
            let ms = to_units(frame.end, ts, 1000) - to_units(frame.start, ts, 1000);
            let ms = u32::try_from(ms).unwrap_or(u32::MAX).min(0xFF_FFFF);
            self.alpha |= sub.has_alpha;
            let payload: usize = encoded.chunks.iter().map(|c| c.1.len() + 9).sum();
            let mut anmf = Vec::with_capacity(16 + payload);
            let rect = sub.rect;
            put_u24(&mut anmf, rect.x / 2);
            put_u24(&mut anmf, rect.y / 2);
            put_u24(&mut anmf, rect.width - 1);
            put_u24(&mut anmf, rect.height - 1);
            put_u24(&mut anmf, ms);
            // Disposal bit (0) clear: the next frame starts from this one. Blending bit (1) set:
            // the frame replaces the canvas under it, so transparent pixels clear what the
            // previous frame drew; clear: it is alpha-blended over the canvas.
            anmf.push(if sub.blend { 0 } else { 0b10 });
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

/// What one `ANMF` frame holds: the pixels to draw, where, and how.
#[derive(Debug)]
struct SubFrame {
    /// Where the pixels go: the whole canvas for the first frame, else the rectangle where the
    /// frame differs from the one before, its origin on even coordinates (ANMF stores x/2, y/2).
    rect: Rect,
    /// The pixels of `rect`.
    image: Image,
    /// Alpha-blended over the canvas (unchanged pixels left transparent), or replacing it.
    blend: bool,
    /// Some pixel of `image` is not opaque.
    has_alpha: bool,
}

impl SubFrame {
    /// Plans `next` drawn over the canvas that shows `previous`.
    ///
    /// Within the changed rectangle, unchanged pixels are made fully transparent and the frame
    /// alpha-blended when that gives the exact frame, as libwebp's animation encoder decides:
    /// blending an opaque pixel gives that pixel, and a transparent one leaves the canvas, but
    /// a changed pixel that is not opaque would mix with the pixel under it, so one such pixel
    /// makes the whole rectangle replace the canvas instead (WebP has one blend mode per
    /// frame). Transparent pixels cost the lossy encoder almost nothing (a fully transparent
    /// macroblock is skipped).
    ///
    /// Only lossy frames (`blend`) are blended: decoders differ on an opaque pixel blended over
    /// another (libwebp and browsers copy it; `image-webp` rounds it down by one), which is
    /// noise in a lossy frame but would break exact ones.
    fn new(previous: Option<&Image>, next: &Image, blend: bool) -> Self {
        let Some(previous) = previous else {
            return Self::replacing(Rect::full(next), next.clone());
        };
        let rect = changed_rect(previous, next).to_even_origin();
        match blend.then(|| blended_delta(previous, next, rect)).flatten() {
            Some(image) => Self {
                rect,
                has_alpha: image.data.chunks_exact(4).any(|px| px[3] != 255),
                image,
                blend: true,
            },
            None => Self::replacing(rect, crop(next, rect)),
        }
    }

    fn replacing(rect: Rect, image: Image) -> Self {
        Self {
            rect,
            has_alpha: image.data.chunks_exact(4).any(|px| px[3] != 255),
            image,
            blend: false,
        }
    }
}

/// The pixels of `rect` of `next` with those equal in `previous` made fully transparent, or
/// `None` when a changed pixel is not opaque (blending it would mix in the pixel under it).
fn blended_delta(previous: &Image, next: &Image, rect: Rect) -> Option<Image> {
    let stride = next.width as usize * 4;
    let (x, w) = (rect.x as usize * 4, rect.width as usize * 4);
    let mut data = Vec::with_capacity(w * rect.height as usize);
    let rows = (rect.y as usize..(rect.y + rect.height) as usize).map(|y| y * stride + x);
    for row in rows {
        let (old, new) = (&previous.data[row..row + w], &next.data[row..row + w]);
        for (p, q) in old.chunks_exact(4).zip(new.chunks_exact(4)) {
            if p == q {
                data.extend_from_slice(&[0; 4]);
            } else if q[3] == 255 {
                data.extend_from_slice(q);
            } else {
                return None;
            }
        }
    }
    Some(Image {
        width: rect.width,
        height: rect.height,
        data,
    })
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
        let mut enc =
            Box::new(AnimatedWebPEncoder::new(timeline(), StillWebPFrames::new(100)).unwrap());
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

    /// The flags byte (blending bit 1, disposal bit 0) and rectangle of every `ANMF`.
    fn anmf_headers(file: &[u8]) -> Vec<(u8, [u32; 4])> {
        let mut out = Vec::new();
        let mut pos = 44;
        let u24 = |b: &[u8]| u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
        while pos < file.len() {
            assert_eq!(&file[pos..pos + 4], b"ANMF");
            let size = u32::from_le_bytes(file[pos + 4..pos + 8].try_into().unwrap()) as usize;
            let h = &file[pos + 8..pos + 24];
            let rect = [
                u24(&h[0..]) * 2,
                u24(&h[3..]) * 2,
                u24(&h[6..]) + 1,
                u24(&h[9..]) + 1,
            ];
            out.push((h[15], rect));
            pos += 8 + size + size % 2;
        }
        out
    }

    #[test]
    fn lossy_frames_blend_unchanged_pixels_away_only_where_exact() {
        // 32x32: opaque left half, transparent right half.
        let base: Vec<u8> = (0..32 * 32)
            .flat_map(|i| {
                if i % 32 < 16 {
                    [200, 40, 40, 255]
                } else {
                    [0; 4]
                }
            })
            .collect();
        let image = |data: Vec<u8>| Image {
            width: 32,
            height: 32,
            data,
        };
        let set = |data: &mut Vec<u8>, x: usize, y: usize, px: [u8; 4]| {
            data[(y * 32 + x) * 4..][..4].copy_from_slice(&px);
        };
        // Frame 1: two opaque pixels change (one drawn where it was transparent): blendable.
        let mut second = base.clone();
        set(&mut second, 3, 5, [10, 200, 10, 255]);
        set(&mut second, 20, 9, [10, 10, 200, 255]);
        // Frame 2: a pixel turns half transparent over an opaque one: must replace.
        let mut third = second.clone();
        set(&mut third, 4, 6, [200, 40, 40, 128]);
        let expected = [base, second, third];
        let timeline = Timeline {
            width: 32,
            height: 32,
            timescale: 10,
            loop_count: 0,
        };
        let mut enc =
            Box::new(AnimatedWebPEncoder::new(timeline, StillWebPFrames::new(90)).unwrap());
        let frames = expected
            .iter()
            .enumerate()
            .map(|(k, d)| TimedFrame {
                image: image(d.clone()),
                start: k as u64,
                end: k as u64 + 1,
            })
            .collect();
        enc.add_frames(frames).unwrap();
        let file = enc.finish().unwrap();
        let headers = anmf_headers(&file);
        assert_eq!(
            headers[0],
            (0b10, [0, 0, 32, 32]),
            "first: whole, replacing"
        );
        assert_eq!(headers[1], (0, [2, 4, 19, 6]), "blended over (3,5)..(20,9)");
        assert_eq!(headers[2], (0b10, [4, 6, 1, 1]), "replacing");
        // An independent decoder shows each frame: alpha exact, colour within lossy error.
        use image::AnimationDecoder as _;
        let decoded: Vec<Vec<u8>> =
            image::codecs::webp::WebPDecoder::new(std::io::Cursor::new(file))
                .unwrap()
                .into_frames()
                .map(|f| f.unwrap().into_buffer().into_raw())
                .collect();
        assert_eq!(decoded.len(), 3);
        for (k, (got, want)) in decoded.iter().zip(&expected).enumerate() {
            for (g, w) in got.chunks_exact(4).zip(want.chunks_exact(4)) {
                assert_eq!(g[3], w[3], "frame {k}: alpha is exact");
                if w[3] == 255 {
                    let err = (0..3).map(|c| g[c].abs_diff(w[c])).max().unwrap();
                    assert!(err <= 24, "frame {k}: {g:?} for {w:?}");
                }
            }
        }
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

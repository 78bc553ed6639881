//! The encoders: arbitrary small frames (up to 48x48, up to 4 frames, each after the first a
//! patch over the one before, as animation frames usually are) into animated WebP (lossless and
//! lossy), APNG and GIF, and single images into the lossy VP8 still encoder and the still
//! encoders. Every output is decoded again by an independent decoder (the `image` crate):
//! lossless outputs must give back the exact frames, lossy WebP the exact alpha, GIF the size
//! and at most as many frames as went in.
#![no_main]

use std::io::Cursor;

use arbitrary::Arbitrary;
use image::AnimationDecoder as _;
use libfuzzer_sys::fuzz_target;
use tgs_converter::encode::anim::{
    AnimatedWebPEncoder, AnimationEncoder, ApngEncoder, GifEncoder, StillWebPFrames, TimedFrame,
    Timeline,
};
use tgs_converter::encode::{self, Image, ImageFormat, vp8};

#[derive(Debug, Arbitrary)]
enum Kind {
    WebPLossless,
    WebPLossy,
    Apng,
    Gif,
    Vp8Still,
    Still,
}

#[derive(Debug, Arbitrary)]
struct Patch {
    x: u8,
    y: u8,
    width: u8,
    height: u8,
    rgba: [u8; 4],
    duration: u8,
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    kind: Kind,
    width: u8,
    height: u8,
    quality: u8,
    timescale: u16,
    patches: Vec<Patch>,
    pixels: &'a [u8],
}

const MAX_SIDE: u32 = 48;
const MAX_FRAMES: usize = 4;

/// The first frame from `pixels` (repeated; transparent when empty), then one per patch.
fn frames(input: &Input<'_>) -> (Timeline, Vec<TimedFrame>) {
    let width = 1 + u32::from(input.width) % MAX_SIDE;
    let height = 1 + u32::from(input.height) % MAX_SIDE;
    let len = (width * height * 4) as usize;
    let data = if input.pixels.is_empty() {
        vec![0; len]
    } else {
        input.pixels.iter().copied().cycle().take(len).collect()
    };
    let mut image = Image {
        width,
        height,
        data,
    };
    let mut out = vec![TimedFrame {
        image: image.clone(),
        start: 0,
        end: 1,
    }];
    for patch in input.patches.iter().take(MAX_FRAMES - 1) {
        let (x0, y0) = (u32::from(patch.x) % width, u32::from(patch.y) % height);
        let x1 = (x0 + u32::from(patch.width)).min(width);
        let y1 = (y0 + u32::from(patch.height)).min(height);
        for y in y0..y1 {
            for x in x0..x1 {
                let at = ((y * width + x) * 4) as usize;
                image.data[at..at + 4].copy_from_slice(&patch.rgba);
            }
        }
        let start = out.last().expect("one frame").end;
        out.push(TimedFrame {
            image: image.clone(),
            start,
            end: start + 1 + u64::from(patch.duration),
        });
    }
    let timeline = Timeline {
        width,
        height,
        timescale: 1 + u32::from(input.timescale),
        loop_count: 0,
    };
    (timeline, out)
}

/// RGBA with the colour of fully transparent pixels zeroed: encoders may change it.
fn visible(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(4)
        .flat_map(|px| {
            if px[3] == 0 {
                [0; 4]
            } else {
                [px[0], px[1], px[2], px[3]]
            }
        })
        .collect()
}

fn alpha(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(4).map(|px| px[3]).collect()
}

fn decode_frames(bytes: &[u8], format: ImageFormat) -> Vec<image::RgbaImage> {
    let cursor = Cursor::new(bytes);
    let frames = match format {
        ImageFormat::WebP => image::codecs::webp::WebPDecoder::new(cursor)
            .expect("our WebP decodes")
            .into_frames(),
        ImageFormat::Apng => image::codecs::png::PngDecoder::new(cursor)
            .expect("our APNG decodes")
            .apng()
            .expect("an APNG")
            .into_frames(),
        ImageFormat::Gif => image::codecs::gif::GifDecoder::new(cursor)
            .expect("our GIF decodes")
            .into_frames(),
        ImageFormat::Png => unreachable!("not an animation"),
    };
    frames
        .map(|f| f.expect("every frame decodes").into_buffer())
        .collect()
}

fn animated(input: &Input<'_>) {
    let (timeline, frames) = frames(input);
    let (mut encoder, format, lossless): (Box<dyn AnimationEncoder>, _, _) = match input.kind {
        Kind::WebPLossless => (
            Box::new(
                AnimatedWebPEncoder::new(timeline, StillWebPFrames::new(100))
                    .expect("a small canvas"),
            ),
            ImageFormat::WebP,
            true,
        ),
        Kind::WebPLossy => (
            Box::new(
                AnimatedWebPEncoder::new(
                    timeline,
                    StillWebPFrames {
                        quality: 1 + input.quality % 99,
                        // Both mode searches: the high bit of the quality byte picks the fast one.
                        effort: if input.quality >= 128 {
                            vp8::Effort::Fast
                        } else {
                            vp8::Effort::Full
                        },
                    },
                )
                .expect("a small canvas"),
            ),
            ImageFormat::WebP,
            false,
        ),
        Kind::Apng => (
            Box::new(ApngEncoder::new(timeline)),
            ImageFormat::Apng,
            true,
        ),
        _ => {
            let sample: Vec<Image> = frames.iter().map(|f| f.image.clone()).collect();
            let gif = GifEncoder::new(timeline, &sample).expect("a small canvas");
            (Box::new(gif), ImageFormat::Gif, false)
        }
    };
    // Two batches when there are several frames, as the pipeline streams them.
    let mut first = frames.clone();
    let second = first.split_off(first.len().div_ceil(2));
    encoder.add_frames(first).expect("valid frames encode");
    if !second.is_empty() {
        encoder.add_frames(second).expect("valid frames encode");
    }
    let bytes = encoder.finish().expect("the file is written");
    let decoded = decode_frames(&bytes, format);
    for d in &decoded {
        assert_eq!(
            d.dimensions(),
            (timeline.width, timeline.height),
            "canvas size"
        );
    }
    match format {
        ImageFormat::Gif => {
            assert!(
                !decoded.is_empty() && decoded.len() <= frames.len(),
                "gif frames"
            );
        }
        _ => {
            assert_eq!(
                decoded.len(),
                frames.len(),
                "one output frame per input frame"
            );
            for (k, (d, f)) in decoded.iter().zip(&frames).enumerate() {
                if lossless {
                    assert!(
                        visible(d.as_raw()) == visible(&f.image.data),
                        "frame {k} differs"
                    );
                } else {
                    assert!(
                        alpha(d.as_raw()) == alpha(&f.image.data),
                        "frame {k} alpha differs"
                    );
                }
            }
        }
    }
}

fn still(input: &Input<'_>) {
    let (_, frames) = frames(input);
    let image = &frames.last().expect("one frame").image;
    if matches!(input.kind, Kind::Vp8Still) {
        let bytes = vp8::encode_lossy_webp(image, input.quality % 101).expect("a small image");
        let mut decoder =
            image_webp::WebPDecoder::new(Cursor::new(&bytes)).expect("our lossy WebP decodes");
        assert_eq!(decoder.dimensions(), (image.width, image.height), "size");
        let mut out = vec![0; decoder.output_buffer_size().expect("a small image")];
        decoder.read_image(&mut out).expect("the image decodes");
        if decoder.has_alpha() {
            assert!(
                alpha(&out) == alpha(&image.data),
                "lossy WebP alpha is exact"
            );
        } else {
            assert!(image.data.chunks_exact(4).all(|px| px[3] == 255), "opaque");
        }
        return;
    }
    let formats = [ImageFormat::Png, ImageFormat::WebP, ImageFormat::Gif];
    let format = formats[usize::from(input.quality) % formats.len()];
    let bytes = encode::encode(image, format, 100).expect("a small image encodes");
    let decoded = image::load_from_memory(&bytes)
        .expect("our still decodes")
        .to_rgba8();
    assert_eq!(decoded.dimensions(), (image.width, image.height), "size");
    if format != ImageFormat::Gif {
        assert!(
            visible(decoded.as_raw()) == visible(&image.data),
            "lossless still"
        );
    }
}

fuzz_target!(|input: Input<'_>| {
    match input.kind {
        Kind::Vp8Still | Kind::Still => still(&input),
        _ => animated(&input),
    }
});

//! Stage benchmarks, one group per pipeline stage: `decode`, `parse`, `evaluate`, `rasterize`,
//! `encode_png`, `encode_webp` (quality 90, lossy), `encode_webp_lossless` (quality 100) and
//! `end_to_end_png`, on the sticker we ship
//! (`tests/fixtures/sticker/smiley.tgs`) and, when the corpus is present (`TGS_CORPUS`, default
//! `../shared/corpus`), three of its stickers.
//!
//! The harness is divan (pure Rust; criterion 0.8 pulls in a crate that compiles C, `alloca` via
//! `cc`, which this project does not allow anywhere in its tree).
//!
//! Run: `cargo bench --bench pipeline [FILTER]`; see `benches/README.md`.

use std::fmt;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::Bencher;
use raster::{FrameRenderer, Pixmap, Rasterizer};
use renderer::{Animation, DrawList, Evaluator, Time};
use tgs_converter::encode::{self, Image, ImageFormat};
use tgs_converter::pipeline::{self, Limits};

/// Corpus stickers used when the corpus is present: a light, a typical and a heavy one.
const CORPUS_STICKERS: &[&str] = &[
    "tdesktop__appear.tgs",
    "tgswift__ton_gift_blue.tgs",
    "tdesktop__effect3.tgs",
];

/// Output side of every render, as a Telegram sticker.
const SIZE: u32 = 512;

/// One sticker, loaded once, with what each stage needs as its input.
struct Input {
    name: String,
    /// The file as read (`.tgs`, gzipped).
    raw: Vec<u8>,
    /// The Lottie JSON after gunzip.
    json: Vec<u8>,
    animation: Animation,
    /// The middle frame, the one every stage renders.
    time: Time,
    /// That frame's draw list.
    list: DrawList,
    /// That frame as a straight-alpha image, for the encoders.
    image: Image,
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

static INPUTS: LazyLock<Vec<Input>> = LazyLock::new(|| sticker_paths().iter().map(load).collect());

fn sticker_paths() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("tests/fixtures/sticker/smiley.tgs")];
    let corpus =
        std::env::var_os("TGS_CORPUS").map_or_else(|| root.join("../shared/corpus"), PathBuf::from);
    if corpus.is_dir() {
        files.extend(CORPUS_STICKERS.iter().map(|name| corpus.join(name)));
    } else {
        eprintln!(
            "benches: corpus not found at {}; fixtures only",
            corpus.display()
        );
    }
    files
}

fn load(path: &PathBuf) -> Input {
    let raw = std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let json = pipeline::decode(&raw, &Limits::default())
        .expect("decodes")
        .into_owned();
    let animation = pipeline::parse(&json).expect("parses");
    let mid = u64::from(animation.total_frames() / 2);
    let time = animation.frame_time(mid).expect("frame in range");
    let mut list = DrawList::default();
    Evaluator::new().evaluate(&animation, time, &mut list);
    let image = pipeline::render_frame(&animation, mid, SIZE, SIZE, &Limits::default().budget)
        .expect("renders");
    Input {
        name: path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        raw,
        json,
        animation,
        time,
        list,
        image,
    }
}

#[divan::bench(args = INPUTS.iter())]
fn decode(bencher: Bencher<'_, '_>, input: &Input) {
    let limits = Limits::default();
    bencher.bench_local(|| pipeline::decode(black_box(&input.raw), &limits).expect("decodes"));
}

#[divan::bench(args = INPUTS.iter())]
fn parse(bencher: Bencher<'_, '_>, input: &Input) {
    bencher.bench_local(|| pipeline::parse(black_box(&input.json)).expect("parses"));
}

#[divan::bench(args = INPUTS.iter())]
fn evaluate(bencher: Bencher<'_, '_>, input: &Input) {
    let mut evaluator = Evaluator::new();
    let mut list = DrawList::default();
    bencher.bench_local(|| evaluator.evaluate(&input.animation, black_box(input.time), &mut list));
}

#[divan::bench(args = INPUTS.iter())]
fn rasterize(bencher: Bencher<'_, '_>, input: &Input) {
    let mut rasterizer = Rasterizer::new();
    let mut pixmap = Pixmap::new(SIZE, SIZE).expect("valid size");
    bencher.bench_local(|| rasterizer.render(black_box(&input.list), &mut pixmap));
}

#[divan::bench(args = INPUTS.iter())]
fn encode_png(bencher: Bencher<'_, '_>, input: &Input) {
    bencher.bench_local(|| {
        encode::encode(black_box(&input.image), ImageFormat::Png, 90).expect("encodes")
    });
}

#[divan::bench(args = INPUTS.iter())]
fn encode_webp(bencher: Bencher<'_, '_>, input: &Input) {
    bencher.bench_local(|| {
        encode::encode(black_box(&input.image), ImageFormat::WebP, 90).expect("encodes")
    });
}

#[divan::bench(args = INPUTS.iter())]
fn encode_webp_lossless(bencher: Bencher<'_, '_>, input: &Input) {
    bencher.bench_local(|| {
        encode::encode(black_box(&input.image), ImageFormat::WebP, 100).expect("encodes")
    });
}

/// Render (evaluate + rasterize) with reused buffers, straight alpha, PNG: what one request does
/// once its sticker is parsed.
#[divan::bench(args = INPUTS.iter())]
fn end_to_end_png(bencher: Bencher<'_, '_>, input: &Input) {
    let mut frames = FrameRenderer::new();
    let budget = Limits::default().budget;
    let mut pixmap = Pixmap::new(SIZE, SIZE).expect("valid size");
    bencher.bench_local(|| {
        frames
            .render(
                &input.animation,
                black_box(input.time),
                &budget,
                &mut pixmap,
            )
            .expect("within the budget");
        let image = Image {
            width: SIZE,
            height: SIZE,
            data: pixmap.to_straight_rgba8(),
        };
        encode::encode(&image, ImageFormat::Png, 90).expect("encodes")
    });
}

fn main() {
    divan::main();
}

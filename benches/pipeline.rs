//! Stage benchmarks, one group per pipeline stage: `decode`, `parse`, `evaluate`, `rasterize`,
//! `encode` and `end_to_end`, on the sticker we ship (`tests/fixtures/sticker/smiley.tgs`) and, when
//! the corpus is present (`TGS_CORPUS`, default `../shared/corpus`), three of its stickers.
//!
//! A small harness of our own instead of criterion: criterion 0.8 pulls in a crate that compiles C
//! (`alloca` via `cc`), which this project does not allow anywhere in its tree.
//!
//! Run: `cargo bench --bench pipeline [FILTER]`; see `benches/README.md`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use raster::{Pixmap, RasterSettings, Rasterizer};
use renderer::{DrawList, Renderer};
use tgs_converter::encode::{self, ImageFormat};
use tgs_converter::pipeline::{self, FrameRenderer, Limits};

/// Corpus stickers used when the corpus is present: a light, a typical and a heavy one.
const CORPUS_STICKERS: &[&str] = &[
    "tdesktop__appear.tgs",
    "tgswift__ton_gift_blue.tgs",
    "tdesktop__effect3.tgs",
];

/// Time budget per benchmark after warm-up.
const BUDGET: Duration = Duration::from_millis(600);

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = vec![root.join("tests/fixtures/sticker/smiley.tgs")];
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
        .into_iter()
        .filter_map(|path| {
            let data = std::fs::read(&path).ok()?;
            let name = path.file_stem()?.to_string_lossy().into_owned();
            Some((name, data))
        })
        .collect()
}

/// Runs `f` repeatedly for [`BUDGET`] after a short warm-up and prints the median and the 10th/90th
/// percentile of single-call times, when `name` matches the command-line filter.
fn bench(filter: Option<&str>, name: &str, mut f: impl FnMut()) {
    if filter.is_some_and(|flt| !name.contains(flt)) {
        return;
    }
    let warm = Instant::now();
    while warm.elapsed() < BUDGET / 6 {
        f();
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < BUDGET || times.len() < 10 {
        let t0 = Instant::now();
        f();
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<40} median {:>9.4} ms   p10 {:>9.4}   p90 {:>9.4}   ({} runs)",
        at(0.5),
        at(0.1),
        at(0.9),
        times.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; anything else that is not a flag is a name filter.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let filter = filter.as_deref();
    let limits = Limits::default();
    for (name, raw) in inputs() {
        let json = pipeline::decode(&raw, &limits)
            .expect("decodes")
            .into_owned();
        let animation = pipeline::parse(&json).expect("parses");
        let mid = u64::from(animation.total_frames() / 2);
        let time = animation.in_point() + mid as f64;

        bench(filter, &format!("decode/{name}"), || {
            black_box(pipeline::decode(black_box(&raw), &limits).expect("decodes"));
        });
        bench(filter, &format!("parse/{name}"), || {
            black_box(pipeline::parse(black_box(&json)).expect("parses"));
        });

        let mut renderer = Renderer::new();
        let mut list = DrawList::default();
        bench(filter, &format!("evaluate/{name}"), || {
            renderer.evaluate(&animation, black_box(time), &mut list);
        });

        renderer.evaluate(&animation, time, &mut list);
        let mut rasterizer = Rasterizer::new();
        let mut pixmap = Pixmap::new(512, 512);
        let settings = RasterSettings::new(512, 512);
        bench(filter, &format!("rasterize/{name}"), || {
            rasterizer.render(black_box(&list), &settings, &mut pixmap);
        });

        let image = pipeline::render_frame(&animation, mid, 512, 512).expect("renders");
        bench(filter, &format!("encode/png/{name}"), || {
            black_box(encode::encode(black_box(&image), ImageFormat::Png, 90).expect("encodes"));
        });
        bench(filter, &format!("encode/webp/{name}"), || {
            black_box(encode::encode(black_box(&image), ImageFormat::WebP, 90).expect("encodes"));
        });

        let mut frames = FrameRenderer::new();
        bench(filter, &format!("end_to_end/png/{name}"), || {
            let image = frames.render(&animation, mid, 512, 512).expect("renders");
            black_box(encode::encode(&image, ImageFormat::Png, 90).expect("encodes"));
        });
    }
}

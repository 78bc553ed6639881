//! Lossy WebP against libwebp: bytes, PSNR (premultiplied RGBA) and encode time of frame 30 of
//! every 512x512 corpus sticker, ours next to libwebp's (through Pillow in the reference venv).
//!
//! Times are wall-clock: the median of the timed runs and the fastest one (the least disturbed
//! on a shared machine).
//!
//! Run: `cargo bench --bench lossy_webp` (environment: `QUALITY`, default 75; `TGS_CORPUS`,
//! default `../shared/corpus`; `TGS_REF_PYTHON`, default the venv `../shared/tools/setup.sh`
//! creates; `RUNS`, timed runs per frame, default 5; `EFFORT=fast`, our encoder's fast mode). Without the venv, only our numbers print.
//! `ENCODE_ONLY=1` skips rendering and libwebp: it encodes the frames an earlier run left in
//! `target/lossy-webp-bench/` once each and prints the total size, for profilers
//! (`valgrind --tool=callgrind`, `perf record`). See `benches/README.md`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tgs_converter::encode::Image;
use tgs_converter::encode::vp8::{Effort, LossyOptions, encode_lossy_webp_with};
use tgs_converter::pipeline::{self, Limits};

/// The frame measured, as in the issue.
const FRAME: u32 = 30;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus =
        std::env::var_os("TGS_CORPUS").map_or_else(|| root.join("../shared/corpus"), PathBuf::from);
    let quality: u8 = env_number("QUALITY", 75);
    let runs: usize = env_number("RUNS", 5);
    let options = LossyOptions {
        quality,
        effort: effort(),
    };
    let python = std::env::var_os("TGS_REF_PYTHON").map_or_else(
        || PathBuf::from("/root/.cache/lottie-ref-venv/bin/python"),
        PathBuf::from,
    );
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        eprintln!(
            "lossy_webp: no corpus at {}; nothing to measure",
            corpus.display()
        );
        return;
    };
    let frames_dir = root.join("target/lossy-webp-bench");
    if std::env::var_os("ENCODE_ONLY").is_some() {
        encode_only(&frames_dir, &options);
        return;
    }
    std::fs::create_dir_all(&frames_dir).expect("creates the frame directory");

    let mut rows = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 6 || !cols[0].ends_with(".tgs") || cols[4] != "512" || cols[5] != "512" {
            continue;
        }
        let name = cols[0];
        let Some(image) = render(&corpus.join(name)) else {
            eprintln!("{name}: does not render; skipped");
            continue;
        };
        let mut times = Vec::with_capacity(runs);
        let mut bytes = Vec::new();
        for _ in 0..=runs {
            let start = Instant::now();
            bytes = encode_lossy_webp_with(&image, &options).expect("encodes");
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        // The first run warms caches and is not counted.
        times.remove(0);
        let min_ms = times.iter().copied().fold(f64::INFINITY, f64::min);
        let decoded = decode(&bytes);
        let psnr = psnr_premultiplied(&image.data, &decoded);
        let raw = frames_dir.join(format!("{name}.rgba"));
        std::fs::write(&raw, &image.data).expect("writes the frame");
        rows.push(Row {
            name: name.to_owned(),
            raw,
            bytes: bytes.len() as f64,
            psnr,
            ms: median(&mut times),
            min_ms,
            reference: None,
        });
    }
    if rows.is_empty() {
        eprintln!("lossy_webp: no 512x512 .tgs stickers in the corpus");
        return;
    }

    if python.exists() {
        reference(&python, quality, runs, &mut rows);
    } else {
        eprintln!(
            "lossy_webp: no reference python at {}; libwebp columns left out",
            python.display()
        );
    }

    println!(
        "sticker\tbytes\tpsnr\tms\tmin_ms\tlibwebp_m4_bytes\tlibwebp_m4_psnr\tlibwebp_m4_ms\tlibwebp_m4_min_ms\tlibwebp_bytes_at_our_psnr"
    );
    for r in &rows {
        let refs = r.reference.as_ref().map_or_else(
            || "-\t-\t-\t-".to_owned(),
            |x| {
                format!(
                    "{:.0}\t{:.2}\t{:.2}\t{:.0}",
                    x.bytes, x.psnr, x.ms, x.bytes_at_psnr
                )
            },
        );
        println!(
            "{}\t{:.0}\t{:.2}\t{:.2}\t{:.2}\t{refs}",
            r.name, r.bytes, r.psnr, r.ms, r.min_ms
        );
    }
    let col = |f: &dyn Fn(&Row) -> Option<f64>| {
        let mut v: Vec<f64> = rows.iter().filter_map(f).collect();
        median(&mut v)
    };
    println!();
    println!(
        "frames: {} (frame {FRAME}, quality {quality}, {runs} timed runs each)",
        rows.len()
    );
    println!(
        "ours:        median bytes {:.0}, PSNR {:.2} dB, {:.2} ms (fastest run {:.2} ms)",
        col(&|r| Some(r.bytes)),
        col(&|r| Some(r.psnr)),
        col(&|r| Some(r.ms)),
        col(&|r| Some(r.min_ms))
    );
    if rows.iter().any(|r| r.reference.is_some()) {
        let reference = |f: fn(&Reference) -> f64| move |r: &Row| r.reference.as_ref().map(f);
        println!(
            "libwebp m4:  median bytes {:.0}, PSNR {:.2} dB, {:.2} ms (fastest run {:.2} ms) (Pillow's save, includes its overhead)",
            col(&reference(|x| x.bytes)),
            col(&reference(|x| x.psnr)),
            col(&reference(|x| x.ms)),
            col(&reference(|x| x.min_ms))
        );
        println!(
            "ratios:      median of per-frame ours/libwebp bytes {:.3}; at equal PSNR {:.3}; median PSNR difference {:+.2} dB",
            col(&|r| r.reference.as_ref().map(|x| r.bytes / x.bytes)),
            col(&|r| r.reference.as_ref().map(|x| r.bytes / x.bytes_at_psnr)),
            col(&|r| r.reference.as_ref().map(|x| r.psnr - x.psnr)),
        );
    }
}

struct Row {
    name: String,
    raw: PathBuf,
    bytes: f64,
    psnr: f64,
    ms: f64,
    min_ms: f64,
    reference: Option<Reference>,
}

/// libwebp method 4 on the same frame.
struct Reference {
    bytes: f64,
    psnr: f64,
    ms: f64,
    min_ms: f64,
    /// libwebp's size at our PSNR, interpolated over a quality sweep.
    bytes_at_psnr: f64,
}

/// Encodes every saved frame once, for profilers: nothing else runs, so the profile is the
/// encoder's alone.
fn encode_only(frames_dir: &Path, options: &LossyOptions) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(frames_dir)
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "rgba"));
    paths.sort();
    if paths.is_empty() {
        eprintln!(
            "lossy_webp: no frames in {}; run the bench once without ENCODE_ONLY",
            frames_dir.display()
        );
        return;
    }
    let mut total = 0;
    // FNV-1a over every output, to tell a speed-only change (same digest) from one that
    // changes the bitstream.
    let mut digest = 0xcbf2_9ce4_8422_2325_u64;
    for path in &paths {
        let data = std::fs::read(path).expect("reads the frame");
        let image = Image {
            width: 512,
            height: 512,
            data,
        };
        let bytes = encode_lossy_webp_with(&image, options).expect("encodes");
        total += bytes.len();
        for &b in &bytes {
            digest = (digest ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!(
        "frames: {}, total bytes {total}, digest {digest:016x}",
        paths.len()
    );
}

/// `EFFORT=fast` selects [`Effort::Fast`]; anything else (or nothing) the default.
fn effort() -> Effort {
    match std::env::var("EFFORT").as_deref() {
        Ok("fast") => Effort::Fast,
        _ => Effort::Full,
    }
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn render(path: &Path) -> Option<Image> {
    let raw = std::fs::read(path).ok()?;
    let animation = pipeline::load(&raw, &Limits::default()).ok()?;
    let frame = FRAME.min(animation.total_frames().saturating_sub(1));
    pipeline::render_frame(
        &animation,
        u64::from(frame),
        512,
        512,
        &Limits::default().budget,
    )
    .ok()
}

fn decode(bytes: &[u8]) -> Vec<u8> {
    let mut decoder =
        image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).expect("our webp parses");
    let mut buf = vec![0; decoder.output_buffer_size().expect("size")];
    decoder.read_image(&mut buf).expect("our webp decodes");
    if decoder.has_alpha() {
        buf
    } else {
        buf.chunks_exact(3)
            .flat_map(|px| [px[0], px[1], px[2], 255])
            .collect()
    }
}

/// PSNR over the four channels of premultiplied RGBA, in dB.
fn psnr_premultiplied(a: &[u8], b: &[u8]) -> f64 {
    let mut sum = 0.0;
    for (pa, pb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        let (fa, fb) = (f64::from(pa[3]) / 255.0, f64::from(pb[3]) / 255.0);
        for c in 0..3 {
            sum += (f64::from(pa[c]) * fa - f64::from(pb[c]) * fb).powi(2);
        }
        sum += (f64::from(pa[3]) - f64::from(pb[3])).powi(2);
    }
    let mse = sum / a.len() as f64;
    if mse == 0.0 {
        99.0
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

/// Runs libwebp (method 4) through Pillow on every frame: at `quality` (timed), and a quality
/// sweep for the size at our PSNR.
fn reference(python: &Path, quality: u8, runs: usize, rows: &mut [Row]) {
    const SCRIPT: &str = r#"
import io, sys, time
import numpy as np
from PIL import Image
q, runs, target, path = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
src = np.frombuffer(open(path, 'rb').read(), np.uint8).reshape(512, 512, 4)
im = Image.fromarray(src, 'RGBA')
def psnr(a, b):
    a = a.astype(np.float64); b = b.astype(np.float64)
    a[..., :3] *= a[..., 3:] / 255.0; b[..., :3] *= b[..., 3:] / 255.0
    mse = ((a - b) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)
def enc(quality):
    buf = io.BytesIO(); im.save(buf, 'WEBP', quality=quality, method=4); return buf.getvalue()
def measure(quality):
    data = enc(quality)
    out = np.array(Image.open(io.BytesIO(data)).convert('RGBA'))
    return len(data), psnr(src, out)
enc(q)
times = []
for _ in range(runs):
    t = time.perf_counter(); enc(q); times.append((time.perf_counter() - t) * 1000)
times.sort()
size, p = measure(q)
sweep = sorted(measure(x) for x in range(0, 101, 5))
sweep.sort(key=lambda s: s[1])
at = sweep[-1][0]
for (b0, p0), (b1, p1) in zip(sweep, sweep[1:]):
    if p0 <= target <= p1:
        at = b0 if p1 == p0 else b0 + (b1 - b0) * (target - p0) / (p1 - p0)
        break
if target < sweep[0][1]:
    at = sweep[0][0]
print(size, p, times[len(times) // 2], times[0], at)
"#;
    for row in rows.iter_mut() {
        let out = Command::new(python)
            .args(["-c", SCRIPT])
            .arg(quality.to_string())
            .arg(runs.to_string())
            .arg(format!("{}", row.psnr))
            .arg(&row.raw)
            .output();
        let Ok(out) = out else {
            eprintln!("lossy_webp: {} does not run", python.display());
            return;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = text
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        if v.len() == 5 {
            row.reference = Some(Reference {
                bytes: v[0],
                psnr: v[1],
                ms: v[2],
                min_ms: v[3],
                bytes_at_psnr: v[4],
            });
        } else {
            eprintln!(
                "{}: libwebp failed: {}",
                row.name,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

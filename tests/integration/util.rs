//! Shared helpers: paths, PNG I/O, premultiplication and image metrics.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Root of the repository (the root package's manifest directory).
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory of this build (`CARGO_TARGET_TMPDIR` is `<target>/tmp`).
pub(crate) fn target_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map_or_else(|| repo_root().join("target"), Path::to_path_buf)
}

/// A file under `tests/fixtures/`.
pub(crate) fn fixture(relative: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(relative)
}

/// An empty scratch directory `target/<area>/<name>` for one test.
pub(crate) fn scratch(area: &str, name: &str) -> PathBuf {
    let dir = target_dir().join(area).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creates the scratch directory");
    dir
}

/// The release binary under test, as a command.
pub(crate) fn binary() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_tgs-converter"))
}

/// Runs `cmd` with no stdin and returns its output.
pub(crate) fn run(cmd: &mut std::process::Command) -> std::process::Output {
    cmd.stdin(std::process::Stdio::null())
        .output()
        .expect("runs the binary")
}

/// Runs `convert INPUT -o DIR/NAME ARGS...`, asserts it succeeded, and returns the file it wrote
/// and its stderr.
pub(crate) fn convert_file(
    input: &Path,
    dir: &Path,
    name: &str,
    args: &[&str],
) -> (Vec<u8>, String) {
    let out = dir.join(name);
    let res = run(binary()
        .arg("convert")
        .arg(input)
        .arg("-o")
        .arg(&out)
        .args(args));
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert!(res.status.success(), "{name} {args:?}: {stderr}");
    (std::fs::read(&out).expect("reads the output"), stderr)
}

/// Prints a line that stays visible in `cargo test` output even when the test passes.
///
/// The test harness captures `print!`/`eprint!` of passing tests; writing to the stderr handle
/// directly bypasses that capture (used for "known failing", "SKIPPED" and the corpus summary).
pub(crate) fn visible(msg: &str) {
    use std::io::Write as _;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{msg}");
}

/// True when the environment variable is set to anything but "", "0" or "false".
pub(crate) fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// A decoded 8-bit RGBA image (straight or premultiplied, as the caller says).
#[derive(Clone, Debug)]
pub(crate) struct Rgba {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) data: Vec<u8>,
}

/// Reads a PNG as straight RGBA8 (grey, RGB and palette images are expanded; no alpha = opaque).
pub(crate) fn read_png(path: &Path) -> Result<Rgba, String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("cannot decode {}: {e}", path.display()))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| format!("{} is too large", path.display()))?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("cannot decode {}: {e}", path.display()))?;
    buf.truncate(info.buffer_size());
    let pixels = (info.width * info.height) as usize;
    let data = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => {
            return Err(format!("{}: palette not expanded", path.display()));
        }
    };
    if data.len() != pixels * 4 {
        return Err(format!("{}: unexpected pixel data size", path.display()));
    }
    Ok(Rgba {
        width: info.width,
        height: info.height,
        data,
    })
}

/// Writes straight RGBA8 as a PNG at maximum compression (references stay small in git).
pub(crate) fn write_png(path: &Path, width: u32, height: u32, data: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    encoder.set_filter(png::Filter::Adaptive);
    let mut writer = encoder
        .write_header()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    writer
        .write_image_data(data)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    writer
        .finish()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Premultiplies straight RGBA8 exactly like `lottie_ref.py`: `c = floor((c' * a + 127) / 255)`.
pub(crate) fn premultiply(straight: &[u8]) -> Vec<u8> {
    let mut out = straight.to_vec();
    for px in out.chunks_exact_mut(4) {
        let a = u32::from(px[3]);
        for c in &mut px[..3] {
            *c = ((u32::from(*c) * a + 127) / 255) as u8;
        }
    }
    out
}

/// Differences between two premultiplied RGBA8 images of the same size (the tool's `compare`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Metrics {
    /// `10 log10(255^2 / MSE)` over all four premultiplied channels; infinite when identical.
    pub(crate) psnr: f64,
    /// Pixels whose largest premultiplied channel difference is above 16.
    pub(crate) pixels_over_16: usize,
    /// `pixels_over_16` as a percentage of all pixels.
    pub(crate) pct_over_16: f64,
    /// Largest absolute premultiplied channel difference (0..=255).
    pub(crate) max_difference: u8,
}

/// Compares two premultiplied RGBA8 buffers of equal length.
pub(crate) fn metrics(a: &[u8], b: &[u8]) -> Metrics {
    assert_eq!(a.len(), b.len(), "images differ in size");
    let mut sum_sq = 0_u64;
    let mut over = 0_usize;
    let mut max = 0_u8;
    for (pa, pb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        let mut px_max = 0_u8;
        for (&ca, &cb) in pa.iter().zip(pb) {
            let d = ca.abs_diff(cb);
            sum_sq += u64::from(d) * u64::from(d);
            px_max = px_max.max(d);
        }
        if px_max > 16 {
            over += 1;
        }
        max = max.max(px_max);
    }
    let pixels = a.len() / 4;
    let mse = sum_sq as f64 / a.len().max(1) as f64;
    let psnr = if sum_sq == 0 {
        f64::INFINITY
    } else {
        10.0 * (255.0_f64 * 255.0 / mse).log10()
    };
    Metrics {
        psnr,
        pixels_over_16: over,
        pct_over_16: 100.0 * over as f64 / pixels.max(1) as f64,
        max_difference: max,
    }
}

/// Builds a side-by-side panel `expected | diff mask | actual` (straight RGBA8, 3w x h).
///
/// Images are composited over a light checkerboard so transparent areas stay readable. The mask
/// is a dim copy of the expected image with pixels whose largest premultiplied channel
/// difference exceeds 16 painted red (differences 1..=16 in orange).
pub(crate) fn diff_panel(expected: &Rgba, actual: &Rgba) -> Rgba {
    let (w, h) = (expected.width as usize, expected.height as usize);
    let pe = premultiply(&expected.data);
    let pa = premultiply(&actual.data);
    let mut out = vec![0_u8; w * 3 * h * 4];
    let checker = |x: usize, y: usize| -> u32 {
        if (x / 8 + y / 8).is_multiple_of(2) {
            255
        } else {
            204
        }
    };
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) * 4;
            let bg = checker(x, y);
            let over = |p: &[u8]| -> [u8; 4] {
                let a = u32::from(p[3]);
                let mix = |c: u8| ((u32::from(c) + bg * (255 - a) / 255).min(255)) as u8;
                [mix(p[0]), mix(p[1]), mix(p[2]), 255]
            };
            let e = over(&pe[i..i + 4]);
            let a = over(&pa[i..i + 4]);
            let d = pe[i..i + 4]
                .iter()
                .zip(&pa[i..i + 4])
                .map(|(p, q)| p.abs_diff(*q))
                .max()
                .unwrap_or(0);
            let grey = ((u32::from(e[0]) + u32::from(e[1]) + u32::from(e[2])) / 3 / 3 + 160) as u8;
            let m = if d > 16 {
                [230, 0, 0, 255]
            } else if d > 0 {
                [255, 160, 0, 255]
            } else {
                [grey, grey, grey, 255]
            };
            let row = y * w * 3;
            for (col, px) in [e, m, a].into_iter().enumerate() {
                let o = (row + col * w + x) * 4;
                out[o..o + 4].copy_from_slice(&px);
            }
        }
    }
    Rgba {
        width: (w * 3) as u32,
        height: h as u32,
        data: out,
    }
}

/// Formats a PSNR for reports (`inf` when identical).
pub(crate) fn fmt_psnr(psnr: f64) -> String {
    if psnr.is_infinite() {
        "inf".to_owned()
    } else {
        format!("{psnr:.2}")
    }
}

/// The `K` evenly spaced frames of an `n`-frame animation, as `lottie_ref.py` picks them:
/// `floor(i * (n - 1) / (K - 1) + 1/2)`, de-duplicated.
pub(crate) fn evenly_spaced(n: u32, k: u32) -> Vec<u32> {
    if n == 0 {
        return Vec::new();
    }
    if k <= 1 {
        return vec![0];
    }
    if k >= n {
        return (0..n).collect();
    }
    let mut out: Vec<u32> = (0..k)
        .map(|i| (f64::from(i) * f64::from(n - 1) / f64::from(k - 1) + 0.5).floor() as u32)
        .collect();
    out.dedup();
    out
}

/// Reads a list file of `name  reason` lines (blank lines and `#` comments skipped), such as
/// `tests/golden-expected-failures.txt`; a missing file is an empty list.
pub(crate) fn read_reason_list(relative: &str) -> Vec<(String, String)> {
    let path = repo_root().join(relative);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (name.to_owned(), reason.trim().to_owned())
        })
        .collect()
}

/// A valid Lottie file of `pairs` track-matte pairs (a square matting a square), each pair an
/// offscreen buffer the size of the output: cheap to parse, costly to draw.
pub(crate) fn many_mattes(pairs: usize) -> Vec<u8> {
    let layer = |ind: usize, matte: &str| {
        format!(
            r#"{{"ty":4,"ind":{ind},"ip":0,"op":30,"st":0,{matte},"ks":{{}},"shapes":[{{"ty":"rc","d":1,"s":{{"a":0,"k":[400,400]}},"p":{{"a":0,"k":[256,256]}},"r":{{"a":0,"k":0}}}},{{"ty":"fl","c":{{"a":0,"k":[1,0,0,1]}},"o":{{"a":0,"k":50}}}}]}}"#
        )
    };
    let layers: Vec<String> = (0..pairs)
        .flat_map(|i| [layer(2 * i + 1, r#""td":1"#), layer(2 * i + 2, r#""tt":1"#)])
        .collect();
    format!(
        r#"{{"v":"5.7.4","fr":30,"ip":0,"op":30,"w":512,"h":512,"layers":[{}]}}"#,
        layers.join(",")
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn util_evenly_spaced_matches_tool() {
        assert_eq!(
            evenly_spaced(60, 4),
            vec![0, 20, 39, 59],
            "tool README example"
        );
        assert_eq!(evenly_spaced(10, 4), vec![0, 3, 6, 9], "fixture frames");
        assert_eq!(
            evenly_spaced(3, 5),
            vec![0, 1, 2],
            "k >= n gives every frame"
        );
    }

    #[test]
    fn util_premultiply_rounds_like_tool() {
        assert_eq!(
            premultiply(&[255, 127, 62, 153]),
            vec![153, 76, 37, 153],
            "floor((c*a + 127) / 255)"
        );
    }

    #[test]
    fn util_metrics_identical_is_infinite() {
        let a = [10, 20, 30, 40, 0, 0, 0, 0];
        let m = metrics(&a, &a);
        assert!(m.psnr.is_infinite(), "identical images");
        assert_eq!(m.pixels_over_16, 0, "no differing pixels");
    }
}

//! Corpus conformance: every corpus file loads and renders, scored against rlottie.
//!
//! The corpus is `$TGS_CORPUS` (default `../shared/corpus` next to the repository). When it is
//! absent the test prints a `SKIPPED` line and passes; that is the only way it passes without
//! checking anything.
//!
//! For each file the test renders the same 5 evenly spaced frames `lottie_ref.py golden --frames
//! 5` picks, at 512x512, each file under `catch_unwind`. It fails when
//!
//! * a file rlottie renders does not load or render here, or any file panics (unless listed in
//!   `tests/corpus-expected-failures.txt`, which must stay accurate), or
//! * a frame's PSNR against rlottie drops more than [`BASELINE_MARGIN_DB`] below the committed
//!   baseline `tests/corpus-baseline.tsv` (`CORPUS_BASELINE_UPDATE=1` rewrites the baseline from
//!   this run; do that when the scores improve, to lock the gain in).
//!
//! References (rlottie and ThorVG PNGs of those frames) are made on first use by the reference
//! tool next to the corpus (`<corpus>/../tools/setup.sh` + `lottie_ref.py golden`) and cached in
//! `target/corpus-refs/<key>/` (or `$TGS_CORPUS_REFS/<key>/`), where the key hashes the tool
//! version, its pinned requirements, the corpus manifest and the settings; reruns only read PNGs.
//!
//! A frame "agrees" when rlottie and ThorVG are within [`AGREE_DB`] of each other: only there is
//! the reference trustworthy, so the headline score counts those frames. Reports:
//! `target/corpus-report.tsv` (one row per file and frame) and `target/corpus-summary.md`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tgs_converter::pipeline::{self, Limits};

use crate::util;

/// Frames per file (as `lottie_ref.py golden --frames 5`).
const FRAMES: u32 = 5;
/// Render size.
const SIZE: u32 = 512;
/// rlottie-vs-ThorVG PSNR at or above which a frame's reference is trusted.
const AGREE_DB: f64 = 35.0;
/// Our PSNR against rlottie at or above which an agreeing frame counts as a match.
const PASS_DB: f64 = 35.0;
/// Below this a frame counts as broken.
const BROKEN_DB: f64 = 20.0;
/// A frame may lose this much PSNR against the baseline before the test fails. Rendering is
/// deterministic, so any loss is a real change; the margin only absorbs harmless AA shifts.
const BASELINE_MARGIN_DB: f64 = 0.5;
/// The whole scoring run (normally 15-60 s) must finish within this, or the test fails naming
/// the files still rendering.
const TIMEOUT: Duration = Duration::from_secs(600);
/// PSNR recorded for frames that failed to render (for the baseline and the averages).
const FAILED_PSNR: f64 = 0.0;

fn corpus_dir() -> PathBuf {
    match std::env::var_os("TGS_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => util::repo_root().join("../shared/corpus"),
    }
}

/// One row of a `lottie_ref.py` TSV, by column name.
type Row = HashMap<String, String>;

fn read_tsv(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t').chain(std::iter::repeat("")))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// FNV-1a, enough to key a cache directory.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn run_checked(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    // `golden` exits 3 when some files failed in an engine; that is recorded in its report.
    let code = out.status.code().unwrap_or(-1);
    assert!(
        out.status.success() || code == 3,
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Makes (or reuses) the rlottie and ThorVG references; returns the cache directory.
fn references(corpus: &Path) -> PathBuf {
    let tools = corpus.join("../tools");
    let setup = tools.join("setup.sh");
    assert!(
        setup.is_file(),
        "corpus found at {} but the reference tool {} is missing",
        corpus.display(),
        setup.display()
    );
    let tool = tools.join("lottie_ref.py");
    let requirements = std::fs::read(tools.join("requirements.txt")).unwrap_or_default();
    let manifest = std::fs::read(corpus.join("MANIFEST.tsv")).unwrap_or_default();
    let tool_src = std::fs::read(&tool).unwrap_or_default();
    let settings = format!("frames={FRAMES} size={SIZE}x{SIZE} engines=rlottie,thorvg");
    let key = fnv(&[&tool_src, &requirements, &manifest, settings.as_bytes()]);
    let cache = std::env::var_os("TGS_CORPUS_REFS")
        .map_or_else(|| util::target_dir().join("corpus-refs"), PathBuf::from)
        .join(format!("{key:016x}"));
    let done = cache.join("done");
    if done.is_file() {
        return cache;
    }
    util::visible(&format!(
        "corpus: making references in {} (first run only)",
        cache.display()
    ));
    let setup_out = run_checked(Command::new("bash").arg(&setup), "setup.sh");
    let python = setup_out
        .lines()
        .last()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .expect("setup.sh prints the venv's python last")
        .to_owned();
    let size = format!("{SIZE}x{SIZE}");
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get().min(2));
    for engine in ["rlottie", "thorvg"] {
        let out = cache.join(engine);
        let _ = std::fs::remove_dir_all(&out);
        let started = std::time::Instant::now();
        run_checked(
            Command::new(&python)
                .arg(&tool)
                .arg("golden")
                .arg(corpus)
                .arg(&out)
                .args(["--engine", engine, "--frames", &FRAMES.to_string()])
                .args(["--size", &size, "-j", &jobs.to_string()])
                .args(["--timeout", "120"]),
            &format!("lottie_ref.py golden --engine {engine}"),
        );
        util::visible(&format!(
            "corpus: {engine} references in {:.0} s",
            started.elapsed().as_secs_f64()
        ));
    }
    std::fs::write(&done, format!("{settings}\n")).expect("cache dir is writable");
    cache
}

/// Feature groups for the breakdown, from MANIFEST.tsv `features`.
fn feature_groups(features: &str) -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = features
        .split(',')
        .filter_map(|f| {
            let base = f.split(':').next().unwrap_or(f);
            Some(match base {
                "masks" => "masks",
                "matte" | "matte_tp" => "mattes",
                "s_trim" => "trim",
                "dashes" => "dashes",
                "s_mm" => "merge paths",
                "s_rp" => "repeater",
                "s_gf" | "s_gs" => "gradients",
                "gradient_opacity_stops" => "gradient opacity stops",
                "s_rd" => "round corners",
                "s_star" => "star/polygon",
                "precomp" => "precomp",
                "parenting" => "parenting",
                "time_remap" => "time remap",
                "time_stretch" => "time stretch",
                "hold_keyframes" => "hold keyframes",
                "split_position" => "split position",
                "spatial_tangents" => "spatial tangents",
                "blend_modes" => "blend modes",
                "text" | "fonts" | "glyphs" => "text",
                "effects" => "effects",
                "expressions" => "expressions",
                "image" | "image_external" => "images",
                "3d" => "3d",
                "auto_orient" => "auto orient",
                "solid" => "solid layers",
                "hidden" => "hidden",
                "s_zz" | "s_pb" | "s_op" => "zig-zag/pucker/offset",
                _ => return None,
            })
        })
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// What happened to one frame.
#[derive(Clone, Debug)]
struct FrameScore {
    frame: u32,
    /// rlottie vs ThorVG (None when either reference is missing).
    agree_psnr: Option<f64>,
    /// Ours vs rlottie (None when rlottie has no reference for it).
    psnr: Option<f64>,
    pct_over_16: Option<f64>,
    status: String,
}

#[derive(Clone, Debug)]
struct FileScore {
    file: String,
    rlottie_ok: bool,
    features: String,
    frames: Vec<FrameScore>,
    /// Load/render failure or panic, for files rlottie renders.
    failure: Option<String>,
    /// Wall time to load, render and score the file.
    millis: f64,
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown panic".to_owned())
}

fn load_premultiplied(path: &Path) -> Option<Vec<u8>> {
    util::read_png(path)
        .ok()
        .filter(|img| img.width == SIZE && img.height == SIZE)
        .map(|img| util::premultiply(&img.data))
}

/// Scores every file in parallel on a watchdog thread: a file that hangs the engine turns into a
/// test failure naming it after [`TIMEOUT`] instead of a hung CI job (the stuck worker dies with
/// the test process).
fn score_all(
    corpus: &Path,
    cache: &Path,
    animations: Vec<Row>,
    pngs: HashMap<(String, u32), (String, String)>,
    manifest: &HashMap<String, String>,
) -> Vec<FileScore> {
    let in_progress: Arc<Mutex<BTreeMap<String, Instant>>> = Arc::default();
    let (tx, rx) = mpsc::channel();
    let jobs: Vec<(Row, String)> = animations
        .into_iter()
        .map(|row| {
            let features = manifest.get(&row["file"]).cloned().unwrap_or_default();
            (row, features)
        })
        .collect();
    let (corpus, cache, running) = (
        corpus.to_path_buf(),
        cache.to_path_buf(),
        in_progress.clone(),
    );
    std::thread::spawn(move || {
        let scores: Vec<FileScore> = jobs
            .par_iter()
            .map(|(row, features)| {
                let file = row["file"].clone();
                let started = Instant::now();
                running.lock().unwrap().insert(file.clone(), started);
                let mut score = score_file(&corpus, &cache, row, &pngs, features);
                score.millis = started.elapsed().as_secs_f64() * 1000.0;
                running.lock().unwrap().remove(&file);
                score
            })
            .collect();
        let _ = tx.send(scores);
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(scores) => scores,
        Err(_) => {
            let stuck: Vec<String> = in_progress
                .lock()
                .map(|m| {
                    m.iter()
                        .map(|(f, t)| format!("{f} ({:.0} s)", t.elapsed().as_secs_f64()))
                        .collect()
                })
                .unwrap_or_default();
            panic!(
                "corpus scoring did not finish within {} s; still rendering: {}",
                TIMEOUT.as_secs(),
                stuck.join(", ")
            );
        }
    }
}

fn score_file(
    corpus: &Path,
    cache: &Path,
    anim_row: &Row,
    pngs: &HashMap<(String, u32), (String, String)>,
    features: &str,
) -> FileScore {
    let file = anim_row["file"].clone();
    let rlottie_ok = anim_row.get("status").is_some_and(|s| s == "ok");
    let mut score = FileScore {
        file: file.clone(),
        rlottie_ok,
        features: features.to_owned(),
        frames: Vec::new(),
        failure: None,
        millis: 0.0,
    };
    let bytes = match std::fs::read(corpus.join(&file)) {
        Ok(b) => b,
        Err(e) => {
            score.failure = Some(format!("cannot read: {e}"));
            return score;
        }
    };
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let animation =
            pipeline::load(&bytes, &Limits::default()).map_err(|e| format!("load failed: {e}"))?;
        let mut frames: Vec<u32> = anim_row
            .get("frames")
            .map(|f| f.split(',').filter_map(|v| v.trim().parse().ok()).collect())
            .unwrap_or_default();
        if frames.is_empty() {
            frames = util::evenly_spaced(animation.total_frames(), FRAMES);
        }
        let mut out = Vec::new();
        for frame in frames {
            let image = pipeline::render_frame(
                &animation,
                u64::from(frame),
                SIZE,
                SIZE,
                &Limits::default().budget,
            )
            .map_err(|e| format!("frame {frame}: render failed: {e}"))?;
            out.push((frame, util::premultiply(&image.data)));
        }
        Ok::<_, String>(out)
    }));
    let rendered = match result {
        Ok(Ok(frames)) => frames,
        Ok(Err(e)) => {
            score.failure = Some(e);
            return score;
        }
        Err(panic) => {
            score.failure = Some(format!("panicked: {}", panic_message(&*panic)));
            return score;
        }
    };
    for (frame, ours) in rendered {
        let refs = pngs.get(&(file.clone(), frame));
        let rl = refs.and_then(|(rl, _)| load_premultiplied(&cache.join("rlottie").join(rl)));
        let tv = refs.and_then(|(_, tv)| load_premultiplied(&cache.join("thorvg").join(tv)));
        let agree_psnr = match (&rl, &tv) {
            (Some(a), Some(b)) => Some(util::metrics(a, b).psnr),
            _ => None,
        };
        let m = rl.as_ref().map(|rl| util::metrics(rl, &ours));
        score.frames.push(FrameScore {
            frame,
            agree_psnr,
            psnr: m.map(|m| m.psnr),
            pct_over_16: m.map(|m| m.pct_over_16),
            status: if m.is_some() { "ok" } else { "no_reference" }.to_owned(),
        });
    }
    score
}

fn read_baseline(path: &Path) -> HashMap<(String, u32), f64> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("file\t") && !l.is_empty())
        .filter_map(|l| {
            let mut it = l.split('\t');
            let file = it.next()?.to_owned();
            let frame = it.next()?.parse().ok()?;
            let psnr = match it.next()? {
                "inf" => f64::INFINITY,
                v => v.parse().ok()?,
            };
            Some(((file, frame), psnr))
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    files: usize,
    frames: usize,
    agreeing: usize,
    agreeing_pass: usize,
    below_20: usize,
    agreeing_below_20: usize,
    failed_files: usize,
    sum_psnr: f64,
}

impl Tally {
    fn add(&mut self, file: &FileScore) {
        self.files += 1;
        if file.failure.is_some() {
            self.failed_files += 1;
        }
        for f in &file.frames {
            let Some(psnr) = f.psnr else { continue };
            self.frames += 1;
            self.sum_psnr += psnr.min(100.0);
            if psnr < BROKEN_DB {
                self.below_20 += 1;
            }
            if f.agree_psnr.is_some_and(|a| a >= AGREE_DB) {
                self.agreeing += 1;
                if psnr >= PASS_DB {
                    self.agreeing_pass += 1;
                }
                if psnr < BROKEN_DB {
                    self.agreeing_below_20 += 1;
                }
            }
        }
    }

    fn row(&self, name: &str) -> String {
        let pct = if self.agreeing == 0 {
            "-".to_owned()
        } else {
            format!(
                "{:.1} %",
                100.0 * self.agreeing_pass as f64 / self.agreeing as f64
            )
        };
        let mean = if self.frames == 0 {
            "-".to_owned()
        } else {
            format!("{:.1}", self.sum_psnr / self.frames as f64)
        };
        format!(
            "| {name} | {} | {} | {} | **{pct}** ({}/{}) | {} | {} | {mean} |\n",
            self.files,
            self.failed_files,
            self.frames,
            self.agreeing_pass,
            self.agreeing,
            self.agreeing_below_20,
            self.below_20,
        )
    }
}

#[test]
fn corpus_conformance() {
    let corpus = corpus_dir();
    if !corpus.join("MANIFEST.tsv").is_file() {
        util::visible(&format!(
            "corpus: SKIPPED: no corpus at {} (set TGS_CORPUS to run the conformance test)",
            corpus.display()
        ));
        return;
    }
    let started = std::time::Instant::now();
    let cache = references(&corpus);

    let manifest: HashMap<String, String> = read_tsv(&corpus.join("MANIFEST.tsv"))
        .into_iter()
        .map(|r| {
            (
                r["file"].clone(),
                r.get("features").cloned().unwrap_or_default(),
            )
        })
        .collect();
    let animations = read_tsv(&cache.join("rlottie/animations.tsv"));
    let mut pngs: HashMap<(String, u32), (String, String)> = HashMap::new();
    let thorvg_index: HashMap<(String, u32), String> = read_tsv(&cache.join("thorvg/index.tsv"))
        .into_iter()
        .filter_map(|r| {
            Some((
                (r["file"].clone(), r["frame"].parse().ok()?),
                r["png"].clone(),
            ))
        })
        .collect();
    for r in read_tsv(&cache.join("rlottie/index.tsv")) {
        let Ok(frame) = r["frame"].parse::<u32>() else {
            continue;
        };
        let key = (r["file"].clone(), frame);
        let tv = thorvg_index.get(&key).cloned().unwrap_or_default();
        pngs.insert(key, (r["png"].clone(), tv));
    }

    let mut scores = score_all(&corpus, &cache, animations, pngs, &manifest);
    scores.sort_by(|a, b| a.file.cmp(&b.file));

    // Reports.
    let target = util::target_dir();
    let mut tsv = String::from(
        "file\tframe\trlottie_ok\tstatus\tpsnr_db\tpct_px_gt16\trlottie_thorvg_psnr_db\tagree\tfeatures\tfile_ms\n",
    );
    for s in &scores {
        if let Some(failure) = &s.failure {
            let _ = writeln!(
                tsv,
                "{}\t-\t{}\terror: {}\t-\t-\t-\t-\t{}\t{:.0}",
                s.file,
                s.rlottie_ok,
                failure.replace(['\t', '\n'], " "),
                s.features,
                s.millis
            );
        }
        for f in &s.frames {
            let opt = |v: Option<f64>| v.map_or("-".to_owned(), util::fmt_psnr);
            let _ = writeln!(
                tsv,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.0}",
                s.file,
                f.frame,
                s.rlottie_ok,
                f.status,
                opt(f.psnr),
                f.pct_over_16.map_or("-".to_owned(), |p| format!("{p:.3}")),
                opt(f.agree_psnr),
                u8::from(f.agree_psnr.is_some_and(|a| a >= AGREE_DB)),
                s.features,
                s.millis
            );
        }
    }
    std::fs::write(target.join("corpus-report.tsv"), tsv).expect("target is writable");

    let mut overall = Tally::default();
    let mut tgs = Tally::default();
    let mut by_group: BTreeMap<&'static str, Tally> = BTreeMap::new();
    for s in scores.iter().filter(|s| s.rlottie_ok) {
        overall.add(s);
        if s.file.ends_with(".tgs") {
            tgs.add(s);
        }
        for g in feature_groups(&s.features) {
            by_group.entry(g).or_default().add(s);
        }
    }
    let mut md = String::new();
    let _ = writeln!(md, "# Corpus conformance\n");
    let _ = writeln!(
        md,
        "Corpus `{}`, {} files, {FRAMES} frames each at {SIZE}x{SIZE}, scored by PSNR \
         (premultiplied RGBA) against rlottie. A frame *agrees* when rlottie and ThorVG are \
         within {AGREE_DB} dB of each other; **match** = our PSNR >= {PASS_DB} dB on an agreeing \
         frame. Files rlottie cannot render are not scored (they must still not panic).\n",
        corpus.display(),
        scores.len()
    );
    md.push_str(
        "| subset | files | load/render failures | frames scored | match (agreeing frames) | \
         agreeing < 20 dB | all < 20 dB | mean PSNR |\n|---|---|---|---|---|---|---|---|\n",
    );
    md.push_str(&overall.row("all"));
    md.push_str(&tgs.row("`.tgs`"));
    for (g, t) in &by_group {
        md.push_str(&t.row(g));
    }
    let failures: Vec<String> = scores
        .iter()
        .filter_map(|s| {
            let f = s.failure.as_ref()?;
            let must = s.rlottie_ok || f.starts_with("panicked");
            Some(format!(
                "- `{}`{}: {f}",
                s.file,
                if must { "" } else { " (rlottie fails too)" }
            ))
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(md, "\n## Load/render failures\n\n{}", failures.join("\n"));
    }
    let mut worst: Vec<(&str, u32, f64)> = scores
        .iter()
        .flat_map(|s| {
            s.frames.iter().filter_map(move |f| {
                let p = f.psnr?;
                f.agree_psnr
                    .is_some_and(|a| a >= AGREE_DB)
                    .then_some((s.file.as_str(), f.frame, p))
            })
        })
        .collect();
    worst.sort_by(|a, b| a.2.total_cmp(&b.2));
    let _ = writeln!(md, "\n## Worst agreeing frames\n");
    for (file, frame, psnr) in worst.iter().take(15) {
        let _ = writeln!(md, "- `{file}` frame {frame}: {psnr:.1} dB");
    }
    let mut slow: Vec<&FileScore> = scores.iter().collect();
    slow.sort_by(|a, b| b.millis.total_cmp(&a.millis));
    let _ = writeln!(
        md,
        "\nSlowest files (load + {FRAMES} frames + scoring): {}",
        slow.iter()
            .take(5)
            .map(|s| format!("`{}` {:.0} ms", s.file, s.millis))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        md,
        "\nWall time of the scoring run: {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    std::fs::write(target.join("corpus-summary.md"), &md).expect("target is writable");
    util::visible(&md);

    // Baseline.
    let baseline_path = util::repo_root().join("tests/corpus-baseline.tsv");
    let current: Vec<(String, u32, f64)> = scores
        .iter()
        .filter(|s| s.rlottie_ok)
        .flat_map(|s| {
            let mut rows: Vec<(String, u32, f64)> = s
                .frames
                .iter()
                .filter_map(|f| Some((s.file.clone(), f.frame, f.psnr?)))
                .collect();
            if s.failure.is_some() {
                rows.push((s.file.clone(), u32::MAX, FAILED_PSNR));
            }
            rows
        })
        .collect();
    if util::env_flag("CORPUS_BASELINE_UPDATE") {
        let mut text = String::from(
            "# Corpus conformance baseline: PSNR (dB) of our render vs rlottie per file and frame.\n\
             # Written by `CORPUS_BASELINE_UPDATE=1 cargo test --release --test integration corpus`.\n\
             # Frame 4294967295 marks a file that failed to load or render.\n\
             file\tframe\tpsnr_db\n",
        );
        for (file, frame, psnr) in &current {
            let _ = writeln!(text, "{file}\t{frame}\t{}", util::fmt_psnr(*psnr));
        }
        std::fs::write(&baseline_path, text).expect("baseline is writable");
        util::visible(&format!(
            "corpus: baseline updated: {} ({} rows)",
            baseline_path.display(),
            current.len()
        ));
    } else {
        let baseline = read_baseline(&baseline_path);
        if baseline.is_empty() {
            util::visible(&format!(
                "corpus: no baseline at {} (CORPUS_BASELINE_UPDATE=1 writes it)",
                baseline_path.display()
            ));
        }
        let current_map: HashMap<(String, u32), f64> = current
            .iter()
            .map(|(f, k, p)| ((f.clone(), *k), *p))
            .collect();
        let mut regressions: Vec<String> = Vec::new();
        for ((file, frame), &base) in &baseline {
            if *frame == u32::MAX {
                continue;
            }
            let Some(&now) = current_map.get(&(file.clone(), *frame)) else {
                // Only our own failure counts; a reference the tool could not make (timeout
                // on a loaded machine) is not a regression of ours.
                if scores
                    .iter()
                    .any(|s| &s.file == file && s.failure.is_some())
                {
                    regressions.push(format!(
                        "{file} frame {frame}: was {} dB, now not rendered",
                        util::fmt_psnr(base)
                    ));
                }
                continue;
            };
            let base_c = base.min(100.0);
            if now.min(100.0) < base_c - BASELINE_MARGIN_DB {
                regressions.push(format!(
                    "{file} frame {frame}: {} dB, baseline {} dB",
                    util::fmt_psnr(now),
                    util::fmt_psnr(base)
                ));
            }
        }
        regressions.sort();
        assert!(
            regressions.is_empty(),
            "{} corpus frame(s) got worse than tests/corpus-baseline.tsv by more than \
             {BASELINE_MARGIN_DB} dB (if intended, re-run with CORPUS_BASELINE_UPDATE=1):\n  {}",
            regressions.len(),
            regressions.join("\n  ")
        );
    }

    let known = expected_failures();
    let mut must_fail: Vec<String> = Vec::new();
    for s in &scores {
        let listed = known.iter().find(|(f, _)| f == &s.file);
        let failed = s
            .failure
            .as_ref()
            .filter(|f| s.rlottie_ok || f.starts_with("panicked"));
        match (failed, listed) {
            (Some(f), None) => must_fail.push(format!("{}: {f}", s.file)),
            (Some(f), Some((_, reason))) => {
                util::visible(&format!(
                    "corpus: known failing: {} ({reason}): {f}",
                    s.file
                ));
            }
            (None, Some((_, reason))) => must_fail.push(format!(
                "{}: loads and renders now but is listed in tests/corpus-expected-failures.txt \
                 ({reason}): remove it from the list",
                s.file
            )),
            (None, None) => {}
        }
    }
    assert!(
        must_fail.is_empty(),
        "{} corpus file(s) failed to load/render (rlottie renders them), panicked, or are listed \
         as expected failures but work:\n  {}",
        must_fail.len(),
        must_fail.join("\n  ")
    );
}

/// Files in `tests/corpus-expected-failures.txt` (`file  reason`): known load/render failures
/// of files rlottie renders. They are reported, not failed; a listed file that works fails.
fn expected_failures() -> Vec<(String, String)> {
    util::read_reason_list("tests/corpus-expected-failures.txt")
}

/// An animated export is the same, byte for byte, however many threads render it: frames painted
/// from the frame before (only what changed) can differ from frames drawn whole by one in a
/// channel, so the export paints runs of fixed length, each starting with a frame drawn whole.
/// The stickers are ones where painting from the frame before differs most often.
#[test]
fn animated_exports_do_not_depend_on_the_thread_count() {
    let dir = corpus_dir();
    let names = [
        "unigram__AuthorizationStateWaitEmailAddress.tgs",
        "tdesktop__intro.tgs",
    ];
    if !dir.join(names[0]).exists() {
        util::visible(&format!(
            "animated_exports_do_not_depend_on_the_thread_count: SKIPPED: no corpus at {} \
             (set TGS_CORPUS)",
            dir.display()
        ));
        return;
    }
    let limits = Limits::default();
    for name in names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let animation = pipeline::load(&bytes, &limits).unwrap();
        let options = pipeline::ExportOptions {
            format: tgs_converter::encode::ImageFormat::Apng,
            frames: pipeline::FrameSelection::All,
            fps: None,
            quality: 100,
            background: None,
            width: 512,
            height: 512,
        };
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                pipeline::export(&animation, &options, &limits)
                    .unwrap()
                    .bytes
            })
        };
        let one = on(1);
        assert!(one == on(2), "{name}: 1 and 2 threads made other bytes");
        assert!(one == on(3), "{name}: 1 and 3 threads made other bytes");
    }
}

//! Platform presets end to end: the CLI's `--preset` and HTTP's `preset=` make files that an
//! independent decoder (the `image` crate) reads at the platform's size and format, within its
//! size and duration limits; what cannot fit is a clear error; `--lossless`/`lossless=true` give
//! exact WebP frames.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use image::ImageDecoder as _;
use serde_json::{Value, json};

use crate::decoded::{self, Decoded};
use crate::http::Server;
use crate::util;

use util::{binary as bin, fixture, run};

fn scratch(name: &str) -> PathBuf {
    util::scratch("preset-tests", name)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A 5 s animation: longer than Signal's 3 s.
fn five_seconds(dir: &Path) -> PathBuf {
    let path = dir.join("five_seconds.json");
    std::fs::write(
        &path,
        br#"{"v":"5.7.0","fr":30,"ip":0,"op":150,"w":64,"h":64,"layers":[]}"#,
    )
    .unwrap();
    path
}

/// Checks an animation against a platform rule: canvas, frames, loop, duration and delays.
fn check_animation(
    bytes: &[u8],
    format: &str,
    side: u32,
    max_bytes: usize,
    max_ms: Option<f64>,
) -> Decoded {
    assert!(bytes.len() <= max_bytes, "{} > {max_bytes}", bytes.len());
    let anim = decoded::decode(bytes);
    assert_eq!(anim.format, format, "container");
    assert_eq!(anim.size(), (side, side), "canvas");
    assert_eq!(anim.loops, 0, "loops forever");
    if let Some(max) = max_ms {
        assert!(anim.duration_ms() <= max + 0.5, "{} ms", anim.duration_ms());
    }
    anim
}

/// Decodes a still WebP or PNG with the `image` crate: (size, not animated).
fn still_size(bytes: &[u8]) -> (u32, u32) {
    if bytes.starts_with(b"RIFF") {
        let decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).unwrap();
        assert!(!decoder.has_animation(), "a still WebP");
        let size = decoder.dimensions();
        image::DynamicImage::from_decoder(decoder).expect("decodes");
        size
    } else {
        let decoder = image::codecs::png::PngDecoder::new(Cursor::new(bytes)).unwrap();
        let size = decoder.dimensions();
        image::DynamicImage::from_decoder(decoder).expect("decodes");
        size
    }
}

/// `convert INPUT -o DIR/NAME --preset P ARGS`: the file and the line on stderr.
fn convert(input: &Path, dir: &Path, name: &str, args: &[&str]) -> (Vec<u8>, String) {
    util::convert_file(input, dir, name, args)
}

#[test]
fn cli_presets_make_files_each_platform_takes() {
    let dir = scratch("cli");
    let smiley = fixture("sticker/smiley.tgs");
    // WhatsApp: smiley is heavy (3 s at 30 fps of dense detail), so the search steps down.
    let (bytes, line) = convert(&smiley, &dir, "wa.webp", &["--preset", "whatsapp"]);
    let anim = check_animation(&bytes, "webp", 512, 500_000, Some(10_000.0));
    assert!(
        anim.delays_ms.iter().all(|&d| d >= 8.0),
        "{:?}",
        anim.delays_ms
    );
    assert!((anim.duration_ms() - 3000.0).abs() <= 1.0, "the whole 3 s");
    assert!(anim.frames.len() > 1, "animated");
    assert!(line.starts_with("whatsapp: webp 512x512, "), "{line}");
    assert!(line.contains(" fps, quality "), "{line}");
    // Discord on the 2 s, 60 fps sticker: APNG 320x320.
    let gzip = fixture("sticker/gzip_tgs.tgs");
    let (bytes, line) = convert(&gzip, &dir, "d.apng", &["--preset", "discord"]);
    check_animation(&bytes, "apng", 320, 512_000, None);
    assert!(line.starts_with("discord: apng 320x320, "), "{line}");
    // Signal on a light animation: APNG 512x512 within 3 s.
    let light = fixture("http/moves_then_holds.json");
    let (bytes, _) = convert(&light, &dir, "s.apng", &["--preset", "signal"]);
    check_animation(&bytes, "apng", 512, 300_000, Some(3000.0));
    // Telegram emoji: animated WebP 100x100 (stdout: the preset's format), a still PNG by name.
    let res =
        run(bin()
            .arg("convert")
            .arg(&smiley)
            .args(["-o", "-", "--preset", "telegram-emoji"]));
    assert!(res.status.success(), "{}", stderr(&res));
    check_animation(&res.stdout, "webp", 100, 256_000, Some(3000.0));
    let (bytes, line) = convert(
        &smiley,
        &dir,
        "e.png",
        &["--preset", "telegram-emoji", "--frame", "45"],
    );
    assert!(bytes.starts_with(b"\x89PNG"));
    assert_eq!(still_size(&bytes), (100, 100));
    assert!(!line.contains("fps"), "a still has no rate: {line}");
    // WhatsApp still: WebP 512x512 within 100 KB.
    let (bytes, _) = convert(
        &smiley,
        &dir,
        "s.webp",
        &["--preset", "whatsapp", "-f", "0"],
    );
    assert!(bytes.len() <= 100_000);
    assert_eq!(still_size(&bytes), (512, 512));
}

#[test]
fn cli_preset_errors_are_one_line() {
    let dir = scratch("cli-errors");
    let long = five_seconds(&dir);
    let res = run(bin()
        .arg("convert")
        .arg(&long)
        .args(["-o"])
        .arg(dir.join("x.apng"))
        .args(["--preset", "signal"]));
    assert_eq!(res.status.code(), Some(2));
    let err = stderr(&res);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("lasts 5.00 s; the signal preset allows at most 3 s"),
        "{err}"
    );
    let smiley = fixture("sticker/smiley.tgs");
    for (args, needle) in [
        (
            &["--preset", "whatsapp", "-o", "x.gif"][..],
            "makes animated webp, not gif",
        ),
        (&["--preset", "line", "-o", "x.webp"], "unknown preset"),
        (
            &["--preset", "signal", "-W", "64", "-o", "x.png"],
            "--width",
        ),
        (&["--lossless", "-q", "50", "-o", "x.webp"], "--quality"),
    ] {
        let res = run(bin()
            .arg("convert")
            .arg(&smiley)
            .args(args)
            .current_dir(&dir));
        assert_eq!(res.status.code(), Some(2), "{args:?}");
        assert!(stderr(&res).contains(needle), "{args:?}: {}", stderr(&res));
    }
}

#[test]
fn cli_batch_with_a_preset_names_files_by_the_chosen_format() {
    let dir = scratch("batch");
    let out = dir.join("out");
    let res = run(bin()
        .arg("convert")
        .arg(fixture("http/moves_then_holds.json"))
        .arg(fixture("http/square.json"))
        .arg(five_seconds(&dir))
        .arg("--out-dir")
        .arg(&out)
        .args(["--preset", "signal"]));
    assert_eq!(res.status.code(), Some(2), "one file is too long");
    let err = stderr(&res);
    assert!(
        err.contains("five_seconds.json: the animation lasts 5.00 s"),
        "{err}"
    );
    assert!(err.contains("square.json: signal: apng 512x512, "), "{err}");
    for name in ["moves_then_holds.apng", "square.apng"] {
        let bytes = std::fs::read(out.join(name)).unwrap();
        check_animation(&bytes, "apng", 512, 300_000, Some(3000.0));
    }
    assert!(!out.join("five_seconds.apng").exists());
}

#[test]
fn cli_lossless_writes_exact_webp_frames() {
    let dir = scratch("lossless");
    let light = fixture("http/moves_then_holds.json");
    let (bytes, _) = convert(&light, &dir, "l.webp", &["--lossless", "--frame", "all"]);
    let anim = decoded::decode(&bytes);
    assert_eq!(anim.format, "webp");
    assert!(
        has_chunk(&bytes, b"VP8L") && !has_chunk(&bytes, b"VP8 "),
        "lossless frames"
    );
    let (bytes, _) = convert(&light, &dir, "q.webp", &["--frame", "all", "-q", "50"]);
    assert!(
        has_chunk(&bytes, b"VP8 "),
        "lossy frames without --lossless"
    );
}

fn has_chunk(bytes: &[u8], fourcc: &[u8; 4]) -> bool {
    bytes.windows(4).any(|w| w == fourcc)
}

#[test]
fn http_presets_answer_with_what_they_chose() {
    let server = Server::start();
    let smiley = std::fs::read(fixture("sticker/smiley.tgs")).unwrap();
    let res = server.post_raw(
        "/convert?preset=telegram-emoji",
        "application/octet-stream",
        &smiley,
    );
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("content-type"), Some("image/webp"));
    assert_eq!(res.header("x-preset"), Some("telegram-emoji"));
    let fps: f64 = res.header("x-preset-fps").unwrap().parse().unwrap();
    let quality: u8 = res.header("x-preset-quality").unwrap().parse().unwrap();
    assert!(fps > 0.0 && fps <= 30.0 && (1..=100).contains(&quality));
    check_animation(&res.body, "webp", 100, 256_000, Some(3000.0));
    // A still: quality, no rate.
    let res = server.post_raw(
        "/convert?preset=whatsapp&frame=0",
        "application/octet-stream",
        &smiley,
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.header("x-preset-fps"), None);
    assert!(res.header("x-preset-quality").is_some());
    assert!(res.body.len() <= 100_000);
    assert_eq!(still_size(&res.body), (512, 512));
    // Too long for Signal: 422 with its own code.
    let long = br#"{"v":"5.7.0","fr":30,"ip":0,"op":150,"w":64,"h":64,"layers":[]}"#;
    let res = server.post_raw("/convert?preset=signal", "application/json", long);
    assert_eq!(res.status, 422);
    let body = res.json();
    assert_eq!(body["code"], "preset_cannot_fit", "{body}");
    assert!(body["message"].as_str().unwrap().contains("at most 3 s"));
    // Parameters the preset picks are refused.
    let res = server.post_raw(
        "/convert?preset=whatsapp&quality=50",
        "application/json",
        long,
    );
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["code"], "invalid_parameter");
    // lossless=true: exact WebP frames.
    let light = std::fs::read(fixture("http/moves_then_holds.json")).unwrap();
    let res = server.post_raw(
        "/convert?format=webp&frame=all&lossless=true",
        "application/json",
        &light,
    );
    assert_eq!(res.status, 200);
    assert!(has_chunk(&res.body, b"VP8L") && !has_chunk(&res.body, b"VP8 "));
}

#[test]
fn http_base64_and_batch_carry_the_choice_in_json() {
    let server = Server::start();
    let b64 = |path: &str| {
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(fixture(path)).unwrap())
    };
    let light = b64("http/moves_then_holds.json");
    let body = json!({"data": light, "preset": "discord"});
    let res = server.post_raw(
        "/convert/base64",
        "application/json",
        body.to_string().as_bytes(),
    );
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("x-preset"), Some("discord"));
    assert!(res.header("x-preset-fps").is_some() && res.header("x-preset-quality").is_some());
    let out = res.json();
    assert_eq!(
        (out["preset"].as_str(), out["format"].as_str()),
        (Some("discord"), Some("apng"))
    );
    assert_eq!(
        (out["width"].as_u64(), out["height"].as_u64()),
        (Some(320), Some(320))
    );
    let image = base64::engine::general_purpose::STANDARD
        .decode(out["image"].as_str().unwrap())
        .unwrap();
    check_animation(&image, "apng", 320, 512_000, None);
    let long = base64::engine::general_purpose::STANDARD
        .encode(br#"{"v":"5.7.0","fr":30,"ip":0,"op":150,"w":64,"h":64,"layers":[]}"#);
    let batch = json!({"items": [
        {"data": light, "preset": "whatsapp"},
        {"data": long, "preset": "signal"},
        {"data": light, "preset": "telegram-emoji", "frame": 5, "format": "png"},
        {"data": light},
    ]});
    let res = server.post_raw(
        "/convert/batch",
        "application/json",
        batch.to_string().as_bytes(),
    );
    assert_eq!(res.status, 200);
    let results: Vec<Value> = res.json()["results"].as_array().unwrap().clone();
    assert_eq!(results[0]["preset"], "whatsapp");
    assert!(results[0]["presetFps"].as_f64().is_some());
    assert!(results[0]["presetQuality"].as_u64().is_some());
    let image = base64::engine::general_purpose::STANDARD
        .decode(results[0]["image"].as_str().unwrap())
        .unwrap();
    check_animation(&image, "webp", 512, 500_000, Some(10_000.0));
    assert_eq!(results[1]["code"], "preset_cannot_fit");
    assert_eq!(results[2]["format"], "png");
    assert!(results[2].get("presetFps").is_none(), "a still has no rate");
    assert_eq!(results[2]["presetQuality"], 100);
    assert!(
        results[3].get("preset").is_none(),
        "no preset, no preset fields"
    );
}

/// A spread of the corpus's 512x512 stickers each fits `whatsapp` (the README has the whole
/// corpus, measured with `bench-export --presets`).
#[test]
fn corpus_stickers_fit_whatsapp() {
    let dir = std::env::var_os("TGS_CORPUS")
        .map_or_else(|| util::repo_root().join("../shared/corpus"), PathBuf::from);
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        util::visible("corpus_stickers_fit_whatsapp: SKIPPED: no corpus (set TGS_CORPUS)");
        return;
    };
    let stickers: Vec<&str> = manifest
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.len() > 5 && f[0].ends_with(".tgs") && f[4] == "512" && f[5] == "512")
        .map(|f| f[0])
        .collect();
    let step = (stickers.len() / 4).max(1);
    let out = scratch("corpus");
    for name in stickers.iter().step_by(step).take(4) {
        let (bytes, line) = convert(&dir.join(name), &out, "x.webp", &["--preset", "whatsapp"]);
        check_animation(&bytes, "webp", 512, 500_000, Some(10_000.0));
        util::visible(&format!(
            "corpus_stickers_fit_whatsapp: {name}: {}",
            line.trim()
        ));
    }
}

//! The command line as a user meets it: the real binary, real files, exit codes and messages.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::decoded::{self, Decoded};
use crate::util;

use util::{binary as bin, run};

fn smiley() -> PathBuf {
    util::repo_root().join("tests/fixtures/sticker/smiley.tgs")
}

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    util::scratch("cli-tests", name)
}

fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns the binary");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("writes stdin");
    child.wait_with_output().expect("waits for the binary")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a failed run: exit code 2 and exactly one `tgs-converter: error: ...` line that
/// contains `needle`.
fn assert_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got: {err}");
    assert!(
        lines[0].starts_with("tgs-converter: error: "),
        "prefix: {err}"
    );
    assert!(lines[0].contains(needle), "`{needle}` in: {err}");
}

fn png_size(path: &Path) -> (u32, u32) {
    let img = util::read_png(path).expect("reads the PNG");
    (img.width, img.height)
}

#[test]
fn convert_writes_png_at_composition_size() {
    let dir = scratch("png");
    let out = dir.join("f0.png");
    let res = run(bin().arg("convert").arg(smiley()).arg("-o").arg(&out));
    assert!(res.status.success(), "{}", stderr(&res));
    assert_eq!(png_size(&out), (512, 512));
    let img = util::read_png(&out).expect("reads the PNG");
    let opaque = img.data.chunks(4).filter(|px| px[3] == 255).count();
    assert!(
        opaque > 50_000,
        "the sticker draws something, {opaque} opaque px"
    );
    assert_eq!(img.data[3], 0, "transparent background in the corner");
}

#[test]
fn convert_width_only_keeps_aspect_and_frame_changes_pixels() {
    let dir = scratch("width");
    let a = dir.join("a.png");
    let b = dir.join("b.png");
    for (path, frame) in [(&a, "0"), (&b, "45")] {
        let res = run(bin()
            .args(["convert", "--width", "128", "--frame", frame])
            .arg(smiley())
            .arg("-o")
            .arg(path));
        assert!(res.status.success(), "{}", stderr(&res));
        assert_eq!(png_size(path), (128, 128));
    }
    assert_ne!(
        util::read_png(&a).expect("a").data,
        util::read_png(&b).expect("b").data,
        "frames 0 and 45 differ"
    );
}

#[test]
fn convert_non_square_output_is_centred() {
    let dir = scratch("centred");
    let out = dir.join("wide.png");
    let res = run(bin()
        .args(["convert", "-W", "200", "-H", "100"])
        .arg(smiley())
        .arg("-o")
        .arg(&out));
    assert!(res.status.success(), "{}", stderr(&res));
    let img = util::read_png(&out).expect("reads");
    assert_eq!((img.width, img.height), (200, 100));
    let alpha = |x: u32, y: u32| img.data[((y * img.width + x) * 4 + 3) as usize];
    assert_eq!(alpha(10, 50), 0, "left margin is empty");
    assert_eq!(alpha(190, 50), 0, "right margin is empty");
    assert_eq!(alpha(100, 50), 255, "the face is in the middle");
}

#[test]
fn convert_webp_by_extension_and_stdin_to_stdout() {
    let dir = scratch("webp");
    let out = dir.join("f.webp");
    let res = run(bin()
        .arg("convert")
        .arg(smiley())
        .arg("-o")
        .arg(&out)
        .args(["-W", "64"]));
    assert!(res.status.success(), "{}", stderr(&res));
    let bytes = std::fs::read(&out).expect("reads output");
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");

    let input = std::fs::read(smiley()).expect("reads fixture");
    let res = run_with_stdin(bin().args(["convert", "-", "-o", "-", "-W", "32"]), &input);
    assert!(res.status.success(), "{}", stderr(&res));
    assert_eq!(&res.stdout[1..4], b"PNG", "PNG on stdout");
}

#[test]
fn convert_reads_plain_json_whatever_its_name() {
    let dir = scratch("json");
    let json = dir.join("sticker.tgs");
    let gz = std::fs::read(smiley()).expect("reads fixture");
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain)
        .expect("gunzips");
    std::fs::write(&json, plain).expect("writes");
    let out = dir.join("out.png");
    let res = run(bin()
        .arg("convert")
        .arg(&json)
        .arg("-o")
        .arg(&out)
        .args(["-W", "32"]));
    assert!(res.status.success(), "{}", stderr(&res));
}

#[test]
fn convert_errors_are_one_line_with_exit_2() {
    let dir = scratch("errors");
    let out = dir.join("x.png");
    let res = run(bin()
        .arg("convert")
        .arg(smiley())
        .arg("-o")
        .arg(&out)
        .args(["--frame", "90"]));
    assert_error(&res, "frame 90 is out of range; valid frames are 0..=89");

    let bad_gzip = dir.join("bad.tgs");
    std::fs::write(&bad_gzip, [0x1f, 0x8b, 8, 0, 1, 2, 3]).expect("writes");
    assert_error(
        &run(bin().arg("convert").arg(&bad_gzip).arg("-o").arg(&out)),
        "gunzip",
    );

    let not_json = dir.join("not.json");
    std::fs::write(&not_json, "hello").expect("writes");
    assert_error(
        &run(bin().arg("convert").arg(&not_json).arg("-o").arg(&out)),
        "not JSON",
    );

    let not_lottie = dir.join("array.json");
    std::fs::write(&not_lottie, "[1, 2, 3]").expect("writes");
    assert_error(
        &run(bin().arg("convert").arg(&not_lottie).arg("-o").arg(&out)),
        "not a Lottie animation",
    );

    let res = run(bin()
        .arg("convert")
        .arg(smiley())
        .arg("-o")
        .arg(&out)
        .args(["-W", "0"]));
    assert_error(&res, "at least 1");
    let res = run(bin()
        .arg("convert")
        .arg(smiley())
        .arg("-o")
        .arg(&out)
        .args(["-W", "9000"]));
    assert_error(&res, "exceeds the limit of 2048x2048");

    let missing = dir.join("missing.tgs");
    assert_error(
        &run(bin().arg("convert").arg(&missing).arg("-o").arg(&out)),
        "cannot read",
    );

    let res = run(bin()
        .arg("convert")
        .arg(smiley())
        .arg("-o")
        .arg(dir.join("x.bmp")));
    assert_error(&res, "cannot tell the format");
    assert!(!out.exists(), "no output is written on error");
}

#[test]
fn convert_hostile_numbers_finish_quickly() {
    // Coordinates of 1e308 once made arc-length work run for minutes; they must be harmless.
    let dir = scratch("hostile");
    let json = dir.join("huge.json");
    std::fs::write(
        &json,
        r#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":64,"h":64,"layers":[{"ty":4,"ip":0,"op":30,"st":0,
        "ks":{"p":{"a":1,"k":[{"t":0,"s":[0,0],"to":[1e308,-1e308],"ti":[1e308,1e308],
        "o":{"x":[0.3],"y":[0]},"i":{"x":[0.7],"y":[1]}},{"t":30,"s":[1e308,1e308]}]}},
        "shapes":[{"ty":"el","p":{"a":0,"k":[0,0]},"s":{"a":0,"k":[1e308,1e308]}},
        {"ty":"st","c":{"a":0,"k":[1,0,0,1]},"o":{"a":0,"k":100},"w":{"a":0,"k":3},
        "d":[{"n":"d","v":{"a":0,"k":0.001}},{"n":"g","v":{"a":0,"k":0.001}}]}]}]}"#,
    )
    .expect("writes");
    convert_frame_without_hanging(&json, "15", &dir.join("out.png"));
}

/// Converts `frame` of `json` to `out`, which must succeed well before a hang would end.
fn convert_frame_without_hanging(json: &Path, frame: &str, out: &Path) {
    let start = std::time::Instant::now();
    let res = run(bin()
        .arg("convert")
        .arg(json)
        .arg("-o")
        .arg(out)
        .args(["--frame", frame]));
    assert!(res.status.success(), "frame {frame}: {}", stderr(&res));
    // Not a timing test of speed: a generous bound that only a hang would cross.
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
}

#[test]
fn convert_survives_an_easing_that_overshoots_to_1e87() {
    // Found by the `render` fuzz target: a path keyframe's easing handle at y = 5e87 throws a
    // trimmed, round-capped stroke out to about 1e87 px at frame 1, where flattening its outline
    // never ended and filled memory. Now it renders (nothing is on the canvas) at once.
    let dir = scratch("overshoot");
    let json = dir.join("overshoot.json");
    std::fs::write(
        &json,
        r#"{"v":"5.7.0","fr":30,"ip":0,"op":30,"w":64,"h":64,"layers":[{"ty":4,"ip":0,"op":30,"st":0,
        "ks":{},"shapes":[{"ty":"sh","ks":{"a":1,"k":[
        {"t":0,"s":[{"i":[[0,0],[0,0],[0,0]],"o":[[0,0],[0,0],[0,0]],"v":[[10,20],[20,40],[50,10]],"c":false}],
         "o":{"x":0.6,"y":0},"i":{"x":0.4,"y":5e87}},
        {"t":20,"s":[{"i":[[0,0],[0,0],[0,0]],"o":[[0,0],[0,0],[0,0]],"v":[[15,20],[25,40],[55,10]],"c":false}]}]}},
        {"ty":"tm","s":{"a":0,"k":20},"e":{"a":0,"k":100},"o":{"a":0,"k":0},"m":1},
        {"ty":"st","c":{"a":0,"k":[0,0,0,1]},"o":{"a":0,"k":100},"w":{"a":0,"k":6},"lc":2,"lj":2}]}]}"#,
    )
    .expect("writes");
    for frame in ["0", "1"] {
        let out = dir.join(format!("out{frame}.png"));
        convert_frame_without_hanging(&json, frame, &out);
        let image = crate::util::read_png(&out).expect("a PNG");
        let drawn = image.data.chunks_exact(4).filter(|px| px[3] > 0).count();
        // Frame 0 is the path as authored; at frame 1 all of it is about 1e87 px away.
        assert_eq!(
            drawn > 100,
            frame == "0",
            "frame {frame}: {drawn} pixels drawn"
        );
    }
}

#[test]
fn convert_refuses_a_frame_over_the_render_budget() {
    // 1000 matte pairs: 4.2 G offscreen pixels at 2048x2048, far over the default budget; the
    // same file renders at a small size, where its buffers are small.
    let dir = scratch("budget");
    let input = dir.join("mattes.json");
    std::fs::write(&input, crate::util::many_mattes(1000)).unwrap();
    let out = run(bin()
        .arg("convert")
        .arg(&input)
        .args(["--width", "2048", "-o"])
        .arg(dir.join("big.png")));
    assert_error(&out, "(max_offscreen_pixels)");
    assert!(!dir.join("big.png").exists(), "no output on failure");

    let out = run(bin()
        .arg("convert")
        .arg(&input)
        .args(["--width", "64", "-o"])
        .arg(dir.join("small.png")));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(png_size(&dir.join("small.png")), (64, 64));
}

#[test]
fn info_prints_the_metadata_json() {
    let res = run(bin().arg("info").arg(smiley()));
    assert!(res.status.success(), "{}", stderr(&res));
    let info: serde_json::Value = serde_json::from_slice(&res.stdout).expect("JSON on stdout");
    assert_eq!(info["width"], 512);
    assert_eq!(info["height"], 512);
    assert_eq!(info["totalFrames"], 90);
    assert_eq!(info["frameRate"], 30);
    assert_eq!(info["duration"], 3.0);
    assert_eq!(info["layers"], 2);
    assert_eq!(info["assets"], 0);
    assert_eq!(info["version"], "5.7.4");
    assert_eq!(info["name"], "smiley");
    assert!(info["warnings"].is_array());
}

/// `info` names every feature the renderer skips: an effect, an expression, a text layer and an
/// image layer (the fixture's golden checks that the shapes around them are still drawn).
#[test]
fn info_warns_about_each_unsupported_feature() {
    let fixture = util::repo_root().join("tests/fixtures/layers/unsupported_features.json");
    let res = run(bin().arg("info").arg(&fixture));
    assert!(res.status.success(), "{}", stderr(&res));
    let info: serde_json::Value = serde_json::from_slice(&res.stdout).expect("JSON on stdout");
    let warnings: Vec<String> = info["warnings"]
        .as_array()
        .expect("warnings is an array")
        .iter()
        .map(|w| w.as_str().expect("each warning is a string").to_lowercase())
        .collect();
    for feature in ["effect", "expression", "text", "image"] {
        assert!(
            warnings.iter().any(|w| w.contains(feature)),
            "no warning mentions `{feature}`: {warnings:?}"
        );
    }
    assert_eq!(warnings.len(), 4, "one warning per feature: {warnings:?}");
}

#[test]
fn bench_render_reports_the_reference_tool_fields() {
    let dir = scratch("bench");
    let json = dir.join("bench.json");
    let res = run(bin()
        .args([
            "bench-render",
            "--size",
            "64x64",
            "--frames",
            "5",
            "--warmup",
            "1",
            "--json",
        ])
        .arg(&json)
        .arg(smiley()));
    assert!(res.status.success(), "{}", stderr(&res));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("reads")).expect("JSON");
    let file = &doc["files"][0];
    assert_eq!(file["status"], "ok");
    assert_eq!(file["frames_timed"], 5);
    assert_eq!(file["frame_cpu_ms"].as_array().map(Vec::len), Some(5));
    for key in [
        "median_ms",
        "p99_ms",
        "cpu_median_ms",
        "cpu_p99_ms",
        "load_ms",
        "fps",
    ] {
        assert!(file[key].is_number(), "{key} in {file}");
    }
    assert_eq!(doc["aggregate"]["files_ok"], 1);
}

fn moves_then_holds() -> PathBuf {
    util::repo_root().join("tests/fixtures/http/moves_then_holds.json")
}

/// Runs `convert INPUT -o DIR/NAME ARGS...` and decodes the animation it wrote.
fn convert_animation(input: &Path, dir: &Path, name: &str, args: &[&str]) -> Decoded {
    decoded::decode(&util::convert_file(input, dir, name, args).0)
}

#[test]
fn convert_animations_by_extension_play_the_whole_sticker() {
    // smiley.tgs: 90 frames at 30 fps, 3 s, transparent corners, opaque face.
    let dir = scratch("anim-formats");
    for (name, args, format, frames) in [
        ("s.webp", &["--frame", "all"][..], "webp", 90),
        ("s.apng", &[][..], "apng", 90),
        // GIF delays are whole hundredths: 30 fps becomes 3 cs (33.3 fps), 100 frames.
        ("s.gif", &[][..], "gif", 100),
    ] {
        let args: Vec<&str> = args.iter().copied().chain(["--width", "96"]).collect();
        let anim = convert_animation(&smiley(), &dir, name, &args);
        assert_eq!(anim.format, format, "{name}");
        assert_eq!(anim.size(), (96, 96), "{name}");
        assert_eq!(anim.frames.len(), frames, "{name}");
        assert!(
            (anim.duration_ms() - 3000.0).abs() < 1e-6,
            "{name}: {:?}",
            anim.delays_ms
        );
        assert_eq!(anim.loops, 0, "{name} loops forever");
        for (k, frame) in anim.frames.iter().enumerate() {
            assert_eq!(
                frame.get_pixel(0, 0)[3],
                0,
                "{name} frame {k}: corner transparent"
            );
            assert_eq!(
                frame.get_pixel(48, 48)[3],
                255,
                "{name} frame {k}: face opaque"
            );
        }
        assert_ne!(anim.frames[0], anim.frames[45], "{name}: the face moves");
    }
}

#[test]
fn convert_gif_at_60_fps_is_resampled_to_50() {
    let dir = scratch("anim-gif-fps");
    let anim = convert_animation(&smiley(), &dir, "s.gif", &["--fps", "60", "-W", "64"]);
    assert_eq!(anim.frames.len(), 150, "3 s at 50 fps");
    assert!(
        anim.delays_ms.iter().all(|&d| d == 20.0),
        "{:?}",
        anim.delays_ms
    );
}

#[test]
fn convert_frames_range_and_fps_keep_exact_timing() {
    let dir = scratch("anim-range");
    // Frames 10-19 of a 30 fps sticker last 1/3 s; at 60 fps that is 20 frames of 16-17 ms.
    let anim = convert_animation(
        &smiley(),
        &dir,
        "r.webp",
        &["--frames", "10-19", "--fps", "60", "-W", "64", "-q", "100"],
    );
    assert_eq!(anim.frames.len(), 20);
    assert_eq!(anim.duration_ms(), 333.0, "{:?}", anim.delays_ms);
    assert!(
        anim.delays_ms.iter().all(|&d| d == 16.0 || d == 17.0),
        "{:?}",
        anim.delays_ms
    );
    let apng = convert_animation(
        &smiley(),
        &dir,
        "r.apng",
        &["--frames", "10-19", "-W", "64"],
    );
    assert_eq!(apng.frames.len(), 10);
    assert!(
        (apng.duration_ms() - 1000.0 / 3.0).abs() < 1e-9,
        "{:?}",
        apng.delays_ms
    );
}

#[test]
fn convert_merges_identical_frames_into_longer_ones() {
    // The box moves over frames 0-10 and then holds for 9 more frames of 1/10 s.
    let dir = scratch("anim-merge");
    for name in ["m.apng", "m.gif", "m.webp"] {
        let anim = convert_animation(&moves_then_holds(), &dir, name, &["--frame", "all"]);
        assert_eq!(anim.frames.len(), 11, "{name}: {:?}", anim.delays_ms);
        assert_eq!(anim.delays_ms[..10], [100.0; 10], "{name}");
        assert_eq!(
            anim.delays_ms[10], 1000.0,
            "{name}: the held frame lasts 10 frames"
        );
    }
}

#[test]
fn convert_gif_background_is_a_matte() {
    let dir = scratch("anim-matte");
    let anim = convert_animation(
        &smiley(),
        &dir,
        "b.gif",
        &["--background", "#00ff00", "-W", "64"],
    );
    for frame in &anim.frames {
        assert_eq!(
            frame.get_pixel(0, 0).0,
            [0, 255, 0, 255],
            "corner is the matte"
        );
    }
    // A still GIF works too, by --frame.
    let out = dir.join("still.gif");
    let res = run(bin()
        .arg("convert")
        .arg(smiley())
        .arg("-o")
        .arg(&out)
        .args(["--frame", "3"]));
    assert!(res.status.success(), "{}", stderr(&res));
    let still = decoded::decode(&std::fs::read(&out).unwrap());
    assert_eq!(still.frames.len(), 1);
}

#[test]
fn convert_animation_errors() {
    let dir = scratch("anim-errors");
    let out = dir.join("x.webp");
    let convert = |args: &[&str]| {
        run(bin()
            .arg("convert")
            .arg(smiley())
            .arg("-o")
            .arg(&out)
            .args(args))
    };
    assert_error(
        &convert(&["--frame", "all", "--fps", "0"]),
        "fps must be above 0",
    );
    assert_error(&convert(&["--frame", "all", "--fps", "500"]), "at most 120");
    assert_error(&convert(&["--frames", "0-90"]), "frame 90 is out of range");
    // Malformed values are refused by the argument parser (exit 2, naming the flag).
    for args in [
        &["--frames", "9-3"][..],
        &["--frame", "some"][..],
        &["--background", "red"][..],
        &["--frame", "all", "--frames", "0-3"][..],
    ] {
        let res = convert(args);
        assert_eq!(res.status.code(), Some(2), "{args:?}");
        assert!(stderr(&res).contains(args[0]), "{args:?}: {}", stderr(&res));
    }
    assert!(!out.exists(), "no output is written on error");
}

#[test]
fn convert_batch_into_a_directory_goes_on_past_bad_files() {
    let dir = scratch("batch");
    let pack = dir.join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::copy(smiley(), pack.join("smiley.tgs")).unwrap();
    std::fs::copy(moves_then_holds(), pack.join("box.json")).unwrap();
    std::fs::write(pack.join("broken.tgs"), b"\x1f\x8b not really gzip").unwrap();
    std::fs::write(pack.join("notes.txt"), b"not an input").unwrap();
    let out = dir.join("out");
    let res = run(bin()
        .arg("convert")
        .arg(&pack)
        .arg("--out-dir")
        .arg(&out)
        .args(["--format", "gif", "-W", "32"]));
    let err = stderr(&res);
    assert_eq!(
        res.status.code(),
        Some(2),
        "a failed file fails the run: {err}"
    );
    assert!(err.contains("broken.tgs: input looks gzipped"), "{err}");
    assert!(err.contains("1 of 3 files failed"), "{err}");
    let summary = String::from_utf8_lossy(&res.stdout);
    assert!(summary.starts_with("converted 2, failed 1;"), "{summary}");
    let smiley_gif = decoded::decode(&std::fs::read(out.join("smiley.gif")).unwrap());
    assert_eq!(
        (smiley_gif.size(), smiley_gif.frames.len()),
        ((32, 32), 100)
    );
    assert_eq!(
        decoded::decode(&std::fs::read(out.join("box.gif")).unwrap())
            .frames
            .len(),
        11
    );
    assert!(
        !out.join("broken.gif").exists() && !out.join("notes.gif").exists(),
        "no output"
    );
    // Without --format, or with -o and several inputs, the command says what to give.
    let res = run(bin().arg("convert").arg(&pack).arg("--out-dir").arg(&out));
    assert_eq!(res.status.code(), Some(2));
    assert!(stderr(&res).contains("--format"), "{}", stderr(&res));
    let two = run(bin()
        .arg("convert")
        .arg(smiley())
        .arg(smiley())
        .arg("-o")
        .arg(dir.join("x.gif")));
    assert_error(&two, "2 inputs need --out-dir");
}

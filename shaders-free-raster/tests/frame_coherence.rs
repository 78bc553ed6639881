//! A frame painted from the frame before (only what changed, see `FrameRenderer`) must be the same
//! as the frame drawn whole, within one in a channel (the changed rectangle is painted as a scene
//! of its own, where vello_cpu rounds a little differently): every frame of the fixtures, and of a sample of the
//! corpus stickers when the corpus is present (`TGS_CORPUS`, default `../shared/corpus` next to
//! the repository; skipped, with a message, without it).

use std::path::{Path, PathBuf};

use raster::{Animation, Budget, FrameRenderer, LoadLimits, Pixmap};

/// Renders every frame of `animation` at `width` x `height` in order into one pixmap (so that each
/// frame is painted from the one before), and again each from scratch, and returns how many frames
/// were compared; panics naming the first frame that differs by more than one in a channel.
fn compare_all_frames(name: &str, animation: &Animation, width: u32, height: u32) -> usize {
    let mut coherent = FrameRenderer::new();
    let mut whole = FrameRenderer::new();
    let mut reused = Pixmap::new(width, height).unwrap();
    let mut fresh = Pixmap::new(width, height).unwrap();
    let budget = Budget::UNLIMITED;
    let frames = animation.total_frames();
    for frame in 0..frames {
        let time = animation.frame_time(u64::from(frame)).unwrap();
        coherent
            .render(animation, time, &budget, &mut reused)
            .unwrap();
        whole.forget_last_frame();
        whole.render(animation, time, &budget, &mut fresh).unwrap();
        let most = reused
            .data()
            .iter()
            .zip(fresh.data())
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        if most > Some(1) {
            let differing = reused
                .data()
                .chunks_exact(4)
                .zip(fresh.data().chunks_exact(4))
                .filter(|(a, b)| a != b)
                .count();
            panic!(
                "{name} at {width}x{height}: frame {frame} differs in {differing} pixels, \
                 by up to {most:?}"
            );
        }
    }
    frames as usize
}

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixtures(&path, out);
        } else if path.extension().is_some_and(|e| e == "json" || e == "tgs") {
            out.push(path);
        }
    }
}

fn load(path: &Path) -> Option<Animation> {
    let bytes = std::fs::read(path).unwrap();
    Animation::load(&bytes, &LoadLimits::default()).ok()
}

#[test]
fn fixtures_painted_from_the_frame_before_match_frames_drawn_whole() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut paths = Vec::new();
    fixtures(&root, &mut paths);
    paths.sort();
    let mut frames = 0;
    let mut files = 0;
    for path in &paths {
        // Some fixtures are invalid on purpose.
        let Some(animation) = load(path) else {
            continue;
        };
        let name = path.display().to_string();
        frames += compare_all_frames(&name, &animation, 96, 96);
        // Another aspect ratio: the composition is letterboxed and clipped.
        frames += compare_all_frames(&name, &animation, 120, 80);
        files += 1;
    }
    assert!(
        files > 50 && frames > 1000,
        "{files} files, {frames} frames"
    );
}

#[test]
fn corpus_stickers_painted_from_the_frame_before_match_frames_drawn_whole() {
    let dir = std::env::var_os("TGS_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    );
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        eprintln!(
            "corpus_stickers_painted_from_the_frame_before_match_frames_drawn_whole: SKIPPED: no \
             corpus at {} (set TGS_CORPUS)",
            dir.display()
        );
        return;
    };
    // Every 8th 512x512 sticker, every frame, at 512x512.
    let stickers: Vec<&str> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            (f.len() > 5 && f[0].ends_with(".tgs") && f[4] == "512" && f[5] == "512")
                .then_some(f[0])
        })
        .collect();
    assert!(stickers.len() > 50, "{} stickers", stickers.len());
    let mut frames = 0;
    for name in stickers.iter().step_by(8) {
        let animation = load(&dir.join(name)).expect(name);
        frames += compare_all_frames(name, &animation, 512, 512);
    }
    assert!(frames > 1000, "{frames} frames");
}

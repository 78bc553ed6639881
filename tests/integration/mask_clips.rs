//! A layer's single mask is drawn as a clip when its mode, alone, leaves the mask's own coverage
//! (`renderer/src/eval/masks.rs`); other masks go through a luminance mask painted offscreen.
//! Both must draw the same layer: each clip is checked here against the same mask forced
//! through the luminance mask by a second mask that changes nothing (adding at opacity 0).

use tgs_converter::pipeline::{self, Limits};

/// A 120x120 composition: a blue disc under one or more masks (the `masksProperties` entries).
fn masked_disc(masks: &[String]) -> Vec<u8> {
    format!(
        r#"{{"v":"5.7.0","fr":30,"ip":0,"op":10,"w":120,"h":120,"layers":[{{"ty":4,"ind":1,
        "ip":0,"op":10,"st":0,"ks":{{}},"hasMask":true,"masksProperties":[{}],
        "shapes":[{{"ty":"el","p":{{"a":0,"k":[60,60]}},"s":{{"a":0,"k":[100,100]}}}},
        {{"ty":"fl","c":{{"a":0,"k":[0.2,0.6,1,1]}},"o":{{"a":0,"k":100}}}}]}}]}}"#,
        masks.join(",")
    )
    .into_bytes()
}

/// A curved triangle across the disc's edge, in `mode` at `opacity` percent.
fn mask(mode: &str, opacity: f64) -> String {
    format!(
        r#"{{"mode":"{mode}","inv":false,"o":{{"a":0,"k":{opacity}}},"pt":{{"a":0,"k":{{"c":true,
        "v":[[12,12],[102,24],[54,108]],"i":[[0,0],[18,-12],[0,0]],"o":[[0,0],[0,0],[-12,0]]}}}}}}"#
    )
}

/// The frame, premultiplied (so that a difference in colour counts as much as its alpha).
fn draw(json: &[u8]) -> Vec<u8> {
    let animation = pipeline::load(json, &Limits::default()).expect("loads");
    let image = pipeline::render_frame(&animation, 0, 120, 120, &Limits::default().budget)
        .expect("renders");
    crate::util::premultiply(&image.data)
}

#[test]
fn a_single_mask_drawn_as_a_clip_matches_the_luminance_mask() {
    let neutral = mask("a", 0.0);
    for mode in ["a", "i", "l", "f"] {
        let clip = draw(&masked_disc(&[mask(mode, 60.0)]));
        let luminance = draw(&masked_disc(&[mask(mode, 60.0), neutral.clone()]));
        let covered = clip.chunks_exact(4).filter(|px| px[3] > 0).count();
        assert!(
            covered > 1000,
            "{mode}: the mask shows part of the disc ({covered} px)"
        );
        let most = crate::util::metrics(&clip, &luminance).max_difference;
        assert!(
            most <= 1,
            "{mode}: the clip differs from the mask by {most}"
        );
    }
}

#[test]
fn a_single_darkening_mask_is_not_a_clip_and_hides_the_layer() {
    // Alone, darken keeps the smaller of the mask and no coverage: nothing. Drawn as a clip it
    // would show the masked part, so it must stay a luminance mask.
    let darken = draw(&masked_disc(&[mask("d", 60.0)]));
    assert!(
        darken.iter().all(|&v| v == 0),
        "a darkening mask alone hides the layer"
    );
}

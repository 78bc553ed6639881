//! Import: `Animation::load` with the default `LoadLimits` on arbitrary bytes, as given (plain
//! JSON, or a `.tgs` when the bytes start with the gzip magic) and gzipped (so every JSON input
//! also goes through the `.tgs` path). Loading must return `Ok` or `Err`, never panic, and a
//! loaded animation must answer its metadata calls.
#![no_main]

use std::io::Write as _;

use libfuzzer_sys::fuzz_target;
use renderer::{Animation, LoadLimits};

fn check(input: &[u8]) {
    let Ok(animation) = Animation::load(input, &LoadLimits::default()) else {
        return;
    };
    let total = animation.total_frames();
    assert!(total >= 1, "a loaded animation has at least one frame");
    assert!(animation.width() > 0.0 && animation.height() > 0.0);
    for index in [0, u64::from(total) / 2, u64::from(total) - 1] {
        animation
            .frame_time(index)
            .expect("every frame index below total_frames has a time");
    }
    assert!(animation.frame_time(u64::from(total)).is_err());
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if !data.starts_with(&[0x1f, 0x8b]) {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data).expect("writes to a Vec");
        check(&gz.finish().expect("writes to a Vec"));
    }
});

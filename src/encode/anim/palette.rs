//! One RGBA palette for every frame of an indexed APNG, learnt with `NeuQuant` (`color_quant`,
//! as the GIF encoder does) from a few frames spread over the animation.
//!
//! Unlike GIF, PNG keeps an alpha per palette entry (`tRNS`), so anti-aliased edges stay soft:
//! the network learns all four channels of the visible pixels, and fully transparent pixels get
//! an entry of their own, so the background stays exactly transparent.

use std::collections::HashMap;

use color_quant::NeuQuant;

use crate::encode::Image;

/// At most this many pixels train the network (a subsample of the sample frames).
const MAX_TRAINING_PIXELS: usize = 1 << 18;
/// At least this many pixels train the network (a smaller sample is repeated).
const MIN_TRAINING_PIXELS: usize = 4096;
/// `NeuQuant`'s sampling factor: 1 is best and slowest, 10 the author's recommended compromise.
pub(super) const SAMPLE_FACTOR: i32 = 10;

/// A palette of at most 256 RGBA entries, the last one fully transparent.
pub(crate) struct Palette {
    quant: NeuQuant,
    /// Entries learnt by the network (the transparent one comes after them).
    learnt: usize,
}

impl std::fmt::Debug for Palette {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Palette")
            .field("learnt", &self.learnt)
            .finish_non_exhaustive()
    }
}

impl Palette {
    /// Learns `colours` entries (2-255) from the visible pixels of `sample`, plus one for
    /// transparent pixels.
    pub(crate) fn learn(sample: &[Image], colours: usize) -> Self {
        let learnt = colours.clamp(2, 255);
        let pixels = training_pixels(sample, |px| {
            (px[3] > 0).then_some([px[0], px[1], px[2], px[3]])
        });
        Self {
            quant: NeuQuant::new(SAMPLE_FACTOR, learnt, &pixels),
            learnt,
        }
    }

    /// The index of fully transparent pixels.
    fn transparent(&self) -> u8 {
        self.learnt as u8
    }

    /// The `PLTE` chunk data: RGB of every entry.
    pub(crate) fn plte(&self) -> Vec<u8> {
        let mut rgb = self.quant.color_map_rgb();
        rgb.extend_from_slice(&[0, 0, 0]);
        rgb
    }

    /// The `tRNS` chunk data: alpha of every entry.
    pub(crate) fn trns(&self) -> Vec<u8> {
        let mut alpha = self.quant.color_map_alpha();
        alpha.push(0);
        alpha
    }

    /// The palette index of every pixel of `image`, row by row.
    pub(crate) fn indices(&self, image: &Image) -> Vec<u8> {
        // A sticker frame has few distinct colours (flat fills, their anti-aliased edges), so
        // each is looked up in the network once.
        let mut known: HashMap<[u8; 4], u8> = HashMap::new();
        let mut last = ([0_u8; 4], self.transparent());
        image
            .data
            .chunks_exact(4)
            .map(|px| {
                let px: [u8; 4] = px.try_into().expect("4 bytes");
                if px[3] == 0 {
                    self.transparent()
                } else if px == last.0 {
                    last.1
                } else {
                    let index = *known
                        .entry(px)
                        .or_insert_with(|| self.quant.index_of(&px) as u8);
                    last = (px, index);
                    index
                }
            })
            .collect()
    }
}

/// `NeuQuant`'s input: up to [`MAX_TRAINING_PIXELS`] pixels of `sample`, evenly spaced, as
/// `learn` maps them (`None` leaves a pixel out), and at least [`MIN_TRAINING_PIXELS`].
pub(super) fn training_pixels(
    sample: &[Image],
    learn: impl Fn(&[u8]) -> Option<[u8; 4]>,
) -> Vec<u8> {
    let total: usize = sample.iter().map(|i| i.data.len() / 4).sum();
    let step = total.div_ceil(MAX_TRAINING_PIXELS).max(1);
    let mut pixels: Vec<u8> = sample
        .iter()
        .flat_map(|image| image.data.chunks_exact(4).step_by(step))
        .filter_map(learn)
        .flatten()
        .collect();
    if pixels.is_empty() {
        // Nothing to learn from: any palette will do; a grey ramp to train on.
        pixels.extend((0..=255_u8).flat_map(|v| [v, v, v, 255]));
    }
    // `NeuQuant` learns from a fraction of its input; a tiny sample is repeated so that every
    // colour in it is seen, in the same proportions.
    while pixels.len() < 4 * MIN_TRAINING_PIXELS {
        pixels.extend_from_within(..);
    }
    pixels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_keeps_transparency_and_the_few_colours_of_a_frame() {
        // Red, half-transparent blue, and transparent pixels.
        let data: Vec<u8> = (0..64)
            .flat_map(|i| match i % 4 {
                0 | 1 => [255, 0, 0, 255],
                2 => [0, 0, 255, 128],
                _ => [7, 7, 7, 0],
            })
            .collect();
        let image = Image {
            width: 8,
            height: 8,
            data,
        };
        let palette = Palette::learn(std::slice::from_ref(&image), 16);
        let (plte, trns) = (palette.plte(), palette.trns());
        assert_eq!((plte.len(), trns.len()), (17 * 3, 17));
        for (k, &index) in palette.indices(&image).iter().enumerate() {
            let (i, rgb) = (usize::from(index), &plte[3 * usize::from(index)..][..3]);
            match k % 4 {
                0 | 1 => assert!(rgb[0] > 240 && rgb[2] < 16 && trns[i] > 240, "{rgb:?}"),
                2 => assert!(
                    rgb[2] > 240 && trns[i].abs_diff(128) < 8,
                    "{rgb:?} {}",
                    trns[i]
                ),
                _ => assert_eq!((index, trns[i]), (16, 0), "transparent"),
            }
        }
    }
}

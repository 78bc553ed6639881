//! Renders one frame of a `.tgs` sticker or Lottie JSON file to a PNG at the composition size.
//!
//! ```sh
//! cargo run --release -p shaders-free-raster --example render_frame -- INPUT FRAME OUT.png
//! ```

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;

use raster::{Animation, LoadLimits, Pixmap};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, frame, output] = args.as_slice() else {
        return Err("usage: render_frame INPUT FRAME OUT.png".into());
    };
    let frame: u64 = frame.parse()?;

    let animation = Animation::load(&std::fs::read(input)?, &LoadLimits::default())?;
    let time = animation.frame_time(frame)?;
    let side = |v: f64| v.round().max(1.0) as u32;
    let (width, height) = (side(animation.width()), side(animation.height()));
    let mut pixmap = Pixmap::new(width, height).ok_or("composition size out of range")?;
    raster::render(&animation, time, &mut pixmap)?;

    let mut encoder = png::Encoder::new(BufWriter::new(File::create(output)?), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()?
        .write_image_data(&pixmap.to_straight_rgba8())?;
    Ok(())
}

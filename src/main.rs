//! tgs-converter: converts Telegram animated stickers and Lottie JSON to PNG and WebP.

fn main() {}

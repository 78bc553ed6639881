//! tgs-converter: converts Telegram animated stickers (`.tgs`) and Lottie JSON into PNG and WebP,
//! as a command-line tool and an HTTP service.
//!
//! The [`pipeline`] (decode -> parse -> evaluate -> rasterize) is shared by the [`cli`] and the
//! HTTP server; [`encode`] turns its images into files.

pub mod cli;
pub mod encode;
pub mod pipeline;
pub mod server;

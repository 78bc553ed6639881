//! The integration test binary: golden images, corpus conformance, single masks drawn as clips
//! against the luminance mask they stand for (`mask_clips`), CLI and HTTP tests (animated
//! outputs read back by an independent decoder, `decoded`; presets, lossy WebP, the output cache),
//! the web page in a browser (`web`), the load test command (`bench_http`), the service under
//! overload and over a soak of mixed traffic (`overload`, `soak`), and the deployment tests (a
//! static binary alone in a chroot, replicas behind nginx).
//!
//! One binary keeps link time down (vello, resvg). Run one area with a filter, e.g.
//! `cargo test --release --test integration golden::` or `... corpus`.

mod bench_http;
mod cli;
mod corpus;
mod decoded;
mod deploy;
mod golden;
mod http;
mod lossy_webp;
mod mask_clips;
mod output_cache;
mod overload;
mod presets;
mod soak;
mod util;
mod web;

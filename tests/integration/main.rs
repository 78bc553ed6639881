//! The integration test binary: golden images, corpus conformance, CLI and HTTP tests (animated
//! outputs read back by an independent decoder, `decoded`), and the deployment tests (a static
//! binary alone in a chroot, replicas behind nginx).
//!
//! One binary keeps link time down (vello, resvg). Run one area with a filter, e.g.
//! `cargo test --release --test integration golden::` or `... corpus`.

mod cli;
mod corpus;
mod decoded;
mod deploy;
mod golden;
mod http;
mod lossy_webp;
mod util;

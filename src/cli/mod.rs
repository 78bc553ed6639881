//! The command line: clap arguments ([`args`]), one module per command, and [`run`], which
//! dispatches a parsed command line to its command.
//!
//! Each command module (`convert`, `info`, `bench`, `bench_export`, `bench_http`, `serve`,
//! `health`) uses [`args`], the shared file helpers in `io` and the library, never another
//! command.

use std::error::Error;

pub mod args;
mod bench;
mod bench_export;
mod bench_http;
mod convert;
mod health;
mod info;
mod io;
mod serve;

pub use args::{Cli, Command};

/// A boxed error with a one-line message (the CLI prints it and exits non-zero).
pub type CliResult = Result<(), Box<dyn Error + Send + Sync>>;

/// Exit code of a command that failed with an error message (as ripgrep's 2).
pub const EXIT_ERROR: u8 = 2;

/// Exit code of an internal error, a bug (`EX_SOFTWARE` of `sysexits.h`).
pub const EXIT_INTERNAL: u8 = 70;

/// Runs a parsed command line.
///
/// # Errors
///
/// Any failure, with a one-line lowercase message naming the input or the bad value.
pub fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Convert(args) => convert::run(&args),
        Command::Info(args) => info::run(&args),
        Command::BenchRender(args) => bench::run(&args),
        Command::BenchExport(args) => bench_export::run(&args),
        Command::BenchHttp(args) => bench_http::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Health(args) => health::run(&args),
    }
}

//! The command line: raw arguments ([`args`]) -> validated commands -> [`run`].

pub mod args;
mod bench;
mod commands;
mod serve;

pub use args::{Cli, Command};
pub use commands::{CliResult, run};

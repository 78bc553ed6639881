//! `info`: prints an animation's metadata as JSON.

use super::CliResult;
use super::args::InfoArgs;
use super::io::read_input;
use crate::pipeline::{self, Limits};

/// Runs `info`.
pub(super) fn run(args: &InfoArgs) -> CliResult {
    let limits = Limits::default();
    let input = read_input(&args.input, &limits)?;
    let animation = pipeline::load(&input, &limits)?;
    let json = serde_json::to_string_pretty(&pipeline::info(&animation))?;
    println!("{json}");
    Ok(())
}

//! tgs-converter: converts Telegram animated stickers and Lottie JSON to PNG and WebP.

use std::process::ExitCode;

use clap::Parser;
use tgs_converter::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = err.to_string();
            let mut source = err.source();
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            eprintln!("tgs-converter: error: {}", message.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

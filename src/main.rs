//! tgs-converter: converts Telegram animated stickers and Lottie JSON to PNG and WebP.

use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;
use tgs_converter::cli::{self, Cli, Command};

/// The message of a panic, kept by the panic hook so `main` can print it as one line.
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve(_));
    // A bug must not dump a backtrace on the user: the CLI records the message and reports it as
    // one error line; the server logs it (the request that hit it gets a 500, the rest go on).
    std::panic::set_hook(Box::new(move |info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        if serving {
            tracing::error!(panic = %payload, location = %location, "render panicked");
        } else if let Ok(mut slot) = PANIC_MESSAGE.lock() {
            *slot = Some(format!("{payload}{location}"));
        }
    }));
    match std::panic::catch_unwind(|| cli::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            let mut message = err.to_string();
            let mut source = err.source();
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            eprintln!("tgs-converter: error: {}", message.replace('\n', " "));
            ExitCode::from(cli::EXIT_ERROR)
        }
        Err(_) => {
            let message = PANIC_MESSAGE
                .lock()
                .ok()
                .and_then(|mut slot| slot.take())
                .unwrap_or_default();
            eprintln!(
                "tgs-converter: error: internal error (a bug; please report it with the input): {}",
                message.replace('\n', " ")
            );
            ExitCode::from(cli::EXIT_INTERNAL)
        }
    }
}

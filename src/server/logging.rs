//! The service's log output: a global `tracing` subscriber writing text or JSON lines to stderr.

use std::io::{self, IsTerminal as _};

use super::config::LogFormat;

/// Installs the global `tracing` subscriber (text or JSON lines on stderr); a second call is a no-op.
pub(super) fn init_tracing(format: LogFormat, level: tracing::Level) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

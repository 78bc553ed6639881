//! The crate's one error type: why bytes did not load, or why a frame does not exist.

use std::fmt;

/// Why an animation could not be loaded, or a frame does not exist.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than [`LoadLimits::max_input_bytes`](crate::LoadLimits).
    InputTooLarge {
        /// Input size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The input starts with the gzip magic (a `.tgs` file) but does not gunzip.
    Gzip(std::io::Error),
    /// The input is empty or only whitespace.
    EmptyInput,
    /// The input is not valid JSON.
    Json(serde_json::Error),
    /// The JSON is valid but is not a Lottie animation (the message says what is missing).
    NotLottie(String),
    /// A field has a value the engine cannot work with (the message names it).
    Invalid(String),
    /// The input exceeds a safety limit (the message names the limit and the value).
    LimitExceeded(String),
    /// The requested frame index is not in `0..total`.
    FrameOutOfRange {
        /// The requested frame index.
        frame: u64,
        /// Number of frames of the animation.
        total: u32,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InputTooLarge { size, limit } => {
                write!(f, "input is {size} bytes; the limit is {limit} bytes")
            }
            Self::Gzip(err) => {
                write!(f, "input looks gzipped (.tgs) but does not gunzip: {err}")
            }
            Self::EmptyInput => f.write_str("input is empty"),
            Self::Json(err) => write!(f, "input is not valid JSON: {err}"),
            Self::NotLottie(msg) => write!(f, "input is not a Lottie animation: {msg}"),
            Self::Invalid(msg) => write!(f, "invalid animation: {msg}"),
            Self::LimitExceeded(msg) => write!(f, "animation exceeds a limit: {msg}"),
            Self::FrameOutOfRange { frame, total } => write!(
                f,
                "frame {frame} is out of range; valid frames are 0..={}",
                total.saturating_sub(1)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(err) => Some(err),
            Self::Gzip(err) => Some(err),
            _ => None,
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Self::Json(err)
    }
}

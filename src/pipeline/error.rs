//! [`PipelineError`]: every way a conversion can fail, shared by the CLI and the server.

use std::fmt;

use crate::encode::EncodeError;

/// Why a conversion failed.
///
/// The HTTP service maps each variant to a stable error code (`server::error`); the CLI prints
/// the message.
#[derive(Debug)]
#[non_exhaustive]
pub enum PipelineError {
    /// The input is larger than [`super::Limits::max_input_bytes`].
    InputTooLarge {
        /// Input size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The input starts with the gzip magic but does not gunzip.
    BadGzip(String),
    /// The (gunzipped) input is not JSON.
    NotJson(String),
    /// The JSON is not a Lottie animation.
    NotLottie(String),
    /// The animation has a value the engine cannot work with.
    InvalidAnimation(String),
    /// The animation or its decompressed size exceeds a safety limit.
    LimitExceeded(String),
    /// The requested frame does not exist.
    FrameOutOfRange {
        /// The requested frame index.
        frame: u64,
        /// Number of frames; valid indices are `0..total`.
        total: u32,
    },
    /// The requested output size is zero or over [`super::Limits::max_output_side`].
    BadSize(String),
    /// An export option has a value out of its range (e.g. `fps`).
    InvalidOption(String),
    /// No step of a platform preset gives a file within its rules (size, duration).
    PresetCannotFit(String),
    /// Encoding the image failed.
    Encode(EncodeError),
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InputTooLarge { size, limit } => {
                write!(f, "input is {size} bytes; the limit is {limit} bytes")
            }
            Self::BadGzip(msg) => {
                write!(f, "input looks gzipped (.tgs) but does not gunzip: {msg}")
            }
            Self::NotJson(msg) => write!(f, "input is not JSON: {msg}"),
            Self::NotLottie(msg) => write!(f, "input is not a Lottie animation: {msg}"),
            Self::InvalidAnimation(msg) => write!(f, "invalid animation: {msg}"),
            Self::LimitExceeded(msg)
            | Self::BadSize(msg)
            | Self::InvalidOption(msg)
            | Self::PresetCannotFit(msg) => f.write_str(msg),
            Self::FrameOutOfRange { frame, total } => write!(
                f,
                "frame {frame} is out of range; valid frames are 0..={}",
                total.saturating_sub(1)
            ),
            Self::Encode(err) => write!(f, "encoding failed: {err}"),
        }
    }
}

impl std::error::Error for PipelineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Encode(err) => Some(err),
            _ => None,
        }
    }
}

impl From<EncodeError> for PipelineError {
    fn from(err: EncodeError) -> Self {
        Self::Encode(err)
    }
}

impl From<renderer::Error> for PipelineError {
    fn from(err: renderer::Error) -> Self {
        use renderer::Error as E;
        match err {
            E::InputTooLarge { size, limit } => Self::InputTooLarge { size, limit },
            E::Gzip(err) => Self::BadGzip(err.to_string()),
            E::EmptyInput => Self::NotJson("input is empty".into()),
            E::Json(err) => Self::NotJson(err.to_string()),
            E::NotLottie(msg) => Self::NotLottie(msg),
            E::Invalid(msg) => Self::InvalidAnimation(msg),
            E::LimitExceeded(msg) => Self::LimitExceeded(msg),
            E::FrameOutOfRange { frame, total } => Self::FrameOutOfRange { frame, total },
            other => Self::InvalidAnimation(other.to_string()),
        }
    }
}

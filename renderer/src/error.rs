//! Load-time errors.

use std::fmt;

/// Why an animation could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input is not valid JSON.
    Json(serde_json::Error),
    /// The JSON is valid but is not a Lottie animation (the message says what is missing).
    NotLottie(String),
    /// A field has a value the engine cannot work with (the message names it).
    Invalid(String),
    /// The animation exceeds a safety limit (the message names the limit and the value).
    LimitExceeded(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(err) => write!(f, "input is not valid JSON: {err}"),
            Self::NotLottie(msg) => write!(f, "input is not a Lottie animation: {msg}"),
            Self::Invalid(msg) => write!(f, "invalid animation: {msg}"),
            Self::LimitExceeded(msg) => write!(f, "animation exceeds a limit: {msg}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(err) => Some(err),
            _ => None,
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Self::Json(err)
    }
}

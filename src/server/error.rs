//! [`ApiError`]: every failure of the service as `{"code", "message"}` JSON, with a typed
//! [`ErrorCode`] that knows its HTTP status.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::pipeline::PipelineError;

/// Every error the service answers, as a stable snake_case code (the `code` of the JSON body).
///
/// The codes are API: clients match on them, so a variant's string never changes. Each variant
/// has its status in [`ErrorCode::status`]; both matches are exhaustive, so a new code cannot
/// compile without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The input is larger than `MAX_INPUT_BYTES`.
    InputTooLarge,
    /// The input starts like gzip but does not gunzip.
    BadGzip,
    /// The (gunzipped) input is not JSON.
    NotJson,
    /// The JSON is not a Lottie animation.
    NotLottie,
    /// The animation has a value the engine cannot work with.
    InvalidAnimation,
    /// The animation exceeds a safety limit.
    LimitExceeded,
    /// The requested frame does not exist.
    FrameOutOfRange,
    /// The requested output size is 0 or over `MAX_OUTPUT_SIDE`.
    BadSize,
    /// No step of a platform preset gives a file within its rules (size, duration).
    PresetCannotFit,
    /// Encoding the image failed.
    EncodeFailed,
    /// `format` names no output format we write.
    BadFormat,
    /// A query or JSON field has an invalid value.
    InvalidParameter,
    /// A JSON request body does not parse.
    BadJson,
    /// A base64 `data` field does not decode.
    BadBase64,
    /// A multipart body is malformed.
    BadMultipart,
    /// The request carries no sticker.
    MissingFile,
    /// A batch has more items than allowed.
    TooManyItems,
    /// Any other malformed request.
    BadRequest,
    /// The request body is larger than allowed.
    PayloadTooLarge,
    /// The body's content type is not one we read.
    UnsupportedMediaType,
    /// No such route.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// No representation matches `Accept` / `Accept-Encoding`.
    NotAcceptable,
    /// The client sent its request too slowly.
    RequestTimeout,
    /// The render queue is full; the response carries `Retry-After`.
    ServerBusy,
    /// The client sent more requests than `RATE_LIMIT_RPS`/`RATE_LIMIT_BURST` allow; the
    /// response carries `Retry-After`.
    RateLimited,
    /// A render job panicked; only its own request fails.
    RenderPanicked,
    /// Anything else that went wrong on our side.
    InternalError,
}

impl ErrorCode {
    /// Every code, in the order of the README's error table.
    pub const ALL: &[Self] = &[
        Self::InputTooLarge,
        Self::BadGzip,
        Self::NotJson,
        Self::NotLottie,
        Self::InvalidAnimation,
        Self::LimitExceeded,
        Self::FrameOutOfRange,
        Self::BadSize,
        Self::PresetCannotFit,
        Self::EncodeFailed,
        Self::BadFormat,
        Self::InvalidParameter,
        Self::BadJson,
        Self::BadBase64,
        Self::BadMultipart,
        Self::MissingFile,
        Self::TooManyItems,
        Self::BadRequest,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::NotAcceptable,
        Self::RequestTimeout,
        Self::ServerBusy,
        Self::RateLimited,
        Self::RenderPanicked,
        Self::InternalError,
    ];

    /// The stable snake_case string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InputTooLarge => "input_too_large",
            Self::BadGzip => "bad_gzip",
            Self::NotJson => "not_json",
            Self::NotLottie => "not_lottie",
            Self::InvalidAnimation => "invalid_animation",
            Self::LimitExceeded => "limit_exceeded",
            Self::FrameOutOfRange => "frame_out_of_range",
            Self::BadSize => "bad_size",
            Self::PresetCannotFit => "preset_cannot_fit",
            Self::EncodeFailed => "encode_failed",
            Self::BadFormat => "bad_format",
            Self::InvalidParameter => "invalid_parameter",
            Self::BadJson => "bad_json",
            Self::BadBase64 => "bad_base64",
            Self::BadMultipart => "bad_multipart",
            Self::MissingFile => "missing_file",
            Self::TooManyItems => "too_many_items",
            Self::BadRequest => "bad_request",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::NotAcceptable => "not_acceptable",
            Self::RequestTimeout => "request_timeout",
            Self::ServerBusy => "server_busy",
            Self::RateLimited => "rate_limited",
            Self::RenderPanicked => "render_panicked",
            Self::InternalError => "internal_error",
        }
    }

    /// The HTTP status answered with this code.
    pub fn status(self) -> StatusCode {
        match self {
            Self::InputTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadGzip => StatusCode::BAD_REQUEST,
            Self::NotJson => StatusCode::BAD_REQUEST,
            Self::NotLottie => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InvalidAnimation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::LimitExceeded => StatusCode::UNPROCESSABLE_ENTITY,
            Self::FrameOutOfRange => StatusCode::BAD_REQUEST,
            Self::BadSize => StatusCode::BAD_REQUEST,
            Self::PresetCannotFit => StatusCode::UNPROCESSABLE_ENTITY,
            Self::EncodeFailed => StatusCode::INTERNAL_SERVER_ERROR,
            Self::BadFormat => StatusCode::BAD_REQUEST,
            Self::InvalidParameter => StatusCode::BAD_REQUEST,
            Self::BadJson => StatusCode::BAD_REQUEST,
            Self::BadBase64 => StatusCode::BAD_REQUEST,
            Self::BadMultipart => StatusCode::BAD_REQUEST,
            Self::MissingFile => StatusCode::BAD_REQUEST,
            Self::TooManyItems => StatusCode::BAD_REQUEST,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::RenderPanicked => StatusCode::INTERNAL_SERVER_ERROR,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code for an HTTP status that actix raised before our handlers ran.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::NOT_ACCEPTABLE => Self::NotAcceptable,
            StatusCode::REQUEST_TIMEOUT => Self::RequestTimeout,
            StatusCode::SERVICE_UNAVAILABLE => Self::ServerBusy,
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited,
            s if s.is_client_error() => Self::BadRequest,
            _ => Self::InternalError,
        }
    }
}

impl From<&PipelineError> for ErrorCode {
    fn from(err: &PipelineError) -> Self {
        match err {
            PipelineError::InputTooLarge { .. } => Self::InputTooLarge,
            PipelineError::BadGzip(_) => Self::BadGzip,
            PipelineError::NotJson(_) => Self::NotJson,
            PipelineError::NotLottie(_) => Self::NotLottie,
            PipelineError::InvalidAnimation(_) => Self::InvalidAnimation,
            PipelineError::LimitExceeded(_) => Self::LimitExceeded,
            PipelineError::FrameOutOfRange { .. } => Self::FrameOutOfRange,
            PipelineError::BadSize(_) => Self::BadSize,
            PipelineError::InvalidOption(_) => Self::InvalidParameter,
            PipelineError::PresetCannotFit(_) => Self::PresetCannotFit,
            PipelineError::Encode(_) => Self::EncodeFailed,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Seconds a client is told to wait (`Retry-After`) when the render queue is full.
pub const RETRY_AFTER_SECS: u32 = 1;

/// A failed request: a stable [`ErrorCode`] and a lowercase message.
///
/// Serializes as the `{"code", "message"}` body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    /// Seconds for the `Retry-After` header, when the client should come back later.
    #[serde(skip)]
    retry_after_secs: Option<u64>,
}

impl ApiError {
    /// Creates an error with `code` and a lowercase `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// Returns the code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Returns the message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A query or JSON field has an invalid value.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameter, message)
    }

    /// The render pool turned the job away (`why`, a lowercase sentence naming the setting);
    /// the response carries `Retry-After`.
    pub fn busy(why: &str) -> Self {
        Self {
            retry_after_secs: Some(u64::from(RETRY_AFTER_SECS)),
            ..Self::new(
                ErrorCode::ServerBusy,
                format!("{why}; retry after the time in the retry-after header"),
            )
        }
    }

    /// The client is over its rate limit; it may send again after `wait` (rounded up to whole
    /// seconds in `Retry-After`).
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        Self {
            retry_after_secs: Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)),
            ..Self::new(
                ErrorCode::RateLimited,
                "too many requests from this client; retry after the time in the retry-after header",
            )
        }
    }

    /// A render job panicked; only its own request fails.
    pub fn panicked() -> Self {
        Self::new(
            ErrorCode::RenderPanicked,
            "the renderer crashed on this input; please report the sticker",
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<PipelineError> for ApiError {
    fn from(err: PipelineError) -> Self {
        Self::new(ErrorCode::from(&err), err.to_string())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        res.json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case() {
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            let name = code.as_str();
            // Snake case: a lowercase letter first, then lowercase letters, digits (`bad_base64`)
            // and underscores.
            assert!(
                name.starts_with(|c: char| c.is_ascii_lowercase())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{name}"
            );
            assert!(
                ErrorCode::ALL[i + 1..]
                    .iter()
                    .all(|other| other.as_str() != name),
                "duplicate code {name}"
            );
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(name));
        }
    }

    #[test]
    fn pipeline_input_errors_are_client_errors() {
        use crate::encode::EncodeError;
        let errors = [
            PipelineError::InputTooLarge { size: 2, limit: 1 },
            PipelineError::BadGzip(String::new()),
            PipelineError::NotJson(String::new()),
            PipelineError::NotLottie(String::new()),
            PipelineError::InvalidAnimation(String::new()),
            PipelineError::LimitExceeded(String::new()),
            PipelineError::FrameOutOfRange { frame: 1, total: 1 },
            PipelineError::BadSize(String::new()),
            PipelineError::PresetCannotFit(String::new()),
        ];
        for err in &errors {
            let code = ErrorCode::from(err);
            assert!(code.status().is_client_error(), "{code} must be a 4xx");
        }
        let encode = PipelineError::Encode(EncodeError::BadBuffer {
            expected: 4,
            actual: 0,
        });
        assert_eq!(
            ErrorCode::from(&encode).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn busy_sets_retry_after() {
        let res = ApiError::busy("server is busy").error_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "1");
    }
}

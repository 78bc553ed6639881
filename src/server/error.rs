//! `ApiError`: every failure of the service as `{"code", "message"}` JSON with one code -> status table.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::pipeline::PipelineError;

/// The one table from stable error code to HTTP status (meilisearch `make_error_codes!`).
///
/// Codes produced by [`PipelineError::code`] appear here verbatim; a code missing from the table
/// answers 500 so that a new pipeline error can never pass for success.
const CODES: &[(&str, StatusCode)] = &[
    // Input (pipeline).
    ("input_too_large", StatusCode::PAYLOAD_TOO_LARGE),
    ("bad_gzip", StatusCode::BAD_REQUEST),
    ("not_json", StatusCode::BAD_REQUEST),
    ("not_lottie", StatusCode::UNPROCESSABLE_ENTITY),
    ("invalid_animation", StatusCode::UNPROCESSABLE_ENTITY),
    ("limit_exceeded", StatusCode::UNPROCESSABLE_ENTITY),
    ("frame_out_of_range", StatusCode::BAD_REQUEST),
    ("bad_size", StatusCode::BAD_REQUEST),
    ("encode_failed", StatusCode::INTERNAL_SERVER_ERROR),
    // Request shape (HTTP layer).
    ("bad_format", StatusCode::BAD_REQUEST),
    ("invalid_parameter", StatusCode::BAD_REQUEST),
    ("bad_json", StatusCode::BAD_REQUEST),
    ("bad_base64", StatusCode::BAD_REQUEST),
    ("bad_multipart", StatusCode::BAD_REQUEST),
    ("missing_file", StatusCode::BAD_REQUEST),
    ("too_many_items", StatusCode::BAD_REQUEST),
    ("bad_request", StatusCode::BAD_REQUEST),
    ("payload_too_large", StatusCode::PAYLOAD_TOO_LARGE),
    ("unsupported_media_type", StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ("not_found", StatusCode::NOT_FOUND),
    ("method_not_allowed", StatusCode::METHOD_NOT_ALLOWED),
    ("not_acceptable", StatusCode::NOT_ACCEPTABLE),
    ("request_timeout", StatusCode::REQUEST_TIMEOUT),
    // Server side.
    ("server_busy", StatusCode::SERVICE_UNAVAILABLE),
    ("render_panicked", StatusCode::INTERNAL_SERVER_ERROR),
    ("internal_error", StatusCode::INTERNAL_SERVER_ERROR),
];

/// Seconds a client is told to wait (`Retry-After`) when the render queue is full.
pub const RETRY_AFTER_SECS: u32 = 1;

/// Returns the HTTP status for a stable error `code` (500 for a code missing from the table).
pub fn status_for(code: &str) -> StatusCode {
    CODES
        .iter()
        .find(|(known, _)| *known == code)
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |(_, status)| *status)
}

/// Returns the stable error code for an HTTP status, for errors actix raises before our handlers.
pub fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_ACCEPTABLE => "not_acceptable",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::SERVICE_UNAVAILABLE => "server_busy",
        s if s.is_client_error() => "bad_request",
        _ => "internal_error",
    }
}

/// A failed request: a stable snake_case `code` (status from the one table) and a lowercase message.
///
/// Serializes as the `{"code", "message"}` body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    code: &'static str,
    message: String,
}

impl ApiError {
    /// Creates an error with a `code` from the table and a lowercase `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Returns the stable snake_case code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Returns the message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A query or JSON field has an invalid value.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("invalid_parameter", message)
    }

    /// The render queue is full; the response carries `Retry-After`.
    pub fn busy() -> Self {
        Self::new(
            "server_busy",
            "render queue is full; retry after the time in the retry-after header",
        )
    }

    /// A render job panicked; only its own request fails.
    pub fn panicked() -> Self {
        Self::new(
            "render_panicked",
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
        Self::new(err.code(), err.to_string())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_for(self.code)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if self.code == "server_busy" {
            res.insert_header((header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS)));
        }
        res.json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_table_has_no_duplicates() {
        for (i, (code, _)) in CODES.iter().enumerate() {
            assert!(
                CODES[i + 1..].iter().all(|(other, _)| other != code),
                "duplicate code {code}"
            );
        }
    }

    #[test]
    fn pipeline_codes_are_in_the_table() {
        for code in [
            "input_too_large",
            "bad_gzip",
            "not_json",
            "not_lottie",
            "invalid_animation",
            "limit_exceeded",
            "frame_out_of_range",
            "bad_size",
        ] {
            assert_ne!(
                status_for(code),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{code} must map to a 4xx"
            );
        }
        assert_eq!(
            status_for("no_such_code"),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn busy_sets_retry_after() {
        let res = ApiError::busy().error_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "1");
    }
}

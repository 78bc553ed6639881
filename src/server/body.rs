//! Request body readers: the sticker from multipart or a raw body, and bounded JSON bodies.

use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::{HttpMessage, HttpRequest, web};
use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;

use super::error::{ApiError, ErrorCode};

/// The multipart field that carries the sticker.
const FILE_FIELD: &str = "file";

/// Multipart fields read before giving up on finding `file`.
const MAX_FIELDS: usize = 16;

/// Raw body types accepted as a sticker (besides a missing `Content-Type`).
const RAW_TYPES: &[&str] = &[
    "application/octet-stream",
    "application/gzip",
    "application/x-gzip",
    "application/json",
    "application/x-tgsticker",
];

fn unsupported(found: &str, expected: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnsupportedMediaType,
        format!("content type {found:?} is not accepted; send {expected}"),
    )
}

fn payload_error(err: &PayloadError) -> ApiError {
    match err {
        PayloadError::Overflow => {
            ApiError::new(ErrorCode::PayloadTooLarge, "request body is too large")
        }
        other => ApiError::new(
            ErrorCode::BadRequest,
            format!(
                "could not read the request body: {}",
                lowercase(&other.to_string())
            ),
        ),
    }
}

fn input_too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::InputTooLarge,
        format!("sticker is larger than the limit of {limit} bytes (MAX_INPUT_BYTES)"),
    )
}

/// Lowercases the first letter of a foreign message so it reads like ours.
pub(crate) fn lowercase(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_lowercase().collect())
        .unwrap_or_default();
    out.extend(chars);
    out.trim_end_matches('.').to_owned()
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(actix_web::http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Runs a body read, failing with `request_timeout` (408) if the client is slower than `timeout`.
pub(super) async fn with_timeout<T>(
    timeout: Duration,
    read: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    actix_web::rt::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                ErrorCode::RequestTimeout,
                format!(
                    "the request body did not arrive within {} ms (BODY_TIMEOUT_MS)",
                    timeout.as_millis()
                ),
            ))
        })
}

/// Reads the whole body, failing with `too_large` as soon as it exceeds `limit` bytes.
async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    too_large: impl Fn() -> ApiError,
) -> Result<web::Bytes, ApiError> {
    if declared_length(req).is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::with_capacity(declared_length(req).unwrap_or(8 * 1024));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|err| payload_error(&err))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Reads the sticker from a `multipart/form-data` body (field `file`) or from a raw body
/// (`application/octet-stream`, `application/gzip`, `application/json`, ... or no content type).
///
/// # Errors
///
/// `unsupported_media_type` (415) for other content types, `input_too_large` (413) past `limit`,
/// `bad_multipart` / `missing_file` (400) for a malformed form.
pub(super) async fn read_sticker(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    let mime = req.mime_type().map_err(|_| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the content-type header is malformed",
        )
    })?;
    let Some(mime) = mime else {
        return read_limited(req, payload, limit, || input_too_large(limit)).await;
    };
    if mime.type_() == "multipart" && mime.subtype() == "form-data" {
        return read_multipart_file(req, payload, limit).await;
    }
    let essence = mime.essence_str();
    if RAW_TYPES.contains(&essence) || mime.suffix().is_some_and(|s| s == "json") {
        return read_limited(req, payload, limit, || input_too_large(limit)).await;
    }
    Err(unsupported(
        essence,
        "multipart/form-data with a `file` field, or the sticker as application/octet-stream, \
         application/gzip or application/json",
    ))
}

async fn read_multipart_file(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    if declared_length(req).is_some_and(|len| len > limit.saturating_add(64 * 1024)) {
        return Err(input_too_large(limit));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut fields = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|err| multipart_error(&err))?;
        fields += 1;
        if fields > MAX_FIELDS {
            break;
        }
        if field.name() != Some(FILE_FIELD) {
            // Skip other fields; the stream advances to the next field on the next poll.
            continue;
        }
        let mut data = web::BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|err| multipart_error(&err))?;
            if data.len() + chunk.len() > limit {
                return Err(input_too_large(limit));
            }
            data.extend_from_slice(&chunk);
        }
        if data.is_empty() {
            return Err(ApiError::new(
                ErrorCode::MissingFile,
                "the `file` field is empty",
            ));
        }
        return Ok(data.freeze());
    }
    Err(ApiError::new(
        ErrorCode::MissingFile,
        "multipart body has no `file` field; send the sticker as -F file=@sticker.tgs",
    ))
}

fn multipart_error(err: &actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as E;
    match err {
        E::Payload(payload) => payload_error(payload),
        other => ApiError::new(
            ErrorCode::BadMultipart,
            format!(
                "malformed multipart body: {}",
                lowercase(&other.to_string())
            ),
        ),
    }
}

/// Reads a JSON body of at most `limit` bytes into `T`.
///
/// # Errors
///
/// `unsupported_media_type` (415) unless the content type is JSON (or missing),
/// `payload_too_large` (413) past `limit`, `bad_json` (400) when it does not parse into `T`.
pub(super) async fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    let mime = req.mime_type().map_err(|_| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the content-type header is malformed",
        )
    })?;
    if let Some(mime) = mime {
        let is_json = mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json");
        if !is_json {
            return Err(unsupported(mime.essence_str(), "application/json"));
        }
    }
    let body = read_limited(req, payload, limit, || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("json body is larger than the limit of {limit} bytes (MAX_BODY_BYTES)"),
        )
    })
    .await?;
    serde_json::from_slice(&body)
        .map_err(|err| ApiError::new(ErrorCode::BadJson, format!("invalid json body: {err}")))
}

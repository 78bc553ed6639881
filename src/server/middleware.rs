//! The request middleware: one log line and the metrics per request, and `{code, message}` for
//! every error response.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use super::body;
use super::error::{ApiError, ErrorCode};
use super::routes::CACHE_HIT;
use super::state::AppState;

/// Logs one line per request, records metrics, and turns any non-JSON error into `{code, message}`.
pub(super) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let start = Instant::now();
    // Cloning the request here would break routing (it needs the only reference), so an error
    // escaping the inner services (none do) is logged with its path only.
    let path = req.path().to_owned();
    let mut res = match next.call(req).await {
        Ok(res) => json_errors(res.map_into_boxed_body()),
        Err(err) => {
            tracing::error!(target: "http", %path, %err, "request failed outside a handler");
            return Err(err);
        }
    };
    // `identity` only told Compress to keep off (images); RFC 9110 discourages sending it.
    if res.headers().get(header::CONTENT_ENCODING)
        == Some(&header::HeaderValue::from_static("identity"))
    {
        res.headers_mut().remove(header::CONTENT_ENCODING);
    }
    let elapsed = start.elapsed();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status().as_u16();
    let ms = (elapsed.as_secs_f64() * 100_000.0).round() / 100.0;
    let method = res.request().method().as_str().to_owned();
    match res.headers().get(CACHE_HIT).and_then(|v| v.to_str().ok()) {
        Some(hit) => {
            tracing::info!(target: "http", %method, %route, status, ms, cache_hit = hit == "true", "request");
        }
        None => tracing::info!(target: "http", %method, %route, status, ms, "request"),
    }
    if let Some(state) = res.request().app_data::<web::Data<AppState>>() {
        state.metrics.record(&route, status, elapsed);
    }
    Ok(res)
}

/// Answers 429 `rate_limited` with `Retry-After` to a client over its rate limit (when one is
/// configured). Health probes are never limited.
pub(super) async fn limit_rate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>()
        && let Some(limiter) = &state.rate_limiter
        && !req.path().starts_with("/health")
        && let Some(peer) = req.peer_addr()
    {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let client = limiter.client(peer.ip(), forwarded);
        if let Err(wait) = limiter.check(client) {
            let res = actix_web::ResponseError::error_response(&ApiError::rate_limited(wait));
            return Ok(req.into_response(res));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Rewrites an error response that is not already JSON (actix's own, e.g. a missing app data)
/// into our `{code, message}` body with the same status.
fn json_errors(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let message = res.response().error().map_or_else(
        || status.canonical_reason().unwrap_or("error").to_lowercase(),
        |err| body::lowercase(&err.to_string()),
    );
    let error = ApiError::new(ErrorCode::from_status(status), message);
    let mut rewritten = HttpResponse::build(status).json(&error);
    for name in [header::RETRY_AFTER, header::ALLOW, header::VARY] {
        if let Some(value) = res.headers().get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    res.into_response(rewritten)
}

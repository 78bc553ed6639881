//! Thin handlers: read the request, run the pipeline on the render pool, shape the response.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::header::{self, Header as _, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Serialize;

use super::body;
use super::error::{ApiError, ErrorCode};
use super::output_cache::{EncodedImage, OutputKey, PresetChoice};
use super::params::{BatchRequest, ConvertItem, RenderParams, RenderQuery};
use super::pool::{PoolError, round2};
use super::state::AppState;
use crate::encode::ImageFormat;
use crate::pipeline::{self, ExportOptions, PresetOptions};

/// Header with the server's own work on the request in milliseconds (2 decimals): the output
/// cache lookup, then decode, parse, render and encode on a render thread. The wait for a render
/// thread is not in it (see [`QUEUE_TIME`]).
pub const PROCESSING_TIME: &str = "x-processing-time";
/// Header with the time the request waited for a render thread, in milliseconds (2 decimals;
/// `0.00` when it needed none, as on an output cache hit).
pub const QUEUE_TIME: &str = "x-queue-time";
/// Header with the animation's frame count.
pub const TOTAL_FRAMES: &str = "x-total-frames";
/// Header telling whether the parsed animation came from the cache (`true`/`false`).
pub const CACHE_HIT: &str = "x-cache-hit";
/// Header with the encoded image size in bytes.
pub const IMAGE_SIZE: &str = "x-image-size";
/// Header telling whether the image came from the output cache (`hit`, `miss`, or `off` when
/// `OUTPUT_CACHE_BYTES` is 0).
pub const OUTPUT_CACHE: &str = "x-output-cache";
/// `Cache-Control` of every image: the image is a pure function of the upload and the parameters,
/// so it never changes; a day rather than a year, because a server upgrade may draw it better.
const IMAGE_CACHE_CONTROL: &str = "public, max-age=86400, immutable";
/// Header with the number of frames in the file (1 for a still; an animation's identical
/// consecutive frames count once).
pub(super) const FRAMES_ENCODED: &str = "x-frames-encoded";
/// Header with the platform preset a file follows (`preset=`).
pub(super) const PRESET: &str = "x-preset";
/// Header with the frame rate a preset chose (animations only).
pub(super) const PRESET_FPS: &str = "x-preset-fps";
/// Header with the quality a preset chose.
pub(super) const PRESET_QUALITY: &str = "x-preset-quality";

/// Accepts standard base64 with or without padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A converted image and where it came from.
#[derive(Debug)]
struct Rendered {
    image: Arc<EncodedImage>,
    /// The sticker was not parsed for this request: the image, or the parsed animation, came
    /// from a cache.
    cache_hit: bool,
    /// The image came from the output cache.
    output_hit: bool,
}

/// The JSON answer of `/convert/base64` and a successful `/convert/batch` item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConvertedJson {
    image: String,
    width: u32,
    height: u32,
    format: &'static str,
    size: usize,
    total_frames: u32,
    frames_encoded: u32,
    processing_time: String,
    cache_hit: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset_fps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset_quality: Option<u8>,
}

/// One entry of the `/convert/batch` answer: the conversion or `{code, message}`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum BatchResult {
    Ok(ConvertedJson),
    Err(ApiError),
}

fn pool_error(err: PoolError) -> ApiError {
    match err {
        PoolError::Busy(why) => ApiError::busy(why.message()),
        PoolError::Panicked => ApiError::panicked(),
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    format.extension()
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// A render job's result with its times: the wait for a render thread (from `submitted`) and
/// the job's own run time, in milliseconds.
struct Timed<T> {
    value: T,
    queue_ms: f64,
    work_ms: f64,
}

/// Runs `job` on the render pool, timing the wait for a thread apart from the work.
async fn run_timed<T: Send + 'static>(
    state: &AppState,
    body_bytes: usize,
    submitted: Instant,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<Timed<T>, ApiError> {
    state
        .pool
        .run(body_bytes, move || {
            let queue_ms = ms_since(submitted);
            let begun = Instant::now();
            let value = job();
            Timed {
                value,
                queue_ms,
                work_ms: ms_since(begun),
            }
        })
        .await
        .map_err(pool_error)
}

/// Looks `key` up in the output cache.
fn cached(state: &AppState, key: Option<&OutputKey>) -> Option<Rendered> {
    let image = state.outputs.get(key?)?;
    Some(Rendered {
        image,
        cache_hit: true,
        output_hit: true,
    })
}

/// Look up (or decode and parse), render and encode, and keep the image under `key` in the output
/// cache; runs on a render thread. An animation is this one job too: its frames fan out over the
/// render pool's threads from here.
fn render(
    state: &AppState,
    input: &[u8],
    params: &RenderParams,
    key: Option<OutputKey>,
) -> Result<Rendered, ApiError> {
    let limits = &state.config.limits;
    let lookup = state.animations.get_or_parse(input, limits)?;
    let animation = &lookup.animation;
    if let Some(preset) = params.preset {
        let options = PresetOptions {
            preset,
            frames: params.frames,
            format: Some(params.format),
            background: params.background,
        };
        let out = pipeline::export_preset(animation, &options, limits)?;
        let image = EncodedImage::new(
            out.export.bytes,
            out.format,
            (out.width, out.height),
            animation.total_frames(),
            out.export.frames_encoded,
        )
        .with_preset(PresetChoice {
            preset,
            fps: out.fps,
            quality: out.quality,
        });
        return Ok(keep(state, key, image, lookup.hit));
    }
    let (width, height) = pipeline::output_size(animation, params.width, params.height, limits)?;
    let options = ExportOptions {
        format: params.format,
        frames: params.frames,
        fps: params.fps,
        quality: params.quality,
        background: params.background,
        width,
        height,
    };
    let export = pipeline::export(animation, &options, limits)?;
    let image = EncodedImage::new(
        export.bytes,
        params.format,
        (width, height),
        animation.total_frames(),
        export.frames_encoded,
    );
    Ok(keep(state, key, image, lookup.hit))
}

/// Keeps a fresh image under `key` in the output cache.
fn keep(
    state: &AppState,
    key: Option<OutputKey>,
    image: EncodedImage,
    cache_hit: bool,
) -> Rendered {
    let image = Arc::new(image);
    if let Some(key) = key {
        state.outputs.insert(key, Arc::clone(&image));
    }
    Rendered {
        image,
        cache_hit,
        output_hit: false,
    }
}

/// Decodes a base64 item and renders it; runs on a render thread.
fn render_item(state: &AppState, item: &ConvertItem) -> Result<ConvertedJson, ApiError> {
    let start = Instant::now();
    let params = RenderParams::from_item(item)?;
    let input = decode_base64(&item.data, state.config.limits.max_input_bytes)?;
    // Keyed by the decoded sticker, so the same sticker sent to `/convert` shares the entry.
    let key = state.outputs.key(&input, &params);
    let out = match cached(state, key.as_ref()) {
        Some(hit) => hit,
        None => render(state, &input, &params, key)?,
    };
    let image = &out.image;
    Ok(ConvertedJson {
        size: image.bytes.len(),
        image: BASE64.encode(&image.bytes),
        width: image.width,
        height: image.height,
        format: format_name(image.format),
        total_frames: image.total_frames,
        frames_encoded: image.frames_encoded,
        processing_time: format!("{:.2}ms", ms_since(start)),
        cache_hit: out.cache_hit,
        preset: image.preset.map(|p| p.preset.name()),
        preset_fps: image.preset.and_then(|p| p.fps),
        preset_quality: image.preset.map(|p| p.quality),
    })
}

fn decode_base64(data: &str, limit: usize) -> Result<Vec<u8>, ApiError> {
    // Accept `data:<type>;base64,<payload>` as browsers produce it.
    let data = match data.split_once(";base64,") {
        Some((prefix, payload)) if prefix.starts_with("data:") => payload,
        _ => data,
    };
    if data.len() / 4 * 3 > limit {
        return Err(ApiError::new(
            ErrorCode::InputTooLarge,
            format!("sticker is larger than the limit of {limit} bytes (MAX_INPUT_BYTES)"),
        ));
    }
    let decoded = if data.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: Vec<u8> = data.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        BASE64.decode(compact)
    } else {
        BASE64.decode(data)
    };
    let decoded = decoded.map_err(|err| {
        ApiError::new(
            ErrorCode::BadBase64,
            format!("`data` is not valid base64: {err}"),
        )
    })?;
    if decoded.is_empty() {
        return Err(ApiError::new(ErrorCode::MissingFile, "`data` is empty"));
    }
    Ok(decoded)
}

fn cache_header(hit: bool) -> (&'static str, &'static str) {
    (CACHE_HIT, if hit { "true" } else { "false" })
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison, RFC 9110 13.1.2), or is
/// `*`. A malformed header matches nothing.
fn etag_matches(req: &HttpRequest, etag: &header::EntityTag) -> bool {
    match header::IfNoneMatch::parse(req) {
        Ok(header::IfNoneMatch::Any) => true,
        Ok(header::IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(etag)),
        Err(_) => false,
    }
}

/// The image answer of `/convert`: 200 with the bytes, or 304 without them when the client's
/// `If-None-Match` already names this image. Both carry `ETag` and `Cache-Control`.
///
/// RFC 9110 would have a POST answer a matching `If-None-Match` with 412; a conversion has no
/// side effects, and 304 is what lets a client keep the copy it has.
fn image_response(
    req: &HttpRequest,
    out: &Rendered,
    (processing_ms, queue_ms): (f64, f64),
    output_cache: &str,
) -> HttpResponse {
    let image = &out.image;
    let not_modified = etag_matches(req, &image.etag);
    let mut res = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header(header::ETag(image.etag.clone()))
        .insert_header((header::CACHE_CONTROL, IMAGE_CACHE_CONTROL))
        // Images are already compressed: keep the Compress middleware off them.
        .insert_header((
            header::CONTENT_ENCODING,
            HeaderValue::from_static("identity"),
        ))
        .insert_header((PROCESSING_TIME, format!("{processing_ms:.2}")))
        .insert_header((QUEUE_TIME, format!("{queue_ms:.2}")))
        .insert_header(cache_header(out.cache_hit))
        .insert_header((OUTPUT_CACHE, output_cache.to_owned()));
    if let Some(choice) = image.preset {
        res.insert_header((PRESET, choice.preset.name()));
        res.insert_header((PRESET_QUALITY, u32::from(choice.quality)));
        if let Some(fps) = choice.fps {
            res.insert_header((PRESET_FPS, fps.to_string()));
        }
    }
    if not_modified {
        return res.finish();
    }
    res.content_type(image.format.mime_type())
        .insert_header((TOTAL_FRAMES, image.total_frames))
        .insert_header((FRAMES_ENCODED, image.frames_encoded))
        .insert_header((IMAGE_SIZE, image.bytes.len()))
        .insert_header(("x-image-width", image.width))
        .insert_header(("x-image-height", image.height))
        .body(image.bytes.clone())
}

/// Reads the sticker of a request (multipart `file` or raw body) within the body timeout and the
/// input size limit.
async fn sticker_body(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<web::Bytes, ApiError> {
    body::with_timeout(
        state.config.body_timeout,
        body::read_sticker(req, payload, state.config.limits.max_input_bytes),
    )
    .await
}

/// Reads a JSON request body within the body timeout and the body size limit.
async fn json_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<T, ApiError> {
    body::with_timeout(
        state.config.body_timeout,
        body::read_json(req, payload, state.config.max_body_bytes),
    )
    .await
}

/// `POST /convert`: the sticker (multipart `file` or raw body) -> the image bytes.
pub(super) async fn convert(
    req: HttpRequest,
    payload: web::Payload,
    query: web::Query<RenderQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = RenderParams::from_query(&query)?;
    let input = sticker_body(&req, payload, &state).await?;
    let start = Instant::now();
    // The output cache is asked here, on the HTTP worker: the key is one pass of a GB/s hash over
    // the upload (at most MAX_INPUT_BYTES), and a hit must not wait in the render queue.
    let key = state.outputs.key(&input, &params);
    let (out, times) = match cached(&state, key.as_ref()) {
        Some(hit) => (hit, (ms_since(start), 0.0)),
        None => {
            let lookup_ms = ms_since(start);
            let job_state = state.clone();
            let done = run_timed(&state, input.len(), start, move || {
                render(&job_state, &input, &params, key)
            })
            .await?;
            let processing_ms = lookup_ms + done.work_ms;
            let queue_ms = (done.queue_ms - lookup_ms).max(0.0);
            (done.value?, (processing_ms, queue_ms))
        }
    };
    let output_cache = match (key, out.output_hit) {
        (None, _) => "off",
        (Some(_), true) => "hit",
        (Some(_), false) => "miss",
    };
    Ok(image_response(&req, &out, times, output_cache))
}

/// `POST /convert/base64`: JSON `{data, frame, frames, fps, format, quality, lossless,
/// background, width, height, preset}` -> JSON image.
pub(super) async fn convert_base64(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let item: ConvertItem = json_body(&req, payload, &state).await?;
    let job_state = state.clone();
    // `processing_time` is measured by the job itself, on the render thread.
    let done = run_timed(&state, item.data.len(), Instant::now(), move || {
        render_item(&job_state, &item)
    })
    .await?;
    let out = done.value?;
    let mut res = HttpResponse::Ok();
    if let (Some(preset), Some(quality)) = (out.preset, out.preset_quality) {
        res.insert_header((PRESET, preset));
        res.insert_header((PRESET_QUALITY, u32::from(quality)));
        if let Some(fps) = out.preset_fps {
            res.insert_header((PRESET_FPS, fps.to_string()));
        }
    }
    Ok(res
        .insert_header((PROCESSING_TIME, out.processing_time.trim_end_matches("ms")))
        .insert_header((QUEUE_TIME, format!("{:.2}", done.queue_ms)))
        .insert_header((TOTAL_FRAMES, out.total_frames))
        .insert_header((FRAMES_ENCODED, out.frames_encoded))
        .insert_header(cache_header(out.cache_hit))
        .insert_header((IMAGE_SIZE, out.size))
        .json(out))
}

/// `POST /convert/batch`: JSON `{items: [...]}` -> `{results: [...]}` in order, rendered in parallel.
pub(super) async fn convert_batch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let batch: BatchRequest = json_body(&req, payload, &state).await?;
    let max = state.config.max_batch_items;
    if batch.items.len() > max {
        return Err(ApiError::new(
            ErrorCode::TooManyItems,
            format!(
                "batch has {} items; the limit is {max} (MAX_BATCH_ITEMS)",
                batch.items.len()
            ),
        ));
    }
    let start = Instant::now();
    let job_state = state.clone();
    let bytes = batch.items.iter().map(|item| item.data.len()).sum();
    let results = state
        .pool
        .run_batch(bytes, batch.items, move |item| {
            render_item(&job_state, &item)
        })
        .await
        .map_err(pool_error)?;
    let results: Vec<BatchResult> = results
        .into_iter()
        .map(|result| match result.map_err(pool_error).and_then(|r| r) {
            Ok(converted) => BatchResult::Ok(converted),
            Err(err) => BatchResult::Err(err),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((PROCESSING_TIME, format!("{:.2}", ms_since(start))))
        .json(serde_json::json!({ "results": results })))
}

/// `POST /info`: the sticker (multipart `file` or raw body) -> its metadata and warnings.
pub(super) async fn info(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = sticker_body(&req, payload, &state).await?;
    let job_state = state.clone();
    let done = run_timed(
        &state,
        input.len(),
        Instant::now(),
        move || -> Result<_, ApiError> {
            let lookup = job_state
                .animations
                .get_or_parse(&input, &job_state.config.limits)?;
            Ok((pipeline::info(&lookup.animation), lookup.hit))
        },
    )
    .await?;
    let (info, hit) = done.value?;
    Ok(HttpResponse::Ok()
        .insert_header((PROCESSING_TIME, format!("{:.2}", done.work_ms)))
        .insert_header((QUEUE_TIME, format!("{:.2}", done.queue_ms)))
        .insert_header(cache_header(hit))
        .json(info))
}

/// `GET /health`: 200 while the server runs.
pub(super) async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": round2(state.started.elapsed().as_secs_f64()),
    }))
}

/// `GET /health/ready`: 200 while the server takes new work; 503 while it shuts down or while
/// a new render job would be turned away (its expected wait is over `QUEUE_TIMEOUT_MS`), so that a load balancer sends the next request elsewhere.
pub(super) async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match state.not_ready() {
        None => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Some(reason) => {
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": reason }))
        }
    }
}

/// `GET /stats`: cache and render pool counters.
pub(super) async fn stats(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "cache": state.animations.stats(),
        "outputCache": state.outputs.stats(),
        "pool": state.pool.stats(),
        "uptimeSeconds": round2(state.started.elapsed().as_secs_f64()),
    }))
}

/// `POST /cache/clear`: drops every cached animation (`cleared`) and every cached image
/// (`outputsCleared`).
pub(super) async fn clear_cache(state: web::Data<AppState>) -> HttpResponse {
    let cleared = state.animations.clear();
    let outputs = state.outputs.clear();
    HttpResponse::Ok().json(serde_json::json!({ "cleared": cleared, "outputsCleared": outputs }))
}

/// `GET /metrics`: Prometheus text format.
pub(super) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let mut text = state
        .metrics
        .render(&state.animations.stats(), &state.pool.stats());
    super::metrics::render_output_cache(&mut text, &state.outputs.stats());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}

/// Any unknown path: 404 JSON.
pub(super) async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorCode::NotFound,
        format!("no route for {} {}", req.method(), req.path()),
    ))
}

/// A known path with the wrong method: 405 JSON with `Allow`.
pub(super) async fn method_not_allowed(req: HttpRequest, allowed: &'static str) -> HttpResponse {
    let error = ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "method {} is not allowed on {}; use {allowed}",
            req.method(),
            req.path()
        ),
    );
    let mut res = actix_web::ResponseError::error_response(&error);
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    res
}

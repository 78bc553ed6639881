//! HTTP body parsing: arbitrary request bodies through the real routes (`server::configure`),
//! so the multipart and raw-body reader (`src/server/body.rs`), the JSON body reader, the base64
//! decoding of `/convert/base64` and `/convert/batch`, and the error responses are all in play.
//!
//! The first byte picks the request (modulo 5):
//!
//! - 0: `POST /info`; the rest is `content-type\nbody` (no newline: no `Content-Type`), so
//!   multipart bodies with any boundary, raw `.tgs` and JSON bodies;
//! - 1: `POST /convert?width=16&format=gif`, the body as for 0;
//! - 2: `POST /convert/base64`, the rest is the JSON body;
//! - 3: `POST /convert/base64`, the rest is the `data` string (base64, `data:` URLs, whitespace);
//! - 4: `POST /convert/batch`, the rest is the JSON body.
//!
//! Every answer must be 2xx or 4xx; a 4xx must carry the JSON error `{code, message}`.
//! Output sizes are capped at 64 px so that valid stickers render quickly.
#![no_main]

use std::sync::OnceLock;

use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::{App, test, web};
use libfuzzer_sys::fuzz_target;
use tgs_converter::server::{self, AppState, ServerConfig};

fn state() -> web::Data<AppState> {
    static STATE: OnceLock<web::Data<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let mut config = ServerConfig {
                worker_pool_size: 1,
                queue_size: 4,
                cache_size: 16,
                cache_max_bytes: 64 << 20,
                ..ServerConfig::default()
            };
            config.limits.max_output_side = 64;
            web::Data::new(AppState::new(config).expect("the render thread starts"))
        })
        .clone()
}

thread_local! {
    static RUNTIME: actix_web::rt::SystemRunner = actix_web::rt::System::new();
}

/// Splits `content-type\nbody`; no newline means no content type.
fn typed_body(rest: &[u8]) -> (Option<HeaderValue>, &[u8]) {
    match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (HeaderValue::from_bytes(&rest[..at]).ok(), &rest[at + 1..]),
        None => (None, rest),
    }
}

fn request(data: &[u8]) -> Option<test::TestRequest> {
    let (&mode, rest) = data.split_first()?;
    let req = test::TestRequest::post();
    let json = HeaderValue::from_static("application/json");
    let (uri, content_type, body) = match mode % 5 {
        0 | 1 => {
            let (content_type, body) = typed_body(rest);
            let uri = if mode % 5 == 0 {
                "/info"
            } else {
                "/convert?width=16&format=gif"
            };
            (uri, content_type, body.to_vec())
        }
        2 => ("/convert/base64", Some(json), rest.to_vec()),
        3 => {
            let data = String::from_utf8_lossy(rest);
            let body = serde_json::json!({ "data": data, "width": 16, "format": "webp" });
            ("/convert/base64", Some(json), body.to_string().into_bytes())
        }
        _ => ("/convert/batch", Some(json), rest.to_vec()),
    };
    let mut req = req.uri(uri).set_payload(body);
    if let Some(value) = content_type {
        req = req.insert_header((CONTENT_TYPE, value));
    }
    Some(req)
}

fuzz_target!(|data: &[u8]| {
    let Some(req) = request(data) else {
        return;
    };
    RUNTIME.with(|runtime| {
        runtime.block_on(async {
            let app =
                test::init_service(App::new().app_data(state()).configure(server::configure)).await;
            let res = test::call_service(&app, req.to_request()).await;
            let status = res.status();
            let body = test::read_body(res).await;
            assert!(
                status.is_success() || status.is_client_error(),
                "status {status}: {}",
                String::from_utf8_lossy(&body)
            );
            if status.is_client_error() {
                let error: serde_json::Value =
                    serde_json::from_slice(&body).expect("an error body is JSON");
                assert!(
                    error["code"].is_string() && error["message"].is_string(),
                    "error body {error}"
                );
            }
        });
    });
});

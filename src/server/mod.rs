//! The HTTP service (`tgs-converter serve`): actix-web routes over the shared conversion pipeline.
//!
//! Handlers read the request and hand all CPU work (gunzip, parse, render, encode, base64) to a
//! dedicated rayon pool ([`pool::RenderPool`]) so the actix workers only do I/O. Parsed
//! animations are shared through [`cache::AnimationCache`].
//!
//! Mount it with [`configure`] on an `App` that carries `web::Data<AppState>`:
//!
//! ```no_run
//! use actix_web::{App, web};
//! use tgs_converter::server::{self, AppState, ServerConfig};
//!
//! let state = web::Data::new(AppState::new(ServerConfig::default())?);
//! let app = App::new().app_data(state).configure(server::configure);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, FromRequest, Handler, HttpServer, Responder, web};

mod body;
pub mod cache;
pub mod config;
pub mod error;
mod logging;
pub mod metrics;
mod middleware;
pub mod output_cache;
pub mod params;
pub mod pool;
pub mod rate_limit;
mod routes;
pub mod state;
mod sweeper;
mod web_ui;

pub use config::{LogFormat, ServerConfig};
pub use error::{ApiError, ErrorCode};
pub use routes::{CACHE_HIT, IMAGE_SIZE, OUTPUT_CACHE, PROCESSING_TIME, QUEUE_TIME, TOTAL_FRAMES};
pub use state::AppState;

/// Registers every route, the extractor error handlers, compression and request logging.
///
/// The app must carry `web::Data<AppState>` (see the module example).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|err, _| {
        ApiError::invalid_parameter(format!(
            "invalid query string: {}",
            body::lowercase(&err.to_string())
        ))
        .into()
    }))
    .app_data(web::JsonConfig::default().error_handler(|err, _| {
        use actix_web::error::JsonPayloadError as E;
        let code = match &err {
            E::Overflow { .. } | E::OverflowKnownLength { .. } => ErrorCode::PayloadTooLarge,
            E::ContentType => ErrorCode::UnsupportedMediaType,
            _ => ErrorCode::BadJson,
        };
        ApiError::new(code, body::lowercase(&err.to_string())).into()
    }))
    .app_data(web::PathConfig::default().error_handler(|err, _| {
        ApiError::new(ErrorCode::BadRequest, body::lowercase(&err.to_string())).into()
    }))
    .service(
        web::scope("")
            // Images are never compressed: they carry `Content-Encoding: identity` (removed by `observe`).
            .wrap(from_fn(middleware::limit_rate))
            .wrap(Compress::default())
            // Outermost, so it also times compression and turns Compress's own 406 into JSON.
            .wrap(from_fn(middleware::observe))
            .service(post("/convert", routes::convert))
            .service(post("/convert/base64", routes::convert_base64))
            .service(post("/convert/batch", routes::convert_batch))
            .service(post("/info", routes::info))
            .service(get("/health", routes::health))
            .service(get("/health/live", routes::health))
            .service(get("/health/ready", routes::ready))
            .service(get("/stats", routes::stats))
            .service(post("/cache/clear", routes::clear_cache))
            .service(get("/metrics", routes::metrics))
            .configure(web_ui::configure)
            .default_service(web::to(routes::not_found)),
    );
}

/// A resource answering `POST` with `handler`; other methods get 405 JSON with `Allow`.
fn post<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(web::post().to(handler))
        .default_service(web::to(|req| routes::method_not_allowed(req, "POST")))
}

/// A resource answering `GET` with `handler`; other methods get 405 JSON with `Allow`.
fn get<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler))
        .default_service(web::to(|req| routes::method_not_allowed(req, "GET")))
}

/// Installs the log subscriber for `config` and serves it until SIGINT/SIGTERM, on its own actix
/// system (see [`serve`]).
///
/// # Errors
///
/// As [`serve`].
pub fn run(config: ServerConfig) -> io::Result<()> {
    logging::init_tracing(config.log_format, config.log_level);
    actix_web::rt::System::new().block_on(serve(config))
}

/// Serves `config` until SIGINT/SIGTERM, then lets in-flight requests finish (up to
/// `shutdown_timeout`). Must run inside an actix system.
///
/// # Errors
///
/// Returns an error for an invalid configuration ([`ServerConfig::validate`]), a port that cannot
/// be bound, or a failed render pool start.
pub async fn serve(config: ServerConfig) -> io::Result<()> {
    config.validate()?;
    let state = web::Data::new(AppState::new(config.clone())?);
    let app_state = state.clone();
    let server =
        HttpServer::new(move || App::new().app_data(app_state.clone()).configure(configure))
            .workers(config.http_workers)
            .shutdown_timeout(config.shutdown_timeout.as_secs())
            .disable_signals()
            .bind((config.host, config.port))?;
    for addr in server.addrs() {
        tracing::info!(
            %addr,
            render_threads = config.worker_pool_size,
            queue = config.queue_size,
            queue_timeout_ms = config.queue_timeout.as_millis() as u64,
            cache_size = config.cache_size,
            "listening on http://{addr}"
        );
    }
    let sweeper = actix_web::rt::spawn(sweeper::sweep_expired(state.clone(), config.cache_ttl));
    let server = server.run();
    let stopper = actix_web::rt::spawn(stop_on_signal(state, server.handle()));
    let result = server.await;
    sweeper.abort();
    stopper.abort();
    tracing::info!("server stopped");
    result
}

/// Waits for SIGTERM or SIGINT, then fails readiness and stops the server gracefully: it stops
/// accepting, and in-flight requests get up to `SHUTDOWN_TIMEOUT_SECS` to finish.
async fn stop_on_signal(state: web::Data<AppState>, handle: actix_web::dev::ServerHandle) {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for SIGTERM/SIGINT; stop the server with SIGKILL");
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::info!("shutting down: not ready, finishing in-flight requests");
    state.begin_shutdown();
    handle.stop(true).await;
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::{App, ResponseError as _, test};
    use serde_json::Value;

    use super::*;

    fn state() -> web::Data<AppState> {
        let config = ServerConfig {
            worker_pool_size: 1,
            queue_size: 1,
            ..ServerConfig::default()
        };
        web::Data::new(AppState::new(config).unwrap())
    }

    async fn call(
        app_state: Option<web::Data<AppState>>,
        req: test::TestRequest,
    ) -> (StatusCode, Value) {
        let mut app = App::new();
        if let Some(state) = app_state {
            app = app.app_data(state);
        }
        let app = test::init_service(app.configure(configure)).await;
        let res = test::call_service(&app, req.to_request()).await;
        let status = res.status();
        let body = test::read_body(res).await;
        (status, serde_json::from_slice(&body).expect("a JSON body"))
    }

    #[actix_web::test]
    async fn health_is_ok() {
        let (status, body) = call(Some(state()), test::TestRequest::get().uri("/health")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
    }

    #[actix_web::test]
    async fn ready_until_shutdown_or_saturation() {
        let state = state();
        let ready = || test::TestRequest::get().uri("/health/ready");
        let (status, body) = call(Some(state.clone()), ready()).await;
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::OK, Some("ready"))
        );

        // One thread and a queue of one: two blocked jobs saturate the pool.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = std::sync::Arc::new(std::sync::Mutex::new(wait));
        let mut jobs = Vec::new();
        for _ in 0..2 {
            let (pool_state, wait) = (state.clone(), wait.clone());
            jobs.push(actix_web::rt::spawn(async move {
                pool_state
                    .pool
                    .run(0, move || wait.lock().unwrap().recv().is_ok())
                    .await
            }));
        }
        while state.pool.stats().queued < 1 || state.pool.stats().busy < 1 {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let (status, body) = call(Some(state.clone()), ready()).await;
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("saturated"))
        );
        let (status, _) = call(Some(state.clone()), test::TestRequest::get().uri("/health")).await;
        assert_eq!(status, StatusCode::OK, "liveness does not depend on load");
        for _ in 0..2 {
            release.send(()).unwrap();
        }
        for job in jobs {
            assert_eq!(job.await.unwrap(), Ok(true));
        }

        state.begin_shutdown();
        let (status, body) = call(Some(state), ready()).await;
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("shutting_down"))
        );
    }

    #[actix_web::test]
    async fn query_errors_are_json() {
        let req = test::TestRequest::post().uri("/convert?frame=1&frame=2");
        let (status, body) = call(Some(state()), req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "invalid_parameter", "{body}");
    }

    #[actix_web::test]
    async fn actix_errors_become_json() {
        // Without `AppState` the `Data` extractor fails inside actix: still `{code, message}`.
        let (status, body) = call(None, test::TestRequest::get().uri("/stats")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["code"], "internal_error", "{body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("requested application data")
        );
    }

    #[actix_web::test]
    async fn unknown_path_and_method_are_json() {
        let (status, body) = call(Some(state()), test::TestRequest::get().uri("/x")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );
        let req = test::TestRequest::put().uri("/metrics");
        let (status, body) = call(Some(state()), req).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(body["code"], "method_not_allowed");
    }

    #[actix_web::test]
    async fn a_panicking_render_is_a_500_for_that_request_only() {
        let state = state();
        let failed = state.pool.run(0, || -> u8 { panic!("renderer bug") }).await;
        assert_eq!(failed, Err(pool::PoolError::Panicked));
        let res = ApiError::panicked().error_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            state.pool.run(0, || 1).await,
            Ok(1),
            "the pool keeps working"
        );
        assert_eq!(state.pool.stats().panicked, 1);
    }
}

//! The web page at `GET /` (`WEB_UI`): drop a sticker, watch it, scrub its frames, download it.
//!
//! The page is plain HTML, CSS and JavaScript embedded in the binary with `include_bytes!`: no
//! build step, no framework, nothing fetched from another origin, so it works offline and from a
//! scratch container. It only calls the public API (`/info`, `/convert`) from the same origin,
//! which is why the service needs no CORS headers for it.
//!
//! The page and its assets carry a Content-Security-Policy that allows scripts, styles and
//! requests from the page's own origin only, and images also from `blob:` (the converted images
//! are shown as object URLs) and `data:`. With `WEB_UI=false` every path here answers the same
//! 404 JSON as any unknown path.

use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::routes;
use super::state::AppState;

/// The page's Content-Security-Policy: its own origin only; images also from `blob:` and `data:`.
pub(super) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' blob: data:; \
     object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One embedded file and the path it is served at.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// Every file of the page. The page names the others by these paths.
const ASSETS: [Asset; 4] = [
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("index.html"),
    },
    Asset {
        path: "/web/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("app.js"),
    },
    Asset {
        path: "/web/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("style.css"),
    },
    Asset {
        path: "/web/icon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("icon.svg"),
    },
];

/// Registers the page and its assets for `GET` and `HEAD`. Other methods get the 404 JSON of an
/// unknown route, as `POST /` did before the page existed (the HTTP tests pin that).
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    for asset in &ASSETS {
        cfg.service(
            web::resource(asset.path)
                .route(web::get().to(move |req, state| serve(asset, req, state)))
                .route(web::head().to(move |req, state| serve(asset, req, state)))
                .default_service(web::to(routes::not_found)),
        );
    }
}

/// Answers one asset, or 404 JSON when `WEB_UI` is off.
async fn serve(
    asset: &'static Asset,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.config.web_ui {
        return routes::not_found(req).await;
    }
    let mut res = HttpResponse::Ok();
    res.content_type(asset.content_type)
        // Small files, and a new binary may change them: revalidate rather than cache blindly.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header(("cross-origin-opener-policy", "same-origin"));
    Ok(if req.method() == Method::HEAD {
        res.finish()
    } else {
        res.body(asset.body)
    })
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::{App, test};

    use super::*;
    use crate::server::{ServerConfig, configure as configure_server};

    async fn get(web_ui: bool, method: Method, path: &str) -> actix_web::dev::ServiceResponse {
        let config = ServerConfig {
            worker_pool_size: 1,
            queue_size: 1,
            web_ui,
            ..ServerConfig::default()
        };
        let state = web::Data::new(AppState::new(config).unwrap());
        let app = test::init_service(App::new().app_data(state).configure(configure_server)).await;
        let req = test::TestRequest::default()
            .method(method)
            .uri(path)
            .to_request();
        test::call_service(&app, req).await
    }

    fn header<'a>(res: &'a actix_web::dev::ServiceResponse, name: &str) -> &'a str {
        res.headers()
            .get(name)
            .map_or("", |v| v.to_str().unwrap_or(""))
    }

    #[actix_web::test]
    async fn web_ui_serves_every_asset_with_its_type_and_policy() {
        for asset in &ASSETS {
            let res = get(true, Method::GET, asset.path).await;
            assert_eq!(res.status(), StatusCode::OK, "{}", asset.path);
            assert_eq!(header(&res, "content-type"), asset.content_type);
            assert_eq!(
                header(&res, "content-security-policy"),
                CONTENT_SECURITY_POLICY
            );
            assert_eq!(header(&res, "x-content-type-options"), "nosniff");
            let body = test::read_body(res).await;
            assert_eq!(&body[..], asset.body, "{}", asset.path);
        }
    }

    #[actix_web::test]
    async fn web_ui_page_names_only_embedded_assets() {
        let page = std::str::from_utf8(ASSETS[0].body).unwrap();
        let mut named = 0;
        for attr in ["src=\"", "href=\""] {
            for part in page.split(attr).skip(1) {
                let url = part.split('"').next().unwrap();
                assert!(
                    ASSETS.iter().any(|a| a.path == url),
                    "the page names {url}, which is not embedded"
                );
                named += 1;
            }
        }
        assert!(named >= 3, "script, style sheet and icon");
    }

    #[actix_web::test]
    async fn web_ui_off_is_404_json_on_every_path_and_method() {
        for asset in &ASSETS {
            for method in [Method::GET, Method::POST] {
                let res = get(false, method.clone(), asset.path).await;
                assert_eq!(
                    res.status(),
                    StatusCode::NOT_FOUND,
                    "{method} {}",
                    asset.path
                );
                assert_eq!(header(&res, "content-type"), "application/json");
                let body: serde_json::Value =
                    serde_json::from_slice(&test::read_body(res).await).unwrap();
                assert_eq!(body["code"], "not_found", "{body}");
            }
        }
    }

    #[actix_web::test]
    async fn web_ui_other_methods_are_404_and_head_is_ok() {
        let res = get(true, Method::POST, "/").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = get(true, Method::HEAD, "/web/app.js").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "content-type"), ASSETS[1].content_type);
        let res = get(true, Method::GET, "/web/nope.js").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}

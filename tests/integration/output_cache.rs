//! The encoded-output cache over HTTP (issue 11): hits skip the whole pipeline and return the
//! same bytes, every image carries `ETag` and `Cache-Control`, a matching `If-None-Match` gets
//! 304, `OUTPUT_CACHE_BYTES=0` turns it off, and the budget bounds what it holds.

use std::path::Path;

use base64::Engine as _;
use serde_json::json;

use crate::http::{Response, Server};

fn smiley_tgs() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sticker/smiley.tgs");
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn convert(server: &Server, query: &str, body: &[u8]) -> Response {
    let res = server.post_raw(&format!("/convert{query}"), "application/gzip", body);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res
}

/// Converts `query` twice: a miss that fills the output cache, then a hit from it.
fn miss_then_hit(server: &Server, query: &str, body: &[u8]) -> (Response, Response) {
    let first = convert(server, query, body);
    let second = convert(server, query, body);
    assert_eq!(first.header("x-output-cache"), Some("miss"), "{query}");
    assert_eq!(second.header("x-output-cache"), Some("hit"), "{query}");
    (first, second)
}

fn output_stats(server: &Server) -> serde_json::Value {
    server.stats()["outputCache"].clone()
}

#[test]
fn output_cache_hit_skips_the_pipeline_and_returns_the_same_bytes() {
    let server = Server::start();
    let tgs = smiley_tgs();
    let (first, second) = miss_then_hit(&server, "?frame=10", &tgs);
    assert_eq!(second.header("x-cache-hit"), Some("true"));
    assert_eq!(first.body, second.body, "identical bytes");
    assert_eq!(first.header("etag"), second.header("etag"));
    for name in [
        "x-total-frames",
        "x-frames-encoded",
        "x-image-size",
        "x-image-width",
    ] {
        assert_eq!(first.header(name), second.header(name), "{name}");
    }
    // The same file as a multipart upload is the same entry (keyed by the file's bytes).
    let multipart = server.post_multipart("/convert?frame=10", &[("file", &tgs)]);
    assert_eq!(multipart.header("x-output-cache"), Some("hit"));
    assert_eq!(multipart.body, first.body);

    let stats = server.stats();
    let outputs = &stats["outputCache"];
    assert_eq!(
        (&outputs["hits"], &outputs["misses"], &outputs["entries"]),
        (&json!(2), &json!(1), &json!(1)),
        "{stats}"
    );
    assert!(outputs["bytes"].as_u64().unwrap() > first.body.len() as u64);
    // The hits never reached the parser nor the render pool.
    assert_eq!(stats["cache"]["misses"], 1, "{stats}");
    assert_eq!(stats["cache"]["hits"], 0, "{stats}");
    assert_eq!(stats["pool"]["completed"], 1, "{stats}");

    // Other parameters are other images: the parsed animation is reused, the output is not.
    let other_frame = convert(&server, "?frame=11", &tgs);
    assert_eq!(other_frame.header("x-output-cache"), Some("miss"));
    assert_eq!(other_frame.header("x-cache-hit"), Some("true"));
    assert_ne!(other_frame.header("etag"), first.header("etag"));
    let lossless = convert(&server, "?frame=10&format=webp&quality=100", &tgs);
    let lossy = convert(&server, "?frame=10&format=webp&quality=80", &tgs);
    assert_eq!(
        lossy.header("x-output-cache"),
        Some("miss"),
        "quality counts for WebP"
    );
    assert_ne!(lossless.body, lossy.body);
    let png_q = convert(&server, "?frame=10&quality=50", &tgs);
    assert_eq!(
        png_q.header("x-output-cache"),
        Some("hit"),
        "quality does not change a PNG"
    );

    let metrics = String::from_utf8(server.get("/metrics").body).unwrap();
    for needle in [
        "tgs_output_cache_hits_total 3",
        "tgs_output_cache_misses_total 4",
        "tgs_output_cache_entries 4",
        "# TYPE tgs_output_cache_bytes gauge",
        "tgs_output_cache_capacity_bytes 33554432",
        "tgs_output_cache_evictions_total 0",
    ] {
        assert!(
            metrics.contains(needle),
            "metrics lack {needle:?}:\n{metrics}"
        );
    }

    let cleared = server.request("POST", "/cache/clear", &[], b"").json();
    assert_eq!(cleared["outputsCleared"], 4, "{cleared}");
    let after = convert(&server, "?frame=10", &tgs);
    assert_eq!(after.header("x-output-cache"), Some("miss"), "cleared");
    assert_eq!(after.body, first.body, "the same image again");
}

#[test]
fn etag_cache_control_and_304() {
    let server = Server::start();
    let tgs = smiley_tgs();
    let res = convert(&server, "?frame=5&width=128", &tgs);
    let etag = res.header("etag").expect("an ETag").to_owned();
    assert!(
        etag.len() == 34
            && etag.starts_with('"')
            && etag.ends_with('"')
            && etag[1..33].bytes().all(|b| b.is_ascii_hexdigit()),
        "a strong tag of 32 hex digits: {etag}"
    );
    assert_eq!(
        res.header("cache-control"),
        Some("public, max-age=86400, immutable")
    );

    let conditional = |tag: &str| {
        server.request(
            "POST",
            "/convert?frame=5&width=128",
            &[("content-type", "application/gzip"), ("if-none-match", tag)],
            &tgs,
        )
    };
    for tag in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"0123\", {etag}"),
        "*".to_owned(),
    ] {
        let res = conditional(&tag);
        assert_eq!(res.status, 304, "If-None-Match: {tag}");
        assert!(res.body.is_empty(), "no body with 304");
        assert_eq!(res.header("etag"), Some(etag.as_str()));
        assert!(res.header("cache-control").is_some());
        assert!(
            res.header("content-encoding").is_none(),
            "no identity marker"
        );
    }
    let stale = conditional("\"00000000000000000000000000000000\"");
    assert_eq!(stale.status, 200, "another tag: the image");
    assert_eq!(stale.body, res.body);

    // Every image response has one, animations and other formats too, and not only on hits.
    for query in [
        "?format=webp&frame=3",
        "?format=gif&width=64",
        "?format=apng&frames=0-3&width=64",
    ] {
        let res = convert(&server, query, &tgs);
        assert!(res.header("etag").is_some(), "{query}");
        assert_eq!(res.header("x-output-cache"), Some("miss"), "{query}");
    }
}

#[test]
fn output_cache_off_when_zero() {
    let server = Server::with_env(&[("OUTPUT_CACHE_BYTES", "0")]);
    let tgs = smiley_tgs();
    let first = convert(&server, "?frame=10", &tgs);
    let second = convert(&server, "?frame=10", &tgs);
    assert_eq!(first.header("x-output-cache"), Some("off"));
    assert_eq!(second.header("x-output-cache"), Some("off"));
    assert_eq!(
        second.header("x-cache-hit"),
        Some("true"),
        "the animation cache still works"
    );
    assert_eq!(first.body, second.body);
    // ETags and 304 do not need the cache: the image is rendered and compared.
    assert_eq!(first.header("etag"), second.header("etag"));
    let etag = first.header("etag").unwrap();
    let res = server.request(
        "POST",
        "/convert?frame=10",
        &[
            ("content-type", "application/gzip"),
            ("if-none-match", etag),
        ],
        &tgs,
    );
    assert_eq!(res.status, 304);
    let stats = output_stats(&server);
    assert_eq!(stats["enabled"], false, "{stats}");
    assert_eq!(
        (
            &stats["hits"],
            &stats["misses"],
            &stats["entries"],
            &stats["capacityBytes"]
        ),
        (&json!(0), &json!(0), &json!(0), &json!(0)),
        "{stats}"
    );
}

#[test]
fn output_cache_budget_bounds_the_bytes_held() {
    let budget: u64 = 256 * 1024;
    let server = Server::with_env(&[("OUTPUT_CACHE_BYTES", &budget.to_string())]);
    let tgs = smiley_tgs();
    let mut sent = 0;
    for frame in 0..40 {
        sent += convert(&server, &format!("?frame={frame}"), &tgs)
            .body
            .len() as u64;
    }
    let stats = output_stats(&server);
    assert!(
        sent > 2 * budget,
        "the test sends more than the budget: {sent}"
    );
    let held = stats["bytes"].as_u64().unwrap();
    assert!(
        held <= budget,
        "{held} bytes held over a budget of {budget}: {stats}"
    );
    assert!(stats["evictions"].as_u64().unwrap() > 0, "{stats}");
    assert!(stats["entries"].as_u64().unwrap() < 40, "{stats}");
}

#[test]
fn base64_and_batch_items_use_the_output_cache() {
    let server = Server::start();
    let tgs = smiley_tgs();
    let data = base64::engine::general_purpose::STANDARD.encode(&tgs);
    let raw = convert(&server, "?frame=7&width=64", &tgs);
    // Keyed by the decoded sticker: the `/convert` entry answers the base64 request.
    let item = json!({ "data": data, "frame": 7, "width": 64 });
    let res = server.post_json("/convert/base64", &item);
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(body["cacheHit"], true, "{body}");
    let image = base64::engine::general_purpose::STANDARD
        .decode(body["image"].as_str().unwrap())
        .unwrap();
    assert_eq!(image, raw.body, "the same bytes as /convert");

    let batch = json!({ "items": [item, { "data": data, "frame": 8, "width": 64 }] });
    let res = server.post_json("/convert/batch", &batch);
    assert_eq!(res.status, 200);
    let results = res.json()["results"].clone();
    assert_eq!(results[0]["cacheHit"], true, "{results}");
    assert!(results[1]["size"].as_u64().unwrap() > 0, "{results}");
    let stats = output_stats(&server);
    assert_eq!(
        (&stats["hits"], &stats["misses"]),
        (&json!(2), &json!(2)),
        "{stats}"
    );
    let again = server.post_json("/convert/batch", &batch).json()["results"].clone();
    assert_eq!(again[1]["cacheHit"], true, "{again}");
    assert_eq!(again[1]["image"], results[1]["image"]);
}

#[test]
fn output_cache_keeps_a_presets_choice_and_keys_by_preset() {
    let server = Server::start();
    let tgs = smiley_tgs();
    let (first, second) = miss_then_hit(&server, "?preset=telegram-emoji", &tgs);
    assert_eq!(first.body, second.body);
    for name in ["x-preset", "x-preset-quality", "x-preset-fps"] {
        assert!(first.header(name).is_some(), "{name} on the fresh image");
        assert_eq!(first.header(name), second.header(name), "{name} on the hit");
    }
    // Another preset is another entry, never the cached emoji.
    let other = convert(&server, "?preset=discord", &tgs);
    assert_eq!(other.header("x-output-cache"), Some("miss"));
    assert_eq!(other.header("x-preset"), Some("discord"));
    assert_ne!(other.body, first.body);
}

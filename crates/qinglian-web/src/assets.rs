//! Static assets embedded in the binary and served under `/assets/{file}`.
//!
//! The intranet has no internet, so nothing is loaded from a CDN: htmx and ECharts come
//! from npm (pinned by `package-lock.json`, copied into `OUT_DIR` by `build.rs`), and our
//! own `app.css`/`app.js` from `static/`. Each response carries a strong ETag (FNV-1a of
//! the content, computed once) and is cached for a day; `If-None-Match` yields 304.

use std::sync::LazyLock;

use axum::{
    Router,
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const CACHE: &str = "public, max-age=86400";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "htmx.min.js",
        content_type: JS,
        body: include_bytes!(concat!(env!("OUT_DIR"), "/htmx.min.js")),
    },
    Asset {
        name: "echarts.min.js",
        content_type: JS,
        body: include_bytes!(concat!(env!("OUT_DIR"), "/echarts.min.js")),
    },
    Asset {
        name: "sha256.min.js",
        content_type: JS,
        body: include_bytes!(concat!(env!("OUT_DIR"), "/sha256.min.js")),
    },
    Asset {
        name: "portal.js",
        content_type: JS,
        body: include_str!("../static/portal.js").as_bytes(),
    },
    Asset {
        name: "app.css",
        content_type: CSS,
        body: include_str!("../static/app.css").as_bytes(),
    },
    Asset {
        name: "app.js",
        content_type: JS,
        body: include_str!("../static/app.js").as_bytes(),
    },
];

/// Quoted strong ETags, index-aligned with [`ASSETS`].
static ETAGS: LazyLock<Vec<String>> =
    LazyLock::new(|| ASSETS.iter().map(|a| format!("\"{:016x}\"", fnv1a(a.body))).collect());

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The URL of an embedded asset with its content hash as a cache-busting query
/// (`/assets/app.css?v=…`), for templates that want a fresh copy right after an upgrade.
/// `None` for an unknown name.
pub fn url(name: &str) -> Option<String> {
    let i = ASSETS.iter().position(|a| a.name == name)?;
    Some(format!("/assets/{name}?v={}", ETAGS[i].trim_matches('"')))
}

/// The routes serving the embedded assets: `GET /assets/{file}`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/assets/{file}", get(serve))
}

/// Handler for `/assets/{file}`: the embedded asset, 304 if the client's copy is current,
/// 404 for any other name.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.name == file) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "资源不存在",
        )
            .into_response();
    };
    let asset = &ASSETS[i];
    let etag = ETAGS[i].as_str();
    let common = [
        (
            header::ETAG,
            HeaderValue::from_str(etag).expect("hex etag is a valid header"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static(CACHE)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    if headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| matches_etag(v, etag))
    {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))],
        asset.body,
    )
        .into_response()
}

/// `If-None-Match` uses weak comparison: `*`, or any listed tag equal ignoring `W/`.
fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get(path: &str, if_none_match: Option<&str>) -> Response {
        let mut req = Request::get(path);
        if let Some(v) = if_none_match {
            req = req.header(header::IF_NONE_MATCH, v);
        }
        router::<()>().oneshot(req.body(Body::empty()).unwrap()).await.unwrap()
    }

    async fn body(resp: Response) -> String {
        String::from_utf8(to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn each_asset_is_served_with_its_type_and_caching() {
        for (name, ty) in [
            ("htmx.min.js", JS),
            ("echarts.min.js", JS),
            ("app.css", CSS),
            ("app.js", JS),
        ] {
            let resp = get(&format!("/assets/{name}"), None).await;
            assert_eq!(resp.status(), StatusCode::OK, "{name}");
            assert_eq!(resp.headers()[header::CONTENT_TYPE], ty, "{name}");
            assert_eq!(resp.headers()[header::CACHE_CONTROL], CACHE, "{name}");
            assert!(resp.headers().contains_key(header::ETAG), "{name}");
            assert!(!body(resp).await.is_empty(), "{name}");
        }
    }

    #[tokio::test]
    async fn unknown_asset_is_404() {
        for path in ["/assets/nope.js", "/assets/..%2Fbuild.rs", "/assets/app.CSS"] {
            assert_eq!(get(path, None).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(get("/assets/", None).await.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn htmx_is_really_htmx_and_echarts_really_echarts() {
        assert!(body(get("/assets/htmx.min.js", None).await).await.contains("htmx"));
        assert!(
            body(get("/assets/echarts.min.js", None).await)
                .await
                .contains("echarts")
        );
    }

    #[tokio::test]
    async fn matching_etag_gives_304_and_other_etag_200() {
        let resp = get("/assets/app.js", None).await;
        let etag = resp.headers()[header::ETAG].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'));

        let resp = get("/assets/app.js", Some(&etag)).await;
        assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(resp.headers()[header::ETAG], etag.as_str());
        assert!(body(resp).await.is_empty());

        let list = format!("\"x\", W/{etag}");
        assert_eq!(
            get("/assets/app.js", Some(&list)).await.status(),
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(get("/assets/app.js", Some("\"other\"")).await.status(), StatusCode::OK);
        // Another asset's tag does not match.
        assert_eq!(get("/assets/app.css", Some(&etag)).await.status(), StatusCode::OK);
    }

    #[test]
    fn url_carries_the_hash() {
        let u = url("app.css").unwrap();
        assert!(u.starts_with("/assets/app.css?v=") && u.len() == "/assets/app.css?v=".len() + 16);
        assert!(url("nope.css").is_none());
    }
}

//! zhixing-web: the HTTP face of zhixing — the JSON API under `/api/v1` and the staff web UI.
//!
//! The only crate with wire types. Errors leave through [`error`], the one mapping to HTTP.
//! Every page asset is embedded in the binary (no CDN, no files at run time).

pub mod api;
pub mod api_consumption;
pub mod api_deadlines;
pub mod api_duty;
pub mod api_measures;
pub mod error;
pub mod funds_api;
pub mod i18n;
pub mod state;
pub mod ui;
pub mod ui_deadlines;
pub mod ui_duty;
pub mod ui_funds;
pub mod ui_measures;
pub mod ui_referrals;
pub mod ui_rewards;
pub mod ui_tipoff;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use zhixing_app::App;

pub use state::{AppState, Clock, WebConfig};

/// Static files compiled into the binary.
#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

async fn asset(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                    (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
                ],
                file.data.into_owned(),
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

/// The whole application router.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState::new(app, config);
    // Security headers on every response: no framing, no MIME sniffing, only our own resources.
    let csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";
    // Request bodies: 1 MiB everywhere except evidence uploads.
    let small = Router::new()
        .merge(api::routes())
        .merge(api_consumption::routes())
        .merge(api_deadlines::routes())
        .merge(api_duty::routes())
        .merge(api_measures::routes())
        .merge(funds_api::routes())
        .merge(ui::routes())
        .merge(ui_deadlines::routes())
        .merge(ui_measures::routes())
        .merge(ui_duty::routes())
        .merge(ui_referrals::routes())
        .merge(ui_funds::routes())
        .merge(ui_rewards::routes())
        .merge(ui_tipoff::routes())
        .route("/assets/{*path}", get(asset))
        .route("/healthz", get(healthz))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(1024 * 1024));
    let upload_limit = zhixing_app::evidence::MAX_EVIDENCE_BYTES + 64 * 1024;
    let uploads = api_deadlines::upload_routes()
        .layer(axum::extract::DefaultBodyLimit::max(upload_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(upload_limit));
    Router::new()
        .merge(small)
        .merge(uploads)
        .with_state(state)
        // One stack, applied once: each `Router::layer` call would box every route's service
        // again (one more clone and boxed future per request and layer).
        .layer(
            tower::ServiceBuilder::new()
                .layer(tower_http::trace::TraceLayer::new_for_http())
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(csp),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                )),
        )
}

/// Serve until the future `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Connection info gives the public portal's rate limiter the client address.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

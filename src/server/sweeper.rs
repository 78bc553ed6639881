//! The cache sweeper: a background task that drops expired animations.

use std::time::Duration;

use actix_web::web;

use super::state::AppState;

/// Drops expired animations now and then, so idle entries do not hold memory until evicted.
///
/// Runs until aborted; [`super::serve`] aborts it when the server stops.
#[expect(
    clippy::infinite_loop,
    reason = "the task is aborted when the server stops"
)]
pub(super) async fn sweep_expired(state: web::Data<AppState>, ttl: Duration) {
    let period = ttl.clamp(Duration::from_secs(1), Duration::from_secs(60));
    loop {
        actix_web::rt::time::sleep(period).await;
        let purged = state.animations.purge_expired();
        if purged > 0 {
            tracing::debug!(purged, "dropped expired animations");
        }
    }
}

//! `health`: asks a running service for its health, for container health checks (a scratch
//! image has no curl). Loopback HTTP only: ureq is built without TLS.

use std::time::Duration;

use super::CliResult;
use super::args::HealthArgs;
use crate::server::config::DEFAULT_PORT;

/// Runs `health`: `Ok` on a 200 answer, an error naming the status or the failure otherwise.
pub(super) fn run(args: &HealthArgs) -> CliResult {
    let url = args.url.clone().unwrap_or_else(|| {
        let port = std::env::var("PORT")
            .ok()
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or(DEFAULT_PORT);
        format!("http://127.0.0.1:{port}/health")
    });
    let agent = ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .timeout_global(Some(Duration::from_secs(args.timeout.max(1))))
            .http_status_as_error(false)
            .proxy(None)
            .build(),
    );
    let response = agent
        .get(&url)
        .call()
        .map_err(|err| format!("{url}: {err}"))?;
    let status = response.status();
    if status != 200 {
        return Err(format!("{url}: unhealthy, status {}", status.as_u16()).into());
    }
    println!("{url}: ok");
    Ok(())
}

//! Per-client rate limiting: a token bucket (GCRA, from governor) per client address, in a table
//! bounded in memory, with `X-Forwarded-For` trusted only from configured proxies.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// Most client addresses whose buckets are kept; beyond, the least recently seen are forgotten
/// (such a client starts again with a full bucket).
pub const MAX_TRACKED_CLIENTS: usize = 100_000;

/// An address or a CIDR block (`10.0.0.0/8`, `fd00::/8`) of a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` lies in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= max)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0..={max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

/// Rate limits requests per client.
pub struct ClientRateLimiter {
    quota: Quota,
    buckets:
        quick_cache::sync::Cache<IpAddr, Arc<RateLimiter<NotKeyed, InMemoryState, DefaultClock>>>,
    trusted_proxies: Vec<Network>,
    clock: DefaultClock,
}

impl std::fmt::Debug for ClientRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRateLimiter")
            .field("quota", &self.quota)
            .field("clients", &self.buckets.len())
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

impl ClientRateLimiter {
    /// `per_second` requests per second per client, in bursts of up to `burst`.
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32, trusted_proxies: Vec<Network>) -> Self {
        Self {
            quota: Quota::per_second(per_second).allow_burst(burst),
            buckets: quick_cache::sync::Cache::new(MAX_TRACKED_CLIENTS),
            trusted_proxies,
            clock: DefaultClock::default(),
        }
    }

    /// The client a request comes from: the peer, or, when the peer is a trusted proxy, the
    /// rightmost `X-Forwarded-For` entry that is not itself a trusted proxy (entries further
    /// left were written by the client and prove nothing).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let trusted = |ip: IpAddr| self.trusted_proxies.iter().any(|n| n.contains(ip));
        if !trusted(peer) {
            return peer;
        }
        let Some(list) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for entry in list.rsplit(',') {
            match entry.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !trusted(ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }

    /// Takes one token from `client`'s bucket; `Err` with the time until the next one when the
    /// bucket is empty.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let limiter = self
            .buckets
            .get_or_insert_with(&client, || {
                Ok::<_, std::convert::Infallible>(Arc::new(RateLimiter::direct_with_clock(
                    self.quota,
                    self.clock.clone(),
                )))
            })
            .unwrap_or_else(|never| match never {});
        limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn limiter(proxies: &[&str]) -> ClientRateLimiter {
        ClientRateLimiter::new(
            NonZeroU32::new(1).unwrap(),
            NonZeroU32::new(2).unwrap(),
            proxies.iter().map(|p| p.parse().unwrap()).collect(),
        )
    }

    #[test]
    fn networks_parse_and_match() {
        let net: Network = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(!net.contains(ip("::1")));
        let one: Network = "::1".parse().unwrap();
        assert!(one.contains(ip("::1")) && !one.contains(ip("::2")));
        assert!(
            "0.0.0.0/0"
                .parse::<Network>()
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("proxy".parse::<Network>().is_err());
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_proxies() {
        let limiter = limiter(&["10.0.0.0/8"]);
        // An untrusted peer cannot claim another address.
        assert_eq!(
            limiter.client(ip("1.2.3.4"), Some("5.6.7.8")),
            ip("1.2.3.4")
        );
        // A trusted proxy names the client; a client-written entry on the left is ignored.
        assert_eq!(
            limiter.client(ip("10.0.0.1"), Some("9.9.9.9, 5.6.7.8, 10.0.0.2")),
            ip("5.6.7.8")
        );
        assert_eq!(limiter.client(ip("10.0.0.1"), None), ip("10.0.0.1"));
        assert_eq!(limiter.client(ip("10.0.0.1"), Some("junk")), ip("10.0.0.1"));
    }

    #[test]
    fn buckets_are_per_client() {
        let limiter = limiter(&[]);
        assert!(limiter.check(ip("1.1.1.1")).is_ok());
        assert!(limiter.check(ip("1.1.1.1")).is_ok(), "burst of 2");
        let wait = limiter.check(ip("1.1.1.1")).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(
            limiter.check(ip("2.2.2.2")).is_ok(),
            "another client has its own bucket"
        );
    }
}

//! Shared state of the HTTP layer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zhixing_app::App;

/// Where "now" comes from: the system clock, or a fixed instant in tests.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(i64),
}

impl Clock {
    pub fn now_ms(self) -> i64 {
        match self {
            Clock::System => zhixing_app::now_ms(),
            Clock::Fixed(t) => t,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (turn on when served over HTTPS).
    pub secure_cookies: bool,
    pub clock: Clock,
    /// Masking pattern of ID numbers on the public portal (`#` keep, `*` mask; 18 characters).
    pub id_mask: String,
    /// Public lookups allowed per client per minute.
    pub public_per_minute: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            clock: Clock::System,
            id_mask: zhixing_domain::measure::DEFAULT_ID_MASK.to_owned(),
            public_per_minute: 30,
        }
    }
}

/// Failed-login limiter: at most [`LoginLimiter::MAX_FAILURES`] failures per username per window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl LoginLimiter {
    pub const MAX_FAILURES: u32 = 5;
    pub const WINDOW_MS: i64 = 15 * 60 * 1000;
    /// Bound on tracked usernames so a flood of random names cannot grow memory without limit.
    const MAX_TRACKED: usize = 10_000;

    pub fn blocked(&self, username: &str, now_ms: i64) -> bool {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.get(username)
            .is_some_and(|(n, since)| *n >= Self::MAX_FAILURES && now_ms - since < Self::WINDOW_MS)
    }

    pub fn record_failure(&self, username: &str, now_ms: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX_TRACKED {
            map.retain(|_, (_, since)| now_ms - *since < Self::WINDOW_MS);
        }
        let e = map.entry(username.to_owned()).or_insert((0, now_ms));
        if now_ms - e.1 >= Self::WINDOW_MS {
            *e = (0, now_ms);
        }
        e.0 = e.0.saturating_add(1);
    }

    pub fn clear(&self, username: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(username);
    }
}

/// What every handler gets: one shared allocation, so that handing it to a request (axum clones
/// the state for every `State` extractor) is one reference-count increment, not a copy of the
/// [`App`] (whose evidence path alone is a heap string). Fields are reached through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub app: App,
    pub config: WebConfig,
    pub limiter: LoginLimiter,
    pub public_limiter: PublicLimiter,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        let public_limiter = PublicLimiter::default();
        public_limiter.per_minute.store(
            config.public_per_minute,
            std::sync::atomic::Ordering::Relaxed,
        );
        AppState(Arc::new(Shared {
            app,
            config,
            limiter: LoginLimiter::default(),
            public_limiter,
        }))
    }
}

/// The client an anonymous request is counted against: its IP address (an IPv6 address by its
/// /64 prefix, the block one subscriber is given, so rotating addresses inside it does not
/// reset the count), or one shared bucket when the server runs without connection info.
/// `Copy` and allocation-free: it is computed on every public request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(Option<std::net::IpAddr>);

impl ClientKey {
    /// The shared bucket of requests that carry no peer address.
    pub const LOCAL: ClientKey = ClientKey(None);

    pub fn of(ip: std::net::IpAddr) -> ClientKey {
        ClientKey(Some(match ip {
            std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => std::net::IpAddr::V4(v4),
                None => std::net::IpAddr::V6(std::net::Ipv6Addr::from(
                    v6.to_bits() & !((1u128 << 64) - 1),
                )),
            },
            v4 => v4,
        }))
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(std::net::IpAddr::V6(v6)) => write!(f, "{v6}/64"),
            Some(v4) => write!(f, "{v4}"),
            None => f.write_str("local"),
        }
    }
}

/// Per-client limit of anonymous lookups (issue 4 §3 anti-abuse): a fixed one-minute window per
/// client (see [`ClientKey`]), the map bounded so a flood of addresses cannot grow memory without
/// limit.
#[derive(Debug, Default)]
pub struct PublicLimiter {
    windows: Mutex<HashMap<ClientKey, (i64, u32)>>,
    /// Per-minute allowance; 0 = use 30.
    pub per_minute: std::sync::atomic::AtomicU32,
}

impl PublicLimiter {
    const WINDOW_MS: i64 = 60_000;
    const MAX_TRACKED: usize = 100_000;

    pub fn allow(&self, client: ClientKey, now_ms: i64) -> bool {
        let limit = match self.per_minute.load(std::sync::atomic::Ordering::Relaxed) {
            0 => 30,
            n => n,
        };
        let window = now_ms.div_euclid(Self::WINDOW_MS);
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX_TRACKED {
            map.retain(|_, (w, _)| *w == window);
        }
        let e = map.entry(client).or_insert((window, 0));
        if e.0 != window {
            *e = (window, 0);
        }
        if e.1 >= limit {
            return false;
        }
        e.1 += 1;
        true
    }
}

impl Shared {
    pub fn now_ms(&self) -> i64 {
        self.config.clock.now_ms()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_ipv6_subscriber_is_counted_by_its_64_block_and_a_mapped_v4_as_v4() {
        let a = ClientKey::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientKey::of("2001:db8:1:2:ffff:1:2:3".parse().unwrap());
        let other = ClientKey::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        let v4 = ClientKey::of("192.0.2.7".parse().unwrap());
        assert_eq!(ClientKey::of("::ffff:192.0.2.7".parse().unwrap()), v4);
        assert_eq!(v4.to_string(), "192.0.2.7");
        assert_eq!(ClientKey::LOCAL.to_string(), "local");
    }

    #[test]
    fn the_limit_holds_per_client_per_minute_window() {
        let l = PublicLimiter::default();
        l.per_minute.store(2, std::sync::atomic::Ordering::Relaxed);
        let a = ClientKey::of("192.0.2.1".parse().unwrap());
        let b = ClientKey::of("2001:db8::1".parse().unwrap());
        let b2 = ClientKey::of("2001:db8::2".parse().unwrap());
        let t = 120_000;
        assert!(l.allow(a, t) && l.allow(a, t + 1));
        assert!(!l.allow(a, t + 2), "third in the same minute");
        assert!(l.allow(b, t) && l.allow(b2, t + 1));
        assert!(!l.allow(b, t + 2), "the /64 shares one allowance");
        assert!(l.allow(a, t + 60_000), "a new minute");
    }
}

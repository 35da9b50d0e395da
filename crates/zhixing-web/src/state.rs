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

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub limiter: Arc<LoginLimiter>,
    pub public_limiter: Arc<PublicLimiter>,
}

/// Per-client limit of anonymous lookups (issue 4 §3 anti-abuse): a fixed one-minute window per
/// client address, the map bounded so a flood of addresses cannot grow memory without limit.
#[derive(Debug, Default)]
pub struct PublicLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
    /// Per-minute allowance; 0 = use 30.
    pub per_minute: std::sync::atomic::AtomicU32,
}

impl PublicLimiter {
    const WINDOW_MS: i64 = 60_000;
    const MAX_TRACKED: usize = 100_000;

    pub fn allow(&self, client: &str, now_ms: i64) -> bool {
        let limit = match self.per_minute.load(std::sync::atomic::Ordering::Relaxed) {
            0 => 30,
            n => n,
        };
        let window = now_ms.div_euclid(Self::WINDOW_MS);
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX_TRACKED {
            map.retain(|_, (w, _)| *w == window);
        }
        let e = map.entry(client.to_owned()).or_insert((window, 0));
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

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.config.clock.now_ms()
    }
}

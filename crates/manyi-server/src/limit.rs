//! A per-client rate limit on public writes: a token bucket per client IP address. Generous by
//! default (kiosks behind one NAT share an address, and a batch carries up to 500 responses),
//! it stops a runaway or hostile client from filling the database.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use manyi_api::ErrorCode;

use crate::error::AppError;

/// Requests per second a client may sustain, and how many it may send at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

impl RateLimit {
    /// 20 requests per second with bursts of 100: far above what any respondent, kiosk or
    /// syncing browser sends.
    pub const DEFAULT: RateLimit = RateLimit {
        per_second: 20.0,
        burst: 100.0,
    };
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The buckets of every client seen recently.
#[derive(Debug, Clone)]
pub struct Limiter {
    limit: Option<RateLimit>,
    buckets: Arc<Mutex<HashMap<IpAddr, Bucket>>>,
}

impl Limiter {
    /// `None` turns limiting off.
    pub fn new(limit: Option<RateLimit>) -> Limiter {
        Limiter {
            limit,
            buckets: Arc::default(),
        }
    }

    /// Takes a token for `client`; on refusal, the seconds until one is available.
    fn take(&self, client: IpAddr, now: Instant) -> Result<(), f64> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // Forget clients whose bucket has refilled, so the map stays as small as the set of
        // active clients.
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.last).as_secs_f64() * limit.per_second < limit.burst
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: limit.burst,
            last: now,
        });
        let refill = now.duration_since(bucket.last).as_secs_f64() * limit.per_second;
        bucket.tokens = (bucket.tokens + refill).min(limit.burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - bucket.tokens) / limit.per_second)
        }
    }
}

/// Middleware for the public write endpoints. It is given the limiter alone as its state, so
/// the limit knows nothing of the rest of the server.
pub async fn limit_writes(
    State(limiter): State<Limiter>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match limiter.take(peer.ip(), Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let mut response = AppError::client(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many requests from this address; retry after the time in Retry-After",
            )
            .into_response();
            let seconds = wait.ceil().max(1.0) as u64;
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

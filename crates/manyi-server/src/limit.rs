//! A per-client limit on public writes: two token buckets per client IP address, one counting
//! requests and one counting body bytes. Generous by default (kiosks behind one NAT share an
//! address, and a batch carries up to 500 responses), they stop a runaway or hostile client from
//! filling the database or the disk: the request rate alone lets a client send its bursts of
//! 8 MiB bodies in well under a second.
//!
//! Behind a reverse proxy every request comes from the proxy's address, so the client is then
//! read from `X-Forwarded-For`, but only when the peer is a proxy the operator trusts: anyone
//! else could write any address there.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use manyi_api::ErrorCode;

use crate::error::AppError;
use crate::policy::MAX_BODY_BYTES;

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

    /// Body bytes: 2 MiB per second with bursts of 16 MiB (two full-size bodies). A kiosk
    /// syncing a day's responses sends a few hundred kilobytes.
    pub const DEFAULT_BYTES: RateLimit = RateLimit {
        per_second: 2.0 * 1024.0 * 1024.0,
        burst: 16.0 * 1024.0 * 1024.0,
    };
}

/// An address or a CIDR block of addresses (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    base: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        // The bits of both as one integer, with the prefix counted from the top.
        fn bits(ip: IpAddr) -> (u128, u8) {
            match ip.to_canonical() {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        }
        let ((base, base_len), (ip, ip_len)) = (bits(self.base), bits(ip));
        let prefix = u32::from(self.prefix);
        let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
        base_len == ip_len && base & mask == ip & mask
    }
}

impl FromStr for IpRange {
    type Err = String;

    fn from_str(text: &str) -> Result<IpRange, String> {
        let invalid = || format!("{text:?} is neither an IP address nor a CIDR block");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base = IpAddr::from_str(address)
            .map_err(|_| invalid())?
            .to_canonical();
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(invalid)?,
        };
        Ok(IpRange { base, prefix })
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// One kind of bucket for every client seen recently.
#[derive(Debug, Clone, Default)]
struct Buckets(Arc<Mutex<HashMap<IpAddr, Bucket>>>);

impl Buckets {
    /// Takes `cost` tokens for `client` (at most a full bucket's worth, so any one request can
    /// pass); on refusal, the seconds until they are available.
    fn take(&self, limit: RateLimit, client: IpAddr, cost: f64, now: Instant) -> Result<(), f64> {
        let cost = cost.min(limit.burst);
        let mut buckets = self.0.lock().unwrap_or_else(|e| e.into_inner());
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
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Ok(())
        } else {
            Err((cost - bucket.tokens) / limit.per_second)
        }
    }
}

/// The limits, the proxies trusted to name the client, and the buckets.
#[derive(Debug, Clone)]
pub struct Limiter {
    requests: Option<RateLimit>,
    bytes: Option<RateLimit>,
    trusted_proxies: Arc<[IpRange]>,
    request_buckets: Buckets,
    byte_buckets: Buckets,
}

impl Limiter {
    /// A limiter of requests (`None` turns that limit off) with the default byte budget and no
    /// trusted proxies.
    pub fn new(requests: Option<RateLimit>) -> Limiter {
        Limiter {
            requests,
            bytes: Some(RateLimit::DEFAULT_BYTES),
            trusted_proxies: Arc::new([]),
            request_buckets: Buckets::default(),
            byte_buckets: Buckets::default(),
        }
    }

    /// The budget of body bytes per client (`None` turns it off).
    pub fn with_bytes(self, bytes: Option<RateLimit>) -> Limiter {
        Limiter { bytes, ..self }
    }

    /// The proxies whose `X-Forwarded-For` names the client.
    pub fn with_trusted_proxies(self, proxies: Vec<IpRange>) -> Limiter {
        Limiter {
            trusted_proxies: proxies.into(),
            ..self
        }
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|range| range.contains(ip))
    }

    /// The client a request is counted against: the peer, unless the peer is a trusted proxy;
    /// then the right-most address of `X-Forwarded-For` that is not itself a trusted proxy
    /// (those to its left were written by the client, who can write anything there). An entry
    /// that does not read stops the walk at the last address known to be real.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusted(client) {
            return client;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for entry in forwarded.iter().rev() {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip.to_canonical();
            if !self.trusted(client) {
                break;
            }
        }
        client
    }
}

/// 429 `rate_limited` with the seconds to wait in `Retry-After`.
fn too_many(wait: f64, what: &str) -> Response {
    let mut response = AppError::client(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!("too many {what} from this address; retry after the time in Retry-After"),
    )
    .into_response();
    let seconds = wait.ceil().max(1.0) as u64;
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Middleware for the public write endpoints. It is given the limiter alone as its state, so
/// the limit knows nothing of the rest of the server.
///
/// A body with a `Content-Length` is charged that length (up to the body limit) before it is
/// read; one without is read here, up to the body limit, and charged what it held. The handler
/// reads every body whole anyway, so reading it first costs nothing.
pub async fn limit_writes(
    State(limiter): State<Limiter>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let client = limiter.client(peer.ip(), request.headers());
    let now = Instant::now();
    if let Some(limit) = limiter.requests
        && let Err(wait) = limiter.request_buckets.take(limit, client, 1.0, now)
    {
        return too_many(wait, "requests");
    }
    let Some(limit) = limiter.bytes else {
        return next.run(request).await;
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    let (request, length) = match declared {
        Some(length) => (request, length.min(MAX_BODY_BYTES as u64) as f64),
        None => {
            let (parts, body) = request.into_parts();
            match Limited::new(body, MAX_BODY_BYTES).collect().await {
                Ok(collected) => {
                    let bytes = collected.to_bytes();
                    let length = bytes.len() as f64;
                    (Request::from_parts(parts, Body::from(bytes)), length)
                }
                Err(error) if error.is::<LengthLimitError>() => {
                    return AppError::client(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        ErrorCode::BodyTooLarge,
                        format!(
                            "the request body is larger than {MAX_BODY_BYTES} bytes; send smaller batches"
                        ),
                    )
                    .into_response();
                }
                Err(_) => {
                    return AppError::client(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::UnreadableBody,
                        "the body could not be read",
                    )
                    .into_response();
                }
            }
        }
    };
    match limiter.byte_buckets.take(limit, client, length, now) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait, "bytes"),
    }
}

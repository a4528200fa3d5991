//! Sending webhooks: the deliveries the outbox holds (`webhook_deliveries`, written in the
//! transaction of each event) are taken by a sender in each `manyi serve` process, signed
//! ([`sign`]), and posted to their endpoints, with retries.
//!
//! Delivery is at least once: a delivery is marked delivered only after its endpoint answered
//! 2xx, so a crash between the two sends it again, with the same `webhook-id`, which a
//! receiver uses to drop the repeat. A failed attempt is retried after an exponentially
//! growing, jittered wait ([`backoff`]) for up to three days after the event, then the delivery
//! is marked failed, shown to staff, who may send it again.
//!
//! Endpoints are reached only at public addresses unless the server is configured otherwise:
//! a webhook URL is chosen by staff but its host is resolved here, and a name that resolves to
//! a loopback, private or link-local address would let a URL reach services behind the
//! server's firewall. The check applies to the addresses actually connected to, so a name that
//! changes its answer between a check and the connection gains nothing.

pub mod sign;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use manyi_api::{WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::db::{BUNDLE, Claimed, Db, Outcome, Settled};

/// How the sender behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Whether endpoints may be at loopback, private or link-local addresses (a receiver on
    /// the same machine or network: tests, or a CRM inside the same private network).
    pub allow_private: bool,
    /// How long an attempt may take, from connecting to the end of the reply's headers.
    pub timeout: Duration,
    /// The wait before the second attempt; each later wait doubles, up to six hours.
    pub retry_base: Duration,
}

impl WebhookConfig {
    /// Public addresses only, 10 s per attempt, 5 s before the first retry.
    pub const DEFAULT: WebhookConfig = WebhookConfig {
        allow_private: false,
        timeout: Duration::from_secs(10),
        retry_base: Duration::from_secs(5),
    };
}

/// How long after its event a delivery is retried before it is marked failed.
pub const RETRY_WINDOW: TimeDelta = TimeDelta::days(3);

/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(6 * 3600);

/// How many deliveries one process sends at once.
const IN_FLIGHT: usize = 16;

/// The wait after the `attempts`-th failed attempt: `base · 2^(attempts−1)`, at most six
/// hours, of which a random part between none and half is taken off ("equal jitter"), so the
/// retries of many deliveries that failed together (a receiver that was down) spread out.
/// `unit` is a random number in [0, 1).
pub fn backoff(base: Duration, attempts: u32, unit: f64) -> Duration {
    let doubled = base.saturating_mul(1 << attempts.saturating_sub(1).min(20));
    let wait = doubled.min(MAX_WAIT);
    wait.mul_f64(1.0 - unit.clamp(0.0, 1.0) / 2.0)
}

/// Whether an address is one anyone on the internet could reach: not loopback, private,
/// link-local, shared (carrier-grade NAT), unspecified, multicast, broadcast or reserved, in
/// either IP version, including IPv4 addresses written as IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                // NAT64 and the documentation prefix carry or name no public host of their own.
                || v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                || (first == 0x2001 && v6.segments()[1] == 0xdb8))
        }
    }
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector<Resolver>>, Full<Bytes>>;

/// Resolves endpoint names, keeping only the addresses the configuration allows.
#[derive(Debug, Clone)]
struct Resolver {
    allow_private: bool,
}

impl tower::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send + 'static>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "{} has no public address (private and loopback endpoints need \
                         --webhook-allow-private)",
                        name.as_str()
                    ),
                ));
            }
            Ok(allowed.into_iter())
        })
    }
}

fn client(config: &WebhookConfig) -> HttpsClient {
    let mut http = HttpConnector::new_with_resolver(Resolver {
        allow_private: config.allow_private,
    });
    http.enforce_http(false);
    http.set_connect_timeout(Some(config.timeout));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new()).build(https)
}

/// Sends one delivery once. A literal IP address in the URL is checked here, since the
/// connector resolves (and so checks) only names.
async fn attempt(
    client: &HttpsClient,
    config: &WebhookConfig,
    delivery: &Claimed,
) -> Result<(), String> {
    let uri: hyper::Uri = delivery
        .url
        .parse()
        .map_err(|e| format!("the URL does not parse: {e}"))?;
    let host = uri.host().unwrap_or_default();
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>()
        && !config.allow_private
        && !is_public(ip)
    {
        return Err(format!(
            "{ip} is not a public address (private and loopback endpoints need \
             --webhook-allow-private)"
        ));
    }
    let timestamp = Utc::now().timestamp();
    let signature = sign::signature(
        &delivery.secret,
        &delivery.id,
        timestamp,
        delivery.body.as_bytes(),
    );
    let request = hyper::Request::post(uri)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(hyper::header::USER_AGENT, "manyi-webhooks")
        .header(WEBHOOK_ID_HEADER, &delivery.id)
        .header(WEBHOOK_TIMESTAMP_HEADER, timestamp.to_string())
        .header(WEBHOOK_SIGNATURE_HEADER, signature)
        .body(Full::new(Bytes::from(delivery.body.clone())))
        .map_err(|e| format!("the request cannot be made: {e}"))?;
    let reply = tokio::time::timeout(config.timeout, client.request(request))
        .await
        .map_err(|_| format!("no reply within {} s", config.timeout.as_secs_f64()))?
        .map_err(|e| describe(&e))?;
    let status = reply.status();
    // The reply's body is read (a little of it) so the connection can be reused, but not
    // waited for beyond the timeout.
    let _ = tokio::time::timeout(config.timeout, reply.into_body().collect()).await;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the endpoint answered {status}"))
    }
}

/// A client error in words, with its causes (hyper's own message alone says "client error").
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How many messages a process claims at once while more are waiting: several rounds of
/// attempts, so that claiming (a write) is rarer than sending: four outbox rows' worth, or two
/// while it is storing responses.
const CLAIM: usize = 4 * BUNDLE;

/// The least time between two claims of one sender. Under load deliveries gather meanwhile,
/// so a claim takes many; at a few a second each is claimed as soon as it is queued.
const CLAIM_EVERY: Duration = Duration::from_millis(25);

/// The same while this process is storing a batch: storing responses comes first. Under a
/// sustained burst a sender then claims up to two outbox rows' worth twice a second (256
/// messages a second), records outcomes only with its claims, so that it takes the write lock
/// (on SQLite the one the batches need) twice a second, and catches up once the burst is over.
const CLAIM_EVERY_WHILE_STORING: Duration = Duration::from_millis(500);

/// Outcomes are recorded with the next claim, or on their own once this many rows have
/// ended…
const RECORD_AFTER: usize = 4 * IN_FLIGHT;

/// …or the first of them ended this long ago.
const RECORD_WITHIN: Duration = Duration::from_millis(100);

/// Sends due messages until the process ends: at most [`IN_FLIGHT`] at once, from claims of
/// as many (or of up to [`CLAIM`] while more are waiting), claiming more when those run out,
/// when this process queues some, and every second (for deliveries other processes queued, and
/// retries that came due), at most once per [`CLAIM_EVERY`], or per
/// [`CLAIM_EVERY_WHILE_STORING`] while this process is storing responses: on a machine that
/// both takes responses and sends their webhooks, a burst of responses is taken first and its
/// deliveries follow.
///
/// A claim's lease covers the rounds of attempts its messages wait for; a message whose
/// lease has too little left for an attempt when its turn comes is given back unsent, so no
/// other sender can take it while this one sends it. An outbox row is recorded once all of
/// its claimed messages have ended ([`crate::db::RowClaim::settle`]).
///
/// The sender's writes are few, because on SQLite each is a synced commit under the one write
/// lock that the batches being stored need too: outcomes are recorded together, in the
/// transaction of the next claim or after [`RECORD_WITHIN`]. Recording each attempt in its own
/// transaction made the sender the bottleneck at about 1,000 deliveries a second; claiming a
/// few deliveries whenever attempts ended took a fifth of the write transactions while
/// single responses were stored as fast as they came.
pub fn spawn_sender(db: Db, config: WebhookConfig) {
    tokio::spawn(async move {
        let client = Arc::new(client(&config));
        let mut queue: VecDeque<Claimed> = VecDeque::new();
        let mut running: JoinSet<(Claimed, Outcome)> = JoinSet::new();
        // The outcomes of the messages of each row being sent, until the last has ended.
        let mut rows: HashMap<String, Vec<(usize, Outcome)>> = HashMap::new();
        let mut ended: Vec<Settled> = Vec::new();
        let mut first_ended: Option<Instant> = None;
        // Whether there may be deliveries to claim: after a wake-up, or a claim that was full.
        let mut look = true;
        let mut backlog = false;
        let mut last_claim: Option<Instant> = None;
        let waiting = db.webhooks_waiting();
        // An attempt may take the timeout to connect and be answered, and again to read the
        // reply; a lease gives each round a second more, so a message at the head of its
        // round still has that long left when it starts. A claim may hold up to a full row
        // beyond the messages it wanted, so its lease covers that many rounds.
        let attempt_time = config.timeout * 2;
        let round_time = attempt_time + Duration::from_secs(1);
        loop {
            let every = if db.storing() {
                CLAIM_EVERY_WHILE_STORING
            } else {
                CLAIM_EVERY
            };
            let next_claim = last_claim.map(|t| t + every);
            let wants_claim = look && queue.is_empty() && running.len() < IN_FLIGHT;
            if wants_claim && next_claim.is_none_or(|t| t <= Instant::now()) {
                // One round's worth, unless the last claim found more waiting than it took:
                // then several rounds.
                let wanted = match (backlog, db.storing()) {
                    (false, _) => IN_FLIGHT,
                    (true, false) => CLAIM,
                    (true, true) => 2 * BUNDLE,
                } - running.len();
                let rounds = (wanted + BUNDLE).div_ceil(IN_FLIGHT);
                let lease = Utc::now()
                    + TimeDelta::from_std(round_time * u32::try_from(rounds).unwrap_or(1))
                        .unwrap_or(TimeDelta::hours(1));
                last_claim = Some(Instant::now());
                // A row left unrecorded (the transaction failed) is sent again once its
                // lease ends: at least once, with the same ids.
                match db.claim_deliveries(&ended, wanted, lease).await {
                    Ok((claimed, done)) => {
                        look = claimed.len() >= wanted;
                        backlog = look;
                        queue.extend(claimed);
                        ended.clear();
                        ended.extend(done.iter().map(|row| row.settle(Vec::new())));
                    }
                    Err(e) => {
                        look = false;
                        backlog = false;
                        ended.clear();
                        tracing::error!("taking webhook deliveries: {e}");
                    }
                }
                first_ended = (!ended.is_empty()).then(Instant::now);
            }
            while running.len() < IN_FLIGHT
                && let Some(message) = queue.pop_front()
            {
                let left = (message.row.lease_until - Utc::now())
                    .to_std()
                    .unwrap_or_default();
                if left < attempt_time {
                    let lease = message.row.lease.clone();
                    end(&message, Outcome::Released { lease }, &mut rows, &mut ended);
                    first_ended.get_or_insert_with(Instant::now);
                    continue;
                }
                let client = client.clone();
                running.spawn(async move {
                    let outcome = send(&client, &config, &message).await;
                    (message, outcome)
                });
            }
            let record_within = if db.storing() {
                CLAIM_EVERY_WHILE_STORING
            } else {
                RECORD_WITHIN
            };
            let record_by = first_ended.map(|t| t + record_within);
            let claim_by =
                next_claim.filter(|_| look && queue.is_empty() && running.len() < IN_FLIGHT);
            tokio::select! {
                Some(first) = running.join_next(), if !running.is_empty() => {
                    for (message, outcome) in first.into_iter().chain(
                        std::iter::from_fn(|| running.try_join_next()).flatten(),
                    ) {
                        end(&message, outcome, &mut rows, &mut ended);
                    }
                    if !ended.is_empty() {
                        first_ended.get_or_insert_with(Instant::now);
                    }
                }
                () = waiting.notified() => look = true,
                () = tokio::time::sleep_until(record_by.unwrap_or_else(Instant::now)),
                    if record_by.is_some() => {}
                () = tokio::time::sleep_until(claim_by.unwrap_or_else(Instant::now)),
                    if claim_by.is_some() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => look = true,
            }
            let due = ended.len() >= RECORD_AFTER
                || first_ended.is_some_and(|t| t.elapsed() >= record_within);
            if !ended.is_empty() && due {
                if let Err(e) = db.finish_deliveries(&ended).await {
                    tracing::error!("recording {} webhook deliveries: {e}", ended.len());
                }
                ended.clear();
                first_ended = None;
            }
        }
    });
}

/// Notes that a message has ended; its row is settled once its last message has.
fn end(
    message: &Claimed,
    outcome: Outcome,
    rows: &mut HashMap<String, Vec<(usize, Outcome)>>,
    ended: &mut Vec<Settled>,
) {
    let row = &message.row;
    let outcomes = rows.entry(row.id.clone()).or_default();
    outcomes.push((message.index, outcome));
    if outcomes.len() >= row.sending {
        let outcomes = rows.remove(&row.id).unwrap_or_default();
        ended.push(row.settle(outcomes));
    }
}

/// One attempt at a delivery, and what is to happen next.
async fn send(client: &HttpsClient, config: &WebhookConfig, delivery: &Claimed) -> Outcome {
    match attempt(client, config, delivery).await {
        Ok(()) => Outcome::Delivered,
        Err(error) => {
            let unit = f64::from(u32::from_le_bytes(
                crate::token::random::<4>().unwrap_or_default(),
            )) / (f64::from(u32::MAX) + 1.0);
            let wait = backoff(config.retry_base, delivery.attempts, unit);
            let at = Utc::now() + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(6));
            if at > delivery.created_at.to_utc() + RETRY_WINDOW {
                Outcome::Failed { error }
            } else {
                Outcome::Retry { error, at }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_six_hours_less_at_most_half() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1, 0.0), Duration::from_secs(5));
        assert_eq!(backoff(base, 2, 0.0), Duration::from_secs(10));
        assert_eq!(backoff(base, 4, 0.0), Duration::from_secs(40));
        assert_eq!(
            backoff(base, 4, 0.999_999),
            Duration::from_secs_f64(20.000_02)
        );
        assert_eq!(backoff(base, 30, 0.0), MAX_WAIT);
        assert_eq!(backoff(base, u32::MAX, 0.5), MAX_WAIT.mul_f64(0.75));
    }

    /// Three days of retries from a 5 s start, without jitter: 13 doubling waits (5 s to
    /// 5.7 h, 11.4 h in all) and 10 waits of six hours fit, so 24 attempts in all.
    #[test]
    fn three_days_hold_about_two_dozen_attempts() {
        let base = Duration::from_secs(5);
        let (mut elapsed, mut attempts) = (Duration::ZERO, 1u32);
        while elapsed + backoff(base, attempts, 0.0) <= RETRY_WINDOW.to_std().unwrap() {
            elapsed += backoff(base, attempts, 0.0);
            attempts += 1;
        }
        assert_eq!(attempts, 24);
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "1.1.1.1",
            "203.0.114.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}

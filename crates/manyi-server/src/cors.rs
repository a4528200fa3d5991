//! Which site a request comes from, and the CORS headers that let a listed site's page read
//! the reply. The lists themselves are a survey's allowed origins (`routes/origins.rs`); the
//! public endpoints ask them through the helpers here.
//!
//! CORS concerns browsers only: it stops another site's page from reading a survey or sending
//! responses through its visitors' browsers unless staff listed that site. A client outside a
//! browser sends no `Origin` and is unaffected, as it could always do what it likes.

use std::convert::Infallible;
use std::net::{Ipv4Addr, Ipv6Addr};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// An origin written as a browser writes it in `Origin`: `scheme://host[:port]` in lower case,
/// without the scheme's default port, so a listed origin compares equal to the header. Anything
/// else (a path, a query, a wildcard, a trailing slash, user information) is refused with the
/// reason.
pub fn normalise_origin(text: &str) -> Result<String, String> {
    const SHAPE: &str = "an origin is only scheme://host[:port]";
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    if !text.is_ascii() {
        return Err(
            "has characters outside ASCII; write an internationalised host name in its xn-- form"
                .to_owned(),
        );
    }
    let text = text.to_ascii_lowercase();
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err("has no scheme; write it as https://host or http://host:port".to_owned());
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "has the scheme {scheme:?}; only http and https pages can embed a survey"
        ));
    }
    if rest.contains('*') {
        return Err("has a wildcard; list each origin on its own".to_owned());
    }
    if let Some(at) = rest.find(['/', '?', '#']) {
        let tail = &rest[at..];
        return Err(match tail.as_bytes()[0] {
            b'/' if tail == "/" => format!("ends with a slash; {SHAPE}"),
            b'/' => format!("has a path ({tail}); {SHAPE}"),
            b'?' => format!("has a query; {SHAPE}"),
            _ => format!("has a fragment; {SHAPE}"),
        });
    }
    if rest.contains('@') {
        return Err(format!("has user information (user@); {SHAPE}"));
    }
    if rest
        .chars()
        .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
    {
        return Err("contains spaces or control characters".to_owned());
    }
    let (host, port) = split_host_port(rest)?;
    let default_port = if scheme == "https" { 443 } else { 80 };
    let port = match port {
        None => None,
        Some(text) => {
            let number = (!text.is_empty()
                && text.len() <= 5
                && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u16>().ok())
            .flatten()
            .filter(|n| *n != 0)
            .ok_or_else(|| format!("has the port {text:?}; a port is a number from 1 to 65535"))?;
            (number != default_port).then_some(number)
        }
    };
    Ok(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The host (IPv6 addresses in brackets, in their canonical short form) and the port text.
fn split_host_port(rest: &str) -> Result<(String, Option<&str>), String> {
    if let Some(inner) = rest.strip_prefix('[') {
        let (address, after) = inner
            .split_once(']')
            .ok_or("has an IPv6 address without its closing bracket")?;
        let address: Ipv6Addr = address
            .parse()
            .map_err(|_| format!("has [{address}], which is not an IPv6 address"))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("has something after its IPv6 address other than a port")?,
            ),
        };
        return Ok((format!("[{address}]"), port));
    }
    let (host, port) = match rest.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    check_host(host)?;
    Ok((host.to_owned(), port))
}

/// A DNS name (letters, digits, hyphens and underscores in dot-separated parts) or an IPv4
/// address.
fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("has no host".to_owned());
    }
    if host.len() > 253 {
        return Err("has a host name longer than 253 characters".to_owned());
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(
                "has an empty part in its host name (two dots, or a dot at either end)".to_owned(),
            );
        }
        if label.len() > 63 {
            return Err("has a host name part longer than 63 characters".to_owned());
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!("has the character {c:?} in its host name"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("has a host name part that starts or ends with a hyphen".to_owned());
        }
    }
    // A name whose last part is a number is read by browsers as an IPv4 address.
    let last = host.rsplit('.').next().unwrap_or(host);
    if last.bytes().all(|b| b.is_ascii_digit()) && host.parse::<Ipv4Addr>().is_err() {
        return Err(format!(
            "has the host {host:?}, which is neither a host name nor an IPv4 address"
        ));
    }
    Ok(())
}

/// The `Origin` of a cross-origin request, normalised when it reads as one (an unreadable one
/// such as `null`, sent by sandboxed frames, is kept as it is and matches no list). `None` when
/// the request has no `Origin` or comes from the server's own origin.
#[derive(Debug, Clone)]
pub struct CrossOrigin(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for CrossOrigin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(CrossOrigin(cross_origin(&parts.headers, &parts.uri)))
    }
}

fn cross_origin(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("null");
    let Ok(origin) = normalise_origin(origin) else {
        return Some(origin.to_owned());
    };
    // The server's own authority is what the client asked for: `Host` (or, in HTTP/2, the
    // request's authority), or `X-Forwarded-Host` behind a proxy that rewrites `Host`. A page
    // cannot forge either without a preflight this server refuses.
    let scheme_end = origin.find("://").map_or(0, |i| i + 3);
    let (scheme, authority) = (&origin[..scheme_end], &origin[scheme_end..]);
    let own = [
        headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| uri.authority().map(|a| a.as_str())),
        headers
            .get("x-forwarded-host")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next()),
    ];
    let same = own.into_iter().flatten().any(|host| {
        // Normalised the same way as the origin, so `Host: example.org:443` is https's default.
        normalise_origin(&format!("{scheme}{}", host.trim()))
            .is_ok_and(|own| own[scheme_end..] == *authority)
    });
    (!same).then_some(origin)
}

/// Marks a reply as depending on `Origin`, so a cache never hands one site's answer to another.
pub fn vary_origin(response: &mut Response) {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("origin"));
}

/// Lets a browser at `origin` read the reply.
pub fn allow_origin(response: &mut Response, origin: &str) {
    // Listed origins are normalised ASCII, so they are always valid header values.
    if let Ok(value) = HeaderValue::from_str(origin) {
        response
            .headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
}

/// Middleware on `POST /api/v1/responses`: every reply (including 400, 413 and 429, which are
/// made before the handler) carries `Access-Control-Allow-Origin` when the request's origin is
/// on some survey's list, so a listed site can read why a request failed.
pub async fn cors_responses(
    State(state): State<AppState>,
    CrossOrigin(origin): CrossOrigin,
    request: Request,
    next: Next,
) -> Response {
    // Asked before the handler runs, so a database failure here stores nothing.
    let listed = match &origin {
        Some(origin) => match state.db.origin_listed(origin).await {
            Ok(listed) => listed,
            Err(error) => return error.into_response(),
        },
        None => false,
    };
    let mut response = next.run(request).await;
    if let Some(origin) = origin.filter(|_| listed) {
        allow_origin(&mut response, &origin);
    }
    vary_origin(&mut response);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_as_browsers_write_them() {
        for (given, expected) in [
            ("https://Portal.Example.com", "https://portal.example.com"),
            ("  http://127.0.0.1:5173 ", "http://127.0.0.1:5173"),
            ("https://example.com:443", "https://example.com"),
            ("http://example.com:80", "http://example.com"),
            ("http://example.com:443", "http://example.com:443"),
            ("http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080"),
            ("https://intranet_host.corp", "https://intranet_host.corp"),
            ("http://localhost:08080", "http://localhost:8080"),
        ] {
            assert_eq!(normalise_origin(given).as_deref(), Ok(expected), "{given}");
        }
    }

    #[test]
    fn anything_but_scheme_host_and_port_is_refused_with_the_reason() {
        for (given, reason) in [
            ("", "is empty"),
            ("portal.example.com", "has no scheme"),
            ("ftp://example.com", "has the scheme \"ftp\""),
            ("https://*.example.com", "has a wildcard"),
            ("https://example.com/", "ends with a slash"),
            ("https://example.com/embed", "has a path (/embed)"),
            ("https://example.com?x=1", "has a query"),
            ("https://example.com#top", "has a fragment"),
            ("https://user@example.com", "has user information"),
            ("https://exa mple.com", "contains spaces"),
            ("https://", "has no host"),
            ("https://:8080", "has no host"),
            ("https://example..com", "has an empty part"),
            ("https://-example.com", "starts or ends with a hyphen"),
            ("https://例子.com", "outside ASCII"),
            ("https://example.com:0", "has the port \"0\""),
            ("https://example.com:65536", "has the port \"65536\""),
            ("https://example.com:", "has the port \"\""),
            ("https://example.com:1:2", "has the port \"1:2\""),
            (
                "https://300.1.1.1",
                "neither a host name nor an IPv4 address",
            ),
            ("https://[::1", "without its closing bracket"),
            ("https://[nope]", "not an IPv6 address"),
            ("null", "has no scheme"),
        ] {
            let error = normalise_origin(given).unwrap_err();
            assert!(error.contains(reason), "{given:?}: {error}");
        }
    }

    #[test]
    fn same_origin_is_told_by_the_host() {
        let origin = |origin: &str, host: Option<&str>, forwarded: Option<&str>| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ORIGIN, origin.parse().unwrap());
            if let Some(host) = host {
                headers.insert(header::HOST, host.parse().unwrap());
            }
            if let Some(host) = forwarded {
                headers.insert("x-forwarded-host", host.parse().unwrap());
            }
            cross_origin(&headers, &Uri::from_static("/api/v1/responses"))
        };
        assert_eq!(
            origin("https://survey.example", Some("survey.example"), None),
            None
        );
        assert_eq!(
            origin("https://survey.example", Some("Survey.example:443"), None),
            None
        );
        assert_eq!(
            origin(
                "https://survey.example",
                Some("127.0.0.1:8080"),
                Some("survey.example")
            ),
            None,
            "behind a proxy that rewrites Host"
        );
        assert_eq!(
            origin("https://portal.example", Some("survey.example"), None).as_deref(),
            Some("https://portal.example")
        );
        assert_eq!(
            origin("https://survey.example:8443", Some("survey.example"), None).as_deref(),
            Some("https://survey.example:8443"),
            "another port is another origin"
        );
        assert_eq!(
            origin("null", Some("survey.example"), None).as_deref(),
            Some("null")
        );
        assert_eq!(
            cross_origin(&HeaderMap::new(), &Uri::from_static("/")),
            None
        );
    }
}

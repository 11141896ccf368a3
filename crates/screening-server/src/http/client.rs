//! The client's address: the peer's, or, when the peer is a trusted reverse proxy
//! (`SCREENING_TRUSTED_PROXIES`), the right-most `X-Forwarded-For` address that is not a
//! trusted proxy (the left part of the header is the client's to write). Login and spending
//! limits are keyed by it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// Addresses read from `X-Forwarded-For` at most (a longer chain is not believed further).
const MAX_HOPS: usize = 16;

pub fn client_ip(parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    Some(forwarded_client(peer, &parts.headers, trusted))
}

pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut hops: Vec<&str> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        let Ok(v) = v.to_str() else { return peer };
        hops.extend(v.split(',').map(str::trim));
    }
    let mut client = peer;
    for hop in hops.iter().rev().take(MAX_HOPS) {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_a_trusted_peer_is_believed_and_only_up_to_the_first_untrusted_hop() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let inner: IpAddr = "10.0.0.6".parse().unwrap();
        let trusted = [proxy, inner];
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let other: IpAddr = "192.0.2.1".parse().unwrap();
        // Not a proxy: the header is the caller's own words.
        assert_eq!(
            forwarded_client(other, &headers(&["203.0.113.9"]), &trusted),
            other
        );
        assert_eq!(
            forwarded_client(proxy, &headers(&["203.0.113.9"]), &trusted),
            client
        );
        // A forged left part is not read past the first address the proxies did not add.
        assert_eq!(
            forwarded_client(
                proxy,
                &headers(&["1.2.3.4, 203.0.113.9, 10.0.0.6"]),
                &trusted
            ),
            client
        );
        assert_eq!(
            forwarded_client(proxy, &headers(&["1.2.3.4", "203.0.113.9"]), &trusted),
            client,
            "several header lines read as one list"
        );
        assert_eq!(
            forwarded_client(proxy, &headers(&["garbage, 203.0.113.9"]), &trusted),
            client
        );
        assert_eq!(
            forwarded_client(proxy, &headers(&["203.0.113.9, garbage"]), &trusted),
            proxy,
            "an unreadable hop next to the proxy: the proxy is all that is known"
        );
        assert_eq!(forwarded_client(proxy, &headers(&[]), &trusted), proxy);
    }
}

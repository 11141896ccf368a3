//! Where result webhooks may go.
//!
//! A `webhook_url` must be http(s), its host must be on the tenant's allow-list, and every
//! address it resolves to must be public: loopback, private (RFC 1918, ULA), link-local
//! (including the 169.254.169.254 metadata service), CGNAT, unspecified, multicast,
//! broadcast and documentation ranges are refused — loopback alone can be allowed per
//! tenant (local demos). The check runs when the order is placed and again at every
//! delivery, and the delivery connects to the address that was checked (no second DNS
//! lookup an attacker could rebind).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

use screening_model::tenant::Settings;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsrfError {
    #[error("webhook_url must be an absolute http(s) URL")]
    NotHttp,
    #[error("webhook_url host {0} is not on this account's allowed webhook hosts")]
    HostNotAllowed(String),
    #[error("webhook_url host {0} cannot be resolved")]
    Unresolvable(String),
    #[error(
        "webhook_url host {0} resolves to a private, loopback, link-local or metadata address"
    )]
    ForbiddenAddress(String),
    #[error(
        "webhook_url port {0} is not allowed: use the scheme's port (443 for https, 80 for http)"
    )]
    PortNotAllowed(u16),
}

/// The ports result webhooks may use on a host that is not loopback.
const WEB_PORTS: [u16; 2] = [443, 80];

/// Checked target: the URL, its host, and the addresses to connect to.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: Url,
    pub host: String,
    pub addrs: Vec<SocketAddr>,
}

fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    allowed.iter().any(|a| {
        let a = a.trim_end_matches('.').to_ascii_lowercase();
        match a.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
            None => host == a || host == a.trim_start_matches('[').trim_end_matches(']'),
        }
    })
}

fn v4_forbidden(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1])) // CGNAT
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) // benchmarking
        || o[0] >= 240 // reserved
        || o == [168, 63, 129, 16] // Azure metadata
}

fn v6_forbidden(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local (incl. fd00:ec2::254)
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some networks)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64
}

/// The IPv4 address an IPv6 address carries inside it, by the transition mechanisms that
/// route to it: IPv4-compatible (`::a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`),
/// 6to4 (`2002:AABB:CCDD::/48`) and Teredo (`2001:0::/32`, server and obfuscated client).
/// IPv4-mapped (`::ffff:a.b.c.d`) is handled by `to_ipv4_mapped`.
fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if s[..6] == [0, 0, 0, 0, 0, 0] && !(s[6] == 0 && s[7] <= 1) {
        return vec![v4(s[6], s[7])]; // IPv4-compatible (deprecated, still routable by some stacks)
    }
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return vec![v4(s[6], s[7])]; // IPv4-translated
    }
    if s[0] == 0x2002 {
        return vec![v4(s[1], s[2])]; // 6to4
    }
    if s[0] == 0x2001 && s[1] == 0 {
        return vec![v4(s[2], s[3]), v4(!s[6], !s[7])]; // Teredo server, client
    }
    Vec::new()
}

/// Is `ip` an address result webhooks must not reach?
pub fn ip_forbidden(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_loopback() {
                return !allow_loopback;
            }
            v4_forbidden(v4)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return ip_forbidden(IpAddr::V4(v4), allow_loopback);
            }
            if v6.is_loopback() {
                return !allow_loopback;
            }
            v6_forbidden(v6)
                || embedded_v4(v6)
                    .into_iter()
                    .any(|v4| ip_forbidden(IpAddr::V4(v4), allow_loopback))
        }
    }
}

/// The part of the check that needs no DNS.
pub fn check_static(url: &str, settings: &Settings) -> Result<(Url, String, u16), SsrfError> {
    let u = Url::parse(url.trim()).map_err(|_| SsrfError::NotHttp)?;
    if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() || u.password().is_some()
    {
        return Err(SsrfError::NotHttp);
    }
    let host = u.host_str().ok_or(SsrfError::NotHttp)?.to_string();
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if !host_allowed(&bare, &settings.allowed_webhook_hosts) {
        return Err(SsrfError::HostNotAllowed(bare));
    }
    if bare.eq_ignore_ascii_case("metadata.google.internal")
        || bare.eq_ignore_ascii_case("metadata")
    {
        return Err(SsrfError::ForbiddenAddress(bare));
    }
    let port = u.port_or_known_default().ok_or(SsrfError::NotHttp)?;
    Ok((u, bare, port))
}

/// A lookup that takes longer counts as unresolvable (retried later at delivery time).
const DNS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Full check: allow-list, then resolve and check every address.
pub async fn check(url: &str, settings: &Settings) -> Result<Target, SsrfError> {
    let (url, host, port) = check_static(url, settings)?;
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host.as_str(), port)))
            .await
            .map_err(|_| SsrfError::Unresolvable(host.clone()))?
            .map_err(|_| SsrfError::Unresolvable(host.clone()))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(SsrfError::Unresolvable(host));
    }
    if addrs
        .iter()
        .any(|a| ip_forbidden(a.ip(), settings.allow_loopback))
    {
        return Err(SsrfError::ForbiddenAddress(host));
    }
    // Another port is another service on the host (an admin console, a database): only on
    // loopback, for a tenant allowed it (a local demo).
    if !WEB_PORTS.contains(&port)
        && (!settings.allow_loopback || addrs.iter().any(|a| !a.ip().is_loopback()))
    {
        return Err(SsrfError::PortNotAllowed(port));
    }
    Ok(Target { url, host, addrs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(hosts: &[&str], loopback: bool) -> Settings {
        Settings {
            allowed_webhook_hosts: hosts.iter().map(|s| s.to_string()).collect(),
            allow_loopback: loopback,
            ..Default::default()
        }
    }

    #[test]
    fn forbidden_addresses() {
        for ip in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "168.63.129.16",
            "::",
            "fe80::1",
            "fc00::1",
            "fec0::1",
            "feff:ffff::1",
            "fd00:ec2::254",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            // IPv4 inside IPv6: compatible, translated, 6to4, Teredo (server; client ^0xffff)
            "::10.0.0.1",
            "::169.254.169.254",
            "::ffff:0:192.168.0.1",
            "2002:a9fe:a9fe::1",
            "2002:7f00:1::",
            "2001:0:a00:1::1",
            "2001:0:4136:e378:8000:63bf:f5ff:fffe", // client 10.0.0.1
        ] {
            assert!(ip_forbidden(ip.parse().unwrap(), false), "{ip}");
        }
        for ip in ["127.0.0.1", "::1"] {
            assert!(ip_forbidden(ip.parse().unwrap(), false), "{ip}");
            assert!(!ip_forbidden(ip.parse().unwrap(), true), "{ip}");
        }
        assert!(
            ip_forbidden("10.0.0.1".parse().unwrap(), true),
            "loopback allowance does not open private ranges"
        );
        for ip in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "2002:5db8:d822::1",                    // 6to4 of 93.184.216.34
            "2001:0:4136:e378:8000:63bf:a247:27dd", // Teredo, public server and client
        ] {
            assert!(!ip_forbidden(ip.parse().unwrap(), false), "{ip}");
        }
    }

    #[test]
    fn allow_list() {
        assert!(host_allowed("api.example.com", &["api.example.com".into()]));
        assert!(host_allowed(
            "API.example.com.",
            &["api.example.com".into()]
        ));
        assert!(host_allowed("a.example.com", &["*.example.com".into()]));
        assert!(!host_allowed("example.com", &["*.example.com".into()]));
        assert!(!host_allowed("evil-example.com", &["*.example.com".into()]));
        assert!(!host_allowed(
            "api.example.com.evil.net",
            &["api.example.com".into()]
        ));
    }

    #[tokio::test]
    async fn full_check() {
        let s = settings(
            &["127.0.0.1", "169.254.169.254", "10.1.2.3", "localhost"],
            false,
        );
        assert_eq!(
            check("http://127.0.0.1/x", &s).await.unwrap_err(),
            SsrfError::ForbiddenAddress("127.0.0.1".into())
        );
        assert_eq!(
            check("http://169.254.169.254/latest/meta-data", &s)
                .await
                .unwrap_err(),
            SsrfError::ForbiddenAddress("169.254.169.254".into())
        );
        assert!(matches!(
            check("http://10.1.2.3/", &s).await,
            Err(SsrfError::ForbiddenAddress(_))
        ));
        assert!(matches!(
            check("http://localhost/", &s).await,
            Err(SsrfError::ForbiddenAddress(_))
        ));
        assert_eq!(
            check("http://evil.test/", &s).await.unwrap_err(),
            SsrfError::HostNotAllowed("evil.test".into())
        );
        assert_eq!(
            check("ftp://127.0.0.1/", &s).await.unwrap_err(),
            SsrfError::NotHttp
        );
        assert_eq!(
            check("http://user:pw@127.0.0.1/", &s).await.unwrap_err(),
            SsrfError::NotHttp
        );
        let open = settings(&["127.0.0.1"], true);
        let t = check("http://127.0.0.1:9/hook", &open).await.unwrap();
        assert_eq!(t.addrs, vec!["127.0.0.1:9".parse().unwrap()]);
        // Only the web ports on an allow-listed public host.
        let public = settings(&["203.0.113.7", "93.184.215.14"], false);
        assert_eq!(
            check("https://93.184.215.14:8443/hook", &public)
                .await
                .unwrap_err(),
            SsrfError::PortNotAllowed(8443)
        );
        assert_eq!(
            check("http://93.184.215.14:6379/", &public)
                .await
                .unwrap_err(),
            SsrfError::PortNotAllowed(6379)
        );
        assert!(check("https://93.184.215.14/hook", &public).await.is_ok());
        assert!(check("http://93.184.215.14:80/hook", &public).await.is_ok());
        let demo = settings(&["93.184.215.14"], true);
        assert_eq!(
            check("http://93.184.215.14:9000/", &demo)
                .await
                .unwrap_err(),
            SsrfError::PortNotAllowed(9000),
            "loopback allowed: another port only on loopback"
        );
    }
}

//! The pages the widget frames come from Yardstik (its apply links) or are built on its
//! origins (the report and disclosures embeds). A link is shown only when its origin, taken
//! from the link itself, is one of the configured Yardstik origins (the app origin and the
//! profile origin of the apply pages); a `javascript:`, `data:` or foreign link — from a
//! compromised or spoofed upstream — is refused and never reaches a page.

use reqwest::Url;

/// Whether `origin` may serve frames at all: `https`, or plain `http` on a loopback host
/// (the demo and the tests).
pub fn secure_origin(origin: &str) -> bool {
    let Ok(u) = Url::parse(origin) else {
        return false;
    };
    let bare = u.path() == "/"
        && u.query().is_none()
        && u.fragment().is_none()
        && u.username().is_empty()
        && u.password().is_none();
    let host = u.host_str().unwrap_or("");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    bare && u.host().is_some() && (u.scheme() == "https" || (u.scheme() == "http" && loopback))
}

/// Why a link from Yardstik is not shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefusedLink {
    #[error("it is not an http(s) URL")]
    NotWeb,
    #[error("its origin {0} is not one of the configured Yardstik origins")]
    Foreign(String),
}

/// The origin (`scheme://host[:port]`) of `link` if it is a web URL on one of `allowed`
/// (each `scheme://host[:port]`, no trailing slash).
pub fn frame_origin(link: &str, allowed: &[String]) -> Result<String, RefusedLink> {
    let u = Url::parse(link.trim()).map_err(|_| RefusedLink::NotWeb)?;
    if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
        return Err(RefusedLink::NotWeb);
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(RefusedLink::Foreign(u.origin().ascii_serialization()));
    }
    let origin = u.origin().ascii_serialization();
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(&origin))
    {
        Ok(origin)
    } else {
        Err(RefusedLink::Foreign(origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec![
            "https://app.yardstik.com".into(),
            "https://profile.yardstik.com/".into(),
        ]
    }

    #[test]
    fn links_on_the_configured_origins_are_taken_with_their_own_origin() {
        let a = allowed();
        assert_eq!(
            frame_origin(
                "https://profile.yardstik.com/candidates/1/apply?report_id=2&account_package_id=3&auth_type=email",
                &a
            ),
            Ok("https://profile.yardstik.com".into())
        );
        assert_eq!(
            frame_origin("https://app.yardstik.com/x", &a),
            Ok("https://app.yardstik.com".into())
        );
        assert_eq!(
            frame_origin("HTTPS://APP.YARDSTIK.COM:443/x", &a),
            Ok("https://app.yardstik.com".into())
        );
    }

    #[test]
    fn script_data_and_foreign_links_are_refused() {
        let a = allowed();
        for link in [
            "javascript:alert(1)",
            "JavaScript:top.x=1//https://profile.yardstik.com/",
            "data:text/html,<script>alert(1)</script>",
            "blob:https://profile.yardstik.com/1",
            "about:blank",
            "/candidates/1/apply",
            "",
        ] {
            assert_eq!(frame_origin(link, &a), Err(RefusedLink::NotWeb), "{link}");
        }
        for link in [
            "https://evil.example/candidates/1/apply",
            "http://profile.yardstik.com/candidates/1/apply",
            "https://profile.yardstik.com.evil.example/x",
            "https://profile.yardstik.com:8443/x",
            "https://profile.yardstik.com@evil.example/x",
            "https://user@profile.yardstik.com/x",
        ] {
            assert!(
                matches!(frame_origin(link, &a), Err(RefusedLink::Foreign(_))),
                "{link}"
            );
        }
    }

    #[test]
    fn origins_are_https_or_loopback_http() {
        assert!(secure_origin("https://app.yardstik.com"));
        assert!(secure_origin("https://app.yardstik-staging.com:8443/"));
        assert!(secure_origin("http://127.0.0.1:8090"));
        assert!(secure_origin("http://localhost:8090"));
        assert!(secure_origin("http://[::1]:8090"));
        assert!(!secure_origin("http://app.yardstik.com"));
        assert!(!secure_origin("http://10.0.0.5:8090"));
        assert!(!secure_origin("https://app.yardstik.com/path"));
        assert!(!secure_origin("https://u@app.yardstik.com"));
        assert!(!secure_origin("javascript:alert(1)"));
        assert!(!secure_origin("app.yardstik.com"));
    }
}

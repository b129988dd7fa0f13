//! Where requests may go. API calls follow no redirects (the contract has none). Signed upload and
//! download URLs are handed out by the API, so a hostile or compromised API could point them at
//! the user's own machine or network (a cloud metadata service at 169.254.169.254, an admin port on
//! 127.0.0.1): those transfers may only reach the same kind of address as the API base itself
//! (public, or loopback for the sandbox, or private for a self-hosted API). Literal IPs are checked
//! before a request and on each redirect; host names are checked on every resolved address by the
//! transfer client's DNS resolver.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::{Attempt, Policy};

/// Most redirects a signed transfer URL may take.
pub const MAX_TRANSFER_REDIRECTS: usize = 5;

/// The kind of network an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    /// 127.0.0.0/8, ::1
    Loopback,
    /// 169.254.0.0/16, fe80::/10: cloud metadata services live here.
    LinkLocal,
    /// RFC 1918, 100.64/10 (carrier NAT), fc00::/7, and the unspecified/broadcast/multicast
    /// addresses that reach this machine or its network.
    Private,
}

impl AddressClass {
    fn describe(self) -> &'static str {
        match self {
            AddressClass::Public => "a public",
            AddressClass::Loopback => "a loopback",
            AddressClass::LinkLocal => "a link-local",
            AddressClass::Private => "a private-network",
        }
    }
}

/// The class of one IP address (IPv4-mapped IPv6 addresses count as their IPv4 address).
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                AddressClass::Loopback
            } else if v4.is_link_local() {
                AddressClass::LinkLocal
            } else if v4.is_private()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
            {
                AddressClass::Private
            } else {
                AddressClass::Public
            }
        }
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                AddressClass::Loopback
            } else if v6.is_unicast_link_local() {
                AddressClass::LinkLocal
            } else if v6.is_unique_local() || v6.is_unspecified() || v6.is_multicast() {
                AddressClass::Private
            } else {
                AddressClass::Public
            }
        }
    }
}

/// The class of a URL's host when it is written as an IP address (or `localhost`); `None` for a
/// name that needs DNS.
pub fn literal_class(url: &Url) -> Option<AddressClass> {
    let host = url.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(classify(ip));
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    (name == "localhost" || name.ends_with(".localhost")).then_some(AddressClass::Loopback)
}

/// Which address classes transfers may reach: public ones, plus the API base's own class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetPolicy {
    base: AddressClass,
}

impl TargetPolicy {
    /// From the API base URL: a base given by name counts as public (its own addresses are not
    /// looked up here; `JUNGLEGRID_API_BASE=http://localhost:…` is loopback).
    pub fn for_base(base: &Url) -> Self {
        TargetPolicy {
            base: literal_class(base).unwrap_or(AddressClass::Public),
        }
    }

    pub fn allows(&self, class: AddressClass) -> bool {
        class == AddressClass::Public || class == self.base
    }

    /// `Err(sentence)` when `url`'s literal host may not be reached.
    pub fn check_url(&self, url: &Url) -> Result<(), String> {
        match literal_class(url) {
            Some(class) if !self.allows(class) => {
                Err(refusal(url.host_str().unwrap_or("?"), class))
            }
            _ => Ok(()),
        }
    }
}

fn refusal(host: &str, class: AddressClass) -> String {
    format!(
        "Refusing to transfer to {host}: it is {} address, and the Jungle Grid API is not on one. Signed URLs may only reach public addresses or the API's own kind of network.",
        class.describe()
    )
}

/// The error a refused target leaves in reqwest's error chain (recognised by [`refused_target`]).
#[derive(Debug)]
pub struct RefusedTarget(pub String);

impl std::fmt::Display for RefusedTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RefusedTarget {}

/// The refusal sentence inside a failed request, if a target check stopped it.
pub fn refused_target(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    std::iter::successors(Some(error), |e| e.source())
        .find_map(|e| e.downcast_ref::<RefusedTarget>())
        .map(|r| r.0.clone())
}

/// The system resolver, keeping only addresses the policy allows (all refused: an error).
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: TargetPolicy,
}

impl GuardedResolver {
    pub fn new(policy: TargetPolicy) -> Arc<Self> {
        Arc::new(GuardedResolver { policy })
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs
                .into_iter()
                .partition(|a| policy.allows(classify(a.ip())));
            if let (true, Some(first)) = (allowed.is_empty(), refused.first()) {
                let err: Box<dyn std::error::Error + Send + Sync> =
                    Box::new(RefusedTarget(refusal(&host, classify(first.ip()))));
                return Err(err);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Redirects of signed transfer URLs: same scheme, at most [`MAX_TRANSFER_REDIRECTS`], and never
/// to a literal address the policy refuses (names are checked by [`GuardedResolver`]).
pub fn transfer_redirects(policy: TargetPolicy) -> Policy {
    Policy::custom(move |attempt: Attempt| {
        let first_scheme = attempt
            .previous()
            .first()
            .map(|u| u.scheme().to_string())
            .unwrap_or_default();
        if attempt.previous().len() > MAX_TRANSFER_REDIRECTS {
            let message = format!("more than {MAX_TRANSFER_REDIRECTS} redirects");
            return attempt.error(RefusedTarget(message));
        }
        if attempt.url().scheme() != first_scheme {
            let message = format!(
                "Refusing a redirect from {first_scheme} to {}: signed URLs may only redirect within the same scheme.",
                attempt.url().scheme()
            );
            return attempt.error(RefusedTarget(message));
        }
        if let Err(message) = policy.check_url(attempt.url()) {
            return attempt.error(RefusedTarget(message));
        }
        attempt.follow()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> AddressClass {
        classify(s.parse().unwrap())
    }

    #[test]
    fn addresses_are_classified() {
        assert_eq!(class("127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("127.8.9.10"), AddressClass::Loopback);
        assert_eq!(class("::1"), AddressClass::Loopback);
        assert_eq!(class("::ffff:127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("169.254.169.254"), AddressClass::LinkLocal);
        assert_eq!(class("fe80::1"), AddressClass::LinkLocal);
        assert_eq!(class("::ffff:169.254.169.254"), AddressClass::LinkLocal);
        for private in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "fd00::1",
            "::",
        ] {
            assert_eq!(class(private), AddressClass::Private, "{private}");
        }
        for public in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111"] {
            assert_eq!(class(public), AddressClass::Public, "{public}");
        }
    }

    #[test]
    fn literal_hosts_and_localhost_names() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            literal_class(&url("http://[::1]:9/x")),
            Some(AddressClass::Loopback)
        );
        assert_eq!(
            literal_class(&url("http://LocalHost./x")),
            Some(AddressClass::Loopback)
        );
        assert_eq!(
            literal_class(&url("http://169.254.169.254/latest")),
            Some(AddressClass::LinkLocal)
        );
        assert_eq!(literal_class(&url("https://storage.example.com/x")), None);
    }

    #[test]
    fn targets_follow_the_api_base() {
        let url = |s: &str| Url::parse(s).unwrap();
        let public = TargetPolicy::for_base(&url("https://api.junglegrid.dev"));
        assert!(
            public
                .check_url(&url("https://storage.example.com/a"))
                .is_ok()
        );
        assert!(public.check_url(&url("http://8.8.8.8/a")).is_ok());
        for bad in [
            "http://127.0.0.1:8080/a",
            "http://localhost/a",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/a",
            "http://[::ffff:7f00:1]/a",
        ] {
            let err = public.check_url(&url(bad)).unwrap_err();
            assert!(err.starts_with("Refusing to transfer"), "{bad}: {err}");
        }
        // The sandbox (loopback) keeps working, but still cannot reach metadata or the LAN.
        let sandbox = TargetPolicy::for_base(&url("http://127.0.0.1:4000"));
        assert!(sandbox.check_url(&url("http://127.0.0.1:4000/d")).is_ok());
        assert!(sandbox.check_url(&url("http://169.254.169.254/")).is_err());
        assert!(sandbox.check_url(&url("http://192.168.0.2/")).is_err());
        // A self-hosted API on a private network may use private storage.
        let lan = TargetPolicy::for_base(&url("http://10.0.0.5"));
        assert!(lan.check_url(&url("http://10.0.0.6/bucket")).is_ok());
        assert!(lan.check_url(&url("http://127.0.0.1/")).is_err());
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_to_refused_addresses() {
        let guard = GuardedResolver::new(TargetPolicy::for_base(
            &Url::parse("https://api.junglegrid.dev").unwrap(),
        ));
        let err = guard
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost is refused");
        assert!(err.to_string().contains("loopback"), "{err}");
        let open = GuardedResolver::new(TargetPolicy::for_base(
            &Url::parse("http://127.0.0.1:1").unwrap(),
        ));
        let addrs: Vec<_> = open
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}

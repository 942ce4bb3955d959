//! Whose request is this: the peer's address, or, when the peer is a trusted reverse proxy, the
//! client address it forwarded. Throttling and every audit record use this address, so behind a
//! proxy each person is themselves and not the proxy.
//!
//! Nothing is trusted by default: a forwarding header from anyone else is ignored, because anyone
//! can send one.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The addresses and networks whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses (`10.0.0.5`, `::1`) and networks (`10.0.0.0/8`);
    /// empty for none.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let net = match part.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => part.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
                    format!(
                        "{part:?} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/8)"
                    )
                })?,
            };
            nets.push(net);
        }
        Ok(Self(nets))
    }
}

impl TrustedProxies {
    /// Whether an address is one of the trusted proxies.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// Whether any proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The client's address: the peer's, unless the peer is trusted; then the nearest address in
    /// the forwarding chain (`Forwarded`, else `X-Forwarded-For`) that is not itself a trusted
    /// proxy. An entry that is not an address (`unknown`, an obfuscated name) ends the walk at the
    /// last trusted hop.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for entry in chain.iter().rev() {
            let Some(address) = entry else {
                break;
            };
            client = canonical(*address);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.5`) as the IPv4 address it is.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The forwarded client addresses, nearest last; `None` for an entry that is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<Option<IpAddr>> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| node_address(value))
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(node_address)
        .collect()
}

/// `192.0.2.60`, `"[2001:db8::17]:4711"`, `198.51.100.7:443` and the like as an address.
fn node_address(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn nobody_is_trusted_by_default() {
        let none = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(
            none.client_address(ip("203.0.113.9"), &h),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_s_forwarded_address_is_believed() {
        let trusted: TrustedProxies = "10.0.0.0/8, 192.0.2.1".parse().expect("list");
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(
            trusted.client_address(ip("10.1.2.3"), &h),
            ip("198.51.100.7")
        );
        assert_eq!(
            trusted.client_address(ip("192.0.2.1"), &h),
            ip("198.51.100.7")
        );
        // An untrusted peer's header is ignored.
        assert_eq!(trusted.client_address(ip("192.0.2.2"), &h), ip("192.0.2.2"));
        // IPv4 mapped into IPv6 is the same peer.
        assert_eq!(
            trusted.client_address(ip("::ffff:10.0.0.7"), &h),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_spoofed_left_entry_does_not_win() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().expect("list");
        // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7")]);
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &h),
            ip("198.51.100.7")
        );
        // Two trusted hops: the first address that is not a proxy.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.0.0.2")]);
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &h),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn the_standard_forwarded_header_comes_first() {
        let trusted: TrustedProxies = "10.0.0.1".parse().expect("list");
        let h = headers(&[
            (
                "forwarded",
                "for=192.0.2.60;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
            ),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &h),
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(trusted.client_address(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn a_bad_list_is_refused_with_the_entry() {
        let error = "10.0.0.0/8, proxy.internal"
            .parse::<TrustedProxies>()
            .expect_err("bad");
        assert!(error.contains("proxy.internal"), "{error}");
        assert!("".parse::<TrustedProxies>().expect("empty").is_empty());
    }
}

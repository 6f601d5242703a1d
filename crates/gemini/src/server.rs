//! Where the key may be sent: a parsed server address, never a prefix check.
//!
//! `https://` may point at any host (a proxy the user chose); plain `http://` only at this
//! machine — `localhost` exactly, `127.0.0.0/8` or `::1` — since anything else would carry the
//! key in clear text. Addresses with a user name or password (`http://127.0.0.1@evil.tld`), a
//! query or a fragment are refused: they only ever serve to disguise the real host.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// A Gemini server address that passed [`ServerAddress::parse`].
#[derive(Clone, PartialEq, Eq)]
pub struct ServerAddress {
    url: Url,
    /// The address as given, without a trailing slash (what the client prefixes to paths).
    text: String,
}

impl ServerAddress {
    /// Parses and checks an address; the error is a short reason for a sentence such as
    /// "The Gemini server address … is refused: {reason}".
    pub fn parse(text: &str) -> Result<ServerAddress, String> {
        let text = text.trim().trim_end_matches('/');
        let url = Url::parse(text).map_err(|_| "it is not a web address".to_owned())?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("it contains a user name or password".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("it contains a query or a fragment".into());
        }
        let Some(host) = url.host() else {
            return Err("it names no host".into());
        };
        match url.scheme() {
            "https" => {}
            "http" => {
                let loopback = match host {
                    url::Host::Domain(name) => name == "localhost",
                    url::Host::Ipv4(ip) => IpAddr::V4(ip).is_loopback(),
                    url::Host::Ipv6(ip) => IpAddr::V6(ip).is_loopback(),
                };
                if !loopback {
                    return Err(
                        "plain http:// is only allowed to this computer (localhost, 127.0.0.1 or ::1); use https://"
                            .into(),
                    );
                }
            }
            _ => return Err("it must start with https://".into()),
        }
        Ok(ServerAddress {
            text: text.to_owned(),
            url,
        })
    }

    /// Google's own endpoint.
    pub fn google() -> ServerAddress {
        ServerAddress::parse(crate::DEFAULT_BASE_URL).expect("the default address is valid")
    }

    /// The address without a trailing slash, as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `scheme://host[:port]`, normalised (lower-case host, default port left out): what a
    /// key is confirmed for.
    pub fn origin(&self) -> String {
        self.url.origin().ascii_serialization()
    }

    /// The host (and port when not the default) to show the user.
    pub fn host(&self) -> String {
        let host = self.url.host_str().unwrap_or_default();
        match self.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    pub fn is_google(&self) -> bool {
        self.origin() == ServerAddress::google().origin()
    }
}

impl fmt::Debug for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServerAddress").field(&self.text).finish()
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_reaches_this_computer() {
        for bad in [
            "http://localhost.evil.tld",
            "http://127.0.0.1@evil.tld",
            "http://evil.tld",
            "http://localhost@evil.tld:8080",
            "http://user:pw@localhost",
            "http://127.0.0.1.evil.tld",
            "http://10.0.0.1:8080",
            "http://[::2]",
            "ftp://localhost",
            "https://evil.tld?key=1",
            "localhost:8080",
            "",
        ] {
            assert!(ServerAddress::parse(bad).is_err(), "{bad} must be refused");
        }
        for good in [
            "http://localhost:8080",
            "http://LOCALHOST:8080/",
            "http://127.0.0.1:9",
            "http://127.8.9.10",
            "http://[::1]:3000",
            "https://generativelanguage.googleapis.com",
            "https://proxy.example.com/gemini",
        ] {
            assert!(ServerAddress::parse(good).is_ok(), "{good} must be allowed");
        }
    }

    #[test]
    fn origin_and_host_are_normalised() {
        let a = ServerAddress::parse("https://Proxy.Example.com:443/gemini/").unwrap();
        assert_eq!(a.origin(), "https://proxy.example.com");
        assert_eq!(a.host(), "proxy.example.com");
        assert_eq!(a.as_str(), "https://Proxy.Example.com:443/gemini");
        let b = ServerAddress::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(b.host(), "127.0.0.1:8080");
        assert!(ServerAddress::google().is_google());
        assert!(!b.is_google());
    }
}

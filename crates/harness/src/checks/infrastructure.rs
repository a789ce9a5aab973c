//! Answers that come from in front of Magento rather than from it (STORES.md U10, R6, Note 4):
//! a redirect, a WAF or CDN refusal, the web server's own HTML error page. Magento's REST area
//! answers every error as JSON and never redirects, so such an answer says nothing about the
//! contract; the run names its cause once, in one line, with what to change.

use std::fmt;

use crate::client::Exchange;

/// What stood between the suite and Magento.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Infrastructure {
    /// A 3xx: the client follows no redirect (http→https, www, a moved store).
    Redirect { status: u16, location: String },
    /// A WAF, CDN or proxy refused the request with its own page (403, 406, 429).
    Blocked { status: u16, vendor: &'static str },
    /// The web server replaced Magento's JSON error with its own HTML page (nginx
    /// `fastcgi_intercept_errors on` with `error_page 404 403 = /errors/404.php`, as in
    /// `nginx.conf.sample`).
    ErrorPage { status: u16 },
}

impl fmt::Display for Infrastructure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infrastructure::Redirect { status, location } => write!(
                f,
                "the store redirects ({status}) to {location}: redirects are not followed; set MAGENTO_BASE_URL to the final URL (scheme, host and path)"
            ),
            Infrastructure::Blocked { status, vendor } => write!(
                f,
                "{vendor} answered {status} with its own page before the request reached Magento: allow the suite's requests (its IP, or the User-Agent magento-contract) through it, or run the suite where it does not apply"
            ),
            Infrastructure::ErrorPage { status } => write!(
                f,
                "the web server answered an HTML {status} page where Magento answers JSON: it replaces Magento's error answers (nginx fastcgi_intercept_errors with error_page); turn that off for /rest"
            ),
        }
    }
}

/// Which infrastructure, if any, gave this answer. A JSON answer is Magento's, whatever its
/// status; so is any status Magento itself sends as HTML only when broken (500), which stays a
/// contract failure.
pub fn classify(exchange: &Exchange) -> Option<Infrastructure> {
    if (300..400).contains(&exchange.status) {
        let location = exchange
            .header("location")
            .map_or_else(|| "(no Location)".to_owned(), origin_of);
        return Some(Infrastructure::Redirect {
            status: exchange.status,
            location,
        });
    }
    let content_type = exchange.header("content-type").unwrap_or_default().to_ascii_lowercase();
    if content_type.contains("json") {
        return None;
    }
    let vendor = vendor(exchange);
    match exchange.status {
        403 | 406 | 429 => Some(Infrastructure::Blocked {
            status: exchange.status,
            vendor: vendor.unwrap_or("a WAF or proxy"),
        }),
        status if vendor.is_some() && status >= 400 => Some(Infrastructure::Blocked {
            status,
            vendor: vendor.unwrap_or_default(),
        }),
        404 if content_type.starts_with("text/html") => Some(Infrastructure::ErrorPage { status: 404 }),
        _ => None,
    }
}

/// The vendor a WAF or CDN names itself by, in its headers or its block page.
fn vendor(exchange: &Exchange) -> Option<&'static str> {
    let header = |name: &str| exchange.header(name).map(str::to_ascii_lowercase);
    let has_header_prefix = |prefix: &str| {
        exchange
            .response_headers
            .iter()
            .any(|(name, _)| name.to_ascii_lowercase().starts_with(prefix))
    };
    let server = header("server").unwrap_or_default();
    let body = exchange.body.to_ascii_lowercase();
    if exchange.header("cf-ray").is_some() || server.contains("cloudflare") {
        Some("Cloudflare")
    } else if has_header_prefix("x-sucuri") {
        Some("Sucuri")
    } else if has_header_prefix("x-sigsci") {
        Some("Fastly Next-Gen WAF")
    } else if header("x-served-by").is_some_and(|v| v.contains("cache-")) || has_header_prefix("fastly") {
        Some("Fastly")
    } else if server.contains("akamai") {
        Some("Akamai")
    } else if has_header_prefix("x-amzn-waf") || server.contains("awselb") {
        Some("AWS WAF")
    } else if body.contains("mod_security") || body.contains("modsecurity") {
        Some("ModSecurity")
    } else {
        None
    }
}

/// `https://www.example.com` of a Location: the part that tells what to configure, the same for
/// every redirected request.
fn origin_of(location: &str) -> String {
    match url::Url::parse(location) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => location.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, content_type: &str, headers: &[(&str, &str)], body: &str) -> Exchange {
        let mut exchange = Exchange::answer(status, content_type, body);
        exchange
            .response_headers
            .extend(headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        exchange
    }

    const HTML: &str = "text/html; charset=UTF-8";

    #[test]
    fn a_redirect_names_where_it_goes() {
        let moved = answer(
            301,
            HTML,
            &[("Location", "https://www.shop.example/rest/default/V1/customers/me")],
            "",
        );
        let cause = classify(&moved).unwrap();
        assert_eq!(
            cause,
            Infrastructure::Redirect {
                status: 301,
                location: "https://www.shop.example".into()
            }
        );
        assert!(cause.to_string().contains("set MAGENTO_BASE_URL to the final URL"));
    }

    #[test]
    fn waf_pages_are_named_by_vendor() {
        let cloudflare = answer(
            403,
            HTML,
            &[("Server", "cloudflare"), ("CF-RAY", "8a1b")],
            "<html>Attention Required!</html>",
        );
        assert_eq!(
            classify(&cloudflare),
            Some(Infrastructure::Blocked {
                status: 403,
                vendor: "Cloudflare"
            })
        );
        let sucuri = answer(403, HTML, &[("X-Sucuri-ID", "1")], "<html></html>");
        assert_eq!(classify(&sucuri).unwrap().to_string().split(' ').next(), Some("Sucuri"));
        let modsec = answer(406, HTML, &[], "<h1>Not Acceptable</h1> Mod_Security");
        assert!(
            classify(&modsec)
                .unwrap()
                .to_string()
                .starts_with("ModSecurity answered 406")
        );
        let fastly = answer(
            429,
            "text/plain",
            &[("X-Served-By", "cache-fra-etou8220")],
            "Too Many Requests",
        );
        assert!(
            classify(&fastly)
                .unwrap()
                .to_string()
                .starts_with("Fastly answered 429")
        );
        let unnamed = answer(403, HTML, &[], "<html>Forbidden</html>");
        assert!(
            classify(&unnamed)
                .unwrap()
                .to_string()
                .starts_with("a WAF or proxy answered 403")
        );
    }

    #[test]
    fn the_web_servers_404_page_is_told_from_magentos() {
        let page = answer(404, HTML, &[("Server", "nginx")], "<html>404 Not Found</html>");
        assert_eq!(classify(&page), Some(Infrastructure::ErrorPage { status: 404 }));
        assert!(
            classify(&page)
                .unwrap()
                .to_string()
                .contains("fastcgi_intercept_errors")
        );
    }

    /// Magento's own answers, right or wrong, are never put down to infrastructure.
    #[test]
    fn magentos_answers_are_not_infrastructure() {
        let json = "application/json; charset=utf-8";
        assert_eq!(
            classify(&answer(
                404,
                json,
                &[],
                r#"{"message":"Request does not match any route."}"#
            )),
            None
        );
        assert_eq!(
            classify(&answer(403, json, &[("CF-RAY", "1")], r#"{"message":"x"}"#)),
            None
        );
        assert_eq!(
            classify(&answer(500, HTML, &[], "<html>There has been an error</html>")),
            None
        );
        assert_eq!(classify(&answer(200, HTML, &[], r#"{"id":1}"#)), None);
    }
}

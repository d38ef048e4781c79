//! `405 Method Not Allowed` names the methods the path has, in `Allow` (RFC 9110 §15.5.6).
//!
//! poem's router answers 405 without saying which methods would do; the OpenAPI document
//! does know, so the methods of each path template are read from it once.

use std::collections::BTreeSet;

use poem::http::header::ALLOW;
use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// The path templates of an OpenAPI document with their methods.
#[derive(Clone, Debug, Default)]
pub(crate) struct AllowedMethods {
    /// Each template's segments (`None` for a `{parameter}`), and its methods, upper case.
    paths: Vec<(Vec<Option<String>>, BTreeSet<String>)>,
}

impl AllowedMethods {
    /// The templates and methods of the document `spec` (OpenAPI JSON), and `extra` paths
    /// served beside it (all `GET`).
    pub(crate) fn from_spec(spec: &str, extra: &[&str]) -> Self {
        let mut paths = Vec::new();
        let document: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        if let Some(items) = document.get("paths").and_then(serde_json::Value::as_object) {
            for (template, item) in items {
                let methods: BTreeSet<String> = item
                    .as_object()
                    .into_iter()
                    .flat_map(|operations| operations.keys())
                    .map(|method| method.to_ascii_uppercase())
                    .collect();
                paths.push((segments(template), methods));
            }
        }
        for path in extra {
            paths.push((segments(path), BTreeSet::from(["GET".to_owned()])));
        }
        Self { paths }
    }

    /// The methods of the most specific template that `path` matches, `HEAD` with `GET`
    /// (poem answers it for every `GET`), as an `Allow` value.
    pub(crate) fn of(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let (_, methods) = self
            .paths
            .iter()
            .filter(|(template, _)| {
                template.len() == wanted.len()
                    && template
                        .iter()
                        .zip(&wanted)
                        .all(|(segment, got)| match segment {
                            Some(literal) => literal == got,
                            None => !got.is_empty(),
                        })
            })
            .max_by_key(|(template, _)| template.iter().filter(|s| s.is_some()).count())?;
        let mut listed: BTreeSet<&str> = methods.iter().map(String::as_str).collect();
        if listed.contains("GET") {
            listed.insert("HEAD");
        }
        Some(listed.into_iter().collect::<Vec<_>>().join(", "))
    }
}

fn segments(template: &str) -> Vec<Option<String>> {
    template
        .trim_end_matches('/')
        .split('/')
        .map(|segment| {
            let is_parameter = segment.starts_with('{') && segment.ends_with('}');
            (!is_parameter).then(|| segment.to_owned())
        })
        .collect()
}

/// Adds `Allow` to every 405 answer.
#[derive(Clone, Debug)]
pub(crate) struct AllowOn405(pub(crate) std::sync::Arc<AllowedMethods>);

impl<E: Endpoint> Middleware<E> for AllowOn405 {
    type Output = AllowOn405Endpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AllowOn405Endpoint {
            inner,
            allowed: self.0.clone(),
        }
    }
}

/// The endpoint [`AllowOn405`] wraps.
#[derive(Debug)]
pub(crate) struct AllowOn405Endpoint<E> {
    inner: E,
    allowed: std::sync::Arc<AllowedMethods>,
}

impl<E: Endpoint> Endpoint for AllowOn405Endpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        // A clone of the URI shares its bytes: no copy on the way of every request.
        let uri = req.uri().clone();
        let mut response = self.inner.call(req).await?.into_response();
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(methods) = self.allowed.of(uri.path())
            && let Ok(value) = HeaderValue::from_str(&methods)
        {
            response.headers_mut().insert(ALLOW, value);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_template_names_its_methods() {
        let spec = r#"{"paths": {
            "/v1/offers/{id}": {"get": {}, "put": {}},
            "/v1/offers/{id}/stock": {"post": {}},
            "/v1/offers/all": {"delete": {}}
        }}"#;
        let allowed = AllowedMethods::from_spec(spec, &["/health"]);
        assert_eq!(
            allowed.of("/v1/offers/7").as_deref(),
            Some("GET, HEAD, PUT")
        );
        assert_eq!(allowed.of("/v1/offers/all").as_deref(), Some("DELETE"));
        assert_eq!(allowed.of("/v1/offers/7/stock").as_deref(), Some("POST"));
        assert_eq!(allowed.of("/health").as_deref(), Some("GET, HEAD"));
        assert_eq!(allowed.of("/v1/offers"), None);
        assert_eq!(allowed.of("/v1/offers//stock"), None);
    }
}

//! JSON request bodies without `null`: a field that may be left out is left out.
//!
//! No schema of a request body in the OpenAPI document is `nullable`, so a body with a
//! `null` anywhere is off its schema. poem-openapi reads `null` in an optional field as the
//! field left out; clients generated from the document would then send what the document
//! forbids and have it accepted, and a field that later becomes nullable would change the
//! meaning of requests already sent. [`NoNulls`] refuses such a body with 400 naming the
//! field, before the operation runs.

use std::sync::Arc;

use poem::http::header::CONTENT_TYPE;
use poem::http::{Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use serde_json::{Map, Value};

use crate::problem::Problem;

/// Refuses a JSON request body holding `null` where its schema names a field (or an item
/// of a list the schema describes), or a number or boolean where it names a string (which
/// poem-openapi would read as its text), with 400. Fields the schema does not name are the
/// operation's to refuse or ignore; bodies that are not JSON, or not well formed, go on to
/// the operation, which answers them as it does.
#[derive(Clone, Debug)]
pub(crate) struct NoNulls {
    routes: Arc<[BodyRoute]>,
    schemas: Arc<Map<String, Value>>,
}

/// An operation that takes a JSON body: its method, its path (`{name}` segments match any
/// one segment) and the schema of its body.
#[derive(Debug)]
struct BodyRoute {
    method: Method,
    segments: Vec<String>,
    schema: Value,
}

impl BodyRoute {
    fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method != method {
            return false;
        }
        let given: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        given.len() == self.segments.len()
            && given.iter().zip(&self.segments).all(|(part, pattern)| {
                (pattern.starts_with('{') && !part.is_empty()) || part == pattern
            })
    }
}

impl NoNulls {
    /// The operations of an OpenAPI `document` that take a JSON body, with their schemas.
    pub(crate) fn from_document(document: &Value) -> Self {
        let mut routes = Vec::new();
        let paths = document.get("paths").and_then(Value::as_object);
        for (path, operations) in paths.into_iter().flatten() {
            let Some(operations) = operations.as_object() else {
                continue;
            };
            for (method, operation) in operations {
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                    continue;
                };
                let content = operation
                    .pointer("/requestBody/content")
                    .and_then(Value::as_object);
                let schema = content.into_iter().flatten().find_map(|(media, body)| {
                    media
                        .starts_with("application/json")
                        .then(|| body.get("schema").cloned())
                        .flatten()
                });
                if let Some(schema) = schema {
                    routes.push(BodyRoute {
                        method,
                        segments: path
                            .trim_end_matches('/')
                            .split('/')
                            .map(str::to_owned)
                            .collect(),
                        schema,
                    });
                }
            }
        }
        let schemas = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Self {
            routes: Arc::from(routes),
            schemas: Arc::new(schemas),
        }
    }

    /// The schema of the JSON body of `method` on `path`, if it takes one.
    fn schema_for(&self, method: &Method, path: &str) -> Option<&Value> {
        self.routes
            .iter()
            .find(|route| route.matches(method, path))
            .map(|route| &route.schema)
    }

    /// The schema `schema` names: itself, or the component its `$ref` points at.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..8 {
            let Some(name) = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            else {
                break;
            };
            match self.schemas.get(name) {
                Some(named) => schema = named,
                None => break,
            }
        }
        schema
    }

    /// The schemas `schema` is made of: itself and the parts of its `allOf`, `oneOf` and
    /// `anyOf`, resolved.
    fn parts<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let schema = self.resolve(schema);
        let mut parts = vec![schema];
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                parts.extend(self.parts(part));
            }
        }
        parts
    }

    /// The schema of the field `name` of an object of `schema`: a named property, or the
    /// schema of additional properties (a map's values).
    fn field<'a>(&'a self, schema: &'a Value, name: &str) -> Option<&'a Value> {
        let parts = self.parts(schema);
        parts
            .iter()
            .find_map(|part| part.get("properties").and_then(|p| p.get(name)))
            .or_else(|| {
                parts.iter().find_map(|part| {
                    part.get("additionalProperties")
                        .filter(|extra| extra.is_object())
                })
            })
    }

    /// True when `schema` is a string's and nothing else's.
    fn only_string(&self, schema: &Value) -> bool {
        let types: Vec<&str> = self
            .parts(schema)
            .iter()
            .filter_map(|part| part.get("type").and_then(Value::as_str))
            .collect();
        !types.is_empty() && types.iter().all(|t| *t == "string")
    }

    /// The path of the first `null` in `value` that `schema` describes and does not allow
    /// (`lines[0].offer`), or `None` without one.
    #[cfg(test)]
    pub(crate) fn first_null(&self, value: &Value, schema: &Value) -> Option<String> {
        self.first_off_shape(value, schema)
            .filter(|(_, what)| *what == Off::Null)
            .map(|(path, _)| path)
    }

    /// The path of the first value in `value` of a type `schema` does not allow: a `null`
    /// where nothing is nullable, a number or `true`/`false` where a string is expected.
    fn first_off_shape(&self, value: &Value, schema: &Value) -> Option<(String, Off)> {
        match value {
            Value::Null => {
                let nullable = self
                    .parts(schema)
                    .iter()
                    .any(|part| part.get("nullable") == Some(&Value::Bool(true)));
                (!nullable).then(|| (String::new(), Off::Null))
            }
            Value::Bool(_) | Value::Number(_) => self
                .only_string(schema)
                .then(|| (String::new(), Off::NotAString)),
            Value::Array(items) => {
                let parts = self.parts(schema);
                let item = parts.iter().find_map(|part| part.get("items"))?;
                items.iter().enumerate().find_map(|(index, value)| {
                    self.first_off_shape(value, item)
                        .map(|(rest, off)| (format!("[{index}]{}", dotted(&rest)), off))
                })
            }
            Value::Object(fields) => fields.iter().find_map(|(name, value)| {
                let field = self.field(schema, name)?;
                self.first_off_shape(value, field)
                    .map(|(rest, off)| (format!("{name}{}", dotted(&rest)), off))
            }),
            Value::String(_) => None,
        }
    }
}

impl<E: Endpoint> Middleware<E> for NoNulls {
    type Output = NoNullsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        NoNullsEndpoint {
            inner,
            nulls: self.clone(),
        }
    }
}

/// The endpoint [`NoNulls`] wraps.
#[derive(Debug)]
pub(crate) struct NoNullsEndpoint<E> {
    inner: E,
    nulls: NoNulls,
}

/// True for `application/json` and `application/…+json` (a problem body, say).
fn is_json(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .is_some_and(|essence| {
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        })
}

/// What is wrong with a value off its schema's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Off {
    /// `null` where the schema is not nullable.
    Null,
    /// A number or a boolean where the schema is a string's.
    NotAString,
}

/// `rest` of a path joined to the part before it: `.name`, or `[0]` as it is.
fn dotted(rest: &str) -> String {
    if rest.is_empty() || rest.starts_with('[') {
        rest.to_owned()
    } else {
        format!(".{rest}")
    }
}

impl<E: Endpoint> Endpoint for NoNullsEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let schema = is_json(&req)
            .then(|| self.nulls.schema_for(req.method(), req.uri().path()))
            .flatten();
        if let Some(schema) = schema {
            let bytes = req.take_body().into_bytes().await?;
            if let Ok(value) = serde_json::from_slice::<Value>(&bytes)
                && let Some((path, off)) = self.nulls.first_off_shape(&value, schema)
            {
                let detail = match (path.is_empty(), off) {
                    (true, _) => {
                        "the request body is null: expected the JSON object of the operation"
                            .to_owned()
                    }
                    (false, Off::Null) => format!(
                        "`{path}` is null: leave out a field that has no value (no field of \
                         a request is nullable)"
                    ),
                    (false, Off::NotAString) => {
                        format!("`{path}` is a JSON number or boolean: expected a string (\"…\")")
                    }
                };
                return Ok(Problem::new(StatusCode::BAD_REQUEST, detail).into_response());
            }
            req.set_body(Body::from_bytes(bytes));
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Value {
        json!({
            "paths": {"/v1/customers/{id}/orders": {"post": {"requestBody": {"content": {
                "application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/NewOrder"}}
            }}}}},
            "components": {"schemas": {
                "NewOrder": {"type": "object", "properties": {
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                    "note": {"type": "string", "nullable": true},
                    "per_country": {"type": "object", "additionalProperties": {"type": "string"}}
                }},
                "Line": {"type": "object", "properties": {"offer": {"type": "integer"}}}
            }}
        })
    }

    #[test]
    fn a_null_the_schema_describes_is_named_by_its_path_and_others_are_left_alone() {
        let nulls = NoNulls::from_document(&document());
        let schema = nulls
            .schema_for(&Method::POST, "/v1/customers/7/orders")
            .cloned()
            .unwrap();
        let first = |body: Value| nulls.first_null(&body, &schema);
        assert_eq!(first(json!({"lines": [{"offer": 1}]})), None);
        assert_eq!(first(json!(null)).as_deref(), Some(""));
        assert_eq!(
            first(json!({"lines": [{"offer": 1}, {"offer": null}]})).as_deref(),
            Some("lines[1].offer")
        );
        assert_eq!(
            first(json!({"per_country": {"DE": null}})).as_deref(),
            Some("per_country.DE")
        );
        assert_eq!(first(json!({"note": null})), None, "nullable");
        let off = |body: Value| nulls.first_off_shape(&body, &schema);
        assert_eq!(
            off(json!({"per_country": {"DE": 15}})),
            Some(("per_country.DE".to_owned(), Off::NotAString))
        );
        assert_eq!(off(json!({"lines": [{"offer": 1}]})), None);
        assert_eq!(
            first(json!({"unknown": null, "x": [null]})),
            None,
            "not described"
        );
        assert!(
            nulls
                .schema_for(&Method::GET, "/v1/customers/7/orders")
                .is_none()
        );
        assert!(
            nulls
                .schema_for(&Method::POST, "/v1/customers//orders")
                .is_none()
        );
    }
}

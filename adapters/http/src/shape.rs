//! Requests checked against the shapes the OpenAPI document gives them, where poem-openapi
//! reads more than the document allows.
//!
//! No schema of a request body in the document is `nullable`, so a body with a `null` at a
//! field its schema names is off its schema; poem-openapi would read it as the field left
//! out, and a client generated from the document would send what the document forbids and
//! have it accepted. poem-openapi also reads a number or a boolean as the text of a string
//! field, and answers a value off an enum without naming the values allowed. [`ShapeCheck`]
//! refuses all three with 400 naming the field (and the values of an enum), before the
//! operation runs: in a JSON body, and for an enum, in the query string.

use std::sync::Arc;

use poem::http::header::CONTENT_TYPE;
use poem::http::{Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use serde_json::{Map, Value};

use crate::problem::Problem;

/// Refuses a JSON request body holding `null` where its schema names a field (or an item
/// of a list the schema describes), a number or boolean where it names a string (which
/// poem-openapi would read as its text), or a string off the field's `enum`, with 400
/// naming the field (and, for an enum, the values allowed). Fields the schema does not name are the
/// operation's to refuse or ignore; bodies that are not JSON, or not well formed, go on to
/// the operation, which answers them as it does.
#[derive(Clone, Debug)]
pub(crate) struct ShapeCheck {
    routes: Arc<[BodyRoute]>,
    schemas: Arc<Map<String, Value>>,
}

/// An operation with something to check: its method, its path (`{name}` segments match
/// any one segment), the schema of its JSON body and its query parameters that are enums.
#[derive(Debug)]
struct BodyRoute {
    method: Method,
    segments: Vec<String>,
    schema: Option<Value>,
    queries: Vec<(String, Vec<String>)>,
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

impl ShapeCheck {
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
                let queries: Vec<(String, Vec<String>)> = operation
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|parameter| parameter.get("in") == Some(&Value::from("query")))
                    .filter_map(|parameter| {
                        let name = parameter.get("name")?.as_str()?.to_owned();
                        let schema = parameter.get("schema")?;
                        let values = enum_values(document, schema)?;
                        Some((name, values))
                    })
                    .collect();
                if schema.is_some() || !queries.is_empty() {
                    routes.push(BodyRoute {
                        method,
                        segments: path
                            .trim_end_matches('/')
                            .split('/')
                            .map(str::to_owned)
                            .collect(),
                        schema,
                        queries,
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

    /// What there is to check of `method` on `path`.
    fn route_for(&self, method: &Method, path: &str) -> Option<&BodyRoute> {
        self.routes.iter().find(|route| route.matches(method, path))
    }

    /// The schema of the JSON body of `method` on `path`, if it takes one.
    #[cfg(test)]
    fn schema_for(&self, method: &Method, path: &str) -> Option<&Value> {
        self.route_for(method, path)
            .and_then(|route| route.schema.as_ref())
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
        self.only_type(schema, "string")
    }

    /// True when `schema` is of the JSON type `name` and nothing else.
    fn only_type(&self, schema: &Value, name: &str) -> bool {
        let types: Vec<&str> = self
            .parts(schema)
            .iter()
            .filter_map(|part| part.get("type").and_then(Value::as_str))
            .collect();
        !types.is_empty() && types.iter().all(|t| *t == name)
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
    /// where nothing is nullable, a number or `true`/`false` where a string is expected,
    /// anything but `true`/`false` where a boolean is.
    fn first_off_shape(&self, value: &Value, schema: &Value) -> Option<(String, Off)> {
        if !matches!(value, Value::Bool(_) | Value::Null) && self.only_type(schema, "boolean") {
            let given = match value {
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Array(_) => "an array",
                _ => "an object",
            };
            return Some((String::new(), Off::NotABoolean { given }));
        }
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
            Value::String(text) => {
                let parts = self.parts(schema);
                let allowed = parts
                    .iter()
                    .find_map(|part| part.get("enum").and_then(Value::as_array))?;
                // A long list (currencies, countries) is left to its type, whose problem
                // says what is expected in a sentence rather than in 200 codes.
                if allowed.len() > MAX_LISTED
                    || allowed.iter().any(|value| value.as_str() == Some(text))
                {
                    return None;
                }
                let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                Some((
                    String::new(),
                    Off::NotOneOf {
                        given: text.clone(),
                        allowed: names.join(", "),
                    },
                ))
            }
        }
    }
}

impl<E: Endpoint> Middleware<E> for ShapeCheck {
    type Output = ShapeCheckEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ShapeCheckEndpoint {
            inner,
            check: self.clone(),
        }
    }
}

/// The endpoint [`ShapeCheck`] wraps.
#[derive(Debug)]
pub(crate) struct ShapeCheckEndpoint<E> {
    inner: E,
    check: ShapeCheck,
}

/// The values of `schema`'s `enum` (or of the component its `$ref` names).
fn enum_values(document: &Value, schema: &Value) -> Option<Vec<String>> {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => document.pointer(reference.strip_prefix('#')?)?,
        None => schema,
    };
    let values = schema.get("enum")?.as_array()?;
    // An integer enum (a prepaid term's months) is written in the query as its digits.
    Some(
        values
            .iter()
            .filter_map(|value| match value {
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            })
            .collect(),
    )
}

/// The first query parameter of `req` whose value is off its enum, as a problem.
fn query_off_enum(req: &Request, queries: &[(String, Vec<String>)]) -> Option<Problem> {
    if queries.is_empty() {
        return None;
    }
    let given: Vec<(String, String)> = req.params().unwrap_or_default();
    given.iter().find_map(|(name, value)| {
        let (_, allowed) = queries.iter().find(|(query, _)| query == name)?;
        (!allowed.contains(value)).then(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "`{name}` is {value:?}: expected one of {}",
                    allowed.join(", ")
                ),
            )
        })
    })
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

/// The longest enum whose values a problem lists.
const MAX_LISTED: usize = 20;

/// What is wrong with a value off its schema's type.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Off {
    /// `null` where the schema is not nullable.
    Null,
    /// A number or a boolean where the schema is a string's.
    NotAString,
    /// Anything but `true` or `false` where the schema is a boolean's.
    NotABoolean {
        /// What was sent instead: "a string", "a number", …
        given: &'static str,
    },
    /// A string that is none of the values of the schema's `enum`.
    NotOneOf {
        /// The string sent.
        given: String,
        /// The values allowed, in the schema's order, comma separated.
        allowed: String,
    },
}

/// `rest` of a path joined to the part before it: `.name`, or `[0]` as it is.
fn dotted(rest: &str) -> String {
    if rest.is_empty() || rest.starts_with('[') {
        rest.to_owned()
    } else {
        format!(".{rest}")
    }
}

impl<E: Endpoint> Endpoint for ShapeCheckEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let route = self.check.route_for(req.method(), req.uri().path());
        if let Some(problem) = route.and_then(|route| query_off_enum(&req, &route.queries)) {
            return Ok(problem.into_response());
        }
        let schema = route
            .and_then(|route| route.schema.as_ref())
            .filter(|_| is_json(&req));
        if let Some(schema) = schema {
            let bytes = req.take_body().into_bytes().await?;
            if let Ok(value) = serde_json::from_slice::<Value>(&bytes)
                && let Some((path, off)) = self.check.first_off_shape(&value, schema)
            {
                let subject = if path.is_empty() {
                    "the request body".to_owned()
                } else {
                    format!("`{path}`")
                };
                let detail = match off {
                    Off::Null if path.is_empty() => {
                        "the request body is null: expected the JSON object of the operation"
                            .to_owned()
                    }
                    Off::Null => format!(
                        "{subject} is null: leave out a field that has no value (no field of a \
                         request is nullable)"
                    ),
                    Off::NotAString => {
                        format!("{subject} is a JSON number or boolean: expected a string (\"…\")")
                    }
                    Off::NotABoolean { given } => {
                        format!("{subject} is {given}: expected true or false")
                    }
                    Off::NotOneOf { given, allowed } => {
                        format!("{subject} is {given:?}: expected one of {allowed}")
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
            "paths": {
                "/v1/customers/{id}/orders": {"post": {"requestBody": {"content": {
                    "application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/NewOrder"}}
                }}}},
                "/v1/route": {"get": {"parameters": [
                    {"name": "format", "in": "query", "schema": {"$ref": "#/components/schemas/Kind"}}
                ]}}
            },
            "components": {"schemas": {
                "NewOrder": {"type": "object", "properties": {
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                    "note": {"type": "string", "nullable": true},
                    "urgent": {"type": "boolean"},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "per_country": {"type": "object", "additionalProperties": {"type": "string"}}
                }},
                "Line": {"type": "object", "properties": {"offer": {"type": "integer"}}},
                "Kind": {"type": "string", "enum": ["person", "company"]}
            }}
        })
    }

    #[test]
    fn a_null_the_schema_describes_is_named_by_its_path_and_others_are_left_alone() {
        let nulls = ShapeCheck::from_document(&document());
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
            off(json!({"kind": "robot"})),
            Some((
                "kind".to_owned(),
                Off::NotOneOf {
                    given: "robot".to_owned(),
                    allowed: "person, company".to_owned()
                }
            ))
        );
        assert_eq!(off(json!({"kind": "company"})), None);
        assert_eq!(
            off(json!({"urgent": "no"})),
            Some(("urgent".to_owned(), Off::NotABoolean { given: "a string" }))
        );
        assert_eq!(
            off(json!({"urgent": 0})),
            Some(("urgent".to_owned(), Off::NotABoolean { given: "a number" }))
        );
        assert_eq!(off(json!({"urgent": false})), None);
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
        let route = nulls.route_for(&Method::GET, "/v1/route").unwrap();
        let request = |uri: &str| Request::builder().uri(uri.parse().unwrap()).finish();
        assert!(query_off_enum(&request("/v1/route?format=person"), &route.queries).is_none());
        assert!(query_off_enum(&request("/v1/route"), &route.queries).is_none());
        let problem = query_off_enum(&request("/v1/route?format=robot"), &route.queries).unwrap();
        assert_eq!(problem.status, 400);
        assert_eq!(
            problem.detail,
            "`format` is \"robot\": expected one of person, company"
        );
    }
}

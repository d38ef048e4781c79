//! [`KamailioRpc`]: the SIP engine port on Kamailio's JSON-RPC.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use vnum_app::ports::{SipEngine, SipEngineError};
use vnum_core::PhoneNumber;

/// How long a JSON-RPC call may take: Kamailio answers from memory.
const TIMEOUT: Duration = Duration::from_secs(2);

/// The usrloc table the configuration saves registrations in.
const LOCATION: &str = "location";

/// The htable of routing decisions, by dialled E.164 number.
const ROUTES: &str = "routes";

/// The htable whose key `n` is the route table's epoch.
const EPOCH: &str = "epoch";

/// vnum's changes pushed into a running Kamailio over its JSON-RPC (`jsonrpcs` over `xhttp`
/// on [`EngineSettings::rpc`](crate::EngineSettings::rpc)).
///
/// Kamailio asks vnum for an account's HA1 at every registration, and for the route of a
/// number when its route table (`htable` `routes`) has none. Two things it holds can go
/// stale:
/// - a registration: when a SIP account's password is reset (R5.1) or the account is
///   removed, its registrations are dropped (`ul.rm location <login>`), and a phone that
///   knew only the old password no longer rings and cannot register again;
/// - a route: when a number's routing changes its entry is deleted, and after any change
///   that may end decisions (a balance, a number's state, SIP accounts) the whole table is
///   emptied ([`KamailioRpc::forget_routes`]). Each of them first moves the table's epoch
///   (`htable` `epoch`, key `n`): a worker keeps an answer only if the epoch it read before
///   asking is still the epoch after, so an answer read before a change is never kept
///   after the change was forgotten.
#[derive(Clone, Debug)]
pub struct KamailioRpc {
    url: String,
    client: reqwest::Client,
}

/// The route table's epochs: distinct in every process, so that a restarted vnum never sets
/// an epoch a Kamailio worker read before.
fn next_epoch() -> i64 {
    static EPOCH: std::sync::OnceLock<std::sync::atomic::AtomicI64> = std::sync::OnceLock::new();
    EPOCH
        .get_or_init(|| {
            // Milliseconds since 1970 keep epochs apart across restarts; within a process
            // they count on.
            let started = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            std::sync::atomic::AtomicI64::new(started)
        })
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        // Kamailio's htable integers are 32 bits wide.
        .rem_euclid(i64::from(i32::MAX))
}

impl KamailioRpc {
    /// The JSON-RPC at `url`, such as `http://127.0.0.1:5065/RPC`
    /// ([`EngineSettings::rpc_url`](crate::EngineSettings::rpc_url)).
    #[must_use]
    pub fn new(url: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            // Building fails only when the TLS backend cannot start; this client has none.
            .unwrap_or_default();
        Self {
            url: url.to_owned(),
            client,
        }
    }

    /// Calls `method` with `params` and returns its `result`.
    ///
    /// # Errors
    /// [`SipEngineError`] when Kamailio cannot be reached, answers with an HTTP failure or
    /// with a JSON-RPC error.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, SipEngineError> {
        let request = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1});
        let failed = |why: String| SipEngineError(format!("{method} at {}: {why}", self.url));
        let response = self
            .client
            .post(&self.url)
            .json(&request)
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| failed(format!("HTTP {status}, no JSON-RPC answer: {e}")))?;
        if let Some(error) = body.get("error") {
            return Err(failed(format!("Kamailio answered {error}")));
        }
        if !status.is_success() {
            return Err(failed(format!("HTTP {status}: {body}")));
        }
        Ok(body.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Empties the route table, after any change that may end routing decisions.
    ///
    /// # Errors
    /// As [`KamailioRpc::call`].
    pub async fn forget_routes(&self) -> Result<(), SipEngineError> {
        self.new_epoch().await?;
        self.call("htable.flush", json!([ROUTES])).await.map(drop)
    }

    /// Moves the route table's epoch on, before anything is forgotten.
    async fn new_epoch(&self) -> Result<(), SipEngineError> {
        self.call("htable.seti", json!([EPOCH, "n", next_epoch()]))
            .await
            .map(drop)
    }

    /// Drops every registration of `login`.
    ///
    /// # Errors
    /// As [`KamailioRpc::call`].
    pub async fn drop_registrations(&self, login: &str) -> Result<(), SipEngineError> {
        self.call("ul.rm", json!([LOCATION, login])).await.map(drop)
    }
}

#[async_trait]
impl SipEngine for KamailioRpc {
    /// A new account has no registration; an account whose HA1 changed (its password was
    /// reset) loses the ones the old password made.
    async fn upsert_account(
        &self,
        login: &str,
        _realm: &str,
        _ha1: &str,
    ) -> Result<(), SipEngineError> {
        self.drop_registrations(login).await
    }

    async fn remove_account(&self, login: &str, _realm: &str) -> Result<(), SipEngineError> {
        self.drop_registrations(login).await
    }

    async fn routing_changed(&self, number: &PhoneNumber) -> Result<(), SipEngineError> {
        self.new_epoch().await?;
        self.call("htable.delete", json!([ROUTES, number.to_string()]))
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    // A panic in a test is a failed assertion.
    #![allow(clippy::unwrap_used)]

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;

    /// A one-request HTTP server that answers `body`; the request it read.
    async fn answering(body: &'static str) -> (String, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/RPC", listener.local_addr().unwrap());
        let served = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buffer = [0_u8; 4096];
            // The request is small: read until its JSON body is complete.
            while !request.ends_with(b"}") {
                let read = socket.read(&mut buffer).await.unwrap();
                if read == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..read]);
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
            String::from_utf8(request).unwrap()
        });
        (url, served)
    }

    #[tokio::test]
    async fn a_reset_password_drops_the_logins_registrations() {
        let (url, served) = answering(r#"{"jsonrpc":"2.0","result":{},"id":1}"#).await;
        let rpc = KamailioRpc::new(&url);
        rpc.upsert_account("anna-desk", "sip.vnum.example", "0123")
            .await
            .unwrap();
        let request = served.await.unwrap();
        assert!(request.starts_with("POST /RPC "), "{request}");
        let body: Value = serde_json::from_str(&request[request.find('{').unwrap()..]).unwrap();
        assert_eq!(body["method"], "ul.rm");
        assert_eq!(body["params"], json!(["location", "anna-desk"]));
    }

    #[tokio::test]
    async fn a_json_rpc_error_is_the_ports_error() {
        let (url, _served) =
            answering(r#"{"jsonrpc":"2.0","error":{"code":500,"message":"no table"},"id":1}"#)
                .await;
        let error = KamailioRpc::new(&url)
            .remove_account("anna-desk", "sip.vnum.example")
            .await
            .unwrap_err();
        assert!(error.0.contains("no table"), "{error}");
    }

    #[tokio::test]
    async fn an_engine_that_does_not_answer_is_an_error() {
        // Nothing listens on this port once the listener is gone.
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let rpc = KamailioRpc::new(&format!("http://127.0.0.1:{port}/RPC"));
        assert!(rpc.drop_registrations("anna-desk").await.is_err());
    }
}

//! The call records a Kamailio has not posted yet, kept on disk while it restarts.
//!
//! Kamailio holds the records it has not posted in its `pending` htable, in shared memory.
//! Before [`Kamailio::stop`](crate::Kamailio::stop) stops it, they are read over the
//! JSON-RPC (`htable.dump`) and added to `pending.json` in the spool directory; when
//! [`Kamailio::start`](crate::Kamailio::start) has started the next one, they are given to
//! it (`htable.sets`) and the file is removed. Records are keyed by their Call-ID, so one
//! kept twice is still one record, and vnum counts a record posted twice once.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

/// The htable of records not posted yet (kamailio.cfg, REPORT_CALL).
const TABLE: &str = "pending";

/// How long one JSON-RPC exchange may take.
const TIMEOUT: Duration = Duration::from_secs(5);

fn file(spool: &Path) -> PathBuf {
    spool.join("pending.json")
}

/// Adds the records the Kamailio at `rpc` still holds to the spool; how many it holds.
///
/// # Errors
/// When Kamailio does not answer or the file cannot be written.
pub(crate) fn keep(spool: &Path, rpc: SocketAddr) -> io::Result<usize> {
    let dump = call(rpc, "htable.dump", &json!([TABLE]))?;
    let mut records = read(spool)?;
    let mut held = 0;
    for slot in dump.as_array().into_iter().flatten() {
        for item in slot["slot"].as_array().into_iter().flatten() {
            if let (Some(key), Some(value)) = (item["name"].as_str(), item["value"].as_str()) {
                records.insert(key.to_owned(), value.to_owned());
                held += 1;
            }
        }
    }
    if records.is_empty() {
        return Ok(0);
    }
    fs::create_dir_all(spool)?;
    // Written whole, then renamed: a crash leaves the old file or the new one.
    let partial = spool.join("pending.json.partial");
    fs::write(&partial, serde_json::to_vec(&records)?)?;
    fs::rename(&partial, file(spool))?;
    Ok(held)
}

/// Gives the spool's records to the Kamailio at `rpc` and empties the spool; how many.
///
/// # Errors
/// When the file cannot be read or Kamailio does not take a record; the file is then kept.
pub(crate) fn give_back(spool: &Path, rpc: SocketAddr) -> io::Result<usize> {
    let records = read(spool)?;
    for (key, value) in &records {
        call(rpc, "htable.sets", &json!([TABLE, key, value]))?;
    }
    if !records.is_empty() {
        fs::remove_file(file(spool))?;
    }
    Ok(records.len())
}

/// The records in the spool, by Call-ID.
fn read(spool: &Path) -> io::Result<BTreeMap<String, String>> {
    match fs::read(file(spool)) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(e),
    }
}

/// One JSON-RPC call over HTTP to Kamailio's `jsonrpcs`, its `result`.
fn call(rpc: SocketAddr, method: &str, params: &Value) -> io::Result<Value> {
    let body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).to_string();
    let mut stream = TcpStream::connect_timeout(&rpc, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    write!(
        stream,
        "POST /RPC HTTP/1.1\r\nHost: {rpc}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut reader = BufReader::new(stream);
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::other(format!(
                "{method}: the answer ended early"
            )));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut answer = Vec::new();
    match length {
        Some(length) => {
            answer.resize(length, 0);
            reader.read_exact(&mut answer)?;
        }
        None => {
            reader.read_to_end(&mut answer)?;
        }
    }
    let answer: Value = serde_json::from_slice(&answer)?;
    if let Some(error) = answer.get("error") {
        return Err(io::Error::other(format!(
            "{method}: Kamailio answered {error}"
        )));
    }
    Ok(answer.get("result").cloned().unwrap_or(Value::Null))
}

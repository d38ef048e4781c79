//! The media store on a local directory, and on S3-compatible storage when a local S3
//! server (`moto_server`, from `.ci/venv`) is there: what one store wrote another reads,
//! a missing file is `NotFound`, and usage counts whole folders only.

// Test code: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use vnum_app::ports::{MediaError, MediaStore, MediaUsage};
use vnum_media::ObjectMedia;

/// What every media store must do; `reopen` opens a second store on the same place.
async fn contract(store: &dyn MediaStore, reopen: &dyn MediaStore) {
    store
        .put("customers/7/greetings/3/1", vec![1; 1000])
        .await
        .unwrap();
    store
        .put("customers/7/documents/12", b"%PDF-1.4".to_vec())
        .await
        .unwrap();
    store
        .put("customers/70/documents/13", vec![9; 5])
        .await
        .unwrap();
    // A second write under a key replaces the first.
    store
        .put("customers/7/greetings/3/1", vec![2; 1500])
        .await
        .unwrap();

    assert_eq!(
        reopen.get("customers/7/greetings/3/1").await.unwrap(),
        vec![2; 1500]
    );
    assert_eq!(
        reopen.get("customers/7/documents/12").await.unwrap(),
        b"%PDF-1.4"
    );
    assert_eq!(
        reopen.get("customers/7/documents/99").await,
        Err(MediaError::NotFound("customers/7/documents/99".to_owned()))
    );
    assert_eq!(
        reopen.usage("customers/7").await.unwrap(),
        MediaUsage {
            files: 2,
            bytes: 1508
        },
        "customers/70 is another folder"
    );
    assert_eq!(
        reopen.usage("customers/8").await.unwrap(),
        MediaUsage::default()
    );
}

#[tokio::test]
async fn a_directory_keeps_files_for_the_next_process() {
    let dir = std::env::temp_dir().join(format!("vnum-media-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let place = dir.join("nested/media");
    let store = ObjectMedia::open(place.to_str().unwrap()).unwrap();
    let reopened = ObjectMedia::open(&format!("file://{}", place.display())).unwrap();
    contract(&store, &reopened).await;
    assert!(place.join("customers/7/documents/12").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_place_that_is_no_directory_or_s3_url_is_refused_saying_what_is_expected() {
    let err = ObjectMedia::open("gs://bucket/prefix").unwrap_err();
    assert!(err.to_string().contains("s3://bucket"), "{err}");
    let err = ObjectMedia::open("s3:///prefix").unwrap_err();
    assert!(err.to_string().contains("s3://bucket"), "{err}");
}

/// A `moto_server` on a free loopback port, stopped when dropped.
struct LocalS3 {
    child: Child,
    endpoint: String,
}

impl Drop for LocalS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/venv/bin/moto_server");
    if venv.is_file() {
        return Some(venv);
    }
    let found = Command::new("moto_server")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    found.then(|| PathBuf::from("moto_server"))
}

fn start_local_s3() -> Option<LocalS3> {
    let Some(program) = moto_server() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI runs the S3 test: .ci/run installs moto_server into .ci/venv"
        );
        eprintln!("skipped: no moto_server (pip install 'moto[server]' into .ci/venv)");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = LocalS3 {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("moto_server did not listen on {port}");
}

/// Creates `bucket` with an unsigned `PUT /<bucket>`, which the local server accepts.
fn create_bucket(endpoint: &str, bucket: &str) {
    use std::io::{Read, Write};
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "PUT /{bucket} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn an_s3_bucket_keeps_files_under_its_prefix() {
    let Some(s3) = start_local_s3() else {
        return;
    };
    create_bucket(&s3.endpoint, "vnum-media");
    let options = [
        ("aws_endpoint", s3.endpoint.as_str()),
        ("aws_allow_http", "true"),
        ("aws_access_key_id", "test"),
        ("aws_secret_access_key", "test"),
        ("aws_region", "us-east-1"),
    ];
    let store = ObjectMedia::open_with("s3://vnum-media/prod", options).unwrap();
    let reopened = ObjectMedia::open_with("s3://vnum-media/prod", options).unwrap();
    contract(&store, &reopened).await;
    // The prefix keeps another deployment's files apart.
    let staging = ObjectMedia::open_with("s3://vnum-media/staging", options).unwrap();
    assert_eq!(
        staging.usage("customers/7").await.unwrap(),
        MediaUsage::default()
    );
}

//! Runs the fuzz targets' seed corpora (`fuzz/corpus/<target>/`) through the same checks
//! as the fuzz targets, on stable Rust, so a regression found by fuzzing stays fixed.

use std::fs;
use std::path::PathBuf;

use vnum_calls::{ForwardingTarget, check_wav, fuzz_checks};

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a readable corpus entry").path();
            let name = path.file_name().expect("a file name");
            let bytes = fs::read(&path).expect("a readable corpus file");
            (name.to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{target}: only {} seeds", files.len());
    files
}

#[test]
fn wav_header_corpus_keeps_its_laws() {
    let files = corpus("wav_header");
    for (_, bytes) in &files {
        fuzz_checks::wav(bytes);
    }
    let accepted: Vec<_> = files
        .iter()
        .filter(|(_, bytes)| check_wav(bytes).is_ok())
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        accepted,
        [
            "seed-good-8k-mono-pcm16",
            "seed-good-with-list-and-odd-chunk"
        ]
    );
}

#[test]
fn forwarding_target_corpus_round_trips() {
    let files = corpus("forwarding_target");
    for (_, bytes) in &files {
        fuzz_checks::forwarding_target(std::str::from_utf8(bytes).unwrap());
    }
    let rejected: Vec<_> = files
        .iter()
        .filter(|(_, b)| ForwardingTarget::parse(std::str::from_utf8(b).unwrap()).is_err())
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        rejected,
        [
            "seed-bad-params",
            "seed-bad-port",
            "seed-junk",
            "seed-regression-national-prefix"
        ]
    );
}

#[test]
fn e164_corpus_round_trips() {
    for (_, bytes) in corpus("e164") {
        fuzz_checks::e164(std::str::from_utf8(&bytes).unwrap());
    }
}

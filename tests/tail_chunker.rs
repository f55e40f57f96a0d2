//! Cutting a live byte stream into lines (`LineChunker` modes, the
//! first-line peek a pipe is sniffed with) and keeping not-yet-existing
//! paths when following. No files are followed here; see `tail_follow`.

use hunt::ingest::read::{expand, expand_following, Chunk, ChunkMode, Input, LineChunker, Peeked};
use hunt::ingest::FileStats;
use std::io::{self, Read};

/// A pipe: each read returns the next queued piece; reading past the
/// queue fails the test, because a live pipe would block there.
struct Pipe(std::collections::VecDeque<Vec<u8>>, bool);
impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.pop_front() {
            Some(p) => {
                buf[..p.len()].copy_from_slice(&p);
                Ok(p.len())
            }
            None if self.1 => Ok(0),
            None => panic!("read would block: lines already received were held back"),
        }
    }
}

fn text(c: &Chunk) -> String {
    String::from_utf8(c.data.clone()).unwrap()
}

#[test]
fn eager_hands_out_lines_after_each_read_and_flushes_at_close() {
    let pieces = [&b"a\nb"[..], b"b\n", b"c"].map(<[u8]>::to_vec);
    let mut pipe = Pipe(pieces.into_iter().collect(), false);
    let mut c = LineChunker::new(1 << 20);
    let mut stats = FileStats::default();
    let first = c
        .next_chunk(&mut pipe, ChunkMode::Eager, &mut stats)
        .unwrap()
        .unwrap();
    assert_eq!(text(&first), "a\n");
    let second = c
        .next_chunk(&mut pipe, ChunkMode::Eager, &mut stats)
        .unwrap()
        .unwrap();
    assert_eq!(
        (text(&second).as_str(), second.offset, second.first_line),
        ("bb\n", 2, 2)
    );
    pipe.1 = true; // the writer closes the pipe
    let last = c
        .next_chunk(&mut pipe, ChunkMode::Eager, &mut stats)
        .unwrap()
        .unwrap();
    assert_eq!(text(&last), "c");
    assert!(last.unterminated);
    assert!(c
        .next_chunk(&mut pipe, ChunkMode::Eager, &mut stats)
        .unwrap()
        .is_none());
}

#[test]
fn follow_keeps_a_partial_line_until_its_newline() {
    let mut c = LineChunker::new(1 << 20);
    let mut stats = FileStats::default();
    let mut r = io::Cursor::new(b"one\ntw".to_vec());
    let got = c
        .next_chunk(&mut r, ChunkMode::Follow, &mut stats)
        .unwrap()
        .unwrap();
    assert_eq!(text(&got), "one\n");
    assert!(c
        .next_chunk(&mut r, ChunkMode::Follow, &mut stats)
        .unwrap()
        .is_none());
    assert_eq!(c.pending(), 2);
    let mut r = io::Cursor::new(b"o\n".to_vec());
    let got = c
        .next_chunk(&mut r, ChunkMode::Follow, &mut stats)
        .unwrap()
        .unwrap();
    assert_eq!(
        (text(&got).as_str(), got.offset, got.first_line),
        ("two\n", 4, 2)
    );
    assert!(!got.unterminated);
}

#[test]
fn first_line_peek_stops_at_a_newline() {
    let pieces = [&b"{\"a\""[..], b":1}\n{"].map(<[u8]>::to_vec);
    let p = Peeked::first_line(Pipe(pieces.into_iter().collect(), false), 64 * 1024).unwrap();
    assert_eq!(p.head(), b"{\"a\":1}\n{");
}

#[test]
fn expand_following_keeps_missing_paths_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let there = dir.path().join("there.log");
    std::fs::write(&there, b"x\n").unwrap();
    let missing = dir.path().join("later.log");
    let (inputs, errors) = expand_following(&[missing.clone(), there.clone()]);
    assert!(errors.is_empty());
    assert_eq!(
        inputs,
        vec![Input::Path(missing.clone()), Input::Path(there)]
    );
    let (_, errors) = expand(&[missing]);
    assert_eq!(
        errors.len(),
        1,
        "a plain scan still reports the missing file"
    );
}

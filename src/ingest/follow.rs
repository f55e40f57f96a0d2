//! Noticing what happened to a followed file between polls, as `tail -F`
//! does, with plain status calls (DEPS.md §4: inotify reports no truncation
//! and does not work on network shares, where SOC logs often live):
//! the open handle's size dropping below what was read means it was
//! truncated in place (copytruncate); the path naming another file (device,
//! inode) means rotation by rename-and-create; a missing path means it was
//! rotated away and the new file is not there yet. This module only
//! observes: reading, draining and reopening are the source reader's job.
//!
//! A file truncated and then rewritten past the old read position between
//! two polls keeps its identity and does not shrink, so each [`Watch`] also
//! keeps a hash of the first bytes read (up to [`PREFIX_BYTES`]): whenever
//! the size or modification time changed, that prefix is read again with a
//! positional read and compared, and a mismatch counts as a truncation. The
//! reader asks before it reads on from its old offset. Rewritten content
//! that starts with the very same bytes still looks like growth.
//!
//! A watch can be parked (its handle closed, so thousands of followed files
//! fit in a small descriptor limit): it then remembers the read position
//! and answers from a status call on the path whether the file must be
//! opened again ([`FileChange::Touched`]); [`Watch::resume`] checks the file
//! opened again is the same one, not shrunk, with the same prefix. Rotation
//! by identity needs Unix device and inode numbers, elsewhere only
//! truncation is noticed.

use std::fs::{self, File, Metadata};
use std::hash::Hasher;
use std::io::{self, Seek};
use std::path::Path;
use std::time::SystemTime;

/// Bytes at the start of a followed file compared to tell a rewritten file
/// from a grown one.
pub const PREFIX_BYTES: usize = 4096;

/// The file behind an open handle, and a second handle on it to ask its
/// size and read position without disturbing the reader.
pub struct Watch {
    /// `None` while parked.
    handle: Option<File>,
    identity: Option<(u64, u64)>,
    /// The read position when the handle was closed.
    parked_at: u64,
    prefix: Prefix,
    /// Size and modification time when last compared.
    seen: Option<(u64, Option<SystemTime>)>,
}

/// The first bytes read from the file, as a hash and a length. The bytes
/// themselves are kept only until [`PREFIX_BYTES`] of them are known.
#[derive(Default)]
struct Prefix {
    len: u64,
    hash: u64,
    bytes: Vec<u8>,
    /// No more bytes are added (full, or a gap in what was read).
    closed: bool,
}

/// What happened to a followed file since it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// Still the same file, possibly grown.
    Same,
    /// Shrunk below what was read, or its first bytes are no longer those
    /// read: start again from its beginning.
    Truncated,
    /// The path now names another file: finish the old one, then open the new.
    Replaced,
    /// The path is gone: keep reading the old handle and wait for a new file.
    Missing,
    /// A parked file whose size or modification time changed: open it again
    /// to read on (see [`Watch::resume`]).
    Touched,
}

impl Watch {
    /// Watches the file behind `file`, the handle being read. The clone
    /// shares its read position.
    pub fn new(file: &File) -> io::Result<Watch> {
        let meta = file.metadata()?;
        Ok(Watch {
            handle: Some(file.try_clone()?),
            identity: identity(&meta),
            parked_at: 0,
            prefix: Prefix::default(),
            seen: None,
        })
    }

    /// Bytes read from the file so far through any handle sharing this position.
    pub fn position(&self) -> io::Result<u64> {
        match &self.handle {
            Some(h) => {
                let mut h: &File = h;
                h.stream_position()
            }
            None => Ok(self.parked_at),
        }
    }

    /// Records bytes read from the file at stream `offset`: the first
    /// [`PREFIX_BYTES`] of them are what later checks compare.
    pub fn note_read(&mut self, offset: u64, data: &[u8]) {
        let p = &mut self.prefix;
        if p.closed || offset > p.len || offset + data.len() as u64 <= p.len {
            // A gap (an over-long line skipped) ends the prefix; bytes
            // already known are not hashed twice.
            p.closed |= offset > p.len;
            return;
        }
        let skip = usize::try_from(p.len - offset).unwrap_or(usize::MAX);
        let want = PREFIX_BYTES.saturating_sub(p.bytes.len());
        let new = data.get(skip..).unwrap_or_default();
        let take = new.get(..want.min(new.len())).unwrap_or_default();
        p.bytes.extend_from_slice(take);
        p.len = p.bytes.len() as u64;
        p.hash = hash(&p.bytes);
        if p.bytes.len() >= PREFIX_BYTES {
            p.closed = true;
            p.bytes = Vec::new();
        }
    }

    /// Compares the open file and the path with what was opened. Call it
    /// before reading on from the old position.
    pub fn check(&mut self, path: &Path) -> FileChange {
        let Some(handle) = &self.handle else {
            return self.change_while_parked(path);
        };
        if let (Ok(meta), Ok(pos)) = (handle.metadata(), self.position()) {
            if meta.len() < pos {
                return FileChange::Truncated;
            }
            let now = (meta.len(), meta.modified().ok());
            if self.seen != Some(now) {
                if !self.prefix_holds(handle) {
                    return FileChange::Truncated;
                }
                self.seen = Some(now);
            }
        }
        match fs::metadata(path) {
            Ok(meta) if self.identity.is_some() && identity(&meta) != self.identity => {
                FileChange::Replaced
            }
            Ok(_) => FileChange::Same,
            Err(_) => FileChange::Missing,
        }
    }

    /// Closes the handle, remembering the read position. When the file is
    /// read to its end and still starts with the bytes read, its size and
    /// time are noted, so it is opened again only once they change.
    pub fn park(&mut self) {
        if let Ok(pos) = self.position() {
            self.parked_at = pos;
        }
        if let Some(handle) = self.handle.take() {
            if let Ok(meta) = handle.metadata() {
                if meta.len() == self.parked_at && self.prefix_holds(&handle) {
                    self.seen = Some((meta.len(), meta.modified().ok()));
                }
            }
        }
    }

    /// True while the handle is closed.
    pub fn is_parked(&self) -> bool {
        self.handle.is_none()
    }

    /// For a parked watch: what a status call on the path tells.
    pub fn change_while_parked(&self, path: &Path) -> FileChange {
        match fs::metadata(path) {
            Err(_) => FileChange::Missing,
            Ok(meta) if self.identity.is_some() && identity(&meta) != self.identity => {
                FileChange::Replaced
            }
            Ok(meta) if meta.len() < self.parked_at => FileChange::Truncated,
            Ok(meta) if self.seen == Some((meta.len(), meta.modified().ok())) => FileChange::Same,
            Ok(_) => FileChange::Touched,
        }
    }

    /// Takes `file`, just opened at the watched path, as the handle of a
    /// parked watch: `Same` when it is the file that was being read, not
    /// shrunk and with the same first bytes (then `file` is positioned
    /// where reading stopped); otherwise what changed.
    pub fn resume(&mut self, mut file: File) -> io::Result<FileChange> {
        let meta = file.metadata()?;
        if self.identity.is_some() && identity(&meta) != self.identity {
            return Ok(FileChange::Replaced);
        }
        if meta.len() < self.parked_at || !self.prefix_holds(&file) {
            return Ok(FileChange::Truncated);
        }
        file.seek(io::SeekFrom::Start(self.parked_at))?;
        self.seen = Some((meta.len(), meta.modified().ok()));
        self.handle = Some(file);
        Ok(FileChange::Same)
    }

    /// True when the file still starts with the bytes read from it.
    fn prefix_holds(&self, file: &File) -> bool {
        let p = &self.prefix;
        let Ok(len) = usize::try_from(p.len) else {
            return false;
        };
        if len == 0 {
            return true;
        }
        let mut buf = vec![0u8; len];
        read_at(file, &mut buf).is_ok_and(|()| hash(&buf) == p.hash)
    }
}

impl Watch {
    /// The open file's identity and modification time, asked through the
    /// handle (the file may no longer be at the path): what
    /// [`generations_since`] compares rotated siblings with.
    pub fn handle_state(&self) -> Option<Generation> {
        let meta = self.handle.as_ref()?.metadata().ok()?;
        Some(Generation {
            identity: identity(&meta),
            modified: meta.modified().ok(),
        })
    }
}

/// A followed file as a rotation left it: identity and last write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    pub identity: Option<(u64, u64)>,
    pub modified: Option<SystemTime>,
}

/// At most this many missed generations are read after one rotation.
pub const MAX_GENERATIONS: usize = 16;

/// The files that were the followed path between two polls and were
/// rotated on before hunt saw them: siblings named after it (`auth.log.1`,
/// `auth.log-20261207`, `auth.log.1.gz`) that are neither the file just
/// drained (`old`) nor the one now at the path, and whose last write is
/// not earlier than `old`'s (an older generation stopped being written before
/// `old` was created). Oldest first, at most [`MAX_GENERATIONS`]. Empty
/// without Unix identities or modification times.
pub fn generations_since(path: &Path, old: Generation) -> Vec<std::path::PathBuf> {
    let (Some(old_id), Some(old_time)) = (old.identity, old.modified) else {
        return Vec::new();
    };
    let current = fs::metadata(path).ok().and_then(|m| identity(&m));
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let name = name.to_string_lossy();
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    // File times come from the kernel's coarse clock (a tick of 4 to 10 ms):
    // a generation written just after `old` can carry `old`'s very time, so
    // an equal time counts (identity already excludes `old` itself), and
    // ties go by logrotate's numbering (a higher `.N` is older), then name.
    let mut found: Vec<(SystemTime, std::cmp::Reverse<u64>, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.strip_prefix(name.as_ref())
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| matches!(c, '.' | '-' | '_'))
        })
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            let id = identity(&meta)?;
            let modified = meta.modified().ok()?;
            let n = e.file_name();
            let number = n
                .to_string_lossy()
                .get(name.len() + 1..)
                .map(|rest| rest.trim_end_matches(".gz"))
                .and_then(|rest| rest.parse::<u64>().ok())
                .unwrap_or(0);
            (meta.is_file() && id != old_id && Some(id) != current && modified >= old_time)
                .then(|| (modified, std::cmp::Reverse(number), e.path()))
        })
        .collect();
    found.sort();
    found.truncate(MAX_GENERATIONS);
    found.into_iter().map(|(_, _, p)| p).collect()
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.write_usize(bytes.len());
    h.finish()
}

/// Fills `buf` from the start of the file without moving its read position.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8]) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, 0)
}

/// Elsewhere the prefix is not compared (only truncation by size is noticed).
#[cfg(not(unix))]
fn read_at(_file: &File, _buf: &mut [u8]) -> io::Result<()> {
    Err(io::Error::other("no positional read"))
}

/// How many files a reader keeps open at once: a followed file holds two
/// descriptors (the reader and its watch), so a quarter of the soft limit
/// on open files (RLIMIT_NOFILE, read from `/proc/self/limits`), at most
/// 128, leaves the rest to the process; 64 where the limit is unknown.
pub fn open_file_budget() -> usize {
    let soft = fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| soft_open_files(&t));
    budget_for(soft)
}

fn budget_for(soft_limit: Option<u64>) -> usize {
    match soft_limit {
        Some(n) => (n / 4).clamp(1, 128) as usize,
        None => 64,
    }
}

/// The soft limit in `/proc/self/limits` text ("Max open files  1024  4096  files").
fn soft_open_files(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line
        .get("Max open files".len()..)?
        .split_whitespace()
        .next()?;
    if soft == "unlimited" {
        return Some(u64::MAX);
    }
    soft.parse().ok()
}

/// True when `path` is not a regular file (a FIFO, a character device such
/// as `/dev/stdin`): it is read like a pipe, not polled like a file.
pub fn is_pipe_path(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file())
}

#[cfg(unix)]
fn identity(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn notices_truncation_rename_and_removal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, b"one\ntwo\n").unwrap();
        let mut f = File::open(&path).unwrap();
        let mut w = Watch::new(&f).unwrap();
        assert_eq!(w.check(&path), FileChange::Same);
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(
            w.position().unwrap(),
            8,
            "the clone shares the read position"
        );
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"x\n")
            .unwrap();
        assert_eq!(
            w.check(&path),
            FileChange::Same,
            "growth is not a change of file"
        );
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        assert_eq!(w.check(&path), FileChange::Truncated);

        let path2 = dir.path().join("b.log");
        fs::write(&path2, b"1\n").unwrap();
        let mut w2 = Watch::new(&File::open(&path2).unwrap()).unwrap();
        fs::rename(&path2, dir.path().join("b.log.1")).unwrap();
        assert_eq!(w2.check(&path2), FileChange::Missing);
        fs::write(&path2, b"").unwrap();
        assert_eq!(w2.check(&path2), FileChange::Replaced);
    }

    #[test]
    fn a_rewrite_that_only_grew_is_told_by_its_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.log");
        fs::write(&path, b"one\ntwo\n").unwrap();
        let mut f = File::open(&path).unwrap();
        let mut w = Watch::new(&f).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        w.note_read(0, s.as_bytes());
        assert_eq!(w.check(&path), FileChange::Same);
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"three\n")
            .unwrap();
        assert_eq!(w.check(&path), FileChange::Same, "grown, same start");
        fs::write(&path, b"ONE\ntwo\nthree\nfour\n").unwrap();
        assert_eq!(w.check(&path), FileChange::Truncated, "rewritten, longer");
    }

    #[test]
    fn the_prefix_stops_at_a_gap_and_at_its_size() {
        let mut w = Watch::new(&tempfile::tempfile().unwrap()).unwrap();
        w.note_read(0, b"ab");
        w.note_read(0, b"ab");
        w.note_read(2, b"cd");
        assert_eq!((w.prefix.len, w.prefix.bytes.as_slice()), (4, &b"abcd"[..]));
        w.note_read(10, b"after a skipped line");
        w.note_read(4, b"ef");
        assert_eq!(w.prefix.len, 4, "nothing after a gap");

        let mut w = Watch::new(&tempfile::tempfile().unwrap()).unwrap();
        w.note_read(0, &[b'x'; PREFIX_BYTES + 10]);
        assert_eq!(w.prefix.len, PREFIX_BYTES as u64);
        assert!(
            w.prefix.bytes.is_empty(),
            "the bytes are dropped once hashed"
        );
    }

    #[test]
    fn the_budget_is_a_quarter_of_the_soft_limit_at_most_128() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max open files            256                  524288               files\n";
        assert_eq!(soft_open_files(limits), Some(256));
        assert_eq!(
            soft_open_files("Max open files  unlimited  unlimited  files"),
            Some(u64::MAX)
        );
        assert_eq!(soft_open_files("nothing here"), None);
        assert_eq!(budget_for(Some(256)), 64);
        assert_eq!(budget_for(Some(1024)), 128);
        assert_eq!(budget_for(Some(u64::MAX)), 128);
        assert_eq!(budget_for(Some(3)), 1);
        assert_eq!(budget_for(None), 64);
        assert!((1..=128).contains(&open_file_budget()));
    }
}

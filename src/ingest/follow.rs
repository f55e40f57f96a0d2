//! Noticing what happened to a followed file between polls, as `tail -F`
//! does, with plain status calls (DEPS.md §4: inotify reports no truncation
//! and does not work on network shares, where SOC logs often live):
//! the open handle's size dropping below what was read means it was
//! truncated in place (copytruncate); the path naming another file (device,
//! inode) means rotation by rename-and-create; a missing path means it was
//! rotated away and the new file is not there yet. This module only
//! observes: reading, draining and reopening are the source reader's job.
//!
//! Limits: a file truncated and then rewritten past the old read position
//! between two polls looks like a file that only grew (tail has the same
//! blind spot); rotation by identity needs Unix device and inode numbers,
//! elsewhere only truncation is noticed.

use std::fs::{self, File, Metadata};
use std::io::{self, Seek};
use std::path::Path;

/// The file behind an open handle, and a second handle on it to ask its
/// size and read position without disturbing the reader.
pub struct Watch {
    handle: File,
    identity: Option<(u64, u64)>,
}

/// What happened to a followed file since it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// Still the same file, possibly grown.
    Same,
    /// Shrunk below what was read: start again from its beginning.
    Truncated,
    /// The path now names another file: finish the old one, then open the new.
    Replaced,
    /// The path is gone: keep reading the old handle and wait for a new file.
    Missing,
}

impl Watch {
    /// Watches the file behind `file`, the handle being read. The clone
    /// shares its read position.
    pub fn new(file: &File) -> io::Result<Watch> {
        let meta = file.metadata()?;
        Ok(Watch {
            handle: file.try_clone()?,
            identity: identity(&meta),
        })
    }

    /// Bytes read from the file so far through any handle sharing this position.
    pub fn position(&self) -> io::Result<u64> {
        (&self.handle).stream_position()
    }

    /// Compares the open file and the path with what was opened.
    pub fn check(&self, path: &Path) -> FileChange {
        if let (Ok(meta), Ok(pos)) = (self.handle.metadata(), self.position()) {
            if meta.len() < pos {
                return FileChange::Truncated;
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
        let w = Watch::new(&f).unwrap();
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
        let w2 = Watch::new(&File::open(&path2).unwrap()).unwrap();
        fs::rename(&path2, dir.path().join("b.log.1")).unwrap();
        assert_eq!(w2.check(&path2), FileChange::Missing);
        fs::write(&path2, b"").unwrap();
        assert_eq!(w2.check(&path2), FileChange::Replaced);
    }
}

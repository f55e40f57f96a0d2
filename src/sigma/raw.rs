//! Reading a record back from its input for the Sigma rules that need a
//! field the normalized event does not hold (or the raw line, for keyword
//! rules). Only plain files whose offsets point into them are read: gzip,
//! evtx and standard input are not (their fields come from the normalized
//! event). Files stay open (at most [`MAX_OPEN`]) and records are read with
//! positioned reads, so a rule that needs the raw record costs one `pread`
//! per event it looks at, and a scan whose rules never do reads nothing.

use crate::event::Origin;
use crate::store::EventIdx;
use std::collections::HashMap;
use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Files kept open at once.
const MAX_OPEN: usize = 64;
/// Longest record read back.
const MAX_RECORD: u64 = 1 << 20;

/// Where one input's records can be read back (shared with the session,
/// which fills it as inputs are registered, opened and rotated).
#[derive(Clone, Debug, Default)]
pub struct RawFile {
    /// `None` for standard input.
    pub path: Option<PathBuf>,
    /// `evtx` and other binary formats have no readable records.
    pub format: String,
    /// Events before this one were read from an earlier (rotated) file.
    pub generation_start: EventIdx,
}

/// The shared table of inputs, by file id.
pub type RawFiles = Arc<RwLock<Vec<RawFile>>>;

/// Open handles and the files found unreadable.
#[derive(Default)]
pub struct RawReader {
    pub files: RawFiles,
    open: HashMap<u32, Option<File>>,
    /// Records read back (for tests and the benchmark notes).
    pub reads: u64,
}

impl RawReader {
    pub fn new(files: RawFiles) -> RawReader {
        RawReader {
            files,
            open: HashMap::new(),
            reads: 0,
        }
    }

    /// The bytes of the record at `origin` of event `idx`, when they can be read.
    pub fn read(&mut self, idx: EventIdx, origin: Origin) -> Option<Vec<u8>> {
        let file = {
            let files = self.files.read().ok()?;
            let f = files.get(origin.file as usize)?;
            if f.path.is_none()
                || f.format == "evtx"
                || origin.line == 0
                || idx < f.generation_start
            {
                return None;
            }
            f.path.clone()?
        };
        if self.open.len() >= MAX_OPEN && !self.open.contains_key(&origin.file) {
            self.open.clear();
        }
        let handle = self
            .open
            .entry(origin.file)
            .or_insert_with(|| open_plain(&file))
            .as_ref()?;
        self.reads += 1;
        let want = if origin.len > 0 {
            (origin.len as u64).min(MAX_RECORD)
        } else {
            MAX_RECORD.min(64 << 10)
        };
        let mut buf = vec![0u8; want as usize];
        let n = read_at(handle, &mut buf, origin.offset)?;
        buf.truncate(n);
        if origin.len == 0 {
            if let Some(nl) = buf.iter().position(|&b| b == b'\n') {
                buf.truncate(nl);
            }
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        (!buf.is_empty()).then_some(buf)
    }
}

/// The file, unless it is gzip-compressed (offsets are into the decompressed stream).
fn open_plain(path: &std::path::Path) -> Option<File> {
    let f = File::open(path).ok()?;
    let mut magic = [0u8; 2];
    match read_at(&f, &mut magic, 0) {
        Some(2) if magic == [0x1f, 0x8b] => None,
        _ => Some(f),
    }
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], offset: u64) -> Option<usize> {
    use std::os::unix::fs::FileExt;
    let mut done = 0;
    while done < buf.len() {
        match f.read_at(buf.get_mut(done..)?, offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(done)
}

#[cfg(not(unix))]
fn read_at(f: &File, buf: &mut [u8], offset: u64) -> Option<usize> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = f.try_clone().ok()?;
    f.seek(SeekFrom::Start(offset)).ok()?;
    let mut done = 0;
    while done < buf.len() {
        match f.read(buf.get_mut(done..)?) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(_) => return None,
        }
    }
    Some(done)
}

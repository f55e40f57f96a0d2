//! Putting exported rows in detection order with bounded memory: an
//! external merge sort.
//!
//! `hunt scan` holds every event and sorts them once the input is read
//! (the pipeline releases a whole-file scan in one go; there is no bounded
//! lateness to lean on). `hunt events` must not hold the input, so rows are
//! encoded ([`super::row`]) into a buffer of at most `limit` bytes; a full
//! buffer is sorted and written to a temporary run file (unlinked at once
//! on Unix, so nothing is left behind even if hunt is killed); at the end
//! the runs are merged. Memory: the buffer plus one read buffer per run;
//! when runs pile up ([`MAX_RUNS`]) they are merged into one first.
//! Temporary disk: about the size of the rows (half the input, roughly).
//!
//! The order is `hunt scan`'s: time, then the file's rank (a hash of its
//! name), the file id, and the arrival number, which within one file is the
//! file's own order.

use super::row::{decode, encode, Row};
use crate::event::{Event, Millis};
use crate::store::Interner;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// Sort key: time, file rank, file id, arrival number.
pub type Key = (Millis, u64, u32, u64);

/// Runs kept at most before they are merged into one.
pub const MAX_RUNS: usize = 64;
/// Read buffer per run while merging.
const RUN_BUF: usize = 128 << 10;

/// The sorter. See the module documentation.
pub struct Sorter {
    arena: Vec<u8>,
    /// Key, start and length in `arena`.
    keys: Vec<(Key, usize, usize)>,
    runs: Vec<File>,
    dir: PathBuf,
    limit: usize,
    /// Per file id, its rank.
    ranks: Vec<u64>,
    /// Rows spilled to run files so far.
    pub spilled: u64,
    made: u64,
}

impl Sorter {
    /// Buffers at most `limit` bytes; run files go to `dir`.
    pub fn new(ranks: Vec<u64>, dir: PathBuf, limit: usize) -> Sorter {
        Sorter {
            arena: Vec::new(),
            keys: Vec::new(),
            runs: Vec::new(),
            dir,
            limit: limit.max(1),
            ranks,
            spilled: 0,
            made: 0,
        }
    }

    fn key(&self, time: Millis, file: u32, seq: u64) -> Key {
        let rank = self
            .ranks
            .get(file as usize)
            .copied()
            .unwrap_or(u64::from(file));
        (time, rank, file, seq)
    }

    /// Adds an event (text from `strings`) with its arrival number.
    pub fn push(&mut self, ev: &Event, strings: &Interner, seq: u64) -> io::Result<()> {
        let start = self.arena.len();
        encode(ev, strings, seq, &mut self.arena);
        let key = self.key(ev.time, ev.origin.file, seq);
        self.keys.push((key, start, self.arena.len() - start));
        if self.arena.len() + self.keys.len() * std::mem::size_of::<(Key, usize, usize)>()
            >= self.limit
        {
            self.spill()?;
        }
        Ok(())
    }

    /// Bytes held in memory now.
    pub fn held_bytes(&self) -> usize {
        self.arena.capacity() + self.keys.capacity() * std::mem::size_of::<(Key, usize, usize)>()
    }

    fn temp(&mut self) -> io::Result<File> {
        self.made += 1;
        let path = self.dir.join(format!(
            "hunt-events-{}-{}.run",
            std::process::id(),
            self.made
        ));
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        // Unlinked now: the open handle keeps the data until it is dropped.
        let _ = std::fs::remove_file(&path);
        Ok(f)
    }

    /// Writes the buffer, sorted, as a run.
    fn spill(&mut self) -> io::Result<()> {
        if self.keys.is_empty() {
            return Ok(());
        }
        self.keys.sort_unstable_by_key(|k| k.0);
        let file = self.temp()?;
        let mut w = BufWriter::with_capacity(RUN_BUF, file);
        for &(key, start, len) in &self.keys {
            let bytes = self.arena.get(start..start + len).unwrap_or_default();
            write_record(&mut w, key, bytes)?;
        }
        self.spilled += self.keys.len() as u64;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        self.runs.push(file);
        self.keys.clear();
        self.arena.clear();
        if self.runs.len() >= MAX_RUNS {
            self.merge_runs()?;
        }
        Ok(())
    }

    /// Merges every run into one.
    fn merge_runs(&mut self) -> io::Result<()> {
        let runs = std::mem::take(&mut self.runs);
        let mut merge = Merge::new(runs)?;
        let file = self.temp()?;
        let mut w = BufWriter::with_capacity(RUN_BUF, file);
        while let Some((key, bytes)) = merge.next_record()? {
            write_record(&mut w, key, &bytes)?;
        }
        self.runs.push(w.into_inner().map_err(|e| e.into_error())?);
        Ok(())
    }

    /// Every row pushed, in order.
    pub fn finish(mut self) -> io::Result<Sorted> {
        if self.runs.is_empty() {
            self.keys.sort_unstable_by_key(|k| k.0);
            return Ok(Sorted::Memory {
                arena: self.arena,
                keys: self.keys.into_iter(),
            });
        }
        self.spill()?;
        Ok(Sorted::Merge(Merge::new(std::mem::take(&mut self.runs))?))
    }
}

fn write_record(w: &mut impl Write, key: Key, bytes: &[u8]) -> io::Result<()> {
    w.write_all(&key.0.to_le_bytes())?;
    w.write_all(&key.1.to_le_bytes())?;
    w.write_all(&key.2.to_le_bytes())?;
    w.write_all(&key.3.to_le_bytes())?;
    w.write_all(&(bytes.len() as u32).to_le_bytes())?;
    w.write_all(bytes)
}

fn read_record(r: &mut impl Read) -> io::Result<Option<(Key, Vec<u8>)>> {
    let mut head = [0u8; 32];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let (t, rest) = head.split_first_chunk::<8>().ok_or_else(damaged)?;
    let (rank, rest) = rest.split_first_chunk::<8>().ok_or_else(damaged)?;
    let (file, rest) = rest.split_first_chunk::<4>().ok_or_else(damaged)?;
    let (seq, rest) = rest.split_first_chunk::<8>().ok_or_else(damaged)?;
    let (len, _) = rest.split_first_chunk::<4>().ok_or_else(damaged)?;
    let key = (
        i64::from_le_bytes(*t),
        u64::from_le_bytes(*rank),
        u32::from_le_bytes(*file),
        u64::from_le_bytes(*seq),
    );
    let mut bytes = vec![0u8; u32::from_le_bytes(*len) as usize];
    r.read_exact(&mut bytes)?;
    Ok(Some((key, bytes)))
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "damaged temporary run file")
}

/// A k-way merge of sorted runs.
pub struct Merge {
    readers: Vec<BufReader<File>>,
    heads: Vec<Option<Vec<u8>>>,
    heap: BinaryHeap<Reverse<(Key, usize)>>,
}

impl Merge {
    fn new(runs: Vec<File>) -> io::Result<Merge> {
        let mut m = Merge {
            readers: Vec::new(),
            heads: Vec::new(),
            heap: BinaryHeap::new(),
        };
        for (i, mut f) in runs.into_iter().enumerate() {
            f.seek(SeekFrom::Start(0))?;
            let mut r = BufReader::with_capacity(RUN_BUF, f);
            let head = read_record(&mut r)?;
            if let Some((key, _)) = &head {
                m.heap.push(Reverse((*key, i)));
            }
            m.heads.push(head.map(|(_, b)| b));
            m.readers.push(r);
        }
        Ok(m)
    }

    fn next_record(&mut self) -> io::Result<Option<(Key, Vec<u8>)>> {
        let Some(Reverse((key, i))) = self.heap.pop() else {
            return Ok(None);
        };
        let (Some(r), Some(head)) = (self.readers.get_mut(i), self.heads.get_mut(i)) else {
            return Err(damaged());
        };
        let bytes = head.take().ok_or_else(damaged)?;
        if let Some((k, b)) = read_record(r)? {
            *head = Some(b);
            self.heap.push(Reverse((k, i)));
        }
        Ok(Some((key, bytes)))
    }
}

/// The rows in order: from memory when nothing was spilled, else merged.
pub enum Sorted {
    Memory {
        arena: Vec<u8>,
        keys: std::vec::IntoIter<(Key, usize, usize)>,
    },
    Merge(Merge),
}

impl Iterator for Sorted {
    type Item = io::Result<Row>;

    fn next(&mut self) -> Option<io::Result<Row>> {
        let row = match self {
            Sorted::Memory { arena, keys } => {
                let (_, start, len) = keys.next()?;
                arena.get(start..start + len).and_then(decode)
            }
            Sorted::Merge(m) => match m.next_record() {
                Ok(Some((_, bytes))) => decode(&bytes),
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            },
        };
        Some(row.ok_or_else(damaged))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Kind, Source};

    fn event(strings: &mut Interner, time: Millis, file: u32, user: &str) -> Event {
        let mut e = Event::new(time, Source::Sshd, Kind::SignIn);
        e.user = strings.intern(user);
        e.origin.file = file;
        e
    }

    /// Pushes (time, file, user) rows through a sorter of `limit` bytes.
    fn sorted(rows: &[(Millis, u32, &str)], ranks: &[u64], limit: usize) -> (Vec<String>, u64) {
        let dir = tempfile::tempdir().unwrap();
        let mut strings = Interner::default();
        let mut s = Sorter::new(ranks.to_vec(), dir.path().to_path_buf(), limit);
        for (seq, &(t, f, u)) in rows.iter().enumerate() {
            let e = event(&mut strings, t, f, u);
            s.push(&e, &strings, seq as u64).unwrap();
        }
        let spilled = s.spilled;
        let out = s
            .finish()
            .unwrap()
            .map(|r| r.unwrap().ev.user)
            .collect::<Vec<_>>();
        // Run files are unlinked as soon as they are made.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        (out, spilled)
    }

    #[test]
    fn orders_like_the_scan_in_memory_and_through_spilled_runs() {
        let rows = [
            (5, 0, "z"),
            (2, 0, "f2"),
            (1, 1, "b0"),
            (2, 1, "b2"),
            (2, 0, "f3"),
            (1, 0, "f1"),
            (2, 1, "b3"),
        ];
        // File 1 ranks before file 0; equal times keep each file's order.
        let want = ["b0", "f1", "b2", "b3", "f2", "f3", "z"];
        let (mem, spilled) = sorted(&rows, &[9, 3], 1 << 20);
        assert_eq!(mem, want);
        assert_eq!(spilled, 0);
        // A tiny buffer: every push spills, and MAX_RUNS is never reached here.
        let (merged, spilled) = sorted(&rows, &[9, 3], 1);
        assert_eq!(merged, want);
        assert_eq!(spilled, rows.len() as u64);
    }

    #[test]
    fn many_runs_are_merged_down_and_stay_in_order() {
        // More single-row runs than MAX_RUNS: intermediate merges happen.
        let n = MAX_RUNS * 3 + 5;
        let users: Vec<String> = (0..n).map(|i| format!("u{i:04}")).collect();
        let rows: Vec<(Millis, u32, &str)> = users
            .iter()
            .enumerate()
            .map(|(i, u)| (((i * 7919) % n) as Millis, 0, u.as_str()))
            .collect();
        let (out, _) = sorted(&rows, &[0], 1);
        let mut want = rows.clone();
        want.sort_by_key(|r| r.0);
        let want: Vec<&str> = want.iter().map(|r| r.2).collect();
        assert_eq!(out, want);
    }
}

//! A followed pipe (stdin, a FIFO) read by a thread of its own, so that the
//! reader loop waits for data at most [`WAIT`] at a time: between reads it
//! can settle sshd attempts held by wall-clock time (see
//! `sshd/attempt.rs`) even when the pipe stays silent. Until
//! [`Armed::arm`] is called, reads block as on the pipe itself (sniffing
//! and gzip detection need whole reads); armed, a read that finds nothing
//! within [`WAIT`] returns [`io::ErrorKind::WouldBlock`]. Memory: at most
//! two blocks of [`BLOCK`] bytes wait in the channel; the pipe's writer is
//! held back (not dropped) beyond that.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

/// Longest a read of an armed pipe waits for data.
pub const WAIT: Duration = Duration::from_millis(250);
/// Bytes read from the pipe at a time.
pub const BLOCK: usize = 64 * 1024;

/// Milliseconds of a monotonic clock (since the first call in this
/// process): what live inputs pass to `SshdState::tick`.
pub fn monotonic_ms() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = START.get_or_init(std::time::Instant::now);
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Switches a [`TimedPipe`] to reads that time out.
#[derive(Clone, Default, Debug)]
pub struct Armed(Arc<AtomicBool>);

impl Armed {
    pub fn arm(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    fn is_armed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The reading end handed to the source reader.
pub struct TimedPipe {
    rx: Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    pos: usize,
    armed: Armed,
    ended: bool,
}

impl TimedPipe {
    /// Starts the thread reading `inner`.
    pub fn spawn(mut inner: Box<dyn Read + Send>, armed: Armed) -> io::Result<TimedPipe> {
        let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(2);
        std::thread::Builder::new()
            .name("hunt-pipe".into())
            .spawn(move || loop {
                let mut buf = vec![0u8; BLOCK];
                let msg = match inner.read(&mut buf) {
                    Ok(n) => {
                        buf.truncate(n);
                        Ok(buf)
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Err(e),
                };
                let last = !matches!(&msg, Ok(b) if !b.is_empty());
                if tx.send(msg).is_err() || last {
                    return;
                }
            })?;
        Ok(TimedPipe {
            rx,
            block: Vec::new(),
            pos: 0,
            armed,
            ended: false,
        })
    }
}

impl Read for TimedPipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.block.len() {
            if self.ended {
                return Ok(0);
            }
            let got = if self.armed.is_armed() {
                match self.rx.recv_timeout(WAIT) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        return Err(io::Error::from(io::ErrorKind::WouldBlock))
                    }
                    Err(RecvTimeoutError::Disconnected) => Ok(Vec::new()),
                }
            } else {
                self.rx.recv().unwrap_or_else(|_| Ok(Vec::new()))
            };
            let block = got?;
            if block.is_empty() {
                self.ended = true;
                return Ok(0);
            }
            self.block = block;
            self.pos = 0;
        }
        let rest = self.block.get(self.pos..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_what_was_written_then_times_out_once_armed_then_ends() {
        let (r, mut w) = std::io::pipe().unwrap();
        let armed = Armed::default();
        let mut p = TimedPipe::spawn(Box::new(r), armed.clone()).unwrap();
        use std::io::Write;
        w.write_all(b"one\n").unwrap();
        let mut buf = [0u8; 2];
        assert_eq!(p.read(&mut buf).unwrap(), 2);
        assert_eq!(p.read(&mut buf).unwrap(), 2);
        assert_eq!(&buf, b"e\n");
        armed.arm();
        let e = p.read(&mut buf).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        drop(w);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            match p.read(&mut buf) {
                Ok(0) => break,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    assert!(std::time::Instant::now() < deadline)
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

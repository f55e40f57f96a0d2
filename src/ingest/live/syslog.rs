//! `syslog://ADDR:PORT`: a syslog receiver on UDP and TCP at once, on the
//! same address and port. Messages are RFC 5424 or RFC 3164 (with or
//! without timestamp and host, as senders really write them); they are
//! read by the same sshd line parser as auth.log files
//! ([`SshdState::parse_received`]), so one connection's lines are merged
//! into attempts whichever way they arrived. A message that names no host
//! is charged to the sender's address as its host (never as a user or IP).
//!
//! TCP frames are octet-counted (RFC 6587 §3.4.1, `LEN SP MSG`) or
//! terminated by LF or NUL (§3.4.2; Python's `SysLogHandler` ends each
//! message with NUL); each frame says which, by its first byte.
//!
//! Bounded memory under a flood: received messages wait in a queue of
//! [`QUEUE`] messages of at most [`MAX_MESSAGE`] bytes each. UDP cannot be
//! slowed down: a datagram that finds the queue full is dropped and
//! counted, and so are the datagrams the kernel dropped because the socket
//! buffer was full (its `drops` counter in `/proc/net/udp`, the counter
//! `SO_RXQ_OVFL` reports). TCP is slowed down instead: a connection's
//! thread stops reading while the queue is full, so the sender's writes
//! block (back-pressure); nothing received over TCP is dropped. At most
//! [`MAX_TCP`] connections are served at once; more are closed at once
//! and counted.
//!
//! `syslog+tls://ADDR:PORT` is RFC 5425: TCP only, each connection a TLS
//! session ([`super::tls`], certificate and key from `[syslog]`), frames
//! octet-counted as that RFC requires; a frame that is not is skipped and
//! counted as a framing error. Senders that fail the handshake, or send
//! plain syslog to the TLS port, are counted and named on the sources
//! screen, and the receiver goes on.

use super::tls::{self, Refused};
use super::{LiveOptions, LiveOut, LiveStatus};
use crate::event::{Batch, Origin, Source};
use crate::ingest::decode::account;
use crate::ingest::pipe::monotonic_ms;
use crate::ingest::sshd::SshdState;
use crate::ingest::stats::FileStats;
use crate::ingest::{reason, RecordCx, Reject};
use std::io::{self, BufRead, BufReader, Read};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Messages waiting to be parsed, at most.
pub const QUEUE: usize = 1024;
/// The longest message kept (RFC 5425 asks receivers for 8 KiB; a UDP
/// datagram holds at most 64 KiB); longer ones are counted and skipped.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// TCP connections served at once.
pub const MAX_TCP: u64 = 256;
/// Longest wait for a message before held attempts are looked at.
const TICK: Duration = Duration::from_millis(250);
/// How long messages are gathered into one batch after its first.
const GATHER: Duration = Duration::from_millis(10);
/// Messages parsed into one batch at most.
const BATCH_MESSAGES: usize = 4096;
/// The port when the URL names none (RFC 5426 / RFC 5425).
const DEFAULT_PORT: u16 = 514;
const DEFAULT_TLS_PORT: u16 = 6514;

/// Where to listen, and whether connections are TLS (`syslog+tls://`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Listen {
    pub addr: SocketAddr,
    pub tls: bool,
}

impl Listen {
    /// `ADDR:PORT`, `[V6]:PORT`, `HOST:PORT` (resolved once), or without a
    /// port (514, or 6514 with TLS), after `syslog://` or `syslog+tls://`.
    pub fn parse(rest: &str, tls: bool) -> Result<Listen, String> {
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (scheme, port) = if tls {
            ("syslog+tls", DEFAULT_TLS_PORT)
        } else {
            ("syslog", DEFAULT_PORT)
        };
        if rest.is_empty() || rest.contains('/') {
            return Err(format!(
                "give an address and port to listen on, e.g. {scheme}://0.0.0.0:{}",
                if tls { 6514 } else { 5514 }
            ));
        }
        let at = |addr| Ok(Listen { addr, tls });
        if let Ok(addr) = rest.parse::<SocketAddr>() {
            return at(addr);
        }
        if let Ok(ip) = rest.trim_matches(['[', ']']).parse::<IpAddr>() {
            return at(SocketAddr::new(ip, port));
        }
        let with_port = if rest.contains(':') {
            rest.to_string()
        } else {
            format!("{rest}:{port}")
        };
        match with_port.to_socket_addrs().map(|mut a| a.next()) {
            Ok(Some(addr)) => at(addr),
            Ok(None) => Err("the name has no address".into()),
            Err(e) => Err(format!("cannot resolve {rest}: {e}")),
        }
    }

    pub fn display(&self) -> String {
        if self.tls {
            format!("syslog+tls://{}", self.addr)
        } else {
            format!("syslog://{}", self.addr)
        }
    }
}

/// What the network threads hand to the parser.
struct Received {
    peer: IpAddr,
    frame: Frame,
}

enum Frame {
    Message(Vec<u8>),
    /// A message longer than the limit (its length), skipped.
    TooLong(usize),
    /// A TCP connection ended inside an octet-counted frame.
    Truncated(usize),
    /// A frame over TLS that is not octet-counted (its length), skipped.
    NotCounted(usize),
}

/// Counters shared by the network threads.
#[derive(Default)]
struct Counters {
    udp: AtomicU64,
    tcp: AtomicU64,
    /// Datagrams dropped because the queue was full.
    queue_drops: AtomicU64,
    /// Times a TCP connection waited for room in the queue.
    tcp_waits: AtomicU64,
    tcp_open: AtomicU64,
    tcp_total: AtomicU64,
    tcp_refused: AtomicU64,
    /// Frames too long, cut by the end of a connection, or not
    /// octet-counted over TLS.
    framing: AtomicU64,
    /// TLS: connections closed before sending anything.
    tls_silent: AtomicU64,
    /// TLS: connections whose first byte was not a TLS handshake.
    tls_not_tls: AtomicU64,
    /// TLS: failed handshakes, and the last one's reason.
    tls_failed: AtomicU64,
    tls_last_error: Mutex<String>,
    stop: AtomicBool,
}

/// Binds, starts the network threads and parses until `out` refuses more.
pub fn run(l: &Listen, file: u32, opts: LiveOptions, out: &mut dyn FnMut(LiveOut) -> bool) {
    let sockets = match bind(l, &opts) {
        Ok(s) => s,
        Err(e) => {
            out(LiveOut::Failed(e));
            return;
        }
    };
    let counters = Arc::new(Counters::default());
    let (tx, rx) = sync_channel::<Received>(QUEUE);
    let max = opts.max_line.clamp(1024, MAX_MESSAGE);
    let probe = sockets.udp.as_ref().and_then(|u| u.try_clone().ok());
    if let Err(e) = start_threads(sockets, tx, &counters, max) {
        out(LiveOut::Failed(format!("{}: cannot start: {e}", l.addr)));
        return;
    }
    let mut p = Parser::new(file);
    let format = if l.tls {
        "syslog (TLS)"
    } else {
        "syslog (UDP+TCP)"
    };
    let going = out(LiveOut::Opened {
        format: format.into(),
    }) && out(LiveOut::CaughtUp);
    if going {
        receive(&rx, &mut p, &counters, probe.as_ref(), l, out);
    }
    counters.stop.store(true, Relaxed);
}

/// The bound sockets: UDP and TCP, or TCP and the TLS settings.
struct Sockets {
    udp: Option<UdpSocket>,
    tcp: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
}

/// Binds the sockets (and reads the TLS files); the error is one line.
fn bind(l: &Listen, opts: &LiveOptions) -> Result<Sockets, String> {
    let tls = if l.tls {
        Some(tls::server_config(&opts.syslog)?)
    } else {
        None
    };
    let udp = if l.tls {
        None
    } else {
        Some(UdpSocket::bind(l.addr).map_err(|e| format!("UDP {}: {e}", l.addr))?)
    };
    let tcp = TcpListener::bind(l.addr).map_err(|e| format!("TCP {}: {e}", l.addr))?;
    Ok(Sockets { udp, tcp, tls })
}

fn start_threads(
    s: Sockets,
    tx: SyncSender<Received>,
    c: &Arc<Counters>,
    max: usize,
) -> io::Result<()> {
    if let Some(udp) = s.udp {
        udp.set_read_timeout(Some(Duration::from_millis(500)))?;
        let (utx, uc) = (tx.clone(), Arc::clone(c));
        std::thread::Builder::new()
            .name("hunt-syslog-udp".into())
            .spawn(move || udp_loop(&udp, &utx, &uc))?;
    }
    let (c, tcp, tls) = (Arc::clone(c), s.tcp, s.tls);
    std::thread::Builder::new()
        .name("hunt-syslog-tcp".into())
        .spawn(move || accept_loop(&tcp, tls, &tx, &c, max))?;
    Ok(())
}

/// The parse loop: waits at most [`TICK`] for messages, parses what came,
/// lets held attempts expire, and reports the counters once a second.
fn receive(
    rx: &Receiver<Received>,
    p: &mut Parser,
    c: &Counters,
    probe: Option<&UdpSocket>,
    l: &Listen,
    out: &mut dyn FnMut(LiveOut) -> bool,
) {
    let mut last_status = Instant::now();
    let mut shown = LiveStatus::default();
    loop {
        let mut batch = Batch::recycled();
        let mut stats = FileStats::default();
        match rx.recv_timeout(TICK) {
            Ok(m) => {
                // Messages arriving within GATHER of the first one go into
                // the same batch: each batch costs a release of the detectors.
                let until = Instant::now() + GATHER;
                p.take(m, &mut batch, &mut stats);
                for _ in 1..BATCH_MESSAGES {
                    let left = until.saturating_duration_since(Instant::now());
                    match rx.recv_timeout(left) {
                        Ok(m) => p.take(m, &mut batch, &mut stats),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        stats.events += p.state.tick(monotonic_ms(), &mut batch);
        if (!batch.drafts.is_empty() || stats != FileStats::default())
            && !(out(LiveOut::Batch(batch, stats)) && out(LiveOut::CaughtUp))
        {
            return;
        }
        if last_status.elapsed() >= Duration::from_secs(1) {
            last_status = Instant::now();
            let now = status(c, probe.and_then(socket_drops), l);
            if now != shown {
                shown = now.clone();
                if !out(LiveOut::Status(now)) {
                    return;
                }
            }
        }
    }
}

/// Turns received messages into drafts, numbering them as lines.
struct Parser {
    file: u32,
    state: SshdState,
    line: u32,
    offset: u64,
}

impl Parser {
    fn new(file: u32) -> Parser {
        Parser {
            file,
            state: SshdState::at(chrono::Utc::now().timestamp_millis()),
            line: 0,
            offset: 0,
        }
    }

    fn take(&mut self, m: Received, batch: &mut Batch, stats: &mut FileStats) {
        self.line = self.line.saturating_add(1);
        let (line, offset) = (self.line, self.offset);
        let data = match m.frame {
            Frame::Message(data) => data,
            Frame::TooLong(n) | Frame::Truncated(n) | Frame::NotCounted(n) => {
                let (why, detail) = match m.frame {
                    Frame::TooLong(_) => (
                        reason::LINE_TOO_LONG,
                        format!("message of {n} bytes from {} skipped", m.peer),
                    ),
                    Frame::NotCounted(_) => (
                        reason::NOT_OCTET_COUNTED,
                        format!(
                            "TLS message of {n} bytes from {} without its length (RFC 5425 §4.3) skipped",
                            m.peer
                        ),
                    ),
                    _ => (
                        reason::TRUNCATED,
                        format!("TCP connection from {} closed inside a message", m.peer),
                    ),
                };
                self.offset += n as u64;
                stats.records += 1;
                stats.problem(line, offset, why, detail);
                return;
            }
        };
        self.offset += data.len() as u64;
        stats.bytes_read += data.len() as u64;
        let text = String::from_utf8_lossy(&data);
        if text.trim_matches(['\0', '\r', '\n', ' ']).is_empty() {
            return;
        }
        let origin = Origin {
            file: self.file,
            line,
            offset,
            len: u32::try_from(data.len()).unwrap_or(u32::MAX),
        };
        let sender = m.peer.to_string();
        let before = batch.drafts.len();
        let now = chrono::Utc::now().timestamp_millis();
        let state = &mut self.state;
        let res = crate::panics::catch(|| {
            let mut cx = RecordCx::new(batch, origin);
            cx.identity = crate::dedup::line_identity(Source::Sshd, &text);
            state.parse_received(&text, &sender, now, &mut cx)
        })
        .unwrap_or_else(|bug| {
            batch.drafts.truncate(before);
            Err(Reject::Problem(reason::INTERNAL, bug))
        });
        if matches!(text, std::borrow::Cow::Owned(_)) && res.is_ok() {
            stats.problem(
                line,
                offset,
                reason::NOT_UTF8,
                "invalid UTF-8 replaced with U+FFFD".into(),
            );
        }
        account(stats, before, batch, line, offset, res);
    }
}

fn udp_loop(sock: &UdpSocket, tx: &SyncSender<Received>, c: &Counters) {
    let mut buf = vec![0u8; 65_536];
    while !c.stop.load(Relaxed) {
        // Timeouts (to look at `stop`), and errors a UDP socket reports for
        // earlier sends, are not datagrams: keep receiving.
        if let Ok((n, peer)) = sock.recv_from(&mut buf) {
            {
                c.udp.fetch_add(1, Relaxed);
                let data = buf.get(..n).unwrap_or_default().to_vec();
                let m = Received {
                    peer: canonical(peer.ip()),
                    frame: Frame::Message(data),
                };
                match tx.try_send(m) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => {
                        c.queue_drops.fetch_add(1, Relaxed);
                    }
                    Err(TrySendError::Disconnected(_)) => return,
                }
            }
        }
    }
}

fn accept_loop(
    l: &TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    tx: &SyncSender<Received>,
    c: &Arc<Counters>,
    max: usize,
) {
    for stream in l.incoming() {
        if c.stop.load(Relaxed) {
            return;
        }
        let Ok(stream) = stream else { continue };
        if c.tcp_open.load(Relaxed) >= MAX_TCP {
            c.tcp_refused.fetch_add(1, Relaxed);
            continue; // dropped: closed
        }
        let peer = match stream.peer_addr() {
            Ok(a) => canonical(a.ip()),
            Err(_) => continue,
        };
        c.tcp_open.fetch_add(1, Relaxed);
        c.tcp_total.fetch_add(1, Relaxed);
        let (tx, cc, tls) = (tx.clone(), Arc::clone(c), tls.clone());
        let started = std::thread::Builder::new()
            .name("hunt-syslog-conn".into())
            .spawn(move || {
                match tls {
                    None => serve(&mut { stream }, peer, &tx, &cc, max, false),
                    Some(config) => tls_conn(&config, stream, peer, &tx, &cc, max),
                }
                cc.tcp_open.fetch_sub(1, Relaxed);
            });
        if started.is_err() {
            c.tcp_open.fetch_sub(1, Relaxed);
            c.tcp_refused.fetch_add(1, Relaxed);
        }
    }
}

/// Handshakes, then serves the TLS connection; a refused one is counted.
fn tls_conn(
    config: &Arc<rustls::ServerConfig>,
    stream: TcpStream,
    peer: IpAddr,
    tx: &SyncSender<Received>,
    c: &Counters,
    max: usize,
) {
    match tls::handshake(config, stream) {
        Ok(mut s) => {
            serve(&mut tls::EndOk(&mut s), peer, tx, c, max, true);
            // The sender's close_notify is answered with ours.
            s.conn.send_close_notify();
            let _ = s.conn.complete_io(&mut s.sock);
        }
        Err(Refused::Silent) => {
            c.tls_silent.fetch_add(1, Relaxed);
        }
        Err(Refused::NotTls) => {
            c.tls_not_tls.fetch_add(1, Relaxed);
        }
        Err(Refused::Failed(why)) => {
            c.tls_failed.fetch_add(1, Relaxed);
            if let Ok(mut last) = c.tls_last_error.lock() {
                *last = format!("{peer}: {why}");
            }
        }
    }
}

/// Reads one connection's frames until it closes; waits (reads nothing)
/// while the queue is full. With `octet_only` (TLS), frames must be
/// octet-counted.
fn serve(
    stream: &mut impl Read,
    peer: IpAddr,
    tx: &SyncSender<Received>,
    c: &Counters,
    max: usize,
    octet_only: bool,
) {
    let mut r = BufReader::with_capacity(64 * 1024, stream);
    loop {
        let frame = match next_frame(&mut r, max, octet_only) {
            Ok(Some(f)) => f,
            Ok(None) | Err(_) => return,
        };
        if !matches!(frame, Frame::Message(_)) {
            c.framing.fetch_add(1, Relaxed);
        }
        c.tcp.fetch_add(1, Relaxed);
        let m = Received { peer, frame };
        match tx.try_send(m) {
            Ok(()) => {}
            Err(TrySendError::Full(m)) => {
                c.tcp_waits.fetch_add(1, Relaxed);
                if tx.send(m).is_err() {
                    return;
                }
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

/// The next frame of a TCP stream: octet-counted when it starts with a
/// digit followed by digits and a space, else up to LF or NUL (or the end
/// of the stream), which with `octet_only` is a [`Frame::NotCounted`].
/// `None` at the end of the stream.
fn next_frame(r: &mut impl BufRead, max: usize, octet_only: bool) -> io::Result<Option<Frame>> {
    // Separators between frames.
    loop {
        let buf = r.fill_buf()?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        if matches!(b, b'\n' | b'\r' | b'\0' | b' ') {
            r.consume(1);
        } else {
            break;
        }
    }
    let mut head = Vec::new();
    if r.fill_buf()?
        .first()
        .is_some_and(|b| (b'1'..=b'9').contains(b))
    {
        // Up to 10 digits, then a space: an octet count.
        while head.len() <= 10 {
            let Some(&b) = r.fill_buf()?.first() else {
                break;
            };
            r.consume(1);
            if b == b' ' {
                let n: usize = std::str::from_utf8(&head)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(usize::MAX);
                return counted(r, n, max).map(Some);
            }
            head.push(b);
            if !b.is_ascii_digit() {
                break;
            }
        }
    }
    let frame = delimited(r, head, max)?;
    Ok(Some(match frame {
        Frame::Message(m) if octet_only => Frame::NotCounted(m.len()),
        Frame::TooLong(n) if octet_only => Frame::NotCounted(n),
        f => f,
    }))
}

fn counted(r: &mut impl BufRead, n: usize, max: usize) -> io::Result<Frame> {
    if n > max {
        let skipped = io::copy(&mut r.take(n as u64), &mut io::sink())?;
        return Ok(if (skipped as usize) < n {
            Frame::Truncated(skipped as usize)
        } else {
            Frame::TooLong(n)
        });
    }
    let mut msg = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut msg)?;
    Ok(if msg.len() < n {
        Frame::Truncated(msg.len())
    } else {
        Frame::Message(msg)
    })
}

fn delimited(r: &mut impl BufRead, mut msg: Vec<u8>, max: usize) -> io::Result<Frame> {
    let mut long = 0usize;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let (take, done) = match memchr::memchr2(b'\n', b'\0', buf) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if long == 0 && msg.len() + take <= max {
            msg.extend_from_slice(buf.get(..take).unwrap_or_default());
        } else {
            long = long.max(msg.len()) + take;
            msg.clear();
        }
        r.consume(take + usize::from(done));
        if done {
            break;
        }
    }
    Ok(if long > 0 {
        Frame::TooLong(long)
    } else {
        Frame::Message(msg)
    })
}

/// IPv4-mapped IPv6 peers (a dual-stack socket) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The kernel's count of datagrams dropped on this socket (receive buffer
/// full): the `drops` column of its line in `/proc/net/udp{,6}`, found by
/// the socket's inode. `None` where that is not available.
#[cfg(target_os = "linux")]
fn socket_drops(sock: &UdpSocket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let link = std::fs::read_link(format!("/proc/self/fd/{}", sock.as_raw_fd())).ok()?;
    let link = link.to_str()?;
    let inode = link.strip_prefix("socket:[")?.strip_suffix(']')?;
    ["/proc/net/udp", "/proc/net/udp6"]
        .iter()
        .find_map(|table| {
            let text = std::fs::read_to_string(table).ok()?;
            drops_in(&text, inode)
        })
}

#[cfg(not(target_os = "linux"))]
fn socket_drops(_sock: &UdpSocket) -> Option<u64> {
    None
}

/// The `drops` column (the 13th) of the line whose inode (the 10th) is `inode`.
fn drops_in(table: &str, inode: &str) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        (cols.get(9) == Some(&inode))
            .then(|| cols.get(12).and_then(|d| d.parse().ok()))
            .flatten()
    })
}

fn status(c: &Counters, socket: Option<u64>, l: &Listen) -> LiveStatus {
    let (udp, tcp) = (c.udp.load(Relaxed), c.tcp.load(Relaxed));
    let queue = c.queue_drops.load(Relaxed);
    let dropped = queue + socket.unwrap_or(0);
    let (total, open) = (c.tcp_total.load(Relaxed), c.tcp_open.load(Relaxed));
    let mut details = Vec::new();
    let (mut lost, mut refusals) = (Vec::new(), Vec::new());
    if l.tls {
        details.push(format!(
            "listening on TCP (TLS) {} · {tcp} messages over {total} connections ({open} open)",
            l.addr
        ));
        refusals = tls_lines(c);
        details.extend(refusals.iter().cloned());
    } else {
        details.push(format!(
            "listening on UDP and TCP {} · {udp} datagrams, {tcp} TCP messages over {total} connections ({open} open)",
            l.addr
        ));
        let udp_lost = match socket {
            Some(s) => format!(
                "UDP dropped: {s} by the socket buffer (kernel), {queue} by hunt's full queue"
            ),
            None => format!(
                "UDP dropped: {queue} by hunt's full queue (the kernel's socket buffer drops are not readable here)"
            ),
        };
        lost.push(udp_lost.clone());
        details.push(udp_lost);
    }
    let framing = c.framing.load(Relaxed);
    details.push(format!(
        "framing errors: {framing} (messages too long, cut by a closed connection{}; each in Parse problems)",
        if l.tls { ", or not octet-counted" } else { "" }
    ));
    let waits = c.tcp_waits.load(Relaxed);
    if waits > 0 {
        details.push(format!(
            "TCP: senders were held back {waits} times while hunt's queue was full (nothing dropped)"
        ));
    }
    let refused = c.tcp_refused.load(Relaxed);
    if refused > 0 {
        details.push(format!(
            "TCP: {refused} connections closed at once (more than {MAX_TCP} open)"
        ));
    }
    let refused = c.tls_not_tls.load(Relaxed) + c.tls_failed.load(Relaxed);
    let summary = [
        (dropped, "dropped"),
        (framing, "framing errors"),
        (refused, "TLS refused"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect::<Vec<_>>()
    .join(" · ");
    LiveStatus {
        received: udp + tcp,
        dropped,
        framing,
        refused,
        summary,
        details,
        lost,
        refusals,
    }
}

/// The sources screen's lines on TLS senders that never got through.
fn tls_lines(c: &Counters) -> Vec<String> {
    let (silent, not_tls, failed) = (
        c.tls_silent.load(Relaxed),
        c.tls_not_tls.load(Relaxed),
        c.tls_failed.load(Relaxed),
    );
    let mut lines = vec![format!(
        "TLS refused: {failed} failed handshakes, {not_tls} not TLS (plain syslog sent to the TLS port?), {silent} closed before a word"
    )];
    if failed > 0 {
        if let Ok(last) = c.tls_last_error.lock() {
            lines.push(format!("last failed handshake: {last}"));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(data: &[u8], max: usize) -> Vec<String> {
        frames_with(data, max, false)
    }

    fn frames_with(data: &[u8], max: usize, octet_only: bool) -> Vec<String> {
        let mut r = BufReader::with_capacity(7, data);
        let mut out = Vec::new();
        while let Some(f) = next_frame(&mut r, max, octet_only).unwrap() {
            out.push(match f {
                Frame::Message(m) => String::from_utf8(m).unwrap(),
                Frame::TooLong(n) => format!("too long {n}"),
                Frame::Truncated(n) => format!("truncated {n}"),
                Frame::NotCounted(n) => format!("not counted {n}"),
            });
        }
        out
    }

    #[test]
    fn octet_counted_newline_and_nul_framing() {
        assert_eq!(
            frames(b"5 <1>ab12 <13>hello\nworld\n<2>x\0<3>y\n\n<4>last", 1024),
            vec!["<1>ab", "<13>hello\nwo", "rld", "<2>x", "<3>y", "<4>last"]
        );
        assert_eq!(
            frames(b"2026-12-07T10:00:00Z web sshd[1]: x\n", 1024),
            vec!["2026-12-07T10:00:00Z web sshd[1]: x"]
        );
    }

    #[test]
    fn over_tls_only_octet_counted_frames_are_kept() {
        assert_eq!(
            frames_with(b"5 <1>ab<2>plain\n4 <3>c", 1024, true),
            vec!["<1>ab", "not counted 8", "<3>c"]
        );
    }

    #[test]
    fn long_and_cut_frames_are_named_not_kept() {
        let mut long = b"<1>".to_vec();
        long.extend(std::iter::repeat_n(b'a', 3000));
        long.extend_from_slice(b"\n<2>next\n");
        assert_eq!(frames(&long, 1024), vec!["too long 3003", "<2>next"]);
        assert_eq!(frames(b"2000 <1>abc", 1024), vec!["truncated 6"]);
        assert_eq!(frames(b"10 <1>abc", 1024), vec!["truncated 6"]);
    }

    #[test]
    fn urls() {
        assert_eq!(
            Listen::parse("0.0.0.0:5514", false).unwrap().addr,
            "0.0.0.0:5514".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            Listen::parse("[::1]:6514", false).unwrap().addr.port(),
            6514
        );
        assert_eq!(Listen::parse("127.0.0.1", false).unwrap().addr.port(), 514);
        assert_eq!(Listen::parse("127.0.0.1", true).unwrap().addr.port(), 6514);
        assert_eq!(
            Listen::parse("127.0.0.1:7000", true).unwrap().display(),
            "syslog+tls://127.0.0.1:7000"
        );
        assert!(Listen::parse("0.0.0.0:5514/x", false).is_err());
        assert!(Listen::parse("", false).is_err());
    }

    #[test]
    fn the_drops_column_of_the_sockets_line() {
        let table = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
  1: 00000000:158A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17\n";
        assert_eq!(drops_in(table, "4242"), Some(17));
        assert_eq!(drops_in(table, "1"), None);
    }
}

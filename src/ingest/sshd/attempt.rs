//! One attempt, one count: the lines sshd writes about a sign-in attempt
//! (`Invalid user`, `pam_unix … authentication failure`, `Failed password`,
//! `Connection closed by authenticating user …`) are merged per connection
//! (syslog host + sshd pid, and the peer address once known), while a line
//! that is the only record of its attempt is counted.
//!
//! Model, per connection (at most one open attempt):
//! - `Failed password|keyboard-interactive|…` and refusals (`Invalid user`,
//!   `not allowed`, `ROOT LOGIN REFUSED`, `error: PAM: …`) are counted when
//!   read. A refusal absorbs the `Failed … for invalid user U` line (and the
//!   PAM lines) of the same user that follow it.
//! - Lines whose outcome is not known yet are *held*: `pam_unix` failures
//!   (a `Failed` line or a success by another PAM module may follow),
//!   `Failed publickey|none` (a client tries keys and methods before the one
//!   that works), and attempts whose peer is not named yet (`User root not
//!   allowed because account is locked`, `Disconnecting: Too many
//!   authentication failures`). The next line of the connection settles a
//!   held attempt: the matching `Failed`/`Accepted` line absorbs it; any
//!   other next step (another attempt, a success for another user, the end
//!   of the connection) makes it a failure, counted at that line.
//! - Held attempts never wait forever: one is counted at its own line when a
//!   line more than [`HOLD_MS`] away in log time is read, when its
//!   connection map is full, and at the end of the input
//!   ([`Conns::finish`]). An attempt whose peer never appears is dropped.
//!   Reading a file to its end never looks at the clock: results do not
//!   depend on chunking or on when they are read.
//! - Live inputs (a followed file, a pipe, a network source) also call
//!   [`Conns::tick`] about every quarter second with a monotonic clock: an
//!   attempt held, with no further line of its connection, for
//!   [`LIVE_HOLD_MS`] of that clock is counted at its own line then, so a
//!   brute force whose log goes quiet shows its last attempt at once. The
//!   line that would have settled it (the `Failed` line after a `pam_unix`
//!   failure, PAM's fail delay later; more `Failed publickey` lines of the
//!   same user) is then absorbed as already counted; a success that
//!   follows is counted as well (the failure stays counted).
//! - `PAM N more authentication failures` and the end-of-connection lines
//!   only summarise attempts already logged (SPEC §3), except that an end
//!   line naming an authenticating user, `maximum authentication attempts
//!   exceeded` and `Too many authentication failures` are one attempt when
//!   nothing else on the connection is (key-only servers log nothing else).

use super::grammar::{is_addr, Addr, Msg};
use crate::event::{Batch, Draft, Kind, Millis, Origin, Outcome, Source};
use crate::ingest::{normalize_ip, ParseResult, RecordCx, Reject};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// How long (in log time) a held attempt waits for its outcome. A
/// `pam_unix` failure and its `Failed password` line are up to about 12 s
/// apart in loghub's OpenSSH sample (PAM's fail delay).
pub const HOLD_MS: i64 = 60_000;
/// How long (monotonic wall-clock time) a live input's held attempt waits
/// for the next line of its connection before [`Conns::tick`] counts it.
pub const LIVE_HOLD_MS: u64 = 500;
/// Connections silent this long (log time) are forgotten.
const IDLE_MS: i64 = 10 * 60_000;
/// Most connections tracked at once (the oldest are settled beyond it).
pub const MAX_CONNS: usize = 4096;

pub const ALREADY_COUNTED: &str = "sshd line describing an attempt already counted";
pub const HELD: &str = "sshd line of an attempt counted with a later line";
pub const NOT_AN_ATTEMPT: &str = "sshd line not about a sign-in attempt";

/// Where a message comes from.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub time: Millis,
    /// Syslog host (may be empty).
    pub host: &'a str,
    /// Program name for the draft's app (`sshd`, `vsftpd`, …).
    pub program: &'a str,
    /// sshd's pid: `None` when the line has none (then nothing is merged).
    pub pid: Option<u32>,
}

/// An attempt ready to become a draft.
#[derive(Debug, Clone)]
struct Attempt {
    time: Millis,
    origin: Origin,
    /// The record identity of the line it was read from (see `crate::dedup`).
    identity: u64,
    outcome: Outcome,
    user: String,
    addr: String,
    method: String,
    app: String,
    /// sshd said the account does not exist (`Invalid user`, `for invalid user`).
    no_such_user: bool,
}

impl Attempt {
    fn new(
        at: &At,
        origin: Origin,
        identity: u64,
        outcome: Outcome,
        user: &str,
        addr: &str,
        method: &str,
    ) -> Self {
        Attempt {
            time: at.time,
            origin,
            identity,
            outcome,
            user: clean_user(user).to_string(),
            addr: addr.to_string(),
            method: method.to_string(),
            no_such_user: method == INVALID_USER,
            app: if at.host.is_empty() {
                at.program.to_string()
            } else {
                format!("{}@{}", at.program, at.host)
            },
        }
    }

    /// Writes the draft into `batch`, charged to `origin` (whose record
    /// identity is `identity`) at `time`.
    fn put(&self, batch: &mut Batch, time: Millis, origin: Origin, identity: u64) {
        let mut cx = RecordCx::new(batch, origin);
        cx.identity = identity;
        let mut d = Draft::new(time, Source::Sshd, Kind::SignIn);
        d.outcome = self.outcome;
        d.user = cx.put_user(&self.user);
        d.ip = cx.put_ip(&self.addr);
        if d.ip.is_empty() && is_addr(self.addr.trim()) {
            // A peer logged as a name (`from example.com`, sshd with
            // UseDNS): kept as the source host, never as an address.
            let enc = crate::event::encode_params([(crate::event::extra::HOST, self.addr.trim())]);
            d.extra = cx.put(&enc);
        }
        d.client_app = cx.put(&self.method);
        if self.outcome == Outcome::Failure {
            d.result_code = cx.put(&self.method);
        }
        d.app = cx.put(&self.app);
        if self.no_such_user {
            d.flags |= crate::event::flags::NO_SUCH_USER;
        }
        cx.emit(d);
    }
}

/// The method (and result code) of an `Invalid user` refusal.
const INVALID_USER: &str = "invalid_user";

/// Solaris logs `<invalid username>` for every unknown user: no name.
fn clean_user(user: &str) -> &str {
    if user == "<invalid username>" {
        ""
    } else {
        user
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeldKind {
    Pam,
    Key,
    NeedsAddr,
}

#[derive(Debug)]
enum Open {
    None,
    /// An attempt already counted; `refusal`: a refusal that still absorbs
    /// the `Failed` line of the same user.
    Counted {
        user: String,
        refusal: bool,
    },
    Held(HeldKind, Attempt),
    /// The connection's attempt is counted and its authentication ended.
    Ended,
    /// A held attempt counted by [`Conns::tick`]: the line that would
    /// have settled it is absorbed (see the module comment).
    Timed {
        kind: HeldKind,
        user: String,
        time: Millis,
    },
}

#[derive(Debug)]
struct Conn {
    /// The peer as first logged (an IP is preferred over a host name).
    addr: Option<String>,
    open: Open,
    time: Millis,
    /// A `Received disconnect` was read (sshd logs one per connection).
    received: bool,
    /// The [`Conns::tick`] clock when its held attempt was first seen held
    /// (reset by every line of the connection).
    held_since: Option<u64>,
}

/// The open connections of one input.
#[derive(Debug, Default)]
pub struct Conns {
    map: HashMap<(u64, u32), Conn>,
    last_sweep: Millis,
}

fn same_user(a: &str, b: &str) -> bool {
    a.is_empty()
        || b.is_empty()
        || clean_user(a)
            .trim()
            .eq_ignore_ascii_case(clean_user(b).trim())
}

fn is_ip(s: &str) -> bool {
    normalize_ip(s).is_some()
}

/// Two logged peers that are certainly different (both IPs, not equal).
fn other_peer(a: &str, b: &str) -> bool {
    match (normalize_ip(a), normalize_ip(b)) {
        (Some(x), Some(y)) => x != y,
        _ => false,
    }
}

/// The address of a `from H port P` tail: the alternative when it is the
/// connection's known peer (the other tail is then client text).
fn resolve<'a>(addr: Addr<'a>, known: Option<&str>) -> &'a str {
    match (addr.alt, known) {
        (Some(alt), Some(k)) if !other_peer(alt, k) && other_peer(addr.best, k) => alt,
        _ => addr.best,
    }
}

fn key(host: &str, pid: u32) -> (u64, u32) {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    host.hash(&mut h);
    (h.finish(), pid)
}

impl Conns {
    /// Handles one classified message of an sshd line.
    pub fn on_msg(&mut self, msg: Msg<'_>, at: At<'_>, cx: &mut RecordCx) -> ParseResult {
        if (at.time - self.last_sweep).abs() > HOLD_MS || self.map.len() > MAX_CONNS {
            self.sweep(at.time, cx.batch);
        }
        let Some(pid) = at.pid else {
            return standalone(msg, &at, cx);
        };
        let k = key(at.host, pid);
        let known = self.map.get(&k).and_then(|c| c.addr.as_deref());
        let line_addr = line_addr(&msg, known);
        let conn = self.line_of(k, &msg, line_addr, at.time, cx.batch);
        let line = Line {
            at: &at,
            addr: line_addr,
            peer: conn.addr.clone(),
            before: cx.batch.drafts.len(),
        };
        let open = match after_tick(std::mem::replace(&mut conn.open, Open::None), &msg, at.time) {
            (open, false) => open,
            (kept, true) => {
                conn.open = kept;
                return Err(Reject::Ignored(ALREADY_COUNTED));
            }
        };
        conn.step(open, msg, &line, cx)
    }

    /// The connection a line of `k` belongs to, its time and peer brought
    /// up to the line. The same pid with another peer, a new `Connection
    /// from`, or a second `Received disconnect`: the old connection is over
    /// (pid reused) and released.
    fn line_of(
        &mut self,
        k: (u64, u32),
        msg: &Msg<'_>,
        line_addr: Option<&str>,
        time: Millis,
        batch: &mut Batch,
    ) -> &mut Conn {
        let new_conn = self.map.get(&k).is_some_and(|c| {
            matches!(msg, Msg::Connect { .. })
                || line_addr
                    .zip(c.addr.as_deref())
                    .is_some_and(|(a, b)| other_peer(a, b))
                || (c.received && matches!(msg, Msg::End { received: true, .. }))
        });
        if new_conn {
            if let Some(old) = self.map.remove(&k) {
                release(old, batch);
            }
        }
        let conn = self.map.entry(k).or_insert(Conn {
            addr: None,
            open: Open::None,
            time,
            received: false,
            held_since: None,
        });
        conn.time = time;
        conn.held_since = None;
        if let Some(a) = line_addr {
            let better = match conn.addr.as_deref() {
                None => true,
                Some(old) => !is_ip(old) && is_ip(a),
            };
            if better {
                conn.addr = Some(a.to_string());
            }
        }
        conn
    }

    /// Live inputs: counts at its own line every attempt held, with no
    /// line of its connection since, for [`LIVE_HOLD_MS`] of the caller's
    /// monotonic clock `now` (ms), measured from the first tick that saw it
    /// held. An attempt whose peer is not known yet stays held. Returns the
    /// drafts added.
    pub fn tick(&mut self, now: u64, batch: &mut Batch) -> u64 {
        let before = batch.drafts.len();
        for conn in self.map.values_mut() {
            let Open::Held(kind, a) = &conn.open else {
                conn.held_since = None;
                continue;
            };
            let since = *conn.held_since.get_or_insert(now);
            let peer = conn.addr.as_deref();
            if now.saturating_sub(since) < LIVE_HOLD_MS || (a.addr.is_empty() && peer.is_none()) {
                continue;
            }
            let timed = Open::Timed {
                kind: *kind,
                user: a.user.clone(),
                time: a.time,
            };
            let open = std::mem::replace(&mut conn.open, timed);
            release_open(open, peer, batch);
            conn.held_since = None;
        }
        (batch.drafts.len() - before) as u64
    }

    /// True while a connection's attempt is held.
    pub fn holds(&self) -> bool {
        self.map.values().any(|c| matches!(c.open, Open::Held(..)))
    }

    /// Counts every held attempt at its own line (end of input, or before
    /// the input is read again after a rotation). Returns the drafts added.
    pub fn finish(&mut self, batch: &mut Batch) -> u64 {
        let before = batch.drafts.len();
        for (_, conn) in self.map.drain() {
            release(conn, batch);
        }
        (batch.drafts.len() - before) as u64
    }

    /// Counts held attempts more than [`HOLD_MS`] from `now` at their own
    /// line, forgets idle connections, and keeps the map within
    /// [`MAX_CONNS`].
    fn sweep(&mut self, now: Millis, batch: &mut Batch) {
        self.last_sweep = now;
        for conn in self.map.values_mut() {
            if let Open::Held(_, a) = &conn.open {
                if (now - a.time).abs() > HOLD_MS {
                    let user = a.user.clone();
                    let open = std::mem::replace(
                        &mut conn.open,
                        Open::Counted {
                            user,
                            refusal: false,
                        },
                    );
                    release_open(open, conn.addr.as_deref(), batch);
                }
            }
        }
        self.map
            .retain(|_, c| (now - c.time).abs() <= IDLE_MS || matches!(c.open, Open::Held(..)));
        if self.map.len() > MAX_CONNS {
            let mut times: Vec<Millis> = self.map.values().map(|c| c.time).collect();
            times.sort_unstable();
            let cut = times
                .get(times.len() - MAX_CONNS / 2)
                .copied()
                .unwrap_or(now);
            let old: Vec<(u64, u32)> = self
                .map
                .iter()
                .filter(|(_, c)| c.time < cut)
                .map(|(k, _)| *k)
                .collect();
            for k in old {
                if let Some(c) = self.map.remove(&k) {
                    release(c, batch);
                }
            }
        }
    }
}

/// The address a line names (`Failed`/`Accepted` tails resolved against the
/// connection's `known` peer).
fn line_addr<'m>(msg: &Msg<'m>, known: Option<&str>) -> Option<&'m str> {
    match msg {
        Msg::Failed { addr, .. } | Msg::Accepted { addr, .. } => Some(resolve(*addr, known)),
        Msg::Refused { addr, .. } | Msg::End { addr, .. } => *addr,
        Msg::Pam { addr, .. } | Msg::Connect { addr } => Some(*addr).filter(|a| is_addr(a)),
        _ => None,
    }
}

/// One line of a connection, as its transitions see it: where and when it
/// was logged, the address it names, and the connection's peer.
struct Line<'a, 'l> {
    at: &'a At<'l>,
    addr: Option<&'l str>,
    peer: Option<String>,
    /// Drafts in the batch before this line.
    before: usize,
}

impl Line<'_, '_> {
    /// An attempt at this line: from the line's own IP, else the connection's peer.
    fn here(&self, cx: &RecordCx, outcome: Outcome, user: &str, method: &str) -> Attempt {
        let addr = self
            .addr
            .filter(|a| is_ip(a))
            .or(self.peer.as_deref())
            .or(self.addr)
            .unwrap_or_default();
        Attempt::new(self.at, cx.origin, cx.identity, outcome, user, addr, method)
    }

    /// Counts an attempt at this line.
    fn count(&self, a: &Attempt, cx: &mut RecordCx) {
        a.put(cx.batch, self.at.time, cx.origin, cx.identity);
    }

    /// Settles a held attempt at this line (a failure), from the peer when
    /// it named none.
    fn settle(&self, mut a: Attempt, cx: &mut RecordCx) {
        if !is_ip(&a.addr) {
            if let Some(p) = &self.peer {
                a.addr = p.clone();
            }
        }
        self.count(&a, cx);
    }

    fn has_peer(&self) -> bool {
        self.peer.is_some()
    }
}

/// The transitions of one connection's open attempt, one per kind of line.
/// Each takes the attempt open before the line and leaves the one open after.
impl Conn {
    fn step(&mut self, open: Open, msg: Msg<'_>, line: &Line, cx: &mut RecordCx) -> ParseResult {
        match msg {
            Msg::Connect { .. } | Msg::Other => {
                self.open = open;
                Err(Reject::Ignored(NOT_AN_ATTEMPT))
            }
            Msg::Summary => {
                self.open = open;
                Err(Reject::Ignored(ALREADY_COUNTED))
            }
            Msg::Failed { method, user, .. } if matches!(method, "publickey" | "none") => {
                self.failed_key(open, user, method, line, cx)
            }
            Msg::Failed {
                method,
                user,
                count,
                invalid,
                ..
            } => self.failed(open, user, method, count, invalid, line, cx),
            Msg::Accepted { method, user, .. } => self.accepted(open, user, method, line, cx),
            Msg::Refused { what, user, .. } => self.refused(open, user, what, line, cx),
            Msg::ChangeOfUser => self.change_of_user(open, line, cx),
            Msg::Pam { user, .. } => self.pam(open, user, line, cx),
            Msg::End {
                user,
                alone,
                received,
                ..
            } => {
                self.received |= received;
                self.end(open, user, alone, line, cx)
            }
        }
    }

    /// Holds `next` (a failure whose outcome a later line may change),
    /// settling at this line whatever was held before it.
    fn hold_next(
        &mut self,
        before: Open,
        kind: HeldKind,
        next: Attempt,
        line: &Line,
        cx: &mut RecordCx,
    ) -> ParseResult {
        let settled = if let Open::Held(_, a) = before {
            line.settle(a, cx);
            true
        } else {
            false
        };
        self.open = Open::Held(kind, next);
        if settled {
            Ok(())
        } else {
            Err(Reject::Ignored(HELD))
        }
    }

    /// `Failed publickey|none`: a client trying keys before the one that
    /// works; held, the same user's further tries absorbed.
    fn failed_key(
        &mut self,
        open: Open,
        user: &str,
        method: &str,
        line: &Line,
        cx: &mut RecordCx,
    ) -> ParseResult {
        match open {
            Open::Held(HeldKind::Key, a) if same_user(&a.user, user) => {
                self.open = Open::Held(HeldKind::Key, a);
                Err(Reject::Ignored(HELD))
            }
            Open::Counted {
                user: u,
                refusal: true,
            } if same_user(&u, user) => {
                self.open = Open::Counted {
                    user: u,
                    refusal: true,
                };
                Err(Reject::Ignored(ALREADY_COUNTED))
            }
            other => {
                let next = line.here(cx, Outcome::Failure, user, method);
                self.hold_next(other, HeldKind::Key, next, line, cx)
            }
        }
    }

    /// `Failed METHOD` (`count` times): counted, absorbing the same user's
    /// held attempt or one already counted by a refusal.
    #[allow(clippy::too_many_arguments)]
    fn failed(
        &mut self,
        open: Open,
        user: &str,
        method: &str,
        count: u32,
        invalid: bool,
        line: &Line,
        cx: &mut RecordCx,
    ) -> ParseResult {
        let mut n = count;
        match open {
            Open::Held(kind, a) if kind != HeldKind::NeedsAddr && same_user(&a.user, user) => {}
            Open::Held(_, a) => line.settle(a, cx),
            Open::Counted {
                user: u,
                refusal: true,
            } if same_user(&u, user) => n -= 1,
            _ => {}
        }
        let mut a = line.here(cx, Outcome::Failure, user, method);
        a.no_such_user |= invalid;
        for _ in 0..n {
            line.count(&a, cx);
        }
        self.open = Open::Counted {
            user: user.to_string(),
            refusal: false,
        };
        if n == 0 && cx.batch.drafts.len() == line.before {
            Err(Reject::Ignored(ALREADY_COUNTED))
        } else {
            Ok(())
        }
    }

    /// `Accepted METHOD`: a success, absorbing the same user's held attempt.
    fn accepted(
        &mut self,
        open: Open,
        user: &str,
        method: &str,
        line: &Line,
        cx: &mut RecordCx,
    ) -> ParseResult {
        match open {
            Open::Held(kind, a) if kind != HeldKind::NeedsAddr && same_user(&a.user, user) => {}
            Open::Held(_, a) => line.settle(a, cx),
            _ => {}
        }
        let a = line.here(cx, Outcome::Success, user, method);
        line.count(&a, cx);
        self.open = Open::Counted {
            user: user.to_string(),
            refusal: false,
        };
        Ok(())
    }

    /// A refusal: counted when the peer is known (and absorbing the same
    /// user's `Failed` line that follows), else held until it is.
    fn refused(
        &mut self,
        open: Open,
        user: &str,
        what: &str,
        line: &Line,
        cx: &mut RecordCx,
    ) -> ParseResult {
        if let Open::Held(_, a) = open {
            line.settle(a, cx);
        }
        let a = line.here(cx, Outcome::Failure, user, what);
        if line.has_peer() {
            line.count(&a, cx);
            self.open = Open::Counted {
                user: user.to_string(),
                refusal: true,
            };
            Ok(())
        } else {
            self.open = Open::Held(HeldKind::NeedsAddr, a);
            Err(Reject::Ignored(HELD))
        }
    }

    /// `Change of username or service not allowed`: a further attempt of
    /// the user last counted.
    fn change_of_user(&mut self, open: Open, line: &Line, cx: &mut RecordCx) -> ParseResult {
        match (open, line.has_peer()) {
            (Open::Counted { user, .. }, true) => {
                let a = line.here(cx, Outcome::Failure, &user, "change_of_user");
                line.count(&a, cx);
                self.open = Open::Ended;
                Ok(())
            }
            (open, _) => {
                self.open = open;
                Err(Reject::Ignored(NOT_AN_ATTEMPT))
            }
        }
    }

    /// A `pam_unix` failure: held (a `Failed` line or a success by another
    /// PAM module may follow); the same failure logged twice is one.
    fn pam(&mut self, open: Open, user: &str, line: &Line, cx: &mut RecordCx) -> ParseResult {
        match open {
            Open::Held(HeldKind::Pam, a)
                if same_user(&a.user, user) && a.time / 1000 == line.at.time / 1000 =>
            {
                // The same failure logged twice (monitor and `[preauth]` child).
                self.open = Open::Held(HeldKind::Pam, a);
                Err(Reject::Ignored(HELD))
            }
            Open::Counted {
                user: u,
                refusal: true,
            } if same_user(&u, user) => {
                self.open = Open::Counted {
                    user: u,
                    refusal: true,
                };
                Err(Reject::Ignored(ALREADY_COUNTED))
            }
            other => {
                let next = line.here(cx, Outcome::Failure, user, "pam");
                self.hold_next(other, HeldKind::Pam, next, line, cx)
            }
        }
    }

    /// The end of the connection's authentication: what is held is settled;
    /// an end line that is the only record of its attempt is one.
    fn end(
        &mut self,
        open: Open,
        user: &str,
        alone: bool,
        line: &Line,
        cx: &mut RecordCx,
    ) -> ParseResult {
        match open {
            Open::Held(kind, a) if line.has_peer() || kind != HeldKind::NeedsAddr => {
                line.settle(a, cx);
                self.open = Open::Ended;
                Ok(())
            }
            Open::Held(kind, a) => {
                self.open = Open::Held(kind, a);
                Err(Reject::Ignored(HELD))
            }
            Open::Counted { .. } | Open::Ended | Open::Timed { .. } => {
                self.open = Open::Ended;
                Err(Reject::Ignored(ALREADY_COUNTED))
            }
            Open::None if alone && line.has_peer() => {
                let a = line.here(cx, Outcome::Failure, user, "preauth");
                line.count(&a, cx);
                self.open = Open::Ended;
                Ok(())
            }
            Open::None if alone => {
                let a = line.here(cx, Outcome::Failure, user, "preauth");
                self.open = Open::Held(HeldKind::NeedsAddr, a);
                Err(Reject::Ignored(HELD))
            }
            // No attempt on this connection yet: one may still follow
            // (`Received disconnect` before `Disconnected from
            // authenticating user`).
            Open::None => Err(Reject::Ignored(NOT_AN_ATTEMPT)),
        }
    }
}

/// What a connection whose held attempt [`Conns::tick`] counted stands at
/// when its next line comes, with `true` (kept as it is) when the line is the
/// settling line already counted (more `Failed publickey|none` of the
/// same user after a held key attempt, the same `pam_unix` failure logged
/// twice in one second); else the state the line is read against (the
/// `Failed` line of the same user after a `pam_unix` or key attempt is
/// absorbed as a refusal's is).
fn after_tick(open: Open, msg: &Msg<'_>, now: Millis) -> (Open, bool) {
    let Open::Timed { kind, user, time } = open else {
        return (open, false);
    };
    match msg {
        Msg::Failed {
            method, user: u, ..
        } if matches!(*method, "publickey" | "none") => {
            if kind == HeldKind::Key && same_user(&user, u) {
                (Open::Timed { kind, user, time }, true)
            } else {
                let counted = Open::Counted {
                    user,
                    refusal: false,
                };
                (counted, false)
            }
        }
        Msg::Failed { user: u, .. } => {
            let refusal = kind != HeldKind::NeedsAddr && same_user(&user, u);
            (Open::Counted { user, refusal }, false)
        }
        Msg::Pam { user: u, .. }
            if kind == HeldKind::Pam && same_user(&user, u) && time / 1000 == now / 1000 =>
        {
            (Open::Timed { kind, user, time }, true)
        }
        _ => (Open::Timed { kind, user, time }, false),
    }
}

/// Counts a connection's held attempt at its own line (dropped without a peer).
fn release(conn: Conn, batch: &mut Batch) {
    release_open(conn.open, conn.addr.as_deref(), batch);
}

fn release_open(open: Open, peer: Option<&str>, batch: &mut Batch) {
    if let Open::Held(_, mut a) = open {
        if !is_ip(&a.addr) {
            if let Some(p) = peer {
                a.addr = p.to_string();
            }
        }
        if !a.addr.is_empty() {
            let (time, origin, identity) = (a.time, a.origin, a.identity);
            a.put(batch, time, origin, identity);
        }
    }
}

/// A line without a pid (or from another program): nothing to merge with.
fn standalone(msg: Msg<'_>, at: &At<'_>, cx: &mut RecordCx) -> ParseResult {
    let origin = cx.origin;
    let identity = cx.identity;
    let mut invalid = false;
    let (outcome, user, addr, method, count) = match msg {
        Msg::Failed {
            method,
            user,
            addr,
            count,
            invalid: i,
        } => {
            invalid = i;
            (Outcome::Failure, user, addr.best, method, count)
        }
        Msg::Accepted { method, user, addr } => (Outcome::Success, user, addr.best, method, 1),
        Msg::Refused {
            what,
            user,
            addr: Some(addr),
        } => (Outcome::Failure, user, addr, what, 1),
        Msg::Pam { user, addr } if !addr.is_empty() => (Outcome::Failure, user, addr, "pam", 1),
        Msg::End {
            user,
            addr: Some(addr),
            alone: true,
            ..
        } => (Outcome::Failure, user, addr, "preauth", 1),
        Msg::Summary => return Err(Reject::Ignored(ALREADY_COUNTED)),
        _ => return Err(Reject::Ignored(NOT_AN_ATTEMPT)),
    };
    let mut a = Attempt::new(at, origin, identity, outcome, user, addr, method);
    a.no_such_user |= invalid;
    for _ in 0..count {
        a.put(cx.batch, at.time, origin, identity);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::event::{Batch, Origin};
    use crate::ingest::sshd::{SshdState, LIVE_HOLD_MS};
    use crate::ingest::RecordCx;

    fn feed(state: &mut SshdState, batch: &mut Batch, line: &str) {
        let mut cx = RecordCx::new(batch, Origin::default());
        let _ = state.parse_line(line, &mut cx);
    }

    const PAM: &str = "2026-12-07T10:00:00Z web sshd[7]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.8  user=root";
    const FAILED: &str =
        "2026-12-07T10:00:02Z web sshd[7]: Failed password for root from 203.0.113.8 port 5 ssh2";

    #[test]
    fn a_tick_counts_a_held_attempt_once_its_live_hold_passed() {
        let mut s = SshdState::given_year(2026);
        let mut b = Batch::default();
        feed(&mut s, &mut b, PAM);
        assert_eq!(b.drafts.len(), 0, "held");
        assert_eq!(s.tick(1_000, &mut b), 0, "the first tick starts the hold");
        assert_eq!(s.tick(1_000 + LIVE_HOLD_MS - 1, &mut b), 0);
        assert_eq!(s.tick(1_000 + LIVE_HOLD_MS, &mut b), 1, "counted");
        assert!(!s.holds());
        // The Failed line PAM's fail delay later is that attempt: not counted again.
        feed(&mut s, &mut b, FAILED);
        assert_eq!(b.drafts.len(), 1);
        // The next attempt on the connection counts as usual.
        feed(&mut s, &mut b, &PAM.replace("10:00:00", "10:00:04"));
        feed(&mut s, &mut b, &FAILED.replace("10:00:02", "10:00:06"));
        assert_eq!(b.drafts.len(), 2);
        assert_eq!(s.finish(&mut b), 0);
    }

    #[test]
    fn a_line_of_the_connection_restarts_the_hold() {
        let mut s = SshdState::given_year(2026);
        let mut b = Batch::default();
        feed(&mut s, &mut b, PAM);
        assert_eq!(s.tick(0, &mut b), 0);
        // Another PAM line of the same failure (the `[preauth]` child's copy).
        feed(&mut s, &mut b, PAM);
        assert_eq!(
            s.tick(LIVE_HOLD_MS, &mut b),
            0,
            "held again since this tick"
        );
        assert_eq!(s.tick(2 * LIVE_HOLD_MS, &mut b), 1);
    }

    #[test]
    fn without_ticks_nothing_changes() {
        let mut s = SshdState::given_year(2026);
        let mut b = Batch::default();
        feed(&mut s, &mut b, PAM);
        feed(&mut s, &mut b, FAILED);
        assert_eq!(
            b.drafts.len(),
            1,
            "the PAM line and its Failed line are one attempt"
        );
    }
}

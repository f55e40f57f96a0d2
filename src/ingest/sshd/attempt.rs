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
        let line_addr: Option<&str> = match &msg {
            Msg::Failed { addr, .. } | Msg::Accepted { addr, .. } => Some(resolve(*addr, known)),
            Msg::Refused { addr, .. } | Msg::End { addr, .. } => *addr,
            Msg::Pam { addr, .. } | Msg::Connect { addr } => Some(*addr).filter(|a| is_addr(a)),
            _ => None,
        };
        // The same pid with another peer, a new `Connection from`, or a second
        // `Received disconnect`: the old connection is over (pid reused).
        let new_conn = self.map.get(&k).is_some_and(|c| {
            matches!(msg, Msg::Connect { .. })
                || line_addr
                    .zip(c.addr.as_deref())
                    .is_some_and(|(a, b)| other_peer(a, b))
                || (c.received && matches!(msg, Msg::End { received: true, .. }))
        });
        if new_conn {
            if let Some(old) = self.map.remove(&k) {
                release(old, cx.batch);
            }
        }
        let conn = self.map.entry(k).or_insert(Conn {
            addr: None,
            open: Open::None,
            time: at.time,
            received: false,
            held_since: None,
        });
        conn.time = at.time;
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
        let peer = conn.addr.clone();
        let origin = cx.origin;
        let identity = cx.identity;
        let here = |outcome, user: &str, method: &str| {
            let addr = line_addr
                .filter(|a| is_ip(a))
                .or(peer.as_deref())
                .or(line_addr)
                .unwrap_or_default();
            Attempt::new(&at, origin, identity, outcome, user, addr, method)
        };
        // Settles a held attempt at this line (a failure).
        let settle = |a: Attempt, cx: &mut RecordCx, peer: Option<&str>| {
            let mut a = a;
            if !is_ip(&a.addr) {
                if let Some(p) = peer {
                    a.addr = p.to_string();
                }
            }
            a.put(cx.batch, at.time, cx.origin, cx.identity);
        };
        let before = cx.batch.drafts.len();
        let open = match after_tick(std::mem::replace(&mut conn.open, Open::None), &msg, at.time) {
            (open, false) => open,
            (kept, true) => {
                conn.open = kept;
                return Err(Reject::Ignored(ALREADY_COUNTED));
            }
        };
        let res = match msg {
            Msg::Connect { .. } => {
                conn.open = open;
                Err(Reject::Ignored(NOT_AN_ATTEMPT))
            }
            Msg::Summary => {
                conn.open = open;
                Err(Reject::Ignored(ALREADY_COUNTED))
            }
            Msg::Other => {
                conn.open = open;
                Err(Reject::Ignored(NOT_AN_ATTEMPT))
            }
            Msg::Failed { method, user, .. } if matches!(method, "publickey" | "none") => {
                match open {
                    Open::Held(HeldKind::Key, a) if same_user(&a.user, user) => {
                        conn.open = Open::Held(HeldKind::Key, a);
                        Err(Reject::Ignored(HELD))
                    }
                    Open::Counted {
                        user: u,
                        refusal: true,
                    } if same_user(&u, user) => {
                        conn.open = Open::Counted {
                            user: u,
                            refusal: true,
                        };
                        Err(Reject::Ignored(ALREADY_COUNTED))
                    }
                    other => {
                        let settled = if let Open::Held(_, a) = other {
                            settle(a, cx, peer.as_deref());
                            true
                        } else {
                            false
                        };
                        conn.open = Open::Held(HeldKind::Key, here(Outcome::Failure, user, method));
                        if settled {
                            Ok(())
                        } else {
                            Err(Reject::Ignored(HELD))
                        }
                    }
                }
            }
            Msg::Failed {
                method,
                user,
                count,
                invalid,
                ..
            } => {
                let mut n = count;
                match open {
                    Open::Held(kind, a)
                        if kind != HeldKind::NeedsAddr && same_user(&a.user, user) => {}
                    Open::Held(_, a) => settle(a, cx, peer.as_deref()),
                    Open::Counted {
                        user: u,
                        refusal: true,
                    } if same_user(&u, user) => n -= 1,
                    _ => {}
                }
                let mut a = here(Outcome::Failure, user, method);
                a.no_such_user |= invalid;
                for _ in 0..n {
                    a.put(cx.batch, at.time, origin, identity);
                }
                conn.open = Open::Counted {
                    user: user.to_string(),
                    refusal: false,
                };
                if n == 0 && cx.batch.drafts.len() == before {
                    Err(Reject::Ignored(ALREADY_COUNTED))
                } else {
                    Ok(())
                }
            }
            Msg::Accepted { method, user, .. } => {
                match open {
                    Open::Held(kind, a)
                        if kind != HeldKind::NeedsAddr && same_user(&a.user, user) => {}
                    Open::Held(_, a) => settle(a, cx, peer.as_deref()),
                    _ => {}
                }
                here(Outcome::Success, user, method).put(cx.batch, at.time, origin, identity);
                conn.open = Open::Counted {
                    user: user.to_string(),
                    refusal: false,
                };
                Ok(())
            }
            Msg::Refused { what, user, .. } => {
                if let Open::Held(_, a) = open {
                    settle(a, cx, peer.as_deref());
                }
                if peer.is_some() {
                    here(Outcome::Failure, user, what).put(cx.batch, at.time, origin, identity);
                    conn.open = Open::Counted {
                        user: user.to_string(),
                        refusal: true,
                    };
                    Ok(())
                } else {
                    conn.open = Open::Held(HeldKind::NeedsAddr, here(Outcome::Failure, user, what));
                    Err(Reject::Ignored(HELD))
                }
            }
            Msg::ChangeOfUser => match (open, peer.is_some()) {
                (Open::Counted { user, .. }, true) => {
                    here(Outcome::Failure, &user, "change_of_user")
                        .put(cx.batch, at.time, origin, identity);
                    conn.open = Open::Ended;
                    Ok(())
                }
                (open, _) => {
                    conn.open = open;
                    Err(Reject::Ignored(NOT_AN_ATTEMPT))
                }
            },
            Msg::Pam { user, .. } => match open {
                Open::Held(HeldKind::Pam, a)
                    if same_user(&a.user, user) && a.time / 1000 == at.time / 1000 =>
                {
                    // The same failure logged twice (monitor and `[preauth]` child).
                    conn.open = Open::Held(HeldKind::Pam, a);
                    Err(Reject::Ignored(HELD))
                }
                Open::Counted {
                    user: u,
                    refusal: true,
                } if same_user(&u, user) => {
                    conn.open = Open::Counted {
                        user: u,
                        refusal: true,
                    };
                    Err(Reject::Ignored(ALREADY_COUNTED))
                }
                other => {
                    let settled = if let Open::Held(_, a) = other {
                        settle(a, cx, peer.as_deref());
                        true
                    } else {
                        false
                    };
                    conn.open = Open::Held(HeldKind::Pam, here(Outcome::Failure, user, "pam"));
                    if settled {
                        Ok(())
                    } else {
                        Err(Reject::Ignored(HELD))
                    }
                }
            },
            Msg::End {
                user,
                alone,
                received,
                ..
            } => {
                conn.received |= received;
                match open {
                    Open::Held(kind, a) if peer.is_some() || kind != HeldKind::NeedsAddr => {
                        settle(a, cx, peer.as_deref());
                        conn.open = Open::Ended;
                        Ok(())
                    }
                    Open::Held(kind, a) => {
                        conn.open = Open::Held(kind, a);
                        Err(Reject::Ignored(HELD))
                    }
                    Open::Counted { .. } | Open::Ended | Open::Timed { .. } => {
                        conn.open = Open::Ended;
                        Err(Reject::Ignored(ALREADY_COUNTED))
                    }
                    Open::None if alone && peer.is_some() => {
                        here(Outcome::Failure, user, "preauth")
                            .put(cx.batch, at.time, origin, identity);
                        conn.open = Open::Ended;
                        Ok(())
                    }
                    Open::None if alone => {
                        conn.open = Open::Held(
                            HeldKind::NeedsAddr,
                            here(Outcome::Failure, user, "preauth"),
                        );
                        Err(Reject::Ignored(HELD))
                    }
                    // No attempt on this connection yet: one may still follow
                    // (`Received disconnect` before `Disconnected from
                    // authenticating user`).
                    Open::None => Err(Reject::Ignored(NOT_AN_ATTEMPT)),
                }
            }
        };
        res
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

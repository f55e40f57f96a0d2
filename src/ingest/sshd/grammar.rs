//! The grammar of sshd's messages (after `sshd[pid]:`): which kind of line
//! it is, and the user and peer address each one names. The address is read
//! only from its structural place in the message — the token sshd writes
//! after the user name (`from H port P sshN`, `U H port P [preauth]`,
//! `rhost=H`) — never by searching the text for an address, because the
//! user name, the auth info after `sshN:` and client banners are client text
//! and may contain `from 1.2.3.4` (fail2ban's injection cases).
//!
//! Pure: a message in, a [`Msg`] out. What the lines mean together (which
//! lines are one attempt) is `attempt.rs`'s business.

/// One classified sshd message. `addr` is the peer as logged (an IP or a
/// host name); user names are as logged (case kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg<'a> {
    /// `Failed METHOD for [invalid user ]U from H …`, `count` > 1 for
    /// `message repeated N times: [ … ]`.
    Failed {
        method: &'a str,
        user: &'a str,
        addr: Addr<'a>,
        count: u32,
        /// `for invalid user U` / `for illegal user U`: no such account.
        invalid: bool,
    },
    /// `Accepted METHOD for U from H …`.
    Accepted {
        method: &'a str,
        user: &'a str,
        addr: Addr<'a>,
    },
    /// A refusal that is itself an attempt (`Invalid user`, `User U from H
    /// not allowed because …`, `ROOT LOGIN REFUSED`, `error: PAM: …`,
    /// tcp-wrappers `refused connect`); `addr` is `None` when the line has
    /// none (`User root not allowed because account is locked`).
    Refused {
        what: &'static str,
        user: &'a str,
        addr: Option<&'a str>,
    },
    /// `Disconnecting invalid user U H port P: Change of username or service
    /// not allowed` — a further attempt on the same connection.
    ChangeOfUser,
    /// A PAM `authentication failure; … rhost=H [user=U]` line.
    Pam { user: &'a str, addr: &'a str },
    /// The end of a connection's authentication. `alone`: the line is the
    /// record of an attempt by itself when nothing else on its connection
    /// is (`Connection closed by authenticating user U H port P [preauth]`,
    /// `maximum authentication attempts exceeded`, `Too many authentication
    /// failures`, a client's `Auth fail` disconnect).
    End {
        user: &'a str,
        addr: Option<&'a str>,
        alone: bool,
        /// A `Received disconnect` line (logged once per connection).
        received: bool,
    },
    /// `Connection from H port P …`: the connection's peer.
    Connect { addr: &'a str },
    /// A line about an attempt that other lines record (`PAM N more
    /// authentication failures`, `input_userauth_request`, `check pass`).
    Summary,
    /// Anything else sshd says.
    Other,
}

/// The peer address of a `from H port P sshN` tail: the structural choice,
/// and a second complete tail when the line has two (one of them is client
/// text; the connection's known address decides, see `attempt.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addr<'a> {
    pub best: &'a str,
    pub alt: Option<&'a str>,
}

/// Most events one `message repeated N times` line may stand for, so that a
/// corrupt count cannot flood the store.
pub const MAX_REPEAT: u32 = 10_000;

/// Classifies one sshd message (already trimmed, syslog prefix removed).
pub fn classify(msg: &str) -> Msg<'_> {
    let msg = msg.trim();
    // Solaris: `[ID 800047 auth.info] Failed …`.
    let msg = match msg.strip_prefix("[ID ").and_then(|r| r.split_once("] ")) {
        Some((_, rest)) => rest.trim_start(),
        None => msg,
    };
    let (count, body) = repeated(msg).unwrap_or((1, msg));
    if let Some(rest) = body.strip_prefix("Failed ") {
        return match method_tail(rest) {
            Some((method, user, addr)) => Msg::Failed {
                method,
                user,
                addr,
                count,
                invalid: rest.split_once(" for ").is_some_and(|(_, t)| {
                    t.starts_with("invalid user ") || t.starts_with("illegal user ")
                }),
            },
            None => Msg::Other,
        };
    }
    if let Some(rest) = body.strip_prefix("Accepted ") {
        return match method_tail(rest) {
            Some((method, user, addr)) => Msg::Accepted { method, user, addr },
            None => Msg::Other,
        };
    }
    classify_other(body)
}

fn classify_other(m: &str) -> Msg<'_> {
    if let Some(rest) = m.strip_prefix("Invalid user ") {
        return match from_tail(rest) {
            Some((user, addr)) => Msg::Refused {
                what: "invalid_user",
                user,
                addr: Some(addr),
            },
            None => Msg::Other,
        };
    }
    if let Some(rest) = m.strip_prefix("User ") {
        // `User U from H not allowed because REASON`, like the other lines:
        // the peer is the first complete `from H` (an address, then ` not
        // allowed because `) and the user is the text before the first
        // ` from ` (a user never contains ` from `).
        for (i, _) in rest.match_indices(" from ") {
            let after = rest.get(i + 6..).unwrap_or_default();
            let Some((addr, _)) = after.split_once(" not allowed because ") else {
                continue;
            };
            if is_addr(addr) {
                let cut = rest.find(" from ").unwrap_or(i);
                return Msg::Refused {
                    what: "not_allowed",
                    user: rest.get(..cut).unwrap_or_default(),
                    addr: Some(addr),
                };
            }
        }
        // `User U not allowed because REASON` (no peer): REASON is sshd's
        // text, so the last " not allowed because " is the real one.
        return match rest.rsplit_once(" not allowed because ") {
            Some((user, _)) => Msg::Refused {
                what: "not_allowed",
                user,
                addr: None,
            },
            None => Msg::Other,
        };
    }
    if let Some(rest) = m.strip_prefix("ROOT LOGIN REFUSED FROM ") {
        let addr = rest.split(' ').next().unwrap_or_default();
        return refused_if_addr("root_refused", "root", addr);
    }
    if let Some(rest) = m.strip_prefix("error: PAM: ") {
        return pam_error(rest);
    }
    if let Some(rest) = m.strip_prefix("refused connect from ") {
        // tcp-wrappers: `refused connect from NAME (ADDR)`; ADDR is last.
        let addr = rest
            .strip_suffix(')')
            .and_then(|r| r.rsplit_once(" ("))
            .map(|(_, a)| a)
            .unwrap_or_default();
        return refused_if_addr("refused_connect", "", addr);
    }
    if let Some(fields) = pam_failure_fields(m) {
        return pam_fields(fields);
    }
    if let Some(rest) = m.strip_prefix("error: maximum authentication attempts exceeded for ") {
        return match method_tail_user(rest) {
            Some((user, addr)) => Msg::End {
                user,
                addr: Some(addr.best),
                alone: true,
                received: false,
            },
            None => Msg::Other,
        };
    }
    if let Some(rest) = m.strip_prefix("Disconnecting") {
        return disconnecting(rest);
    }
    for prefix in [
        "Connection closed by ",
        "Disconnected from ",
        "Connection reset by ",
    ] {
        if let Some(rest) = m.strip_prefix(prefix) {
            return closed(rest);
        }
    }
    for prefix in [
        "Received disconnect from ",
        "error: Received disconnect from ",
    ] {
        if let Some(rest) = m.strip_prefix(prefix) {
            return received_disconnect(rest);
        }
    }
    if let Some(rest) = m.strip_prefix("Connection from ") {
        let addr = rest.split(' ').next().unwrap_or_default();
        if is_addr(addr) {
            return Msg::Connect { addr };
        }
        return Msg::Other;
    }
    const SUMMARY: [&str; 7] = [
        "PAM ",
        "input_userauth_request: invalid user",
        "pam_unix(sshd:auth): check pass",
        "POSSIBLE BREAK-IN ATTEMPT",
        "Postponed ",
        "error: PAM: User not known",
        "User child is on pid",
    ];
    if SUMMARY.iter().any(|p| m.starts_with(p) || m.contains(p)) {
        return Msg::Summary;
    }
    Msg::Other
}

fn refused_if_addr<'a>(what: &'static str, user: &'a str, addr: &'a str) -> Msg<'a> {
    if is_addr(addr) {
        Msg::Refused {
            what,
            user,
            addr: Some(addr),
        }
    } else {
        Msg::Other
    }
}

/// `error: PAM: (Authentication|authentication) (failure|error) for
/// [illegal user ]U from H[ via A]` and `User not known to the underlying
/// authentication module for illegal user U from H`.
fn pam_error(rest: &str) -> Msg<'_> {
    let lower_ok = [
        "Authentication ",
        "authentication ",
        "User not known ",
        "unknown user ",
    ]
    .iter()
    .any(|p| rest.starts_with(p));
    let Some((_, tail)) = rest.split_once(" for ").filter(|_| lower_ok) else {
        return Msg::Other;
    };
    let unknown = tail
        .strip_prefix("illegal user ")
        .or_else(|| tail.strip_prefix("invalid user "));
    let what = if unknown.is_some() || rest.starts_with("unknown user ") {
        "invalid_user"
    } else {
        "pam"
    };
    let tail = unknown.unwrap_or(tail);
    // macOS appends ` via LOCAL-ADDR` after the peer.
    let tail = match tail.rsplit_once(" via ") {
        Some((head, via)) if is_addr(via) => head,
        _ => tail,
    };
    // The first ` from H` that ends the line: the user never contains ` from `.
    match tail.split_once(" from ") {
        Some((user, addr)) if is_addr(addr.trim_end()) => Msg::Refused {
            what,
            user,
            addr: Some(addr.trim_end()),
        },
        _ => match tail.rsplit_once(" from ") {
            Some((_, addr)) if is_addr(addr.trim_end()) => Msg::Refused {
                what,
                user: tail.split_once(" from ").map_or(tail, |(u, _)| u),
                addr: Some(addr.trim_end()),
            },
            _ => Msg::Other,
        },
    }
}

/// The `key=value` part of a PAM `authentication failure;` line from any
/// module spelling: `pam_unix(S:auth): authentication failure; …`,
/// `(pam_unix) authentication failure; …`, `pam_unix: authentication failure; …`.
pub fn pam_failure_fields(m: &str) -> Option<&str> {
    let (head, fields) = m.split_once("authentication failure;")?;
    let head = head.trim();
    let ok = head == "(pam_unix)"
        || head == "pam_unix:"
        || (head.starts_with("pam_unix(") && head.ends_with("auth):"));
    ok.then_some(fields)
}

/// `logname= uid= euid= tty= ruser=R rhost=H[ user=U]`: pam_unix writes the
/// fields in this order, and `ruser`/`user` may carry client text (even
/// ` rhost=…`). The real rhost is the first one followed by the end of the
/// line or by ` user=`; the user is everything after that ` user=`.
pub fn pam_fields(fields: &str) -> Msg<'_> {
    let fields = fields.trim_end();
    let fields = fields
        .strip_suffix("[preauth]")
        .unwrap_or(fields)
        .trim_end();
    for (i, _) in fields.match_indices("rhost=") {
        if i > 0 && fields.get(i - 1..i) != Some(" ") {
            continue;
        }
        let after = fields.get(i + 6..).unwrap_or_default();
        let (addr, rest) = after.split_once(' ').unwrap_or((after, ""));
        let rest = rest.trim_start();
        let user = if rest.is_empty() {
            None
        } else if let Some(u) = rest.strip_prefix("user=") {
            Some(u.trim())
        } else {
            continue;
        };
        let user = user.unwrap_or_else(|| ruser(fields.get(..i).unwrap_or_default()));
        return Msg::Pam { user, addr };
    }
    Msg::Other
}

/// `ruser=R` before `rhost=` (used as the user when there is no `user=`).
fn ruser(before: &str) -> &str {
    before
        .split_once(" ruser=")
        .map(|(_, r)| r.trim())
        .unwrap_or_default()
}

/// `Disconnecting…` messages.
fn disconnecting(rest: &str) -> Msg<'_> {
    let rest = rest.trim_end();
    let rest = rest.strip_suffix("[preauth]").unwrap_or(rest).trim_end();
    if let Some(r) = rest.strip_prefix(": Too many authentication failures") {
        // `Disconnecting: Too many authentication failures[ for U]`: no address.
        let user = r.trim().strip_prefix("for ").unwrap_or_default();
        return Msg::End {
            user,
            addr: None,
            alone: true,
            received: false,
        };
    }
    let Some(rest) = rest
        .strip_prefix(" invalid user ")
        .or_else(|| rest.strip_prefix(" authenticating user "))
    else {
        return Msg::Other;
    };
    if rest.contains(": Change of username or service not allowed") {
        return Msg::ChangeOfUser;
    }
    if let Some(head) = rest.strip_suffix(": Too many authentication failures") {
        if let Some((user, addr)) = user_addr_port(head) {
            return Msg::End {
                user,
                addr: Some(addr),
                alone: true,
                received: false,
            };
        }
    }
    Msg::Other
}

/// After `Connection closed by ` / `Disconnected from ` / `Connection reset by `.
fn closed(rest: &str) -> Msg<'_> {
    let rest = rest.trim_end();
    let preauth = rest.ends_with("[preauth]");
    let body = rest.strip_suffix("[preauth]").unwrap_or(rest).trim_end();
    for (prefix, alone) in [
        ("authenticating user ", preauth),
        ("invalid user ", preauth),
        ("user ", false),
    ] {
        if let Some(r) = body.strip_prefix(prefix) {
            return match user_addr_port(r) {
                Some((user, addr)) => Msg::End {
                    user,
                    addr: Some(addr),
                    alone,
                    received: false,
                },
                None => Msg::Other,
            };
        }
    }
    let addr = body.split(' ').next().unwrap_or_default();
    if is_addr(addr) {
        Msg::End {
            user: "",
            addr: Some(addr),
            alone: false,
            received: false,
        }
    } else {
        Msg::Other
    }
}

/// `Received disconnect from H[ port P]:CODE: TEXT`: the end of a
/// connection; a client saying `Auth fail` records a failed attempt.
fn received_disconnect(rest: &str) -> Msg<'_> {
    let (addr, text) = match rest.split_once(' ') {
        Some((a, t)) if t.starts_with("port ") => (a, t),
        // `from H: 11: …` (an IPv6 address contains ':', so cut at ": ").
        _ => rest.split_once(": ").unwrap_or((rest, "")),
    };
    if !is_addr(addr) {
        return Msg::Other;
    }
    Msg::End {
        user: "",
        addr: Some(addr),
        alone: text.contains("Auth fail"),
        received: true,
    }
}

/// `U H port P` (from the right: the user may contain spaces and addresses).
fn user_addr_port(s: &str) -> Option<(&str, &str)> {
    let (head, port) = s.trim_end().rsplit_once(" port ")?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (user, addr) = head.rsplit_once(' ')?;
    is_addr(addr).then_some((user, addr))
}

/// `U from H[ port P][ [preauth]]` (Invalid user): the first structurally
/// complete `from` tail after the user, as for [`method_tail_user`].
fn from_tail(rest: &str) -> Option<(&str, &str)> {
    let (user, addr) = method_tail_user(rest)?;
    Some((user, addr.best))
}

/// `METHOD for [invalid user ]U from H …` (after Failed/Accepted).
fn method_tail(rest: &str) -> Option<(&str, &str, Addr<'_>)> {
    let (method, rest) = rest.split_once(" for ")?;
    if method.is_empty() || method.contains(' ') {
        return None;
    }
    let (user, addr) = method_tail_user(rest)?;
    Some((method, user, addr))
}

/// `[invalid user ]U from H[ port P][ on A][ sshN][: INFO| [preauth]]`.
///
/// Both the user name (before) and the auth info (after `sshN: `) may be
/// client text containing a whole fake tail, so neither may decide the
/// peer. A candidate ` from ` is structurally complete when an address,
/// optional `port N`, optional `sshN` follow and then the line ends,
/// `[preauth]` or `: ` starts the info. The peer is the FIRST complete
/// candidate (those with a port before those without: sshd has logged the
/// port since 3.x); the user is the text before the first ` from ` (a user
/// never contains ` from `). Another complete candidate is returned as
/// `alt` (the connection's known peer, which sshd wrote, may prefer it; see
/// `attempt.rs`).
fn method_tail_user(rest: &str) -> Option<(&str, Addr<'_>)> {
    let rest = rest
        .strip_prefix("invalid user ")
        .or_else(|| rest.strip_prefix("illegal user "))
        .unwrap_or(rest);
    let rest = rest.trim_end();
    let mut cands: Vec<(&str, bool)> = Vec::new();
    let mut first_from: Option<usize> = None;
    for (i, _) in rest.match_indices(" from ") {
        let after = rest.get(i + 6..).unwrap_or_default();
        if let Some((addr, has_port, _)) = complete_tail(after) {
            first_from.get_or_insert(i);
            cands.push((addr, has_port));
        }
    }
    let any_port = cands.iter().any(|c| c.1);
    cands.retain(|c| c.1 == any_port);
    let &(best, _) = cands.first()?;
    let alt = cands.iter().find(|c| c.0 != best).map(|c| c.0);
    let cut = rest.find(" from ").or(first_from).unwrap_or_default();
    let user = rest.get(..cut).unwrap_or_default();
    Some((user, Addr { best, alt }))
}

/// `H[ port P][ on A][ sshN]` then end, ` [preauth]` or `: INFO`:
/// Some((H, has port, ends the line)).
fn complete_tail(after: &str) -> Option<(&str, bool, bool)> {
    let (tok, mut r) = after.split_once(' ').unwrap_or((after, ""));
    // `from H: INFO` (a colon glued to the token ends it, unless the token
    // is itself an IPv6 address).
    let (addr, glued) = match tok.strip_suffix(':') {
        Some(a) if !is_ip(tok) => (a, true),
        _ => (tok, false),
    };
    if !is_addr(addr) {
        return None;
    }
    if glued {
        return Some((addr, false, false));
    }
    let mut has_port = false;
    if let Some(p) = r.strip_prefix("port ") {
        let (n, rest) = p.split_once(' ').unwrap_or((p, ""));
        let (n, glued) = match n.strip_suffix(':') {
            Some(n) => (n, true),
            None => (n, false),
        };
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if glued {
            return Some((addr, true, false));
        }
        has_port = true;
        r = rest;
    }
    if let Some(on) = r.strip_prefix("on ") {
        r = on.split_once(' ').map(|(_, x)| x).unwrap_or("");
    }
    if let Some(s) = r.strip_prefix("ssh") {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        r = s.get(digits..).unwrap_or_default();
    }
    let r = r.trim_start_matches(' ');
    if r.is_empty() || r == "[preauth]" {
        Some((addr, has_port, true))
    } else if r.starts_with(':') {
        Some((addr, has_port, false))
    } else {
        None
    }
}

/// `message repeated N times: [ inner ]` → (N, inner).
fn repeated(msg: &str) -> Option<(u32, &str)> {
    let rest = msg.strip_prefix("message repeated ")?;
    let (n, rest) = rest.split_once(' ')?;
    let inner = rest.strip_prefix("times: [")?;
    let inner = inner.trim().strip_suffix(']').unwrap_or(inner).trim();
    Some((n.parse::<u32>().ok()?.clamp(1, MAX_REPEAT), inner))
}

fn is_ip(s: &str) -> bool {
    super::super::normalize_ip(s).is_some() && !s.contains(['[', ']'])
}

/// An address or host name token as sshd writes it (no spaces, no quotes).
pub fn is_addr(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'-' | b'_' | b'%'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(m: &str) -> Option<String> {
        match classify(m) {
            Msg::Failed { addr, .. } | Msg::Accepted { addr, .. } => Some(addr.best.into()),
            Msg::Refused { addr, .. } => addr.map(Into::into),
            Msg::End { addr, .. } => addr.map(Into::into),
            Msg::Pam { addr, .. } | Msg::Connect { addr } => Some(addr.into()),
            _ => None,
        }
    }

    #[test]
    fn failed_for_an_invalid_user_says_so() {
        fn invalid(m: &str) -> Option<(bool, &str)> {
            match classify(m) {
                Msg::Failed { invalid, user, .. } => Some((invalid, user)),
                _ => None,
            }
        }
        assert_eq!(
            invalid("Failed password for invalid user bob from 1.2.3.4 port 22 ssh2"),
            Some((true, "bob"))
        );
        assert_eq!(
            invalid("Failed none for illegal user x from 1.2.3.4 port 22 ssh2"),
            Some((true, "x"))
        );
        // A valid account whose name starts like the phrase is not invalid.
        assert_eq!(
            invalid("Failed password for invalid from 1.2.3.4 port 22 ssh2"),
            Some((false, "invalid"))
        );
    }

    #[test]
    fn injected_addresses_do_not_move_the_peer() {
        for (m, want) in [
            ("Failed password for user from 127.0.0.1 port 20000 ssh1: ruser from 1.2.3.4", "127.0.0.1"),
            ("Failed password for invalid user from 10.10.1.1 from 127.0.0.1 port 58946 ssh2", "127.0.0.1"),
            ("Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2", "127.0.0.1"),
            ("Failed password for a from 6.6.6.6 port 1 ssh2: x from 192.0.2.9 port 22 ssh2", "6.6.6.6"),
            ("Failed password for root from 192.0.2.44 port 4 ssh2: from 198.51.100.99 port 55555 ssh2", "192.0.2.44"),
            ("Accepted publickey for root from 192.0.2.45 port 4 ssh2: from 198.51.100.99 port 55555 ssh2", "192.0.2.45"),
            ("Invalid user x from 192.0.2.46 port 4 from 198.51.100.99 port 55555", "198.51.100.99"),
            ("error: maximum authentication attempts exceeded for root from 192.0.2.47 port 4 ssh2: from 198.51.100.99 port 5 ssh2 [preauth]", "192.0.2.47"),
            ("error: PAM: unknown user for illegal user kernel from 10.215.4.228", "10.215.4.228"),
            ("Failed hostbased for dan from 127.0.0.1 port 45785 ssh2: RSA 8c:e3, client user \"dan\", client host \"h from 6.6.6.6 port 1 ssh2\"", "127.0.0.1"),
            ("Invalid user x from 6.6.6.6 from 192.0.2.3 port 4", "192.0.2.3"),
            ("User a from 192.0.2.4 not allowed because x from 6.6.6.6 not allowed because not listed in AllowUsers", "192.0.2.4"),
            ("User a from b from 192.0.2.5 not allowed because not listed in AllowUsers", "192.0.2.5"),
            ("Connection closed by authenticating user test 127.0.0.1 port 12345 192.0.2.11 port 46039 [preauth]", "192.0.2.11"),
            ("pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser=test rhost=192.0.2.151 rhost=192.0.2.1", "192.0.2.1"),
            ("pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser= rhost=192.0.2.2 user=test rhost=192.0.2.152", "192.0.2.2"),
            ("error: PAM: authentication error for james from example.com via 192.168.1.201", "example.com"),
            ("Failed password for invalid user ROOT from aaaa:bbbb:cccc:1234::1:1", "aaaa:bbbb:cccc:1234::1:1"),
            ("Received disconnect from 2001:db8::1: 3: Auth fail [preauth]", "2001:db8::1"),
            ("Received disconnect from 198.51.100.76 port 58846:11: Bye Bye [preauth]", "198.51.100.76"),
        ] {
            assert_eq!(addr(m).as_deref(), Some(want), "{m}");
        }
    }

    #[test]
    fn a_second_complete_tail_is_offered_as_the_alternative() {
        let m = "Failed password for invalid user test from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2";
        let Msg::Failed { addr, user, .. } = classify(m) else {
            panic!()
        };
        assert_eq!((addr.best, addr.alt), ("127.0.0.1", Some("10.10.1.2")));
        assert_eq!(user, "test");
    }

    #[test]
    fn a_user_never_contains_from() {
        fn user(m: &str) -> Option<&str> {
            match classify(m) {
                Msg::Failed { user, .. } | Msg::Accepted { user, .. } => Some(user),
                Msg::Refused { user, .. } | Msg::End { user, .. } => Some(user),
                _ => None,
            }
        }
        for (m, want) in [
            ("Failed password for root from 192.0.2.44 port 4 ssh2: from 198.51.100.99 port 55555 ssh2", "root"),
            ("Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2", "test"),
            ("Failed keyboard-interactive/pam for bob from 192.0.2.1 port 4 ssh2: from 198.51.100.99 port 5 ssh2", "bob"),
            ("Accepted password for eve from 192.0.2.1 port 4 ssh2: from 198.51.100.99 port 5 ssh2", "eve"),
            ("Invalid user mallory from 192.0.2.1 port 4 from 198.51.100.99 port 5", "mallory"),
            ("error: PAM: unknown user for illegal user kernel from 10.215.4.228", "kernel"),
            ("error: PAM: Authentication failure for a from b from example.com", "a"),
            ("User root from 192.0.2.4 not allowed because x from 6.6.6.6 not allowed because not listed in AllowUsers", "root"),
            ("User a from b from 192.0.2.5 not allowed because not listed in AllowUsers", "a"),
            ("User root not allowed because account is locked", "root"),
        ] {
            assert_eq!(user(m), Some(want), "{m}");
        }
    }

    #[test]
    fn an_old_pam_unknown_user_is_an_unknown_user_attempt() {
        for m in [
            "error: PAM: unknown user for illegal user kernel from 10.215.4.228",
            "error: PAM: User not known to the underlying authentication module for illegal user k from 10.215.4.227",
        ] {
            assert!(
                matches!(classify(m), Msg::Refused { what: "invalid_user", addr: Some(_), .. }),
                "{m}"
            );
        }
    }

    #[test]
    fn garbage_never_panics() {
        for m in [
            "Failed",
            "Failed  for  from ",
            "Failed x for y from",
            "Failed x for y from é port é",
            "User ",
            "Disconnecting",
            "Disconnecting invalid user",
            "Received disconnect from ",
            "pam_unix(sshd:auth): authentication failure; rhost=",
            "Connection closed by authenticating user  port 1",
            "error: PAM: ",
            "refused connect from (",
            "message repeated x times: [",
        ] {
            let _ = classify(m);
        }
    }
}

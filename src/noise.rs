//! What the session reads of an address to call its findings internet
//! background noise (see [`crate::incident::background`]): every sign-in
//! event from it in the store failed, for generic or non-existent accounts
//! only, and the finding's evidence was logged by sshd.

use crate::event::{flags, Outcome, Source};
use crate::finding::Finding;
use crate::incident::background::{is_generic, Background, MAX_NAMES, ROLLED};
use crate::pipeline::SourceInfo;
use crate::store::Store;
use std::collections::HashMap;

/// Most events of one address read to call it background; a busier
/// address is never rolled up (it is worth its own look).
pub const MAX_EVENTS: usize = 65_536;

/// The background shape of `f`, or none.
pub fn shape(
    store: &Store,
    sources: &[SourceInfo],
    f: &Finding,
    generic: &[String],
) -> Option<Background> {
    if !ROLLED.contains(&f.detector) || f.suppressed.is_some() {
        return None;
    }
    let ip = f.ip.as_deref()?;
    let mut host = None;
    for &idx in &f.evidence {
        let ev = store.try_get(idx)?;
        if ev.source != Source::Sshd {
            return None;
        }
        if host.is_none() {
            host = Some(match store.text(ev.app).split_once('@') {
                Some((_, h)) if !h.is_empty() => h.to_string(),
                _ => sources
                    .get(store.file(idx) as usize)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            });
        }
    }
    let (attempts, names) = address_scans(store, ip, generic)?;
    Some(Background {
        host: host?,
        attempts,
        names,
    })
}

/// For an address whose every sign-in failed on a generic or non-existent
/// account: its failures and the names tried (most tried first); else none.
pub fn address_scans(
    store: &Store,
    ip: &str,
    generic: &[String],
) -> Option<(u32, Vec<(String, u32)>)> {
    let evs = store.by_ip(ip);
    if evs.is_empty() || evs.len() > MAX_EVENTS {
        return None;
    }
    let mut attempts = 0u32;
    let mut names: HashMap<&str, u32> = HashMap::new();
    for &idx in evs {
        let Some(ev) = store.try_get(idx) else {
            continue;
        };
        match ev.outcome {
            Outcome::Success | Outcome::Interrupted => return None,
            Outcome::Failure => {
                let user = store.text(ev.user);
                let unknown = ev.flags & flags::NO_SUCH_USER != 0;
                if !unknown && !user.is_empty() && !is_generic(user, generic) {
                    return None;
                }
                attempts = attempts.saturating_add(1);
                *names.entry(user).or_default() += 1;
            }
            Outcome::Unknown => {}
        }
    }
    let mut names: Vec<(String, u32)> = names
        .into_iter()
        .filter(|(n, _)| !n.is_empty())
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    names.truncate(MAX_NAMES);
    Some((attempts, names))
}

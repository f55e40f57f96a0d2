//! Copying to the analyst's clipboard through the terminal (OSC 52), as
//! k9s and lazygit do: it works over SSH and inside tmux, with no clipboard
//! daemon. What is copied comes from logs, so it is sanitised first: every
//! line goes through [`crate::sanitize::clean`] (no escape, carriage return
//! or bidi control survives to be pasted into a shell), and the payload is
//! capped.
//!
//! A terminal cannot be asked whether it honours OSC 52, and one that does
//! not shows nothing, so [`detect`] decides from the environment:
//! `HUNT_CLIPBOARD=osc52` forces it on, `HUNT_CLIPBOARD=off` off; otherwise
//! it is on except where the terminal is known to ignore it (the Linux
//! console, `TERM=dumb`, GNOME Terminal and other VTE terminals, Apple
//! Terminal). Inside tmux it needs `set -g set-clipboard on`.
//!
//! The model only asks for a copy ([`super::app::Effect::Copy`]); the main
//! loop writes the sequence.

use super::app::{App, Effect};
use super::theme::Role;
use crate::sanitize::clean;
use crate::store::{EventIdx, Store};
use std::io::Write;

/// Most bytes of text put on the clipboard (terminals cap OSC 52 near 100 KB).
pub const MAX_COPY: usize = 64 * 1024;

/// Whether copies go to the terminal, and if not why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Osc52,
    Off(String),
}

/// Decides from the environment (`get` reads a variable).
pub fn detect(get: impl Fn(&str) -> Option<String>) -> Mode {
    match get("HUNT_CLIPBOARD").as_deref().map(str::trim) {
        Some("osc52") | Some("on") => return Mode::Osc52,
        Some("off") | Some("none") => return Mode::Off("HUNT_CLIPBOARD=off".into()),
        _ => {}
    }
    let term = get("TERM").unwrap_or_default();
    let off = |why: &str| {
        Mode::Off(format!(
            "{why} ignores OSC 52 (HUNT_CLIPBOARD=osc52 forces it)"
        ))
    };
    if term == "dumb" || term == "linux" {
        return off(&format!("TERM={term}"));
    }
    if get("TERM_PROGRAM").as_deref() == Some("Apple_Terminal") {
        return off("Apple Terminal");
    }
    // VTE (GNOME Terminal, Tilix, …) sets VTE_VERSION and drops OSC 52,
    // unless the analyst is inside tmux, which handles it itself.
    if get("VTE_VERSION").is_some() && get("TMUX").is_none() {
        return off("this VTE terminal");
    }
    Mode::Osc52
}

/// The text as it goes on the clipboard: each line sanitised, capped at
/// [`MAX_COPY`] bytes on a character boundary. Also says whether it was cut.
pub fn sanitise(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len().min(MAX_COPY));
    let mut cut = false;
    for (i, line) in text.lines().enumerate() {
        let line = clean(line);
        if out.len() + line.len() + 1 > MAX_COPY {
            cut = true;
            for c in line.chars() {
                if out.len() + c.len_utf8() + 1 > MAX_COPY {
                    break;
                }
                out.push(c);
            }
            break;
        }
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&line);
    }
    (out, cut)
}

/// The OSC 52 sequence that sets the clipboard to `text` (already sanitised).
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |n: u32| char::from(ABC.get((n & 63) as usize).copied().unwrap_or(b'='));
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| chunk.get(i).copied().map(u32::from);
        let n = (b(0).unwrap_or(0) << 16) | (b(1).unwrap_or(0) << 8) | b(2).unwrap_or(0);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

/// Performs a copy for the main loop: writes the sequence to the terminal
/// (standard output, where the UI draws) and says what happened.
pub fn perform(app: &mut App, what: &str, text: &str) {
    match detect(|k| std::env::var(k).ok()) {
        Mode::Off(why) => app.set_flash(Role::Warning, format!("not copied: {why}")),
        Mode::Osc52 => {
            let (text, cut) = sanitise(text);
            let mut out = std::io::stdout();
            let ok = out
                .write_all(osc52(&text).as_bytes())
                .and_then(|_| out.flush());
            match ok {
                Ok(()) if cut => app.set_flash(
                    Role::Dim,
                    format!("copied {what} (first {} KiB)", MAX_COPY / 1024),
                ),
                Ok(()) => app.set_flash(Role::Dim, format!("copied {what}")),
                Err(e) => app.set_flash(Role::Warning, format!("not copied: {e}")),
            }
        }
    }
}

/// One event as a JSON object of its normalised fields (time once).
fn event_json(idx: EventIdx, store: &Store) -> String {
    let ev = store.get(idx);
    let mut map = serde_json::Map::new();
    map.insert("time".into(), super::format::time(ev.time).into());
    for (k, v) in super::raw::event_fields(&ev, store) {
        if k != "time" {
            map.insert(k.to_string(), v.into());
        }
    }
    serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_default()
}

/// A finding as JSON (the fields `hunt scan` prints, details in full).
fn finding_json(f: &crate::finding::Finding) -> String {
    let v = serde_json::json!({
        "id": f.id,
        "detector": f.detector.as_str(),
        "severity": f.severity.as_str(),
        "risk": f.risk,
        "user": f.user,
        "ip": f.ip,
        "first_seen": super::format::time(f.first_seen),
        "last_seen": super::format::time(f.last_seen),
        "title": f.title,
        "event_count": f.event_count,
        "details": f.details,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

impl App {
    /// `y`: copies the focused value, and says which: on an evidence or
    /// event row the event's source IP (else its user); on a finding its
    /// entity (the user or IP it is about, else its id); on the IP page the
    /// selected identity, else the address; on an incident its id.
    pub(super) fn copy_selection(&mut self) -> Vec<Effect> {
        let store = &self.session.store;
        let value = if let Some(i) = self.selected_event() {
            let ev = store.get(i);
            let ip = store.text(ev.ip).to_string();
            if ip.is_empty() {
                Some(("user", store.text(ev.user).to_string()))
            } else {
                Some(("IP", ip))
            }
        } else if let Some(f) = self.selected_finding() {
            Some(match crate::triage::apply::entity_of(f) {
                crate::triage::apply::Entity::User(u) => ("user", u.to_string()),
                crate::triage::apply::Entity::Ip(ip) => ("IP", ip.to_string()),
                crate::triage::apply::Entity::Other => ("finding id", f.id.clone()),
            })
        } else if let Ok(u) = self.selected_user() {
            Some(("user", u))
        } else if let Ok(ip) = self.selected_ip() {
            Some(("IP", ip))
        } else {
            self.top().incident(self).map(|id| ("incident id", id))
        };
        match value.filter(|(_, v)| !v.is_empty()) {
            Some((what, v)) => vec![Effect::Copy {
                what: format!(
                    "{what} {} (Y: the whole record)",
                    crate::sanitize::clean_width(&v, 40)
                ),
                text: v,
            }],
            None => self.nothing_to_copy(),
        }
    }

    /// `Y`: the whole record as JSON: the finding a screen is about (alerts,
    /// detail), else the selected event (timeline, events, IP page).
    pub(super) fn copy_finding(&mut self) -> Vec<Effect> {
        if let Some(f) = self.selected_finding() {
            return vec![Effect::Copy {
                what: "the finding as JSON".into(),
                text: finding_json(f),
            }];
        }
        match self.selected_event() {
            Some(i) => vec![Effect::Copy {
                what: "the event as JSON".into(),
                text: event_json(i, &self.session.store),
            }],
            None => self.nothing_to_copy(),
        }
    }

    fn nothing_to_copy(&mut self) -> Vec<Effect> {
        self.set_flash(Role::Warning, "nothing selected to copy");
        Vec::new()
    }
}

/// A finding as text: id, title, then every detail value as `key: value`.
pub fn finding_text(f: &crate::finding::Finding) -> String {
    let mut out = format!(
        "{} {} {} risk {}\n{}\n",
        f.id,
        f.detector.as_str(),
        f.severity.as_str(),
        f.risk,
        f.title
    );
    if let serde_json::Value::Object(map) = &f.details {
        for (k, v) in map {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push_str(&format!("{k}: {v}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn copied_text_is_sanitised_and_capped() {
        // An attacker-chosen user agent that ends bracketed paste and runs a command.
        let (s, cut) = sanitise("ua: curl\x1b[201~\rrm -rf ~\nnext line");
        assert!(!s.contains('\x1b') && !s.contains('\r'), "{s:?}");
        assert!(s.contains("\nnext line"));
        assert!(!cut);
        let (s, cut) = sanitise(&"é".repeat(MAX_COPY));
        assert!(cut && s.len() <= MAX_COPY);
    }

    #[test]
    fn detection_follows_the_override_then_known_terminals() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(detect(env(&[("TERM", "xterm-256color")])), Mode::Osc52);
        assert!(matches!(detect(env(&[("TERM", "linux")])), Mode::Off(_)));
        assert!(matches!(
            detect(env(&[("TERM", "xterm-256color"), ("VTE_VERSION", "7600")])),
            Mode::Off(_)
        ));
        assert_eq!(
            detect(env(&[("VTE_VERSION", "7600"), ("TMUX", "/tmp/t,1,0")])),
            Mode::Osc52
        );
        assert_eq!(
            detect(env(&[("TERM", "linux"), ("HUNT_CLIPBOARD", "osc52")])),
            Mode::Osc52
        );
        assert!(matches!(
            detect(env(&[("TERM", "xterm"), ("HUNT_CLIPBOARD", "off")])),
            Mode::Off(_)
        ));
    }
}

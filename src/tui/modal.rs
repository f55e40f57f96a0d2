//! Dialogs that take the keyboard while open: the query line, the `:`
//! command line, the verdict note, the note editor, the allowlist dialog
//! (pre-filled from the finding) and the raw record view. Keys go to the
//! dialog first, through the keymap's [dialog] and [raw] sections (submit,
//! cancel, next field, scroll, close), which also give the hints. Submitting returns effects
//! (case writes) for the main loop; nothing here does I/O.

use super::action::Action;
use super::app::{App, CaseOp, Effect, NewAllowSpec};
use super::case_link::{parse_expiry, AllowKind, Class};
use super::keymap::{Context, Key, Keymap};
use super::raw::{RawText, RawView};
use super::screens::alerts::SortKey;
use super::theme::{Role, Theme};
use crate::finding::{DetectorId, Finding};
use crate::store::Store;
use crossterm::event::{Event, KeyCode, KeyEvent};
use rustc_hash::FxHashMap;
use std::net::IpAddr;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryTarget {
    Alerts,
    Events,
}

/// The open dialog.
#[derive(Debug)]
pub enum Modal {
    Query {
        target: QueryTarget,
        input: Input,
        before: String,
    },
    Command {
        input: Input,
    },
    /// A verdict on one finding or on many (marked, or an incident's).
    Verdict {
        findings: Vec<String>,
        class: Class,
        input: Input,
    },
    Note {
        finding: String,
        input: Input,
    },
    Allow(Box<AllowDialog>),
    Raw(Box<RawView>),
}

impl Modal {
    /// The keymap section of the dialog.
    pub fn contexts(&self) -> &'static [Context] {
        match self {
            Modal::Raw(_) => &[Context::Raw],
            _ => &[Context::Dialog],
        }
    }

    /// The footer's hints: (keys, what they do), keys from the keymap.
    pub fn hints(&self, km: &Keymap) -> Vec<(String, String)> {
        let ctx = self.contexts();
        let one = |a: Action, what: &str| {
            km.keys_for(ctx, a)
                .first()
                .map(|k| (k.to_string(), what.to_string()))
        };
        let v = match self {
            Modal::Allow(_) => vec![
                one(Action::NextField, "next field"),
                km.pair_label(ctx, Action::Up, Action::Down)
                    .map(|k| (k, "choose".into())),
                one(Action::Submit, "save"),
                one(Action::Cancel, "cancel"),
            ],
            Modal::Raw(_) => vec![
                km.pair_label(ctx, Action::Down, Action::Up)
                    .map(|k| (k, "scroll".into())),
                one(Action::Close, "close"),
            ],
            Modal::Query { .. } => vec![
                one(Action::Submit, "keep"),
                one(Action::Cancel, "undo"),
                Some((
                    String::new(),
                    "user: ip: sev:>=high det: verdict: text".into(),
                )),
            ],
            Modal::Command { .. } | Modal::Verdict { .. } | Modal::Note { .. } => {
                vec![one(Action::Submit, "save"), one(Action::Cancel, "cancel")]
            }
        };
        v.into_iter().flatten().collect()
    }

    /// The hints as one line inside a dialog box ("enter save · esc cancel").
    pub fn hint_line(&self, km: &Keymap) -> String {
        self.hints(km)
            .into_iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, what)| format!("{k} {what}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    pub fn query(target: QueryTarget, current: String) -> Modal {
        Modal::Query {
            target,
            input: Input::new(current.clone()),
            before: current,
        }
    }
    pub fn command() -> Modal {
        Modal::Command {
            input: Input::default(),
        }
    }
    pub fn note(finding: String) -> Modal {
        Modal::Note {
            finding,
            input: Input::default(),
        }
    }
}

/// Which allowlist field has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowField {
    Kind,
    Scope,
    Expiry,
    Note,
}

/// One thing the finding could be allowlisted by.
#[derive(Clone, Debug, PartialEq)]
pub struct AllowChoice {
    pub kind: AllowKind,
    pub value: String,
    /// Extra words shown after the value (the AS organisation).
    pub hint: String,
}

#[derive(Debug)]
pub struct AllowDialog {
    pub finding: String,
    pub detector: DetectorId,
    pub choices: Vec<AllowChoice>,
    pub choice: usize,
    pub this_detector_only: bool,
    pub expiry: Input,
    pub note: Input,
    pub focus: AllowField,
    pub error: Option<String>,
}

impl AllowDialog {
    /// Candidates from the finding and its evidence: IP, its /24 or /64, user, AS, country.
    pub fn from_finding(f: &Finding, store: &Store) -> AllowDialog {
        let mut ips: FxHashMap<&str, u32> = FxHashMap::default();
        let mut asns: FxHashMap<u32, (u32, &str)> = FxHashMap::default();
        let mut countries: FxHashMap<&str, u32> = FxHashMap::default();
        for &i in &f.evidence {
            let ev = store.get(i);
            if ev.ip.is_some() {
                *ips.entry(store.text(ev.ip)).or_default() += 1;
            }
            if ev.asn > 0 {
                let e = asns.entry(ev.asn).or_insert((0, store.text(ev.as_org)));
                e.0 += 1;
            }
            if ev.country.is_some() {
                *countries.entry(store.text(ev.country)).or_default() += 1;
            }
        }
        let top = |m: &FxHashMap<&str, u32>| {
            m.iter()
                .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
                .map(|(k, _)| k.to_string())
        };
        let mut choices = Vec::new();
        if let Some(ip) = f.ip.clone().or_else(|| top(&ips)) {
            if let Ok(addr) = ip.parse::<IpAddr>() {
                let net = match addr {
                    IpAddr::V4(_) => ipnet::IpNet::new(addr, 24),
                    IpAddr::V6(_) => ipnet::IpNet::new(addr, 64),
                };
                choices.push(AllowChoice {
                    kind: AllowKind::Ip,
                    value: ip.clone(),
                    hint: String::new(),
                });
                if let Ok(n) = net {
                    choices.push(AllowChoice {
                        kind: AllowKind::Cidr,
                        value: n.trunc().to_string(),
                        hint: String::new(),
                    });
                }
            }
        }
        if let Some(u) = &f.user {
            choices.push(AllowChoice {
                kind: AllowKind::User,
                value: u.clone(),
                hint: String::new(),
            });
        }
        if let Some((asn, (_, org))) = asns
            .iter()
            .max_by_key(|(a, (n, _))| (*n, std::cmp::Reverse(**a)))
        {
            choices.push(AllowChoice {
                kind: AllowKind::Asn,
                value: format!("AS{asn}"),
                hint: org.to_string(),
            });
        }
        if let Some(cc) = top(&countries) {
            choices.push(AllowChoice {
                kind: AllowKind::Country,
                value: cc,
                hint: String::new(),
            });
        }
        AllowDialog {
            finding: f.id.clone(),
            detector: f.detector,
            choices,
            choice: 0,
            this_detector_only: true,
            expiry: Input::default(),
            note: Input::default(),
            focus: AllowField::Kind,
            error: None,
        }
    }

    pub fn next_field(&mut self, back: bool) {
        use AllowField::*;
        let order = [Kind, Scope, Expiry, Note];
        let i = order.iter().position(|f| *f == self.focus).unwrap_or(0);
        let step = if back { order.len() - 1 } else { 1 };
        self.focus = order.get((i + step) % order.len()).copied().unwrap_or(Kind);
    }

    /// Moves the choice (on the kind list) or flips the scope; fields ignore it.
    fn choose(&mut self, step: isize) {
        match self.focus {
            AllowField::Kind if step < 0 => self.choice = self.choice.saturating_sub(1),
            AllowField::Kind => {
                self.choice = (self.choice + 1).min(self.choices.len().saturating_sub(1))
            }
            AllowField::Scope => self.this_detector_only = !self.this_detector_only,
            AllowField::Expiry | AllowField::Note => {}
        }
    }

    /// A key no [dialog] action took: j/k and space on the lists, else typing into a field.
    fn key(&mut self, key: KeyEvent) {
        match (key.code, self.focus) {
            (KeyCode::Char('k'), AllowField::Kind | AllowField::Scope) => self.choose(-1),
            (KeyCode::Char('j'), AllowField::Kind | AllowField::Scope) => self.choose(1),
            (KeyCode::Left | KeyCode::Right | KeyCode::Char(' '), AllowField::Scope) => {
                self.choose(1)
            }
            (_, AllowField::Expiry) => {
                self.expiry.handle_event(&Event::Key(key));
            }
            (_, AllowField::Note) => {
                self.note.handle_event(&Event::Key(key));
            }
            _ => {}
        }
    }

    pub fn submit(&mut self, now: chrono::DateTime<chrono::Utc>) -> Option<NewAllowSpec> {
        let Some(c) = self.choices.get(self.choice) else {
            self.error =
                Some("nothing to allowlist: the finding has no IP, user, AS or country".into());
            return None;
        };
        let note = self.note.value().trim().to_string();
        if note.is_empty() {
            self.error = Some("a note is required: say why this is allowed".into());
            self.focus = AllowField::Note;
            return None;
        }
        let expires = match self.expiry.value().trim() {
            "" | "never" => None,
            s => match parse_expiry(s, now) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.error = Some(e.to_string());
                    self.focus = AllowField::Expiry;
                    return None;
                }
            },
        };
        Some(NewAllowSpec {
            kind: c.kind,
            value: c.value.clone(),
            detectors: if self.this_detector_only {
                vec![self.detector]
            } else {
                Vec::new()
            },
            note,
            expires,
        })
    }
}

impl App {
    /// Routes a key to the open dialog: the dialog's keymap section
    /// ([dialog] or [raw]) first, then the field with the keyboard.
    pub fn modal_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(modal) = self.modal.as_ref() else {
            return Vec::new();
        };
        let action = self.keymap.lookup(modal.contexts(), Key::from_event(&key));
        let Some(modal) = self.modal.as_mut() else {
            return Vec::new();
        };
        if let Modal::Raw(_) = modal {
            let delta = match action {
                Some(Action::Down) => 1,
                Some(Action::Up) => -1,
                Some(Action::PageDown) => 10,
                Some(Action::PageUp) => -10,
                Some(Action::Top) => isize::MIN / 2,
                Some(Action::Bottom) => isize::MAX / 2,
                Some(Action::Close) => {
                    self.modal = None;
                    return Vec::new();
                }
                _ => 0,
            };
            return self.modal_scroll(delta);
        }
        if action == Some(Action::Cancel) {
            if let Modal::Query { before, .. } = modal {
                let before = before.clone();
                self.modal = None;
                self.set_query(&before);
            }
            self.modal = None;
            return Vec::new();
        }
        let submit = action == Some(Action::Submit);
        match modal {
            Modal::Query { input, .. } => {
                if submit {
                    self.modal = None;
                    return Vec::new();
                }
                if input
                    .handle_event(&Event::Key(key))
                    .is_some_and(|c| c.value)
                {
                    let text = input.value().to_string();
                    self.set_query(&text);
                }
            }
            Modal::Command { input } => {
                if submit {
                    let text = input.value().to_string();
                    self.modal = None;
                    return self.command(&text);
                }
                input.handle_event(&Event::Key(key));
            }
            Modal::Verdict {
                findings,
                class,
                input,
            } => {
                if submit {
                    let note = Some(input.value().trim().to_string()).filter(|n| !n.is_empty());
                    let op = CaseOp::Verdict {
                        findings: findings.clone(),
                        class: *class,
                        note,
                    };
                    self.modal = None;
                    return vec![Effect::Case(op)];
                }
                input.handle_event(&Event::Key(key));
            }
            Modal::Note { finding, input } => {
                if submit {
                    let text = input.value().trim().to_string();
                    let finding = finding.clone();
                    self.modal = None;
                    if text.is_empty() {
                        return Vec::new();
                    }
                    return vec![Effect::Case(CaseOp::Note { finding, text })];
                }
                input.handle_event(&Event::Key(key));
            }
            Modal::Allow(d) => {
                let spec = match action {
                    Some(Action::Submit) => d.submit(self.now),
                    Some(Action::NextField) => {
                        d.next_field(false);
                        None
                    }
                    Some(Action::PrevField) => {
                        d.next_field(true);
                        None
                    }
                    Some(Action::Up) => {
                        d.choose(-1);
                        None
                    }
                    Some(Action::Down) => {
                        d.choose(1);
                        None
                    }
                    _ => {
                        d.key(key);
                        None
                    }
                };
                if let Some(spec) = spec {
                    self.modal = None;
                    return vec![Effect::Case(CaseOp::Allow(spec))];
                }
            }
            Modal::Raw(_) => {}
        }
        Vec::new()
    }

    pub fn modal_scroll(&mut self, delta: isize) -> Vec<Effect> {
        if let Some(Modal::Raw(v)) = &mut self.modal {
            let len = match &v.text {
                RawText::Text(l) => l.len(),
                _ => 0,
            } + v.fields.len()
                + 4;
            v.scroll = (v.scroll as isize)
                .saturating_add(delta)
                .clamp(0, len as isize) as usize;
        }
        Vec::new()
    }

    /// Opens the verdict dialog for what the screen targets: the marked
    /// findings, an incident's findings, or the selected finding.
    pub(super) fn open_verdict(&mut self, class: Class) {
        let findings = self.targets();
        if findings.is_empty() {
            self.set_flash(
                Role::Warning,
                "select a finding first (on the alerts or detail screen)",
            );
            return;
        }
        self.modal = Some(Modal::Verdict {
            findings,
            class,
            input: Input::default(),
        });
    }

    /// Runs a `:` command.
    pub fn command(&mut self, text: &str) -> Vec<Effect> {
        let mut words = text.split_whitespace();
        let cmd = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        let arg = rest.join(" ");
        match cmd {
            "" => {}
            "q" | "quit" | "q!" => return self.update(super::action::Action::Quit),
            "user" | "u" if !arg.is_empty() => self.open_timeline(&arg),
            "ip" if !arg.is_empty() => self.open_ip(&arg),
            "map" if !arg.is_empty() => self.open_map(&arg),
            "open" | "alert" if !arg.is_empty() => self.open_finding(&arg),
            "alerts" => return self.update(super::action::Action::Alerts),
            "events" => return self.update(super::action::Action::Events),
            "sources" | "problems" => return self.update(super::action::Action::Sources),
            "help" | "h" => return self.update(super::action::Action::Help),
            "theme" => {
                let mode = self.theme.mode;
                match Theme::load(Some(&arg), mode, &super::theme::theme_dirs()) {
                    Ok(t) => self.theme = t,
                    Err(e) => self.set_flash(Role::Error, e.to_string()),
                }
            }
            "sort" => match SortKey::from_name(rest.first().copied().unwrap_or("")) {
                Some(k) => {
                    if let Some(a) = self.alerts_mut() {
                        a.sort = k;
                        a.descending = rest.get(1).is_none_or(|d| *d != "asc");
                    }
                    self.refresh_alerts();
                }
                None => self.set_flash(
                    Role::Error,
                    "sort by severity, risk, detector, entity, events, first, last or verdict",
                ),
            },
            "query" | "filter" => self.set_query(&arg),
            "status" => match super::case_link::Status::from_name(&arg) {
                Some(st) => return self.change_work(Some(st), None),
                None => self.set_flash(Role::Error, "status new, active or closed"),
            },
            "owner" if !arg.is_empty() => return self.change_work(None, Some(arg.clone())),
            "move" | "move-into" if !arg.is_empty() => return self.move_into(&arg),
            "incident" | "inc" if !arg.is_empty() => self.open_incident(&arg),
            "export" => {
                // The hand-off (as `hunt case export`) with this session's open work.
                let file = if arg.is_empty() {
                    "hunt-handoff.md"
                } else {
                    arg.as_str()
                };
                return vec![Effect::Case(CaseOp::Export(file.into()))];
            }
            other => {
                if let Some(a) = super::action::Action::from_name(other) {
                    return self.update(a);
                }
                self.set_flash(
                    Role::Error,
                    format!("unknown command `{}`: try user NAME, ip ADDR, map NAME, open ID, incident ID, status S, owner NAME, move INC, theme NAME, sort KEY, export FILE, events, q", crate::sanitize::clean_width(other, 20)),
                );
            }
        }
        Vec::new()
    }

    /// True when the top screen has a query line the `/` key edits.
    pub fn has_query(&self) -> bool {
        self.top().query_text().is_some()
    }
}

/// The dialog's title and accent for a verdict class.
pub fn verdict_title(c: Class) -> (&'static str, Role) {
    match c {
        Class::TruePositive => ("Mark TRUE POSITIVE", Role::SevHigh),
        Class::BenignPositive => ("Mark BENIGN POSITIVE", Role::Verdict),
        Class::FalsePositive => ("Mark FALSE POSITIVE", Role::Verdict),
        Class::Undetermined => ("Mark UNDETERMINED", Role::Dim),
    }
}

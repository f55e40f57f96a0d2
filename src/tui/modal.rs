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
    /// Several matches of `:user`, `:open` or `:incident`: choose one.
    Pick(Box<super::picker::Picker>),
    /// What a `:set` would do: keep or revert.
    Tune(Box<super::tune::TuneView>),
}

impl Modal {
    /// The keymap section of the dialog.
    /// Typed text that closing would lose (a note, an expiry); a query or a
    /// command line is not kept work.
    pub fn unsaved(&self) -> bool {
        let typed = |i: &Input| !i.value().trim().is_empty();
        match self {
            Modal::Verdict { input, .. } | Modal::Note { input, .. } => typed(input),
            Modal::Allow(d) => typed(&d.note) || typed(&d.expiry),
            Modal::Query { .. }
            | Modal::Command { .. }
            | Modal::Raw(_)
            | Modal::Pick(_)
            | Modal::Tune(_) => false,
        }
    }

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
                    super::query::prefixes() + " text (? for help)",
                )),
            ],
            Modal::Pick(_) => vec![
                km.pair_label(ctx, Action::Up, Action::Down)
                    .map(|k| (k, "choose".into())),
                one(Action::Submit, "open"),
                one(Action::Cancel, "close"),
                Some((String::new(), "type to filter".into())),
            ],
            Modal::Tune(_) => vec![
                km.pair_label(ctx, Action::Up, Action::Down)
                    .map(|k| (k, "scroll".into())),
                one(Action::Submit, "keep"),
                one(Action::Cancel, "revert"),
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
    /// The command line holding `text`, the cursor at its end.
    pub fn command_with(text: &str) -> Modal {
        Modal::Command {
            input: Input::new(text.to_string()),
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
    /// Which evidence event the values come from.
    Source,
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

/// One place the evidence came from: an event's IP, AS and country.
#[derive(Clone, Debug, PartialEq)]
pub struct AllowSource {
    /// The last event from this place.
    pub time: crate::event::Millis,
    pub ip: String,
    pub asn: u32,
    pub org: String,
    pub country: String,
}

impl AllowSource {
    fn same_place(&self, o: &AllowSource) -> bool {
        self.ip == o.ip && self.asn == o.asn && self.country == o.country
    }
}

#[derive(Debug)]
pub struct AllowDialog {
    pub finding: String,
    pub detector: DetectorId,
    /// The distinct places (IP, AS, country) of the evidence, each from one event.
    pub sources: Vec<AllowSource>,
    pub source: usize,
    /// The finding's user (offered whatever the event).
    pub user: Option<String>,
    pub choices: Vec<AllowChoice>,
    pub choice: usize,
    pub this_detector_only: bool,
    pub expiry: Input,
    pub note: Input,
    pub focus: AllowField,
    pub error: Option<String>,
    /// What the entry as chosen now would suppress (kept current by
    /// [`App::refresh_allow_impact`]).
    pub impact: Option<AllowImpact>,
    /// The choice the analyst confirmed after seeing it reach beyond the
    /// finding the dialog came from.
    pub confirmed: Option<(usize, usize, bool)>,
}

/// The preview of an allowlist entry: how many findings it would suppress
/// that are not suppressed now, by severity, and how many of them are about
/// another entity than the finding the dialog came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowImpact {
    /// (source, choice, this detector only) it was computed for.
    pub key: (usize, usize, bool),
    pub total: usize,
    /// Critical, high, medium, low.
    pub by_severity: [usize; 4],
    /// Findings other than the one the dialog came from.
    pub others: usize,
    /// The other findings' entities (users or IPs), distinct, the first few.
    pub other_entities: Vec<String>,
    /// Of all matched, those without a verdict.
    pub untriaged: usize,
}

impl AllowImpact {
    /// "would suppress 6 findings (H4 M2) · 5 beyond this one: bob, carol, … · 5 untriaged".
    pub fn text(&self) -> String {
        let sev: Vec<String> = ["C", "H", "M", "L"]
            .iter()
            .zip(self.by_severity)
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| format!("{l}{n}"))
            .collect();
        let mut t = format!(
            "would suppress {}",
            crate::tui::format::counted(self.total as u64, "finding", "findings")
        );
        if !sev.is_empty() {
            t.push_str(&format!(" ({})", sev.join(" ")));
        }
        if self.others > 0 {
            t.push_str(&format!(" · {} beyond this one", self.others));
            if !self.other_entities.is_empty() {
                t.push_str(&format!(": {}", self.other_entities.join(", ")));
                if self.other_entities.len() < self.others {
                    t.push_str(", …");
                }
            }
        }
        if self.untriaged > 0 {
            t.push_str(&format!(" · {} untriaged", self.untriaged));
        }
        t
    }
}

impl AllowDialog {
    /// Candidates from one evidence event (IP, its /24 or /64, AS, country)
    /// and the finding's user. Every value offered comes from the event
    /// shown, never one hop's IP with the other hop's AS; the analyst picks
    /// the event. It starts on the last event from the finding's IP.
    pub fn from_finding(f: &Finding, store: &Store) -> AllowDialog {
        let mut sources: Vec<AllowSource> = Vec::new();
        for &i in &f.evidence {
            let ev = store.get(i);
            let src = AllowSource {
                time: ev.time,
                ip: store.text(ev.ip).to_string(),
                asn: ev.asn,
                org: store.text(ev.as_org).to_string(),
                country: store.text(ev.country).to_string(),
            };
            if src.ip.is_empty() && src.asn == 0 && src.country.is_empty() {
                continue;
            }
            match sources.iter_mut().find(|s| s.same_place(&src)) {
                Some(kept) => kept.time = kept.time.max(src.time),
                None => sources.push(src),
            }
        }
        if sources.is_empty() {
            if let Some(ip) = &f.ip {
                sources.push(AllowSource {
                    time: f.last_seen,
                    ip: ip.clone(),
                    asn: 0,
                    org: String::new(),
                    country: String::new(),
                });
            }
        }
        sources.sort_by_key(|s| s.time);
        let source = sources
            .iter()
            .rposition(|s| Some(&s.ip) == f.ip.as_ref())
            .unwrap_or(sources.len().saturating_sub(1));
        let mut d = AllowDialog {
            finding: f.id.clone(),
            detector: f.detector,
            sources,
            source,
            user: f.user.clone(),
            choices: Vec::new(),
            choice: 0,
            this_detector_only: true,
            expiry: Input::default(),
            note: Input::default(),
            focus: AllowField::Kind,
            error: None,
            impact: None,
            confirmed: None,
        };
        if d.sources.len() > 1 {
            // Several places (a travel's hops): the analyst first sees and picks the event.
            d.focus = AllowField::Source;
        }
        d.rebuild_choices();
        d
    }

    /// The choices from the chosen event, keeping the kind chosen when it is still offered.
    fn rebuild_choices(&mut self) {
        let kind = self.choices.get(self.choice).map(|c| c.kind);
        let mut choices = Vec::new();
        let src = self.sources.get(self.source);
        if let Some(ip) = src.map(|s| s.ip.as_str()).filter(|s| !s.is_empty()) {
            if let Ok(addr) = ip.parse::<IpAddr>() {
                choices.push(AllowChoice {
                    kind: AllowKind::Ip,
                    value: ip.to_string(),
                    hint: String::new(),
                });
                let bits = if addr.is_ipv4() { 24 } else { 64 };
                if let Ok(n) = ipnet::IpNet::new(addr, bits) {
                    choices.push(AllowChoice {
                        kind: AllowKind::Cidr,
                        value: n.trunc().to_string(),
                        hint: String::new(),
                    });
                }
            }
        }
        if let Some(u) = &self.user {
            choices.push(AllowChoice {
                kind: AllowKind::User,
                value: u.clone(),
                hint: String::new(),
            });
        }
        if let Some(s) = src.filter(|s| s.asn > 0) {
            choices.push(AllowChoice {
                kind: AllowKind::Asn,
                value: format!("AS{}", s.asn),
                hint: s.org.clone(),
            });
        }
        if let Some(s) = src.filter(|s| !s.country.is_empty()) {
            choices.push(AllowChoice {
                kind: AllowKind::Country,
                value: s.country.clone(),
                hint: String::new(),
            });
        }
        self.choice = kind
            .and_then(|k| choices.iter().position(|c| c.kind == k))
            .unwrap_or(0);
        self.choices = choices;
    }

    pub fn next_field(&mut self, back: bool) {
        use AllowField::*;
        let order = [Source, Kind, Scope, Expiry, Note];
        let i = order.iter().position(|f| *f == self.focus).unwrap_or(0);
        let step = if back { order.len() - 1 } else { 1 };
        self.focus = order.get((i + step) % order.len()).copied().unwrap_or(Kind);
    }

    /// Moves the choice (on the kind list) or flips the scope; fields ignore it.
    fn choose(&mut self, step: isize) {
        match self.focus {
            AllowField::Source => {
                let last = self.sources.len().saturating_sub(1);
                self.source = self.source.saturating_add_signed(step).min(last);
                self.rebuild_choices();
            }
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
            (KeyCode::Char('k'), AllowField::Source | AllowField::Kind | AllowField::Scope) => {
                self.choose(-1)
            }
            (KeyCode::Char('j'), AllowField::Source | AllowField::Kind | AllowField::Scope) => {
                self.choose(1)
            }
            (KeyCode::Left | KeyCode::Right | KeyCode::Char(' '), AllowField::Scope) => {
                self.choose(1)
            }
            (_, AllowField::Expiry) => {
                self.expiry.handle_event(&Event::Key(key));
            }
            (_, AllowField::Note) => {
                self.note.handle_event(&Event::Key(key));
            }
            // Typing on a list is the note being written: it goes to the
            // note field rather than nowhere.
            (KeyCode::Char(c), _)
                if !c.is_control()
                    && key
                        .modifiers
                        .difference(crossterm::event::KeyModifiers::SHIFT)
                        .is_empty() =>
            {
                self.focus = AllowField::Note;
                self.error = None;
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
            return self.raw_key(action);
        }
        if let Modal::Tune(_) = modal {
            self.tune_key(action);
            return Vec::new();
        }
        if action == Some(Action::Cancel) && modal.unsaved() && !self.discard_armed {
            self.discard_armed = true;
            self.set_flash(
                Role::Warning,
                "the dialog holds typed text: esc again discards it, any other key keeps editing",
            );
            return Vec::new();
        }
        if std::mem::take(&mut self.discard_armed) {
            self.flash = None;
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
                // ctrl-l clears the line being typed, as it clears a kept
                // query on the list (ctrl-u and ctrl-w edit like a shell).
                if key.code == KeyCode::Char('l')
                    && key
                        .modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL)
                {
                    *input = Input::default();
                    self.set_query("");
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
            Modal::Allow(_) => return self.allow_key(action, key),
            Modal::Pick(_) => self.pick_key(action, key),
            Modal::Raw(_) | Modal::Tune(_) => {}
        }
        Vec::new()
    }

    /// Keys in a picker: move, filter as typed, open the choice.
    fn pick_key(&mut self, action: Option<Action>, key: KeyEvent) {
        let Some(Modal::Pick(p)) = self.modal.as_mut() else {
            return;
        };
        match action {
            Some(Action::Submit) => {
                let picked = p.choice().map(|c| (p.kind, c.value.clone()));
                self.modal = None;
                if let Some((kind, value)) = picked {
                    self.open_picked(kind, &value);
                }
            }
            Some(Action::Up) => p.move_by(-1),
            Some(Action::Down) => p.move_by(1),
            Some(Action::PageUp) => p.move_by(-10),
            Some(Action::PageDown) => p.move_by(10),
            _ => {
                if p.filter
                    .handle_event(&Event::Key(key))
                    .is_some_and(|c| c.value)
                {
                    p.refilter();
                }
            }
        }
    }

    /// Keys in the raw-record view: scroll, copy the record, close.
    fn raw_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        let Some(Modal::Raw(v)) = self.modal.as_ref() else {
            return Vec::new();
        };
        let delta = match action {
            Some(Action::Copy) => {
                // The record as read from the file (or, unread, the parsed fields).
                let text = match &v.text {
                    RawText::Text(lines) => lines.join("\n"),
                    _ => v
                        .fields
                        .iter()
                        .map(|(k, x)| format!("{k}: {x}\n"))
                        .collect(),
                };
                return vec![Effect::Copy {
                    what: "raw record".into(),
                    text,
                }];
            }
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
        self.modal_scroll(delta)
    }

    /// Keys in the what-if view: keep, revert, scroll.
    fn tune_key(&mut self, action: Option<Action>) {
        let keep = matches!(action, Some(Action::Submit));
        let revert = matches!(action, Some(Action::Cancel));
        if keep {
            return self.keep_tune();
        }
        if revert {
            return self.revert_tune();
        }
        let Some(Modal::Tune(v)) = self.modal.as_mut() else {
            return;
        };
        match action {
            Some(Action::Up) => v.scroll = v.scroll.saturating_sub(1),
            Some(Action::Down) => v.scroll = (v.scroll + 1).min(v.lines.len()),
            _ => {}
        }
    }

    /// Keys in the allowlist dialog: fields, choices, and saving (asked
    /// once more when the entry reaches beyond its finding).
    fn allow_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(Modal::Allow(d)) = self.modal.as_mut() else {
            return Vec::new();
        };
        let chosen = (d.source, d.choice, d.this_detector_only);
        let beyond = d
            .impact
            .as_ref()
            .filter(|i| i.key == chosen && i.others > 0);
        let spec = match action {
            Some(Action::Submit) if beyond.is_some() && d.confirmed != Some(chosen) => {
                // Reaching beyond the finding: shown, and asked once.
                let text = beyond.map(AllowImpact::text).unwrap_or_default();
                d.confirmed = Some(chosen);
                d.error = Some(format!("{text}: enter again to save"));
                None
            }
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
        self.refresh_allow_impact();
        Vec::new()
    }

    /// Recomputes the open allowlist dialog's preview when its choice
    /// (event, kind, scope) changed since it was last computed.
    pub fn refresh_allow_impact(&mut self) {
        let Some(Modal::Allow(d)) = self.modal.as_mut() else {
            return;
        };
        let key = (d.source, d.choice, d.this_detector_only);
        if d.impact.as_ref().is_some_and(|i| i.key == key) {
            return;
        }
        let Some(c) = d.choices.get(d.choice) else {
            d.impact = None;
            return;
        };
        let entry = crate::triage::NewAllow {
            kind: c.kind,
            value: c.value.clone(),
            detectors: if d.this_detector_only {
                vec![d.detector]
            } else {
                Vec::new()
            },
            note: "preview".into(),
            expires: None,
        };
        let entry = entry.normalized(self.now).unwrap_or(entry);
        let hit = crate::triage::apply::would_suppress(
            &entry,
            self.session.findings.all(),
            &self.session.store,
        );
        let mut impact = AllowImpact {
            key,
            total: hit.len(),
            ..AllowImpact::default()
        };
        for f in &hit {
            let slot = match f.severity {
                crate::ident::Severity::Critical => 0,
                crate::ident::Severity::High => 1,
                crate::ident::Severity::Medium => 2,
                crate::ident::Severity::Low => 3,
            };
            if let Some(n) = impact.by_severity.get_mut(slot) {
                *n += 1;
            }
            if self.case.verdict(&f.id).is_none() {
                impact.untriaged += 1;
            }
            if f.id != d.finding {
                impact.others += 1;
                let who = f.user.clone().or_else(|| f.ip.clone()).unwrap_or_default();
                if impact.other_entities.len() < 3
                    && !who.is_empty()
                    && !impact.other_entities.contains(&who)
                {
                    impact
                        .other_entities
                        .push(crate::sanitize::clean_width(&who, 28));
                }
            }
        }
        d.impact = Some(impact);
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
        let written = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        let arg = rest.join(" ");
        let cmd = match COMMANDS.iter().find(|c| c.names.contains(&written)) {
            Some(c) if c.arg.is_some() && !c.arg_optional && arg.is_empty() => {
                self.set_flash(
                    Role::Error,
                    format!(":{} needs {}", c.name(), c.arg.unwrap_or("an argument")),
                );
                return Vec::new();
            }
            Some(c) => c.name(),
            None => written,
        };
        match cmd {
            "" => {}
            "quit" => return self.update(super::action::Action::Quit),
            "user" => return self.command_user(&arg),
            "ip" => return self.command_ip(&arg),
            "map" => self.open_map(&arg),
            "open" => self.command_open(&arg),
            "alerts" => return self.update(super::action::Action::Alerts),
            "events" => return self.update(super::action::Action::Events),
            "sources" => return self.update(super::action::Action::Sources),
            "settings" => return self.update(super::action::Action::Settings),
            "help" => return self.update(super::action::Action::Help),
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
            "query" => self.set_query(&arg),
            "status" => match super::case_link::Status::from_name(&arg) {
                Some(st) => return self.change_work(Some(st), None),
                None => self.set_flash(Role::Error, "status new, active or closed"),
            },
            "owner" => return self.change_work(None, Some(arg.clone())),
            "move" => return self.move_into(&arg),
            "incident" => self.command_incident(&arg),
            "set" => self.command_set(&arg),
            "propose" => return self.command_propose(&arg),
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
                    format!(
                        "unknown command `{}`: ? lists the commands",
                        crate::sanitize::clean_width(other, 20)
                    ),
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

/// A `:` command: its names (the first is the one shown), its argument and
/// what it does. [`App::command`] runs only what this table names and the
/// help screen prints it, so a command cannot exist without its help.
pub struct Command {
    pub names: &'static [&'static str],
    pub arg: Option<&'static str>,
    /// The argument may be left out.
    pub arg_optional: bool,
    pub doc: &'static str,
}

impl Command {
    pub fn name(&self) -> &'static str {
        self.names.first().copied().unwrap_or("")
    }
}

const fn cmd(
    names: &'static [&'static str],
    arg: Option<&'static str>,
    doc: &'static str,
) -> Command {
    Command {
        names,
        arg,
        arg_optional: false,
        doc,
    }
}

const fn cmd_opt(names: &'static [&'static str], arg: &'static str, doc: &'static str) -> Command {
    Command {
        names,
        arg: Some(arg),
        arg_optional: true,
        doc,
    }
}

/// Every `:` command (any action's name works too: `:pivot-user`).
pub const COMMANDS: &[Command] = &[
    cmd(
        &["user", "u"],
        Some("NAME"),
        "the user's timeline (a picker when several match)",
    ),
    cmd(
        &["ip"],
        Some("ADDR"),
        "the address's page (part of one: a picker; a CIDR: its events)",
    ),
    cmd(
        &["map"],
        Some("NAME"),
        "the user's sign-in places on the map",
    ),
    cmd(
        &["open", "alert"],
        Some("ID"),
        "a finding by id, its start or words of its title (a picker when several)",
    ),
    cmd(
        &["incident", "inc"],
        Some("ID"),
        "an incident by id, its start or words of its title (a picker when several)",
    ),
    cmd(
        &["status"],
        Some("S"),
        "set the status: new, active or closed",
    ),
    cmd(
        &["owner"],
        Some("NAME"),
        "set the owner of the marked or focused work",
    ),
    cmd(
        &["move", "move-into"],
        Some("INC"),
        "move the marked or focused findings into an incident",
    ),
    cmd(
        &["query", "filter"],
        Some("TEXT"),
        "set the query of this list",
    ),
    cmd_opt(
        &["sort"],
        "KEY [asc]",
        "sort alerts: severity, risk, detector, entity, events, first, last, verdict",
    ),
    cmd_opt(
        &["theme"],
        "NAME",
        "switch theme (a name from themes/ or a file)",
    ),
    cmd_opt(
        &["export"],
        "FILE",
        "write the hand-off (default hunt-handoff.md)",
    ),
    cmd(
        &["set"],
        Some("DET.SETTING VALUE"),
        "what if: re-run detection with a detector setting changed, show the difference, then keep (writes the config) or revert",
    ),
    cmd_opt(
        &["propose"],
        "N",
        "allowlist entries for false positives sharing a value, with their impact; N adds one",
    ),
    cmd(&["alerts"], None, "the alert list"),
    cmd(&["events"], None, "the event list"),
    cmd(
        &["sources", "problems"],
        None,
        "what was read, with problems",
    ),
    cmd(
        &["settings"],
        None,
        "detector settings (value, default, doc); enter on one starts a :set",
    ),
    cmd(&["help", "h"], None, "this help"),
    cmd(&["quit", "q", "q!"], None, "quit"),
];

/// The dialog's title and accent for a verdict class.
pub fn verdict_title(c: Class) -> (&'static str, Role) {
    match c {
        Class::TruePositive => ("Mark TRUE POSITIVE", Role::SevHigh),
        Class::BenignPositive => ("Mark BENIGN POSITIVE", Role::Verdict),
        Class::FalsePositive => ("Mark FALSE POSITIVE", Role::Verdict),
        Class::Undetermined => ("Mark UNDETERMINED", Role::Dim),
    }
}

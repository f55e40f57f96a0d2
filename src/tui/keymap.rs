//! Keys → actions. The default keymap is `assets/keymap.toml`, embedded in
//! the binary; a user file with the same sections overrides it action by
//! action. Lookup goes from the screen's own section to `[list]` (screens
//! with rows) to `[global]`. Help and footer hints are generated from here,
//! never written by hand. This module knows keys, not what actions do.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

const DEFAULT_KEYMAP: &str = include_str!("assets/keymap.toml");

/// A keymap section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    List,
    Alerts,
    Detail,
    Timeline,
    Ip,
    Map,
    Events,
    Incident,
    Incidents,
    Dialog,
    Raw,
}

impl Context {
    pub const ALL: [Context; 12] = [
        Context::Global,
        Context::List,
        Context::Alerts,
        Context::Detail,
        Context::Timeline,
        Context::Ip,
        Context::Map,
        Context::Events,
        Context::Incident,
        Context::Incidents,
        Context::Dialog,
        Context::Raw,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Alerts => "alerts",
            Context::Detail => "detail",
            Context::Timeline => "timeline",
            Context::Ip => "ip",
            Context::Map => "map",
            Context::Events => "events",
            Context::Incident => "incident",
            Context::Incidents => "incidents",
            Context::Dialog => "dialog",
            Context::Raw => "raw",
        }
    }

    /// What the section covers, for the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists",
            Context::Alerts => "Alerts",
            Context::Detail => "Alert detail",
            Context::Timeline => "User timeline",
            Context::Ip => "IP pivot",
            Context::Map => "Map",
            Context::Events => "All events",
            Context::Incident => "Incident",
            Context::Incidents => "Incidents",
            Context::Dialog => "Dialogs (query, command, verdict, note, allowlist)",
            Context::Raw => "Raw record",
        }
    }

    fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// A key with modifiers (shift is folded into the character).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Normalises a terminal key event: `Char('G')` with SHIFT is just `G`.
    pub fn from_event(e: &KeyEvent) -> Key {
        let mut mods =
            e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match e.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Parses `j`, `G`, `ctrl-d`, `enter`, `pgdn`, `f1`, `alt-x`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("shift-")
                .filter(|r| r.chars().count() > 1)
            {
                mods |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            f if f.len() > 1 && f.starts_with('f') => {
                KeyCode::F(f.get(1..)?.parse().ok().filter(|n| (1..=12).contains(n))?)
            }
            c if c.chars().count() == 1 => {
                let ch = c.chars().next()?;
                KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                    ch.to_ascii_lowercase()
                } else {
                    ch
                })
            }
            _ => return None,
        };
        if mods.contains(KeyModifiers::SHIFT) && code == KeyCode::Tab {
            return Some(Key {
                code: KeyCode::BackTab,
                mods: mods - KeyModifiers::SHIFT,
            });
        }
        Some(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("backtab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// A keymap error: names the file, section, action or key, and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("keymap {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read keymap {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Section → action → keys.
#[derive(Clone, Debug)]
pub struct Keymap {
    sections: BTreeMap<Context, BTreeMap<Action, Vec<Key>>>,
}

type RawKeymap = BTreeMap<String, BTreeMap<String, Vec<String>>>;

impl Keymap {
    /// The built-in keymap.
    pub fn builtin() -> Keymap {
        let mut km = Keymap {
            sections: BTreeMap::new(),
        };
        // The embedded file is tested below; an error here cannot happen in a release.
        let _ = km.merge(DEFAULT_KEYMAP, "built-in keymap");
        km
    }

    /// The built-in keymap overridden by the user's file, if any.
    pub fn load(user: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut km = Keymap::builtin();
        if let Some(p) = user {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|source| KeymapError::Read {
                path: name.clone(),
                source,
            })?;
            km.merge(&text, &name)?;
        }
        Ok(km)
    }

    /// Applies a keymap text on top of this one (action by action).
    pub fn merge(&mut self, text: &str, path: &str) -> Result<(), KeymapError> {
        let invalid = |message: String| KeymapError::Invalid {
            path: path.to_string(),
            message,
        };
        let raw: RawKeymap = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        for (section, actions) in raw {
            let ctx = Context::from_name(&section).ok_or_else(|| {
                let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                invalid(format!(
                    "unknown section [{section}]; use one of {}",
                    names.join(", ")
                ))
            })?;
            for (action_name, keys) in actions {
                let action = Action::from_name(&action_name).ok_or_else(|| {
                    invalid(format!("[{section}] unknown action `{action_name}`; see the help screen (?) for the names"))
                })?;
                let keys = keys
                    .iter()
                    .map(|k| Key::parse(k).ok_or_else(|| invalid(format!("[{section}] {action_name}: `{k}` is not a key (write it like j, G, ctrl-d, enter, pgdn)"))))
                    .collect::<Result<Vec<_>, _>>()?;
                self.sections.entry(ctx).or_default().insert(action, keys);
            }
        }
        Ok(())
    }

    /// The action bound to `key` in the first of `contexts` that binds it.
    pub fn lookup(&self, contexts: &[Context], key: Key) -> Option<Action> {
        contexts.iter().find_map(|c| {
            self.sections
                .get(c)?
                .iter()
                .find(|(_, keys)| keys.contains(&key))
                .map(|(a, _)| *a)
        })
    }

    /// Keys bound to `action` in the first of `contexts` that binds it.
    pub fn keys_for(&self, contexts: &[Context], action: Action) -> &[Key] {
        contexts
            .iter()
            .find_map(|c| self.sections.get(c)?.get(&action).filter(|k| !k.is_empty()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The bindings of one section, in action order.
    pub fn section(&self, ctx: Context) -> impl Iterator<Item = (Action, &[Key])> {
        self.sections
            .get(&ctx)
            .into_iter()
            .flat_map(|m| m.iter().map(|(a, k)| (*a, k.as_slice())))
            .filter(|(_, k)| !k.is_empty())
    }

    /// The first keys of two actions as one label: "↑↓" for two arrows,
    /// else "j/k" (the footer's "scroll" and "choose" hints).
    pub fn pair_label(&self, contexts: &[Context], a: Action, b: Action) -> Option<String> {
        let (x, y) = (
            self.keys_for(contexts, a).first()?,
            self.keys_for(contexts, b).first()?,
        );
        let arrow = |k: &Key| {
            matches!(
                k.code,
                KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right
            ) && k.mods.is_empty()
        };
        Some(if arrow(x) && arrow(y) {
            format!("{x}{y}")
        } else {
            format!("{x}/{y}")
        })
    }

    /// "j/↓"-style label of the keys of `action`.
    pub fn label(&self, contexts: &[Context], action: Action) -> Option<String> {
        let keys = self.keys_for(contexts, action);
        if keys.is_empty() {
            return None;
        }
        Some(
            keys.iter()
                .take(2)
                .map(Key::to_string)
                .collect::<Vec<_>>()
                .join("/"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn builtin_parses_and_binds_the_terminal_habits() {
        let mut km = Keymap {
            sections: BTreeMap::new(),
        };
        km.merge(DEFAULT_KEYMAP, "built-in").unwrap();
        let list = [Context::Alerts, Context::List, Context::Global];
        assert_eq!(km.lookup(&list, key("j")), Some(Action::Down));
        assert_eq!(km.lookup(&list, key("down")), Some(Action::Down));
        assert_eq!(km.lookup(&list, key("G")), Some(Action::Bottom));
        assert_eq!(km.lookup(&list, key("g")), Some(Action::Top));
        assert_eq!(km.lookup(&list, key("enter")), Some(Action::Open));
        assert_eq!(km.lookup(&list, key("esc")), Some(Action::Back));
        assert_eq!(km.lookup(&list, key("/")), Some(Action::Search));
        assert_eq!(km.lookup(&list, key(":")), Some(Action::Command));
        assert_eq!(km.lookup(&list, key("?")), Some(Action::Help));
        assert_eq!(km.lookup(&list, key("q")), Some(Action::Quit));
        assert_eq!(
            km.lookup(&list, key("F")),
            Some(Action::VerdictFalsePositive)
        );
        // Screen sections shadow nothing they do not bind.
        assert_eq!(km.lookup(&[Context::Map, Context::Global], key("j")), None);
    }

    #[test]
    fn user_file_overrides_one_action_and_keeps_the_rest() {
        let mut km = Keymap::builtin();
        km.merge(
            "[list]\ndown = [\"n\", \"ctrl-n\"]\n[global]\nquit = []\n",
            "user.toml",
        )
        .unwrap();
        let list = [Context::List, Context::Global];
        assert_eq!(km.lookup(&list, key("n")), Some(Action::Down));
        assert_eq!(km.lookup(&list, key("ctrl-n")), Some(Action::Down));
        assert_eq!(km.lookup(&list, key("j")), None);
        assert_eq!(km.lookup(&list, key("k")), Some(Action::Up));
        assert_eq!(km.lookup(&list, key("q")), None);
    }

    #[test]
    fn bad_user_files_name_the_problem() {
        let mut km = Keymap::builtin();
        let e = km
            .merge("[list]\nfly = [\"x\"]\n", "u.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("fly") && e.contains("u.toml"), "{e}");
        let e = km
            .merge("[list]\ndown = [\"hyper-x\"]\n", "u.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("hyper-x"), "{e}");
        let e = km
            .merge("[nowhere]\ndown = [\"x\"]\n", "u.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nowhere"), "{e}");
    }

    #[test]
    fn terminal_events_normalise_shift_and_ctrl() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), key("G"));
        let ev = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(Key::from_event(&ev), key("ctrl-d"));
        assert_eq!(key("ctrl-d").to_string(), "ctrl-d");
        assert_eq!(key("pgdn").to_string(), "pgdn");
        assert_eq!(Key::parse("f13"), None);
    }
}

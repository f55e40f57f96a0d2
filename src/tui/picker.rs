//! The picker: what `:user`, `:ip`, `:open` and `:incident` open when their
//! argument matches several things. A list in a box with a filter line;
//! typing narrows it (every word must match, fuzzily: fuzzy-matcher takes a
//! space literally, so the filter is split into words), up and down choose,
//! enter opens the choice, esc closes. Pure state here; the `impl App` part
//! opens the choice.

use super::app::App;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use tui_input::Input;

/// Most items a picker holds (the best matches of the command).
pub const MAX_ITEMS: usize = 500;

/// What the picked value opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickKind {
    User,
    Ip,
    Finding,
    Incident,
}

/// One choice: what is shown and what it opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub value: String,
}

#[derive(Debug)]
pub struct Picker {
    pub kind: PickKind,
    pub title: String,
    pub items: Vec<Item>,
    pub filter: Input,
    /// Indexes into `items` that pass the filter, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
}

impl Picker {
    pub fn new(kind: PickKind, title: String, mut items: Vec<Item>) -> Picker {
        items.truncate(MAX_ITEMS);
        let shown = (0..items.len()).collect();
        Picker {
            kind,
            title,
            items,
            filter: Input::default(),
            shown,
            selected: 0,
        }
    }

    /// Re-filters after the filter line changed: every word must match the
    /// label (a substring scores best, then a fuzzy subsequence); ties keep
    /// the command's order.
    pub fn refilter(&mut self) {
        let words: Vec<String> = self
            .filter
            .value()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let fuzzy = SkimMatcherV2::default().ignore_case();
        let mut scored: Vec<(i64, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| {
                let label = it.label.to_lowercase();
                let mut total = 0i64;
                for w in &words {
                    total += if label.contains(w.as_str()) {
                        1_000_000
                    } else {
                        fuzzy.fuzzy_match(&label, w)?
                    };
                }
                Some((total, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.shown = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    pub fn move_by(&mut self, step: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(step).min(last);
    }

    /// The chosen item, if the filter leaves any.
    pub fn choice(&self) -> Option<&Item> {
        self.shown
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }
}

impl App {
    /// Opens what the picker chose.
    pub(super) fn open_picked(&mut self, kind: PickKind, value: &str) {
        match kind {
            PickKind::User => self.open_timeline(value),
            PickKind::Ip => self.open_ip(value),
            PickKind::Finding => self.open_finding(value),
            PickKind::Incident => self.open_incident(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(labels: &[&str]) -> Vec<Item> {
        labels
            .iter()
            .map(|l| Item {
                label: l.to_string(),
                value: l.to_string(),
            })
            .collect()
    }

    #[test]
    fn every_word_must_match_and_substrings_rank_first() {
        let mut p = Picker::new(
            PickKind::User,
            "users".into(),
            items(&[
                "heidi.nguyen76@x.com",
                "heidi.park@x.com",
                "hnp@x.com",
                "bob@x.com",
            ]),
        );
        assert_eq!(p.shown.len(), 4);
        for c in "heidi park".chars() {
            p.filter.handle(tui_input::InputRequest::InsertChar(c));
        }
        p.refilter();
        assert_eq!(
            p.choice().map(|i| i.value.as_str()),
            Some("heidi.park@x.com")
        );
        assert_eq!(p.shown.len(), 1, "{:?}", p.shown);
        p.filter.reset();
        p.filter.handle(tui_input::InputRequest::InsertChar('h'));
        p.refilter();
        assert_eq!(p.shown.len(), 3);
        p.move_by(10);
        assert_eq!(p.selected, 2);
        p.move_by(-10);
        assert_eq!(p.selected, 0);
    }
}

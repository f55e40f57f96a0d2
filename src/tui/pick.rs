//! What `:user`, `:ip`, `:open` and `:incident` open when the argument is
//! not exact: a partial user name picks among the users seen (substring
//! matches first, shortest first, then fuzzy subsequences by score); a
//! partial address among the addresses seen; an id prefix or words of a
//! title among the findings or incidents. One match opens, several open the
//! picker, none says so. A CIDR (`:ip 45.83.64.0/24`) opens all events
//! filtered to it, saying how many IPs of the range were seen. Pure ranking
//! here; the `impl App` part only opens screens.

use super::action::Action;
use super::app::{App, Effect};
use super::picker::{Item, PickKind, Picker};
use super::theme::Role;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use ipnet::IpNet;
use std::net::IpAddr;

/// Users matching `part`, best first: exact, then substrings (shorter
/// names first), then fuzzy subsequences (higher score first). Case is ignored.
pub fn rank_users<'a>(part: &str, users: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let part = part.to_lowercase();
    let fuzzy = SkimMatcherV2::default().ignore_case();
    let mut scored: Vec<(u8, i64, &str)> = users
        .filter_map(|u| {
            let lower = u.to_lowercase();
            if lower == part {
                Some((0, 0, u))
            } else if lower.contains(&part) {
                Some((1, lower.len() as i64, u))
            } else {
                fuzzy.fuzzy_match(u, &part).map(|s| (2, -s, u))
            }
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, _, u)| u).collect()
}

/// Indexes of `labels` that `arg` names: those whose id (the first word)
/// starts with it when any does, else those holding every word of it (case
/// ignored), in the given order.
pub fn rank_labels<'a>(arg: &str, items: impl Iterator<Item = (&'a str, String)>) -> Vec<usize> {
    let arg = arg.trim().to_lowercase();
    let words: Vec<&str> = arg.split_whitespace().collect();
    let mut by_id = Vec::new();
    let mut by_words = Vec::new();
    for (i, (id, label)) in items.enumerate() {
        let id = id.to_lowercase();
        if !arg.is_empty() && id.starts_with(&arg) {
            by_id.push(i);
        } else {
            let label = label.to_lowercase();
            if !words.is_empty() && words.iter().all(|w| label.contains(w)) {
                by_words.push(i);
            }
        }
    }
    if by_id.is_empty() {
        by_words
    } else {
        by_id
    }
}

impl App {
    /// Opens the one match, or a picker over several, or says there is none.
    fn pick_or_open(&mut self, kind: PickKind, what: &str, arg: &str, items: Vec<Item>) {
        match items.as_slice() {
            [] => self.set_flash(
                Role::Warning,
                format!(
                    "no {what} matches `{}`",
                    crate::sanitize::clean_width(arg, 40)
                ),
            ),
            [one] => {
                let v = one.value.clone();
                self.open_picked(kind, &v);
            }
            many => {
                let title = format!(
                    "{} {what}s match `{}`",
                    many.len(),
                    crate::sanitize::clean_width(arg, 30)
                );
                self.modal = Some(super::modal::Modal::Pick(Box::new(Picker::new(
                    kind, title, items,
                ))));
            }
        }
    }

    /// `:open ID|WORDS`: a finding by id prefix, else by words of its title,
    /// user or IP.
    pub(super) fn command_open(&mut self, arg: &str) {
        let all = self.session.findings.all();
        let label = |f: &crate::finding::Finding| {
            format!(
                "{} {} {} {} {}",
                f.id,
                f.severity.as_str(),
                f.detector,
                f.user.as_deref().or(f.ip.as_deref()).unwrap_or("-"),
                f.title
            )
        };
        let hits = rank_labels(arg, all.iter().map(|f| (f.id.as_str(), label(f))));
        let items = hits
            .into_iter()
            .filter_map(|i| all.get(i))
            .map(|f| Item {
                label: crate::sanitize::clean(&label(f)).into_owned(),
                value: f.id.clone(),
            })
            .collect();
        self.pick_or_open(PickKind::Finding, "finding", arg, items);
    }

    /// `:incident ID|WORDS`: an incident by id prefix (with or without
    /// `inc-`), else by words of its title, users or addresses.
    pub(super) fn command_incident(&mut self, arg: &str) {
        let p = arg.trim();
        let prefix = if p.is_empty() || p.starts_with("inc-") {
            p.to_string()
        } else {
            format!("inc-{p}")
        };
        let incs = self.session.incidents.sorted();
        let label = |i: &crate::incident::Incident| {
            format!(
                "{} {} {} · {}",
                i.id,
                i.severity.as_str(),
                i.title,
                i.users
                    .iter()
                    .chain(&i.ips)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut hits = rank_labels(&prefix, incs.iter().map(|i| (i.id.as_str(), label(i))));
        if hits.is_empty() {
            hits = rank_labels(p, incs.iter().map(|i| (i.id.as_str(), label(i))));
        }
        let items = hits
            .into_iter()
            .filter_map(|k| incs.get(k))
            .map(|i| Item {
                label: crate::sanitize::clean(&label(i)).into_owned(),
                value: i.id.clone(),
            })
            .collect();
        self.pick_or_open(PickKind::Incident, "incident", arg, items);
    }

    /// `:user NAME`: the user's timeline, or the best of the users it partly names.
    pub(super) fn command_user(&mut self, arg: &str) -> Vec<Effect> {
        let ranked = rank_users(arg, self.session.store.users());
        let Some(best) = ranked.first().map(|u| u.to_string()) else {
            self.set_flash(
                Role::Warning,
                format!(
                    "no user matches `{}`",
                    crate::sanitize::clean_width(arg, 40)
                ),
            );
            return Vec::new();
        };
        if ranked.len() > 1 && !best.eq_ignore_ascii_case(arg) {
            // Several users and none named exactly: the analyst chooses.
            let items = ranked
                .iter()
                .map(|u| super::picker::Item {
                    label: u.to_string(),
                    value: u.to_string(),
                })
                .collect();
            let title = format!(
                "{} users match `{}`",
                ranked.len(),
                crate::sanitize::clean_width(arg, 30)
            );
            self.modal = Some(super::modal::Modal::Pick(Box::new(
                super::picker::Picker::new(super::picker::PickKind::User, title, items),
            )));
            return Vec::new();
        }
        self.open_timeline(&best);
        Vec::new()
    }

    /// `:ip ADDR`: the IP page; `:ip CIDR`: every event from the range.
    pub(super) fn command_ip(&mut self, arg: &str) -> Vec<Effect> {
        let net = match arg.parse::<IpNet>() {
            Ok(n) if n.prefix_len() < n.max_prefix_len() => n.trunc(),
            _ if arg.parse::<IpAddr>().is_ok() => {
                self.open_ip(arg);
                return Vec::new();
            }
            _ => {
                // Part of an address: the addresses seen that hold it.
                let part = arg.trim().to_lowercase();
                let mut ips: Vec<&str> = self
                    .session
                    .store
                    .ips()
                    .filter(|ip| !part.is_empty() && ip.to_lowercase().contains(&part))
                    .collect();
                ips.sort_by_key(|ip| (!ip.starts_with(part.as_str()), ip.len(), *ip));
                let items = ips
                    .into_iter()
                    .map(|ip| Item {
                        label: crate::sanitize::clean(ip).into_owned(),
                        value: ip.to_string(),
                    })
                    .collect();
                self.pick_or_open(PickKind::Ip, "address", arg, items);
                return Vec::new();
            }
        };
        let seen = self
            .session
            .store
            .ips()
            .filter(|ip| ip.parse::<IpAddr>().is_ok_and(|a| net.contains(&a)))
            .count();
        let effects = self.update(Action::Events);
        self.set_query(&format!("ip:{net}"));
        self.set_flash(
            Role::Dim,
            format!("{seen} IPs of {net} seen; events from them"),
        );
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_names_rank_substrings_before_fuzzy_and_shorter_first() {
        let users = [
            "alex.wilber@contoso.com",
            "alexandra.long@contoso.com",
            "megan.bowen@contoso.com",
            "alex",
        ];
        let r = rank_users("alex", users.iter().copied());
        assert_eq!(r.first(), Some(&"alex"), "exact first");
        assert_eq!(r.get(1), Some(&"alex.wilber@contoso.com"));
        let r = rank_users("MEGAN", users.iter().copied());
        assert_eq!(r, vec!["megan.bowen@contoso.com"]);
        // Fuzzy: initials-like subsequences still find someone.
        let r = rank_users("mgbwn", users.iter().copied());
        assert_eq!(r.first(), Some(&"megan.bowen@contoso.com"));
        assert!(rank_users("zzz", users.iter().copied()).is_empty());
    }
}

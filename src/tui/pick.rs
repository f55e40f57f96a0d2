//! What `:user NAME` and `:ip ADDR` open when the argument is not exact:
//! a partial user name picks among the users seen (substring matches
//! first, shortest first, then fuzzy subsequences by score), and a CIDR
//! (`:ip 45.83.64.0/24`) opens all events filtered to it, saying how many
//! IPs of the range were seen. Pure ranking here; the `impl App` part only
//! opens screens.

use super::action::Action;
use super::app::{App, Effect};
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

impl App {
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
            _ => {
                self.open_ip(arg);
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

//! What if (`hunt scan --set … --diff-against CASE`, the workbench's `:set`):
//! the built-in detectors the change can affect
//! ([`crate::detect::describe::affected_by`]) re-run over the loaded events
//! with the changed config and with the config in force, the case's allowlist applied to
//! both, and the difference: findings that would appear, disappear or change
//! severity, by detector, with the verdicts the case already gave to those
//! that would disappear. Sigma rules are not re-run (no detector setting
//! changes them). Nothing is kept: the caller decides.

use super::settings::Setting;
use crate::config::Config;
use crate::detect::{DetectCx, Engine};
use crate::enrich::hosting::HostingNetworks;
use crate::finding::{DetectorId, Finding, Findings, Severity};
use crate::store::{EventIdx, Store};
use crate::triage::apply::Triage;
use crate::triage::Verdict;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// The built-in detectors of `only` that `config` enables, over the store's
/// events in time order, and `triage`'s allowlist applied.
pub fn redetect(
    store: &Store,
    hosting: &HostingNetworks,
    config: &Config,
    only: &[DetectorId],
    triage: &Triage,
    now: DateTime<Utc>,
) -> Findings {
    let mut engine = Engine::only(config, only);
    let cx = DetectCx {
        store,
        config,
        hosting,
    };
    let idxs: Vec<EventIdx> = store
        .by_time()
        .iter()
        .copied()
        .filter(|&i| store.is_live(i))
        .collect();
    let mut findings = Findings::default();
    let mut changed = Vec::new();
    engine.observe_all(&cx, &idxs, &mut findings, &mut changed);
    triage.apply(&mut findings, store, now);
    findings
}

/// One finding's change.
#[derive(Clone, Debug, PartialEq)]
pub enum Delta {
    /// New with the change.
    Appear(Finding),
    /// Gone with the change (or suppressed now: the note says by what), with its verdict.
    Disappear {
        finding: Finding,
        verdict: Option<Verdict>,
        suppressed: Option<String>,
    },
    /// Still there, at another severity.
    Severity {
        before: Severity,
        after: Finding,
        verdict: Option<Verdict>,
    },
}

/// The difference a change makes.
#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    pub settings: Vec<Setting>,
    /// Events the detectors read.
    pub events: usize,
    /// Findings shown (not suppressed) before and after.
    pub before: usize,
    pub after: usize,
    pub by_detector: BTreeMap<DetectorId, Vec<Delta>>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.by_detector.values().all(Vec::is_empty)
    }

    /// How many findings would appear, disappear, change severity.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut n = (0, 0, 0);
        for d in self.by_detector.values().flatten() {
            match d {
                Delta::Appear(_) => n.0 += 1,
                Delta::Disappear { .. } => n.1 += 1,
                Delta::Severity { .. } => n.2 += 1,
            }
        }
        n
    }
}

/// Compares the findings shown before and after (suppressed ones are not shown).
pub fn diff(
    settings: Vec<Setting>,
    events: usize,
    before: &Findings,
    after: &Findings,
    verdicts: &HashMap<String, Verdict>,
) -> Diff {
    let shown = |fs: &Findings| -> HashMap<String, Finding> {
        fs.all()
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| (f.id.clone(), f.clone()))
            .collect()
    };
    let (b, a) = (shown(before), shown(after));
    let mut by_detector: BTreeMap<DetectorId, Vec<Delta>> = BTreeMap::new();
    for f in after
        .sorted()
        .into_iter()
        .filter(|f| f.suppressed.is_none())
    {
        match b.get(&f.id) {
            None => by_detector
                .entry(f.detector)
                .or_default()
                .push(Delta::Appear(f.clone())),
            Some(old) if old.severity != f.severity => by_detector
                .entry(f.detector)
                .or_default()
                .push(Delta::Severity {
                    before: old.severity,
                    after: f.clone(),
                    verdict: verdicts.get(&f.id).cloned(),
                }),
            Some(_) => {}
        }
    }
    for f in before
        .sorted()
        .into_iter()
        .filter(|f| f.suppressed.is_none())
    {
        if a.contains_key(&f.id) {
            continue;
        }
        let suppressed = after
            .get(&f.id)
            .and_then(|x| x.suppressed.as_ref())
            .map(|s| s.note.clone());
        by_detector
            .entry(f.detector)
            .or_default()
            .push(Delta::Disappear {
                finding: f.clone(),
                verdict: verdicts.get(&f.id).cloned(),
                suppressed,
            });
    }
    Diff {
        settings,
        events,
        before: b.len(),
        after: a.len(),
        by_detector,
    }
}

/// `high  brute_force  netflix  1.1.1.172  Brute force on …` (cleaned).
fn row(f: &Finding) -> String {
    let short: String = f.id.chars().take(8).collect();
    let who = crate::detect::describe::About::of(f, &Config::default());
    let entity = crate::detect::describe::About::entity_of(who.entity, f).unwrap_or("-");
    crate::sanitize::clean(&format!(
        "{short} {:<8} {entity}  {}",
        f.severity.to_string(),
        f.title
    ))
    .into_owned()
}

fn verdict_text(v: &Option<Verdict>) -> String {
    match v {
        Some(v) => {
            let note = v
                .note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            crate::sanitize::clean(&format!(
                " [verdict {} by {}{note}]",
                v.class.as_str(),
                v.analyst
            ))
            .into_owned()
        }
        None => String::new(),
    }
}

impl Diff {
    /// The difference as lines of plain text.
    pub fn lines(&self) -> Vec<String> {
        let what: Vec<String> = self.settings.iter().map(Setting::to_string).collect();
        let (up, down, sev) = self.counts();
        let mut out = vec![format!(
            "what if {}: over {} events, {} findings shown now, {} with the change ({up} would appear, {down} disappear, {sev} change severity)",
            what.join(", "),
            self.events,
            self.before,
            self.after
        )];
        if self.is_empty() {
            out.push("no finding of a built-in detector would change".into());
            return out;
        }
        for (d, deltas) in &self.by_detector {
            out.push(format!("{d}:"));
            for delta in deltas {
                out.push(match delta {
                    Delta::Appear(f) => format!("  + {}", row(f)),
                    Delta::Disappear {
                        finding,
                        verdict,
                        suppressed,
                    } => {
                        let why = suppressed
                            .as_ref()
                            .map(|s| format!(" (now suppressed: {})", crate::sanitize::clean(s)))
                            .unwrap_or_default();
                        format!("  - {}{why}{}", row(finding), verdict_text(verdict))
                    }
                    Delta::Severity {
                        before,
                        after,
                        verdict,
                    } => format!("  ~ {before} → {}{}", row(after), verdict_text(verdict)),
                });
            }
        }
        out
    }

    /// One JSON value per change (`change`: appear, disappear, severity).
    pub fn json_rows(&self) -> Vec<serde_json::Value> {
        use serde_json::json;
        let mut rows = Vec::new();
        for deltas in self.by_detector.values() {
            for d in deltas {
                rows.push(match d {
                    Delta::Appear(f) => json!({"change": "appear", "id": f.id, "detector": f.detector.as_str(), "severity": f.severity.to_string(), "title": f.title, "user": f.user, "ip": f.ip}),
                    Delta::Disappear { finding: f, verdict, suppressed } => json!({"change": "disappear", "id": f.id, "detector": f.detector.as_str(), "severity": f.severity.to_string(), "title": f.title, "user": f.user, "ip": f.ip, "verdict": verdict.as_ref().map(|v| v.class.as_str()), "now_suppressed": suppressed}),
                    Delta::Severity { before, after: f, verdict } => json!({"change": "severity", "id": f.id, "detector": f.detector.as_str(), "from": before.to_string(), "severity": f.severity.to_string(), "title": f.title, "user": f.user, "ip": f.ip, "verdict": verdict.as_ref().map(|v| v.class.as_str())}),
                });
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testkit::{fail, Scenario};

    #[test]
    fn a_rerun_with_the_same_config_changes_nothing_and_a_lower_threshold_adds() {
        let mut s = Scenario::new();
        for i in 0..6 {
            s.push(fail("2026-11-18T10:00:00Z", "alice", "192.0.2.1").plus(i * 1000));
        }
        let run = s.run();
        let hosting = HostingNetworks::default();
        let (triage, now) = (Triage::default(), Utc::now());
        let base = Config::default();
        let all = DetectorId::ALL;
        let before = redetect(&run.store, &hosting, &base, &all, &triage, now);
        let same = redetect(&run.store, &hosting, &base, &all, &triage, now);
        let d = diff(Vec::new(), 6, &before, &same, &HashMap::new());
        assert!(d.is_empty() && d.lines()[1].starts_with("no finding"));
        let (lower, set) =
            super::super::settings::apply_all(&base, &["brute_force.min_failures=6".into()])
                .unwrap();
        let after = redetect(&run.store, &hosting, &lower, &all, &triage, now);
        // Only brute force can differ, and re-running it alone says the same.
        let only = crate::detect::describe::affected_by(&base, &lower);
        assert_eq!(only, vec![DetectorId::BruteForce]);
        let alone = diff(
            Vec::new(),
            6,
            &redetect(&run.store, &hosting, &base, &only, &triage, now),
            &redetect(&run.store, &hosting, &lower, &only, &triage, now),
            &HashMap::new(),
        );
        assert_eq!(alone.counts(), (1, 0, 0));
        let d = diff(set, 6, &before, &after, &HashMap::new());
        assert_eq!(d.counts(), (1, 0, 0));
        assert!(
            matches!(&d.by_detector[&DetectorId::BruteForce][..], [Delta::Appear(f)] if f.user.as_deref() == Some("alice"))
        );
        // And back: it disappears.
        let d = diff(Vec::new(), 6, &after, &before, &HashMap::new());
        assert_eq!(d.counts(), (0, 1, 0));
    }
}

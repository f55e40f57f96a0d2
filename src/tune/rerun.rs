//! A settings change re-run over the loaded events a slice at a time (the
//! workbench's `:set`): the detectors the change can affect
//! ([`crate::detect::describe::affected_by`]: the changed section's, and the
//! ones that read it) with the config in force and with the changed one,
//! side by side, so the main loop can give each tick a time budget and stay
//! responsive. Every other detector would find exactly what it found, so it
//! is not re-run. When done, [`Rerun::diff`] says what the change does and
//! [`Rerun::into_kept`] hands over what keeping it needs.

use super::settings::Setting;
use super::whatif::{diff, Diff};
use crate::config::Config;
use crate::detect::describe::affected_by;
use crate::detect::{DetectCx, DetectorId, Engine};
use crate::enrich::hosting::HostingNetworks;
use crate::finding::Findings;
use crate::store::{EventIdx, Store};
use crate::triage::apply::Triage;
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

/// Events per slice between two looks at the clock.
const SLICE: usize = 256;

/// One side of the re-run: a config, its engine (the affected detectors),
/// its hosting networks and its findings.
struct Side {
    config: Config,
    engine: Engine,
    hosting: HostingNetworks,
    findings: Findings,
}

impl Side {
    fn new(config: Config, ids: &[DetectorId]) -> Side {
        Side {
            engine: Engine::only(&config, ids),
            hosting: HostingNetworks::from_config(&config.detectors.hosting_asn),
            config,
            findings: Findings::default(),
        }
    }

    fn run(&mut self, store: &Store, idxs: &[EventIdx]) {
        let cx = DetectCx {
            store,
            config: &self.config,
            hosting: &self.hosting,
        };
        let mut changed = Vec::new();
        self.engine
            .observe_slice(&cx, idxs, &mut self.findings, &mut changed);
    }

    /// The growth deferred over the slices, snapshotted once.
    fn finish(&mut self, store: &Store) {
        let cx = DetectCx {
            store,
            config: &self.config,
            hosting: &self.hosting,
        };
        let mut changed = Vec::new();
        self.engine.flush(&cx, &mut self.findings, &mut changed);
    }
}

/// A re-run in progress.
pub struct Rerun {
    pub settings: Vec<Setting>,
    /// The detectors re-run (all others are unchanged by the settings).
    pub affected: Vec<DetectorId>,
    idxs: Vec<EventIdx>,
    pos: usize,
    base: Side,
    changed: Side,
}

impl Rerun {
    /// Starts a re-run of every stored event (time order) under both configs.
    pub fn start(store: &Store, base: &Config, changed: Config, settings: Vec<Setting>) -> Rerun {
        let affected = affected_by(base, &changed);
        let idxs = if affected.is_empty() {
            Vec::new()
        } else {
            store
                .by_time()
                .iter()
                .copied()
                .filter(|&i| store.is_live(i))
                .collect()
        };
        Rerun {
            settings,
            idxs,
            pos: 0,
            base: Side::new(base.clone(), &affected),
            changed: Side::new(changed, &affected),
            affected,
        }
    }

    /// Events done and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.pos, self.idxs.len())
    }

    pub fn done(&self) -> bool {
        self.pos >= self.idxs.len()
    }

    /// Runs slices until `budget` is spent or the events are done; true when done.
    pub fn advance(&mut self, store: &Store, budget: Duration) -> bool {
        let start = Instant::now();
        while !self.done() && start.elapsed() < budget {
            let end = (self.pos + SLICE).min(self.idxs.len());
            let slice = self.idxs.get(self.pos..end).unwrap_or_default();
            self.base.run(store, slice);
            self.changed.run(store, slice);
            self.pos = end;
            if self.done() {
                self.base.finish(store);
                self.changed.finish(store);
            }
        }
        self.done()
    }

    /// The difference, `triage`'s allowlist applied to both sides.
    pub fn diff(&mut self, store: &Store, triage: &Triage, now: DateTime<Utc>) -> Diff {
        triage.apply(&mut self.base.findings, store, now);
        triage.apply(&mut self.changed.findings, store, now);
        diff(
            self.settings.clone(),
            self.idxs.len(),
            &self.base.findings,
            &self.changed.findings,
            &triage.verdicts,
        )
    }

    /// The changed side, for [`crate::pipeline::Session::adopt`].
    pub fn into_kept(self) -> Kept {
        Kept {
            config: self.changed.config,
            engine: self.changed.engine,
            hosting: self.changed.hosting,
            findings: self.changed.findings,
            affected: self.affected,
        }
    }
}

/// What keeping a re-run's change hands the session: the changed config,
/// the re-run detectors (state after every stored event), the hosting
/// networks of the changed config and the re-run detectors' findings.
pub struct Kept {
    pub config: Config,
    pub engine: Engine,
    pub hosting: HostingNetworks,
    pub findings: Findings,
    /// The detectors whose state and findings `engine` and `findings` replace.
    pub affected: Vec<DetectorId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testkit::{fail, Scenario};

    #[test]
    fn a_rerun_in_slices_finds_what_one_pass_finds() {
        // A spray of 600 users from one address, re-run in 256-event slices
        // with the growth snapshotted once at the end: the same findings as
        // one pass over every event.
        let mut s = Scenario::new();
        for i in 0..600i64 {
            s.push(
                fail(
                    "2026-11-18T10:00:00Z",
                    &format!("u{i}@contoso.com"),
                    "192.0.2.9",
                )
                .plus(i * 500),
            );
        }
        let run = s.run();
        let base = Config::default();
        let (changed, set) =
            super::super::settings::apply_all(&base, &["password_spray.min_users=4".into()])
                .unwrap();
        let mut rerun = Rerun::start(&run.store, &base, changed.clone(), set);
        while !rerun.advance(&run.store, Duration::from_millis(1)) {}
        let kept = rerun.into_kept();
        let one = crate::tune::whatif::redetect(
            &run.store,
            &HostingNetworks::from_config(&changed.detectors.hosting_asn),
            &changed,
            &kept.affected,
            &Triage::default(),
            chrono::Utc::now(),
        );
        assert!(!one.all().is_empty());
        assert_eq!(kept.findings.all(), one.all());
    }
}

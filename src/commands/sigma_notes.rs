//! What the Sigma rules say around a run: on loading (bad files and rules,
//! how many were loaded) and at its end (rules that cannot fire on what was
//! read, and under `-v` every rule's records evaluated and matched).

use super::{Note, SigmaNote, Tell};
use crate::pipeline::SigmaStatus;

/// Tells what loading the rules found; true when a file or rule was bad
/// (a problem that stops no other rule, and fails the run at its end).
pub(super) fn loaded(s: &SigmaStatus, verbose: bool, tell: Tell) -> bool {
    for p in &s.problems {
        tell(Note::Sigma(SigmaNote::Problem(p.clone())));
    }
    for w in &s.warnings {
        tell(Note::Sigma(SigmaNote::Warning(w.clone())));
    }
    if verbose && (s.detection_rules > 0 || !s.problems.is_empty()) {
        tell(Note::Sigma(SigmaNote::Loaded {
            detection: s.detection_rules,
            correlation: s.correlation_rules,
        }));
    }
    !s.problems.is_empty()
}

/// Tells, at the end of a scan, how many rules cannot fire on what was
/// read (each with its reason under `-v`), and under `-v` every rule's
/// records evaluated and matched.
pub(super) fn ran(s: &SigmaStatus, verbose: bool, tell: Tell) {
    let mut dead = Vec::new();
    for r in &s.rules {
        let Some(m) = crate::sigma::catalog::get(r.n) else {
            continue;
        };
        if let Some(why) = s.seen.cannot_fire(r) {
            dead.push(SigmaNote::Dead {
                id: m.id.clone(),
                title: m.title.clone(),
                why: why.to_string(),
            });
        }
        if verbose {
            tell(Note::Sigma(SigmaNote::Rule {
                id: m.id.clone(),
                title: m.title.clone(),
                evaluated: s.seen.evaluated_by(r),
                matched: s.seen.matched.get(&r.n).copied().unwrap_or(0),
            }));
        }
    }
    if dead.is_empty() {
        return;
    }
    tell(Note::Sigma(SigmaNote::CannotFire {
        dead: dead.len(),
        total: s.rules.len(),
        named: verbose,
    }));
    if verbose {
        for d in dead {
            tell(Note::Sigma(d));
        }
    }
}

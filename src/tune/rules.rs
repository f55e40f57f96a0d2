//! The Sigma rule development loop (`hunt rules watch --rules DIR PATH…`):
//! the rules of `--rules` evaluated over the inputs, then, each time a rule
//! file changes (polled twice a second), loaded again and evaluated again,
//! and the difference said rule by rule: matches gained and lost (with the
//! records), rules added or gone, and every rule or file that now fails to
//! load, with where (file, rule, field; the YAML error's line and column).
//! A change that moves no match says so with what was evaluated, so "no
//! change" is never a rule that silently stopped loading.
//!
//! The inputs are read again on each change (Sigma evaluates the raw record
//! at ingest, not the normalized event), so a change costs one read of them.

use crate::config::Config;
use crate::enrich::Enricher;
use crate::ingest::read::Input;
use crate::ingest::Format;
use crate::pipeline::{self, RunOptions, Session};
use crate::sanitize::clean;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// One evaluation of the rules over the inputs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matches {
    /// Rule id → its title and the (input, record) pairs it matched; every
    /// loaded detection rule is here, with no match or some.
    pub by_rule: BTreeMap<String, (String, BTreeSet<(usize, u64)>)>,
    /// Files and rules that failed to load (each says where).
    pub problems: Vec<String>,
    /// Rules that load but cannot run on a source hunt reads.
    pub warnings: Vec<String>,
    /// Records the rules were evaluated on.
    pub evaluated: u64,
    /// Inputs that could not be read.
    pub unreadable: Vec<String>,
}

impl Matches {
    pub fn matched(&self) -> usize {
        self.by_rule.values().map(|(_, m)| m.len()).sum()
    }
}

/// Reads `inputs` to their end into `session` with its Sigma rules, and
/// returns every (input, record, rule number) match, in no set order.
pub fn read_sigma_matches(
    session: &mut Session,
    inputs: &[Input],
    format: Option<Format>,
    config: &Config,
) -> Vec<(u32, u64, u32)> {
    let opts = RunOptions {
        inputs: inputs.to_vec(),
        follow: false,
        format,
        workers: 0,
    };
    session.sigma_matches = Some(Vec::new());
    session.add_sources(inputs, false);
    let readers = pipeline::start(&opts, config);
    while let Ok(msg) = readers.rx.recv() {
        session.handle(msg);
        if session.all_done() {
            break;
        }
    }
    if session.pending() > 0 {
        session.release();
    }
    session.sigma_matches.take().unwrap_or_default()
}

/// Loads the rules of `config` and evaluates them over `inputs`.
pub fn evaluate(config: &Config, inputs: &[Input], format: Option<Format>) -> Matches {
    let mut session = Session::new(config.clone(), Enricher::none());
    let hits = read_sigma_matches(&mut session, inputs, format, config);
    let mut out = Matches::default();
    for r in session.sigma.rules.iter().filter(|r| r.timespan_ms == 0) {
        if let Some(m) = crate::sigma::catalog::get(r.n) {
            out.by_rule
                .entry(m.id.clone())
                .or_insert_with(|| (m.title.clone(), BTreeSet::new()));
        }
    }
    for (file, record, n) in hits {
        if let Some(m) = crate::sigma::catalog::get(n) {
            out.by_rule
                .entry(m.id.clone())
                .or_insert_with(|| (m.title.clone(), BTreeSet::new()))
                .1
                .insert((file as usize, record));
        }
    }
    out.problems = session.sigma.problems.clone();
    out.warnings = session.sigma.warnings.clone();
    out.evaluated = session.sigma.seen.evaluated.iter().sum();
    out.unreadable = session
        .sources
        .iter()
        .filter_map(|s| s.error.as_ref().map(|e| format!("{}: {e}", s.name)))
        .collect();
    out
}

/// How many records of a changed rule are listed (the rest are counted).
const SHOWN: usize = 5;

/// What changed from `before` to `after`, as lines for the terminal
/// (clean: rule titles, ids and file names are cleaned of controls).
pub fn diff(before: &Matches, after: &Matches, inputs: &[Input]) -> Vec<String> {
    let at = |&(file, record): &(usize, u64)| {
        let name = inputs.get(file).map(Input::display).unwrap_or_default();
        format!("{}:{record}", clean(&name))
    };
    let mut lines = Vec::new();
    let ids: BTreeSet<&String> = before.by_rule.keys().chain(after.by_rule.keys()).collect();
    for id in ids {
        match (before.by_rule.get(id), after.by_rule.get(id)) {
            (None, Some((title, m))) => {
                lines.push(format!(
                    "+ rule {} \"{}\" loaded: {}",
                    clean(id),
                    clean(title),
                    plural(m.len(), "match", "matches")
                ));
                lines.extend(m.iter().take(SHOWN).map(|r| format!("    + {}", at(r))));
            }
            (Some((title, m)), None) => lines.push(format!(
                "- rule {} \"{}\" no longer loaded (it had {})",
                clean(id),
                clean(title),
                plural(m.len(), "match", "matches")
            )),
            (Some((_, b)), Some((title, a))) if a != b => {
                let gained: Vec<_> = a.difference(b).collect();
                let lost: Vec<_> = b.difference(a).collect();
                lines.push(format!(
                    "~ rule {} \"{}\": {} → {} (+{} −{})",
                    clean(id),
                    clean(title),
                    b.len(),
                    plural(a.len(), "match", "matches"),
                    gained.len(),
                    lost.len()
                ));
                lines.extend(
                    gained
                        .iter()
                        .take(SHOWN)
                        .map(|r| format!("    + {}", at(r))),
                );
                lines.extend(lost.iter().take(SHOWN).map(|r| format!("    − {}", at(r))));
                let hidden = gained.len().saturating_sub(SHOWN) + lost.len().saturating_sub(SHOWN);
                if hidden > 0 {
                    lines.push(format!("    … and {hidden} more"));
                }
            }
            _ => {}
        }
    }
    for p in after
        .problems
        .iter()
        .filter(|p| !before.problems.contains(p))
    {
        lines.push(format!("✗ does not load: {}", clean(p)));
    }
    for p in before
        .problems
        .iter()
        .filter(|p| !after.problems.contains(p))
    {
        lines.push(format!("✓ loads again: {}", clean(p)));
    }
    for w in after
        .warnings
        .iter()
        .filter(|w| !before.warnings.contains(w))
    {
        lines.push(format!("! {}", clean(w)));
    }
    if lines.is_empty() {
        lines.push(format!(
            "no match moved: {} on {} ({})",
            plural(after.by_rule.len(), "rule", "rules"),
            plural(after.evaluated as usize, "record", "records"),
            plural(after.matched(), "match", "matches")
        ));
    }
    lines
}

/// The first lines of a watch: what was loaded and matched.
pub fn summary(m: &Matches) -> Vec<String> {
    let mut lines = vec![format!(
        "{} loaded, evaluated on {}: {}",
        plural(m.by_rule.len(), "detection rule", "detection rules"),
        plural(m.evaluated as usize, "record", "records"),
        plural(m.matched(), "match", "matches")
    )];
    for (id, (title, hits)) in &m.by_rule {
        lines.push(format!(
            "  {} \"{}\": {}",
            clean(id),
            clean(title),
            plural(hits.len(), "match", "matches")
        ));
    }
    lines.extend(
        m.problems
            .iter()
            .map(|p| format!("✗ does not load: {}", clean(p))),
    );
    lines.extend(m.warnings.iter().map(|w| format!("! {}", clean(w))));
    lines.extend(
        m.unreadable
            .iter()
            .map(|u| format!("✗ unreadable: {}", clean(u))),
    );
    lines
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The rule files under `paths` with their modification time and length:
/// what a change is seen by.
pub fn stamp(paths: &[PathBuf]) -> BTreeMap<PathBuf, (Option<SystemTime>, u64)> {
    let mut out = BTreeMap::new();
    for p in paths {
        walk(p, &mut out, 0);
    }
    out
}

fn walk(p: &Path, out: &mut BTreeMap<PathBuf, (Option<SystemTime>, u64)>, depth: usize) {
    // Deep enough for any rule tree; a link loop ends here.
    if depth > 16 {
        return;
    }
    let Ok(meta) = std::fs::metadata(p) else {
        out.insert(p.to_path_buf(), (None, 0));
        return;
    };
    if meta.is_dir() {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let path = e.path();
                let rule = path.extension().is_some_and(|x| x == "yml" || x == "yaml");
                if rule || path.is_dir() {
                    walk(&path, out, depth + 1);
                }
            }
        }
    } else {
        out.insert(p.to_path_buf(), (meta.modified().ok(), meta.len()));
    }
}

/// `hunt rules watch`: the first evaluation's summary, then one difference
/// per change of the rule files, until `stop` says so (the binary: never).
pub fn watch(
    config: &Config,
    inputs: &[Input],
    format: Option<Format>,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
) -> std::io::Result<()> {
    let mut last = evaluate(config, inputs, format);
    for line in summary(&last) {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "watching {} for changes (ctrl-c ends)",
        watched(config)
    )?;
    out.flush()?;
    let mut seen = stamp(&config.sigma.paths);
    while !stop() {
        std::thread::sleep(Duration::from_millis(500));
        let now = stamp(&config.sigma.paths);
        if now == seen {
            continue;
        }
        // Let an editor finish writing (several writes, a rename).
        std::thread::sleep(Duration::from_millis(150));
        seen = stamp(&config.sigma.paths);
        let next = evaluate(config, inputs, format);
        let when = chrono::Local::now().format("%H:%M:%S");
        writeln!(out, "— {when} rules changed")?;
        for line in diff(&last, &next, inputs) {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        last = next;
    }
    Ok(())
}

fn watched(config: &Config) -> String {
    let names: Vec<String> = config
        .sigma
        .paths
        .iter()
        .map(|p| clean(&p.display().to_string()).into_owned())
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rules: &[(&str, &[(usize, u64)])]) -> Matches {
        let mut out = Matches {
            evaluated: 10,
            ..Matches::default()
        };
        for (id, hits) in rules {
            out.by_rule.insert(
                id.to_string(),
                (format!("T {id}"), hits.iter().copied().collect()),
            );
        }
        out
    }

    #[test]
    fn a_change_says_matches_gained_and_lost_with_their_records() {
        let inputs = vec![Input::Path("a.log".into())];
        let before = m(&[("r1", &[(0, 1), (0, 2)]), ("r2", &[])]);
        let after = m(&[("r1", &[(0, 2), (0, 7)]), ("r3", &[(0, 9)])]);
        let lines = diff(&before, &after, &inputs);
        assert_eq!(
            lines,
            vec![
                "~ rule r1 \"T r1\": 2 → 2 matches (+1 −1)",
                "    + a.log:7",
                "    − a.log:1",
                "- rule r2 \"T r2\" no longer loaded (it had 0 matches)",
                "+ rule r3 \"T r3\" loaded: 1 match",
                "    + a.log:9",
            ]
        );
    }

    #[test]
    fn no_change_is_said_with_what_was_evaluated_and_a_broken_rule_is_named() {
        let inputs = vec![Input::Path("a.log".into())];
        let same = m(&[("r1", &[(0, 1)])]);
        assert_eq!(
            diff(&same, &same, &inputs),
            vec!["no match moved: 1 rule on 10 records (1 match)"]
        );
        let mut broken = m(&[]);
        broken.problems = vec!["r/x.yml: mapping values are not allowed at line 3 column 9".into()];
        let lines = diff(&same, &broken, &inputs);
        assert!(
            lines.iter().any(|l| l.starts_with("- rule r1")),
            "{lines:?}"
        );
        assert!(
            lines.contains(
                &"✗ does not load: r/x.yml: mapping values are not allowed at line 3 column 9"
                    .to_string()
            ),
            "{lines:?}"
        );
        let back = diff(&broken, &same, &inputs);
        assert!(
            back.iter().any(|l| l.starts_with("✓ loads again: r/x.yml")),
            "{back:?}"
        );
    }

    #[test]
    fn a_title_cannot_write_controls_to_the_terminal() {
        let inputs = vec![Input::Path("a\u{1b}[2J.log".into())];
        let mut after = m(&[("r1", &[(0, 1)])]);
        after.by_rule.get_mut("r1").unwrap().0 = "evil\u{1b}]52;c;x\u{7}".into();
        for l in diff(&Matches::default(), &after, &inputs) {
            assert!(!l.contains('\u{1b}') && !l.contains('\u{7}'), "{l:?}");
        }
    }
}

//! `hunt rules`: the enabled detectors as queries in a lake dialect,
//! `hunt rules matches`: every (Sigma rule, record) match of the inputs, and
//! `hunt rules watch`: the rule development loop ([`crate::tune::rules`]).

use super::{expand, sigma_notes, Exit, Note, Tell};
use crate::cli::{Common, MatchesArgs, RulesArgs};
use crate::config::Config;
use crate::enrich::Enricher;
use crate::ingest::read::Input;
use crate::lake::Dialect;
use crate::pipeline::Session;
use std::io::Write;

/// `hunt rules --dialect D [--detector X]`: one query per enabled detector,
/// separated by a blank line (Spark SQL statements end in `;`).
pub fn queries(
    config: &Config,
    args: &RulesArgs,
    out: &mut dyn Write,
    tell: Tell,
) -> anyhow::Result<Exit> {
    let Some(dialect) = args.dialect else {
        tell(Note::NeedDialect);
        return Ok(Exit::Usage);
    };
    let queries = crate::lake::queries(config, dialect, args.detector);
    let missing = crate::lake::without_query(config, dialect, args.detector);
    if !missing.is_empty() {
        tell(Note::NoQueryYet {
            dialect: dialect.name(),
            detectors: missing.iter().map(|d| d.as_str().to_string()).collect(),
        });
    }
    if queries.is_empty() {
        tell(Note::NothingToPrint);
        return Ok(Exit::Usage);
    }
    for (i, q) in queries.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write!(out, "{}", q.text())?;
        if dialect == Dialect::SparkSql {
            writeln!(out, ";")?;
        }
    }
    Ok(Exit::Clean)
}

/// One match: the input's position, the record's, the rule's id and title.
type Match = (usize, u64, String, String);

/// `hunt rules matches`: every (Sigma rule, record) match of the inputs as
/// JSON lines, in input order, then record, then rule id.
pub fn matches(
    common: &Common,
    config: Config,
    args: &MatchesArgs,
    out: &mut dyn Write,
    tell: Tell,
) -> anyhow::Result<Exit> {
    if config.sigma.paths.is_empty() {
        tell(Note::NeedRules("hunt rules matches"));
        return Ok(Exit::Usage);
    }
    let (found, _) = expand(&args.paths, false, tell);
    let mut failed = found.unreadable;
    let inputs = found.inputs;
    let mut session = Session::new(config.clone(), Enricher::none());
    if sigma_notes::loaded(&session.sigma, false, tell) {
        failed = true;
    }
    let rows = read_matches(&mut session, &inputs, common, &config);
    // What was compared, for the reader of a comparison (stderr).
    let s = &session.sigma;
    tell(Note::Compared {
        detection: s.detection_rules,
        correlation: s.correlation_rules,
        running: s.rules.iter().filter(|r| !r.sources.is_empty()).count(),
        evaluated: s.seen.evaluated.iter().sum::<u64>(),
        matches: rows.len(),
    });
    let mut out = std::io::BufWriter::new(out);
    for (file, record, id, title) in rows {
        let source = inputs.get(file).map(Input::display).unwrap_or_default();
        let line = serde_json::json!({
            "rule": id, "title": title, "source": source, "record": record,
        });
        // Rule ids, titles and file names reach the terminal: JSON escapes
        // for every control, bidi and invisible character.
        writeln!(out, "{}", crate::sanitize::to_json_line(&line))?;
    }
    out.flush()?;
    for s in &session.sources {
        if let Some(e) = &s.error {
            tell(Note::Unreadable {
                path: s.name.clone(),
                error: e.clone(),
            });
            failed = true;
        }
    }
    Ok(if failed { Exit::Failed } else { Exit::Clean })
}

/// Reads every input to its end, keeping the rules' matches, sorted and deduplicated.
fn read_matches(
    session: &mut Session,
    inputs: &[Input],
    common: &Common,
    config: &Config,
) -> Vec<Match> {
    let mut rows: Vec<Match> =
        crate::tune::rules::read_sigma_matches(session, inputs, common.format.0, config)
            .into_iter()
            .filter_map(|(file, record, n)| {
                let m = crate::sigma::catalog::get(n)?;
                Some((file as usize, record, m.id.clone(), m.title.clone()))
            })
            .collect();
    rows.sort();
    rows.dedup();
    rows
}

/// `hunt rules watch --rules DIR PATH…`: the rules' matches, then the
/// difference at each change of a rule file, until interrupted.
pub fn watch(
    common: &Common,
    config: &Config,
    args: &MatchesArgs,
    out: &mut dyn Write,
    tell: Tell,
) -> anyhow::Result<Exit> {
    if config.sigma.paths.is_empty() {
        tell(Note::NeedRules("hunt rules watch"));
        return Ok(Exit::Usage);
    }
    let (found, skipped) = expand(&args.paths, false, tell);
    for n in skipped {
        tell(n);
    }
    if found.inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        tell(Note::WatchReadsFiles);
        return Ok(Exit::Usage);
    }
    crate::tune::rules::watch(config, &found.inputs, common.format.0, out, &|| false)?;
    Ok(Exit::Clean)
}

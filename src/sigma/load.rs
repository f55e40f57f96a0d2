//! Loading Sigma rule files and folders into per-source rsigma engines and
//! one shared correlation engine. Every rule is compiled on its own, so a
//! bad rule is a problem naming its file, the rule and (when one is at
//! fault) the field, and the other rules still load. A rule whose logsource
//! is no source hunt reads is a warning: it would never run.

use super::catalog::{self, RuleMeta};
use super::fields::{logsource_matches, SOURCES};
use rsigma_eval::{CorrelationConfig, CorrelationEngine, CorrelationEventMode, Engine};
use rsigma_parser::{Detection, SigmaCollection, SigmaRule};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What a loaded rule is, for turning its matches into findings.
#[derive(Clone, Debug)]
pub struct RuleRef {
    /// Its number in the [`catalog`].
    pub n: u32,
    /// Referenced by a correlation with `generate: false`: its own matches make no finding.
    pub correlation_only: bool,
    /// Correlation rules: their timespan (ms).
    pub timespan_ms: i64,
    /// Detection rules: the sources whose records they evaluate (positions in [`SOURCES`]).
    pub sources: Vec<usize>,
    /// Detection rules: the field names they test (keywords excluded).
    pub fields: Vec<String>,
    /// Detection rules: the `EventID` values they name.
    pub event_ids: Vec<String>,
    /// Detection rules naming a service that is not their whole source
    /// (windows `security`, linux `sshd`): records of another service
    /// (another channel, another program) are not theirs.
    pub narrow: bool,
}

/// Loaded rules.
#[derive(Default)]
pub struct Loaded {
    /// Detection rules per source (index = position in [`SOURCES`]).
    pub engines: Vec<Option<Engine>>,
    pub correlation: Option<CorrelationEngine>,
    /// By rule id (or name, or title when a rule has neither).
    pub rules: HashMap<String, RuleRef>,
    /// Bad files and rules: each names the file, the rule and the field.
    pub problems: Vec<String>,
    /// Rules that load but never run here.
    pub warnings: Vec<String>,
    pub detection_rules: usize,
    pub correlation_rules: usize,
    /// Fields the correlations group by or count.
    pub correlation_fields: Vec<String>,
    /// The logsource service of each detection rule that names one (lower
    /// case), by rule id and by title: the parsing threads keep a rule's
    /// matches to records of that service (see `ingest::Rules::services`).
    pub services: HashMap<String, String>,
}

impl Loaded {
    pub fn is_empty(&self) -> bool {
        self.detection_rules == 0
    }

    /// Moves the compiled detection engines out, for the parsing threads.
    pub fn ingest_rules(&mut self, paths: &[PathBuf]) -> super::ingest::Rules {
        super::ingest::Rules {
            paths: paths.to_vec(),
            engines: std::mem::take(&mut self.engines),
            correlation_fields: self.correlation_fields.clone(),
            services: self.services.clone(),
        }
    }
}

/// The field names a rule tests and the `EventID` values it names.
fn rule_fields(rule: &SigmaRule) -> (Vec<String>, Vec<String>) {
    fn walk(d: &Detection, fields: &mut Vec<String>, ids: &mut Vec<String>) {
        match d {
            Detection::AllOf(items) => {
                for i in items {
                    let Some(name) = &i.field.name else { continue };
                    if name.eq_ignore_ascii_case("EventID") {
                        ids.extend(i.values.iter().map(|v| v.to_string()));
                    } else if !fields.contains(name) {
                        fields.push(name.clone());
                    }
                }
            }
            Detection::AnyOf(list) => list.iter().for_each(|x| walk(x, fields, ids)),
            _ => {}
        }
    }
    let (mut fields, mut ids) = (Vec::new(), Vec::new());
    let mut named: Vec<_> = rule.detection.named.iter().collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    for (_, d) in named {
        walk(d, &mut fields, &mut ids);
    }
    ids.sort();
    ids.dedup();
    (fields, ids)
}

/// The `.yml` / `.yaml` files under `paths` (folders walked, sorted), and
/// the paths that could not be read.
fn rule_files(paths: &[PathBuf], problems: &mut Vec<String>) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("{}: {e}", dir.display()));
                return;
            }
        };
        let mut list: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        list.sort();
        for p in list {
            if p.is_dir() {
                walk(&p, out, problems);
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, problems);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            problems.push(format!("{}: no such rule file or folder", p.display()));
        }
    }
    out
}

fn rule_key(id: &Option<String>, name: &Option<String>, title: &str) -> String {
    id.as_deref()
        .or(name.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(title.trim())
        .to_string()
}

/// Why a rule does not compile, naming the field at fault when one is.
fn compile_error(rule: &SigmaRule) -> Option<String> {
    let err = rsigma_eval::compile_rule(rule).err()?;
    fn items(d: &Detection, out: &mut Vec<(String, Detection)>) {
        match d {
            Detection::AllOf(list) => {
                for i in list {
                    out.push((
                        i.field.name.clone().unwrap_or_else(|| "keywords".into()),
                        Detection::AllOf(vec![i.clone()]),
                    ))
                }
            }
            Detection::AnyOf(list) => list.iter().for_each(|x| items(x, out)),
            other => out.push(("keywords".into(), other.clone())),
        }
    }
    let mut all = Vec::new();
    let mut names: Vec<_> = rule.detection.named.iter().collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    for (_, d) in names {
        items(d, &mut all);
    }
    let field = all
        .iter()
        .find(|(_, d)| rsigma_eval::compiler::compile_detection(d).is_err())
        .map(|(f, _)| f.clone());
    Some(match field {
        Some(f) => format!("field `{f}`: {err}"),
        None => err.to_string(),
    })
}

/// Loads every rule under `paths`.
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut out = Loaded {
        engines: SOURCES.iter().map(|_| None).collect(),
        ..Loaded::default()
    };
    let files = rule_files(paths, &mut out.problems);
    let mut correlations = Vec::new();
    // Detection rules by id and by name (correlations may use either).
    let mut detections: HashMap<String, SigmaRule> = HashMap::new();
    for file in files {
        let shown = file.display().to_string();
        let Some(collection) = read_collection(&file, &shown, &mut out.problems) else {
            continue;
        };
        for rule in collection.rules {
            add_detection(&mut out, &shown, rule, &mut detections);
        }
        for c in collection.correlations {
            correlations.push((shown.clone(), c));
        }
    }
    if correlations.is_empty() {
        return out;
    }
    let mut engine = CorrelationEngine::new(CorrelationConfig {
        max_group_entries: Some(10_000),
        correlation_event_mode: CorrelationEventMode::Refs,
        max_correlation_events: crate::finding::MAX_EVIDENCE,
        ..CorrelationConfig::default()
    });
    let mut added: HashSet<String> = HashSet::new();
    for (shown, c) in correlations {
        add_correlation(&mut out, &mut engine, &shown, c, &detections, &mut added);
    }
    if out.correlation_rules > 0 {
        out.correlation = Some(engine);
    }
    out
}

/// One rule file parsed; what cannot be read or parsed is a problem.
fn read_collection(
    file: &Path,
    shown: &str,
    problems: &mut Vec<String>,
) -> Option<SigmaCollection> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!("{shown}: {e}"));
            return None;
        }
    };
    let collection: SigmaCollection = match rsigma_parser::parse_sigma_yaml(&text) {
        Ok(c) => c,
        Err(e) => {
            problems.push(format!("{shown}: {e}"));
            return None;
        }
    };
    for e in &collection.errors {
        problems.push(format!("{shown}: {e}"));
    }
    Some(collection)
}

/// Adds one detection rule: compiled into the engine of every source its
/// logsource matches, or told why it cannot be (a problem) or never runs
/// (a warning).
fn add_detection(
    out: &mut Loaded,
    shown: &str,
    rule: SigmaRule,
    detections: &mut HashMap<String, SigmaRule>,
) {
    let key = rule_key(&rule.id, &rule.name, &rule.title);
    let what = format!("{shown}: rule \"{}\" ({key})", rule.title);
    if let Some(why) = compile_error(&rule) {
        out.problems.push(format!("{what}: {why}"));
        return;
    }
    if out.rules.contains_key(&key) {
        out.problems.push(format!(
            "{what}: another loaded rule has the same id; skipped"
        ));
        return;
    }
    let ls = &rule.logsource;
    let mut runs = false;
    let mut sources = Vec::new();
    for (pos, (slot, &source)) in out.engines.iter_mut().zip(SOURCES.iter()).enumerate() {
        if logsource_matches(
            ls.product.as_deref(),
            ls.service.as_deref(),
            ls.category.as_deref(),
            source,
        ) {
            let engine = slot.get_or_insert_with(Engine::new);
            if let Err(e) = engine.add_rule(&rule) {
                out.problems.push(format!("{what}: {e}"));
                continue;
            }
            sources.push(pos);
            runs = true;
        }
    }
    if let Some(service) = ls.service.as_deref().filter(|_| runs) {
        let service = service.to_ascii_lowercase();
        if let Some(id) = &rule.id {
            out.services.insert(id.clone(), service.clone());
        }
        out.services.insert(rule.title.clone(), service);
    }
    if !runs {
        out.warnings.push(format!(
            "{what}: logsource {} is no source hunt reads; the rule never runs",
            logsource_text(
                ls.product.as_deref(),
                ls.service.as_deref(),
                ls.category.as_deref()
            )
        ));
    }
    let level = rule.level.map(|l| l.as_str()).unwrap_or("medium");
    let n = catalog::intern(meta(
        &key,
        &rule.title,
        rule.description.as_deref(),
        level,
        &rule.tags,
        None,
        shown,
    ));
    let (fields, event_ids) = rule_fields(&rule);
    out.rules.insert(
        key.clone(),
        RuleRef {
            n,
            correlation_only: false,
            timespan_ms: 0,
            sources,
            fields,
            event_ids,
            narrow: ls
                .service
                .as_deref()
                .is_some_and(|s| !s.eq_ignore_ascii_case("auth")),
        },
    );
    out.detection_rules += 1;
    if let Some(id) = &rule.id {
        detections.insert(id.clone(), rule.clone());
    }
    if let Some(name) = &rule.name {
        detections.insert(name.clone(), rule.clone());
    }
}

/// Adds one correlation: its detection rules into the correlation engine
/// (once each), the correlation itself, and the fields it groups by.
fn add_correlation(
    out: &mut Loaded,
    engine: &mut CorrelationEngine,
    shown: &str,
    mut c: rsigma_parser::CorrelationRule,
    detections: &HashMap<String, SigmaRule>,
    added: &mut HashSet<String>,
) {
    all_rules_must_match(&mut c);
    let key = rule_key(&c.id, &c.name, &c.title);
    let what = format!("{shown}: correlation \"{}\" ({key})", c.title);
    let missing: Vec<&String> = c
        .rules
        .iter()
        .filter(|r| !detections.contains_key(*r))
        .collect();
    if let Some(m) = missing.first() {
        out.problems.push(format!(
            "{what}: field `rules`: `{m}` is not a loaded detection rule"
        ));
        return;
    }
    for r in &c.rules {
        if let Some(rule) = detections.get(r) {
            let k = rule_key(&rule.id, &rule.name, &rule.title);
            if added.insert(k) {
                if let Err(e) = engine.add_rule(rule) {
                    out.problems.push(format!("{what}: rule `{r}`: {e}"));
                }
            }
        }
    }
    if let Err(e) = engine.add_correlation(&c) {
        out.problems.push(format!("{what}: {e}"));
        return;
    }
    if !c.generate {
        for r in &c.rules {
            if let Some(rule) = detections.get(r) {
                let k = rule_key(&rule.id, &rule.name, &rule.title);
                if let Some(rr) = out.rules.get_mut(&k) {
                    rr.correlation_only = true;
                }
            }
        }
    }
    let level = c.level.map(|l| l.as_str()).unwrap_or("medium");
    let n = catalog::intern(meta(
        &key,
        &c.title,
        c.description.as_deref(),
        level,
        &c.tags,
        Some(c.correlation_type.as_str()),
        shown,
    ));
    let mut wanted: Vec<String> = c.group_by.clone();
    if let rsigma_parser::CorrelationCondition::Threshold {
        field: Some(fields),
        ..
    } = &c.condition
    {
        wanted.extend(fields.iter().cloned());
    }
    for a in &c.aliases {
        wanted.extend(a.mapping.values().cloned());
    }
    for f in wanted {
        if !out.correlation_fields.contains(&f) {
            out.correlation_fields.push(f);
        }
    }
    out.rules.insert(
        key,
        RuleRef {
            n,
            correlation_only: false,
            timespan_ms: (c.timespan.seconds as i64).saturating_mul(1000),
            sources: Vec::new(),
            fields: Vec::new(),
            event_ids: Vec::new(),
            narrow: false,
        },
    );
    out.correlation_rules += 1;
}

/// A temporal correlation without a condition means every referenced rule
/// must match (the Sigma specification); rsigma 0.23 reads the missing
/// condition as `gte: 1` (any one rule), so it is written out here.
fn all_rules_must_match(c: &mut rsigma_parser::CorrelationRule) {
    use rsigma_parser::{ConditionOperator, CorrelationCondition, CorrelationType};
    if !matches!(
        c.correlation_type,
        CorrelationType::Temporal | CorrelationType::TemporalOrdered
    ) {
        return;
    }
    if let CorrelationCondition::Threshold {
        predicates,
        field: None,
        percentile: None,
    } = &mut c.condition
    {
        if predicates.as_slice() == [(ConditionOperator::Gte, 1)] {
            *predicates = vec![(ConditionOperator::Gte, c.rules.len() as u64)];
        }
    }
}

fn logsource_text(product: Option<&str>, service: Option<&str>, category: Option<&str>) -> String {
    [
        ("product", product),
        ("service", service),
        ("category", category),
    ]
    .iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
    .collect::<Vec<_>>()
    .join(", ")
}

fn meta(
    key: &str,
    title: &str,
    description: Option<&str>,
    level: &str,
    tags: &[String],
    correlation: Option<&str>,
    file: &str,
) -> RuleMeta {
    let (severity, risk) = catalog::level_risk(level);
    RuleMeta {
        key: "",
        id: key.to_string(),
        title: title.trim().to_string(),
        description: description.unwrap_or("").trim().to_string(),
        level: level.to_string(),
        severity,
        risk,
        tags: tags.to_vec(),
        attack: catalog::attack_ids(tags),
        correlation: correlation.map(str::to_string),
        file: file.to_string(),
    }
}

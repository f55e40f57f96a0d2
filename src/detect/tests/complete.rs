//! One check that every detector is whole: walking the registry, each
//! built-in detector must have its config section (printed by `hunt config`,
//! switched by its own `enabled`, with a one-line doc), a description with
//! help text (short name, label, the rule in words), an incident role that
//! fits its entity and stage, a risk read from a real key of its section,
//! and a query in every lake dialect or a stated reason why not.

use crate::config::Config;
use crate::detect::describe::{Entity, LakeQuery, Outline, Role, Stage};
use crate::finding::DetectorId;
use crate::lake::COLUMNS;
use std::path::Path;

/// Everything a detector lacks, in words (empty: whole).
fn gaps(d: DetectorId, config: &Config, printed: &toml::Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(desc) = d.description() else {
        return vec!["no description".into()];
    };
    let id = d.as_str();
    let section = printed.get("detectors").and_then(|t| t.get(id));
    if section.and_then(|s| s.get("enabled")).is_none() {
        out.push(format!(
            "no [detectors.{id}] section with `enabled` in `hunt config`"
        ));
    }
    match Config::from_toml(
        &format!("[detectors.{id}]\nenabled = false\n"),
        Path::new("c"),
    ) {
        Ok(off) if !(desc.enabled)(&off) && (desc.enabled)(config) => {}
        _ => out.push(format!("[detectors.{id}] enabled does not switch it")),
    }
    for (what, text) in [
        ("settings doc", desc.settings),
        ("short name", desc.short),
        ("label", desc.label),
        ("help text (rule)", &*(desc.rule)(config)),
    ] {
        if text.trim().is_empty() {
            out.push(format!("no {what}"));
        }
    }
    let role_fits = match desc.role {
        Role::Spray => matches!(desc.entity, Entity::Ip | Entity::Network),
        Role::SuccessAfterFailures => desc.stage == Stage::Access,
        Role::Mailbox => desc.stage == Stage::Action,
        Role::Step => true,
    };
    if !role_fits {
        out.push(format!(
            "role {:?} does not fit its entity or stage",
            desc.role
        ));
    }
    for (suppressed, success) in [(false, false), (false, true), (true, false)] {
        let (risk, key) = (desc.risk)(
            config,
            &Outline {
                suppressed,
                success,
            },
        );
        let configured = key
            .strip_prefix(&format!("{id}."))
            .and_then(|k| section?.get(k)?.as_integer());
        if configured != Some(i64::from(risk)) {
            out.push(format!(
                "risk {risk} from `{key}`, not a key of [detectors.{id}]"
            ));
        }
    }
    for (dialect, q) in [
        ("spark-sql", desc.lake.spark_sql),
        ("kql", desc.lake.kql),
        ("esql", desc.lake.esql),
    ] {
        match q {
            LakeQuery::Query(f) => {
                let (body, _) = f(config);
                if !body.contains(id) || COLUMNS.iter().any(|c| !body.contains(c)) {
                    out.push(format!("{dialect} query lacks its name or a column"));
                }
            }
            LakeQuery::None(why) if why.trim().is_empty() => {
                out.push(format!("no {dialect} query and no reason"));
            }
            LakeQuery::None(_) => {}
        }
    }
    out
}

#[test]
fn every_detector_in_the_registry_is_whole() {
    let config = Config::default();
    let printed: toml::Value = toml::from_str(&config.to_toml()).expect("hunt config reads back");
    let missing: Vec<String> = DetectorId::ALL
        .into_iter()
        .flat_map(|d| {
            gaps(d, &config, &printed)
                .into_iter()
                .map(move |g| format!("{d}: {g}"))
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_check_sees_a_missing_part() {
    // A risk key outside the detector's section is reported (the check can fail).
    let config = Config::default();
    let mut printed: toml::Value = toml::from_str(&config.to_toml()).expect("reads back");
    if let Some(t) = printed.get_mut("detectors").and_then(|t| t.as_table_mut()) {
        t.remove("brute_force");
    }
    let g = gaps(DetectorId::BruteForce, &config, &printed);
    assert!(g.iter().any(|x| x.contains("section")), "{g:?}");
    assert!(g.iter().any(|x| x.contains("risk")), "{g:?}");
}

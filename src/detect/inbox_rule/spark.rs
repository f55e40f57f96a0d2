//! `inbox_rule` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, q, out};
use crate::lake::{lower_list};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let i = &c.inbox_rule;
    let ops = lower_list(&i.operations, q);
    let folders = lower_list(&i.hiding_folders, q);
    let body = format!(
        "WITH {src},
rules AS (
  SELECT user_name, time_ms, event_id, ip, operation,
    transform(map_entries(coalesce(from_json(params, 'map<string,string>'), CAST(map() AS MAP<STRING, STRING>))),
      p -> named_struct('k', lower(trim(p.key)), 'v', trim(coalesce(p.value, '')))) AS ps
  FROM ev
  WHERE kind = 'audit' AND user_name IS NOT NULL AND operation IS NOT NULL
    AND lower(operation) IN ({ops})
),
judged AS (
  SELECT *,
    coalesce(try_element_at(filter(ps, p -> p.k IN ('name', 'rulename')), 1).v, '') AS rule_name,
    exists(ps, p -> p.k IN ('forwardto', 'forwardasattachmentto', 'redirectto',
                            'forwardingsmtpaddress', 'forwardingaddress')
                    AND lower(p.v) NOT IN ('', '$null', 'null', 'none', '[]', '{{}}')) AS forwards,
    exists(ps, p -> (p.k IN ('deletemessage', 'softdeletemessage', 'markasread')
                     AND lower(p.v) IN ('true', '$true', '1', 'yes'))
                 OR (p.k = 'movetofolder'
                     AND lower(trim(regexp_extract(regexp_replace(p.v, '[\\\\\\\\/]+$', ''), '([^\\\\\\\\/:]*)$', 1))) IN ({folders}))) AS hides,
    exists(ps, p -> p.k = 'ruleoperation' AND (lower(p.v) LIKE '%remove%' OR lower(p.v) LIKE '%delete%')) AS removal
  FROM rules
)
SELECT
{cols}
FROM judged
WHERE NOT removal AND (forwards OR hides OR (rule_name <> '' AND rule_name RLIKE '^[\\\\p{{Punct}}\\\\s]+$'))",
        cols = out(
            DetectorId::InboxRule,
            "rtrim(concat(user_name, ' ', operation, ' ', rule_name))",
            "user_name",
            "ip",
            "time_ms",
            "time_ms",
            "1",
            "false",
            "array(event_id)",
        ),
    );
    (
        body,
        vec![
            "Outlook rules (UpdateInboxRules RuleActions) are not decoded: their forwards, \
             deletes and moves are missed; severity (external target: critical) is not computed"
                .into(),
        ],
    )
}

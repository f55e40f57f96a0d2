//! `inbox_rule` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{list, KEEP};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let i = &c.inbox_rule;
    (
        format!(
            "FROM logs-o365.audit-*
| WHERE TO_LOWER(event.action) IN ({ops}) AND user.id IS NOT NULL
| EVAL params = TO_STRING(o365.audit.Parameters)
| EVAL forwards = params RLIKE \".*(ForwardTo|ForwardAsAttachmentTo|RedirectTo|ForwardingSmtpAddress|ForwardingAddress).*\",
    hides = params RLIKE \".*(DeleteMessage|SoftDeleteMessage|MarkAsRead).*[Tt]rue.*\"
| WHERE forwards OR hides
| EVAL detector = \"inbox_rule\", user = TO_LOWER(user.id),
    entity = CONCAT(user, \" \", event.action), ip = source.ip, first_seen = @timestamp,
    last_seen = @timestamp, event_count = 1, suppressed = false, evidence_ids = event.id
{KEEP}",
            ops = list(&i.operations),
        ),
        vec![format!(
            "parameters are matched as text: a forwarding parameter with an empty \
                     value still fires; hiding folders ({}) and punctuation-only rule names \
                     are not checked; the entity lacks the rule name",
            i.hiding_folders.join(", ")
        )],
    )
}

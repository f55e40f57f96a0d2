//! `inbox_rule` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{out, list};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::InboxRule;
    let i = &c.inbox_rule;
    (
        format!(
            "OfficeActivity
| where tolower(Operation) in ({ops}) and isnotempty(UserId)
| extend User = tolower(UserId)
| mv-apply P = todynamic(Parameters) on (
    summarize RuleName = take_anyif(tostring(P.Value), tostring(P.Name) in~ (\"Name\", \"RuleName\")),
      Forwards = countif(tostring(P.Name) in~ (\"ForwardTo\", \"ForwardAsAttachmentTo\", \"RedirectTo\",
                   \"ForwardingSmtpAddress\", \"ForwardingAddress\")
                 and not(tolower(trim(@'\\s+', tostring(P.Value))) in (\"\", \"$null\", \"null\", \"none\", \"[]\", \"{{}}\"))),
      Hides = countif((tostring(P.Name) in~ (\"DeleteMessage\", \"SoftDeleteMessage\", \"MarkAsRead\")
                   and tolower(tostring(P.Value)) in (\"true\", \"$true\", \"1\", \"yes\"))
                 or (tostring(P.Name) =~ \"MoveToFolder\"
                   and tolower(trim(@'\\s+', extract(@'([^\\\\/:]*)[\\\\/]*$', 1, tostring(P.Value)))) in ({folders})))
  )
| where Forwards > 0 or Hides > 0 or (isnotempty(RuleName) and RuleName matches regex @'^[[:punct:][:space:]]+$')
| extend Entity = trim_end(@' +', strcat(User, ' ', Operation, ' ', RuleName)), IP = ClientIP, First = TimeGenerated,
    Last = TimeGenerated, Count = 1, Suppressed = false, Ids = pack_array(tostring(OfficeId))
{out}",
            ops = list(&i.operations),
            folders = list(&i.hiding_folders),
            out = out(d),
        ),
        vec![
            "Outlook rules (UpdateInboxRules RuleActions) are not decoded; rule \
                     removals are not excluded; severity (external target) is not computed"
                .into(),
        ],
    )
}

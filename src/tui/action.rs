//! Everything an analyst can ask the workbench to do, as one [`Action`]
//! enum with stable kebab-case names (the names the keymap file uses).
//! Actions carry no data: keys map to them, [`super::app::App::update`]
//! interprets them. Nothing here knows about keys or terminals.

/// One thing the analyst can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Back,
    Forward,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Search,
    Command,
    ClearQuery,
    Alerts,
    Events,
    Sources,
    PivotUser,
    PivotIp,
    PivotMap,
    SortNext,
    SortReverse,
    ToggleSuppressed,
    SeverityFilter,
    VerdictTruePositive,
    VerdictBenignPositive,
    VerdictFalsePositive,
    VerdictUndetermined,
    Note,
    Allowlist,
    Raw,
    WhyUp,
    WhyDown,
    NextTheme,
    Copy,
    CopyFinding,
    Submit,
    Cancel,
    NextField,
    PrevField,
    Close,
    ToggleMark,
    MarkAll,
    StatusActive,
    StatusClosed,
    TakeOwnership,
    ToggleClosed,
    MoveOut,
    Incidents,
    PivotIncident,
    WhyNot,
}

impl Action {
    pub const ALL: [Action; 51] = [
        Action::Quit,
        Action::Help,
        Action::Back,
        Action::Forward,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Search,
        Action::Command,
        Action::ClearQuery,
        Action::Alerts,
        Action::Events,
        Action::Sources,
        Action::PivotUser,
        Action::PivotIp,
        Action::PivotMap,
        Action::SortNext,
        Action::SortReverse,
        Action::ToggleSuppressed,
        Action::SeverityFilter,
        Action::VerdictTruePositive,
        Action::VerdictBenignPositive,
        Action::VerdictFalsePositive,
        Action::VerdictUndetermined,
        Action::Note,
        Action::Allowlist,
        Action::Raw,
        Action::WhyUp,
        Action::WhyDown,
        Action::NextTheme,
        Action::Copy,
        Action::CopyFinding,
        Action::Submit,
        Action::Cancel,
        Action::NextField,
        Action::PrevField,
        Action::Close,
        Action::ToggleMark,
        Action::MarkAll,
        Action::StatusActive,
        Action::StatusClosed,
        Action::TakeOwnership,
        Action::ToggleClosed,
        Action::MoveOut,
        Action::Incidents,
        Action::PivotIncident,
        Action::WhyNot,
    ];

    /// The stable name used in keymap files and `:` commands.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::Forward => "forward",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page-up",
            Action::PageDown => "page-down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Search => "search",
            Action::Command => "command",
            Action::ClearQuery => "clear-query",
            Action::Alerts => "alerts",
            Action::Events => "events",
            Action::Sources => "sources",
            Action::PivotUser => "pivot-user",
            Action::PivotIp => "pivot-ip",
            Action::PivotMap => "pivot-map",
            Action::SortNext => "sort-next",
            Action::SortReverse => "sort-reverse",
            Action::ToggleSuppressed => "toggle-suppressed",
            Action::SeverityFilter => "severity-filter",
            Action::VerdictTruePositive => "verdict-true-positive",
            Action::VerdictBenignPositive => "verdict-benign-positive",
            Action::VerdictFalsePositive => "verdict-false-positive",
            Action::VerdictUndetermined => "verdict-undetermined",
            Action::Note => "note",
            Action::Allowlist => "allowlist",
            Action::Raw => "raw",
            Action::WhyUp => "why-up",
            Action::WhyDown => "why-down",
            Action::NextTheme => "next-theme",
            Action::Copy => "copy",
            Action::CopyFinding => "copy-finding",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::NextField => "next-field",
            Action::PrevField => "prev-field",
            Action::Close => "close",
            Action::ToggleMark => "toggle-mark",
            Action::MarkAll => "mark-all",
            Action::StatusActive => "status-active",
            Action::StatusClosed => "status-closed",
            Action::TakeOwnership => "take-ownership",
            Action::ToggleClosed => "toggle-closed",
            Action::MoveOut => "move-out",
            Action::Incidents => "incidents",
            Action::PivotIncident => "pivot-incident",
            Action::WhyNot => "why-not",
        }
    }

    pub fn from_name(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == s)
    }

    /// What the action does, for the help screen.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit hunt",
            Action::Help => "this help",
            Action::Back => "back to the previous screen (or close a dialog)",
            Action::Forward => "forward again after going back",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "go to the first row",
            Action::Bottom => "go to the last row",
            Action::Open => "open the selected row (detail, raw record or pivot)",
            Action::Search => "edit the query (user: ip: sev: det: verdict: + fuzzy text)",
            Action::Command => "command line (:user NAME, :ip ADDR, :theme NAME, :q)",
            Action::ClearQuery => "clear the query",
            Action::Alerts => "alerts",
            Action::Events => "all events",
            Action::Sources => "sources and parse problems",
            Action::PivotUser => "timeline of the selected user",
            Action::PivotIp => "pivot to the selected IP",
            Action::PivotMap => "map of the user's sign-in locations",
            Action::SortNext => "sort by the next column",
            Action::SortReverse => "reverse the sort order",
            Action::ToggleSuppressed => "show or hide suppressed findings",
            Action::SeverityFilter => "cycle the minimum severity",
            Action::VerdictTruePositive => "verdict: true positive",
            Action::VerdictBenignPositive => "verdict: benign positive",
            Action::VerdictFalsePositive => "verdict: false positive",
            Action::VerdictUndetermined => "verdict: undetermined",
            Action::Note => "add a note to the finding",
            Action::Allowlist => "allowlist from the finding (IP, CIDR, user, AS, country)",
            Action::Raw => "show the raw record of the selected event",
            Action::WhyUp => "scroll \"why it fired\" up (when it does not fit)",
            Action::WhyDown => "scroll \"why it fired\" down (when it does not fit)",
            Action::NextTheme => "switch to the next theme",
            Action::Copy => {
                "copy the focused value: a finding's user or IP, an event's IP, an identity, an id (OSC 52; in the raw view, the record)"
            }
            Action::CopyFinding => "copy the whole record as JSON (the finding with its details, else the event)",
            Action::Submit => "save the dialog (keep the query, run the command)",
            Action::Cancel => "cancel the dialog (undo the query edit)",
            Action::NextField => "next field of the dialog",
            Action::PrevField => "previous field of the dialog",
            Action::Close => "close the raw record",
            Action::ToggleMark => "mark or unmark the finding for a bulk verdict or status",
            Action::MarkAll => "mark every finding the query shows (again: clear the marks)",
            Action::StatusActive => {
                "status active: someone works on it (the finding(s) or the incident)"
            }
            Action::StatusClosed => "status closed (the finding(s) or the incident)",
            Action::TakeOwnership => "make yourself the owner (the finding(s) or the incident)",
            Action::ToggleClosed => "show or hide closed findings (hidden by default)",
            Action::MoveOut => "move the finding out of its incident (:move INC moves it into one)",
            Action::Incidents => "incidents, by severity, with status and owner",
            Action::PivotIncident => "the incident of the selected finding (else all incidents)",
            Action::WhyNot => "why not: each detector's closest approach to firing for this user or IP, and what stopped it",
        }
    }

    /// A short label for footer hints.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::Open => "open",
            Action::Search => "search",
            Action::PivotUser => "user",
            Action::PivotIp => "ip",
            Action::PivotMap => "map",
            Action::Allowlist => "allow",
            Action::VerdictTruePositive => "TP",
            Action::VerdictBenignPositive => "BP",
            Action::VerdictFalsePositive => "FP",
            Action::VerdictUndetermined => "undet",
            Action::Raw => "raw",
            Action::ToggleSuppressed => "suppressed",
            Action::SortNext => "sort",
            Action::SeverityFilter => "sev",
            Action::Events => "events",
            Action::Alerts => "alerts",
            Action::Sources => "sources",
            Action::Note => "note",
            Action::Submit => "save",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::ToggleMark => "mark",
            Action::MarkAll => "mark all",
            Action::StatusActive => "active",
            Action::StatusClosed => "close",
            Action::TakeOwnership => "own",
            Action::ToggleClosed => "closed",
            Action::MoveOut => "move out",
            Action::Incidents => "incidents",
            Action::PivotIncident => "incident",
            Action::WhyNot => "why not",

            other => other.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.name()), "duplicate {}", a.name());
            assert!(a.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
        assert_eq!(Action::from_name("nope"), None);
    }
}

//! Outlook's inbox rules as the mailbox audit log writes them
//! (`UpdateInboxRules`): `RuleActions` is JSON text, a list of
//! `{"ActionType": "Forward", "Recipients": [...], ...}`. This file reads that
//! text into [`Action`]s for `inbox_rule`, tolerating the spellings seen in
//! the wild (`Forward`, `ForwardToRecipientsAction`, a bare list of names);
//! it does not judge them. Bounded: at most [`MAX_ACTIONS`] actions of at
//! most [`MAX_RECIPIENTS`] recipients each.

use serde_json::Value;

pub(super) const MAX_ACTIONS: usize = 32;
pub(super) const MAX_RECIPIENTS: usize = 50;
/// How deep recipient objects are searched for addresses.
const MAX_DEPTH: usize = 4;

/// What an action does to matching mail, as far as `inbox_rule` cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// Forward, ForwardAsAttachment, Redirect.
    Forward,
    /// Delete, PermanentDelete, SoftDelete.
    Delete,
    MarkAsRead,
    /// MoveToFolder / Move; the folder is in [`Action::folder`] when logged.
    Move,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Action {
    /// `ActionType` as logged.
    pub name: String,
    pub effect: Effect,
    /// Recipient texts as logged (`a@x.fr`, `Name <a@x.fr>`, `SMTP:a@x.fr`).
    pub recipients: Vec<String>,
    pub folder: Option<String>,
}

/// The actions in a `RuleActions` value. JSON text of an array of objects (or
/// one object); anything that is not JSON is read as a list of action names
/// separated by `,` `;` or `|`.
pub(super) fn parse(text: &str) -> Vec<Action> {
    let text = text.trim();
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::Object(_) => from_object(v),
                Value::String(s) => Some(named(s)),
                _ => None,
            })
            .take(MAX_ACTIONS)
            .collect(),
        Ok(v @ Value::Object(_)) => from_object(&v).into_iter().collect(),
        Ok(Value::String(s)) => names(&s),
        Ok(_) => Vec::new(),
        Err(_) => names(text),
    }
}

fn names(text: &str) -> Vec<Action> {
    text.split([',', ';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .take(MAX_ACTIONS)
        .map(named)
        .collect()
}

fn named(name: &str) -> Action {
    Action {
        name: name.trim().to_string(),
        effect: effect_of(name),
        recipients: Vec::new(),
        folder: None,
    }
}

/// The value of `key` in an object, compared without case.
fn field<'v>(obj: &'v Value, key: &str) -> Option<&'v Value> {
    obj.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn from_object(obj: &Value) -> Option<Action> {
    let name = ["ActionType", "Type", "Action"]
        .iter()
        .find_map(|k| field(obj, k)?.as_str())?;
    let mut a = named(name);
    if let Some(r) = field(obj, "Recipients") {
        recipients(r, 0, &mut a.recipients);
    }
    a.folder = ["FolderName", "Folder", "FolderPath", "DestinationFolder"]
        .iter()
        .find_map(|k| {
            let v = field(obj, k)?;
            v.as_str().or_else(|| {
                ["DisplayName", "Name"]
                    .iter()
                    .find_map(|n| field(v, n)?.as_str())
            })
        })
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Some(a)
}

/// Recipient texts: strings (several may be joined with `;`), arrays of them,
/// or objects whose address is one of their string values (the one with an
/// `@`, else the first, e.g. a display name).
fn recipients(v: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH || out.len() >= MAX_RECIPIENTS {
        return;
    }
    match v {
        Value::String(s) => {
            for r in s.split(';').map(str::trim).filter(|r| !r.is_empty()) {
                if out.len() < MAX_RECIPIENTS {
                    out.push(r.to_string());
                }
            }
        }
        Value::Array(items) => {
            for i in items {
                recipients(i, depth + 1, out);
            }
        }
        Value::Object(_) => {
            let mut leaves = Vec::new();
            strings(v, 0, &mut leaves);
            let pick = leaves
                .iter()
                .filter(|s| s.contains('@'))
                .map(|s| s.to_string())
                .collect::<Vec<_>>();
            if pick.is_empty() {
                if let Some(first) = leaves.first() {
                    out.push(first.to_string());
                }
            } else {
                for p in pick {
                    if out.len() < MAX_RECIPIENTS && !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The non-empty string leaves under `v`, depth-bounded.
fn strings<'v>(v: &'v Value, depth: usize, out: &mut Vec<&'v str>) {
    if depth > MAX_DEPTH || out.len() >= MAX_RECIPIENTS {
        return;
    }
    match v {
        Value::String(s) if !s.trim().is_empty() => out.push(s.trim()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, depth + 1, out)),
        Value::Object(m) => m.values().for_each(|i| strings(i, depth + 1, out)),
        _ => {}
    }
}

/// The effect of an action type, whatever its spelling: case, separators and
/// the `…ToRecipients` / `…Action` decorations are ignored.
fn effect_of(name: &str) -> Effect {
    let n: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let n = n.strip_suffix("action").unwrap_or(&n);
    let n = n.strip_suffix("torecipients").unwrap_or(n);
    match n {
        "forward" | "forwardasattachment" | "redirect" => Effect::Forward,
        "delete" | "permanentdelete" | "softdelete" | "deletemessage" => Effect::Delete,
        "markasread" => Effect::MarkAsRead,
        "movetofolder" | "move" => Effect::Move,
        _ => Effect::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects(text: &str) -> Vec<(String, Effect)> {
        parse(text)
            .into_iter()
            .map(|a| (a.name, a.effect))
            .collect()
    }

    #[test]
    fn action_types_in_their_spellings() {
        use Effect::*;
        let text = r#"[{"ActionType":"Forward"},{"ActionType":"ForwardAsAttachment"},{"ActionType":"Redirect"},{"ActionType":"Delete"},{"ActionType":"PermanentDelete"},{"ActionType":"MoveToFolder"},{"ActionType":"MarkAsRead"},{"ActionType":"AssignCategories"},{"actiontype":"ForwardToRecipientsAction"},{"Type":"redirect_to_recipients"},{"NoType":"x"},3,"MarkAsRead"]"#;
        let got: Vec<Effect> = effects(text).into_iter().map(|(_, e)| e).collect();
        assert_eq!(
            got,
            [
                Forward, Forward, Forward, Delete, Delete, Move, MarkAsRead, Other, Forward,
                Forward, MarkAsRead
            ]
        );
        assert_eq!(
            effects("ForwardToRecipientsAction, DeleteAction"),
            [
                ("ForwardToRecipientsAction".to_string(), Forward),
                ("DeleteAction".to_string(), Delete)
            ]
        );
        assert_eq!(effects(r#"{"ActionType":"Delete"}"#).len(), 1);
        assert!(parse("").is_empty());
        assert!(parse("null").is_empty());
        assert!(parse("[]").is_empty());
    }

    #[test]
    fn recipients_and_folders() {
        let a = parse(
            r#"[{"ActionType":"Forward","Recipients":["a@x.fr","Bob Martin <b@y.fr>","SMTP:c@z.fr;d@z.fr"],"ForwardFlags":"None"}]"#,
        );
        assert_eq!(
            a[0].recipients,
            ["a@x.fr", "Bob Martin <b@y.fr>", "SMTP:c@z.fr", "d@z.fr"]
        );
        let a = parse(
            r#"[{"ActionType":"Redirect","Recipients":[{"DisplayName":"Eve","Address":"eve@evil.example"},{"Values":[{"Value":"Internal Group"}]}]}]"#,
        );
        assert_eq!(a[0].recipients, ["eve@evil.example", "Internal Group"]);
        let a = parse(r#"[{"ActionType":"MoveToFolder","FolderName":" RSS Feeds "}]"#);
        assert_eq!(a[0].folder.as_deref(), Some("RSS Feeds"));
        let a = parse(r#"[{"ActionType":"MoveToFolder","Folder":{"DisplayName":"Archive"}}]"#);
        assert_eq!(a[0].folder.as_deref(), Some("Archive"));
        assert_eq!(parse(r#"[{"ActionType":"MoveToFolder"}]"#)[0].folder, None);
        let many: Vec<String> = (0..80).map(|i| format!("\"u{i}@x.fr\"")).collect();
        let text = format!(
            r#"[{{"ActionType":"Forward","Recipients":[{}]}}]"#,
            many.join(",")
        );
        assert_eq!(parse(&text)[0].recipients.len(), MAX_RECIPIENTS);
    }
}

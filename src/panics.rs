//! What a panic becomes. A panic is a bug in hunt, never the input's fault,
//! but it must not blind a run: a background thread (reader, parse worker)
//! catches it around the unit of work it was doing (one record, one poll of
//! one input), reports it as an "internal error" problem for that input with
//! the panic's message and location, and goes on with the rest; `hunt scan`
//! then exits 2. A panic anywhere else is printed as one neutralised line
//! (the message may quote log text) and also ends in exit 2.
//!
//! This module owns the process-wide panic hook; nothing else sets one
//! except the TUI, which wraps it (see `tui::install_panic_hook`).

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};

/// Names of the threads whose panics are caught and reported as problems.
pub const BACKGROUND_PREFIX: &str = "hunt-";

thread_local! {
    /// Where the last panic on this thread happened (set by the hook,
    /// taken by [`catch`]).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the process-wide hook: background threads only note where the
/// panic happened (their catcher reports it); any other thread prints one
/// neutralised line on stderr.
pub fn install_hook() {
    panic::set_hook(Box::new(|info| {
        if is_background() {
            note(info);
        } else {
            eprintln!("{}", describe(info, &location(info)));
        }
    }));
}

/// Notes where a background thread panicked, for its catcher to report.
pub fn note(info: &PanicHookInfo<'_>) {
    LOCATION.with(|l| *l.borrow_mut() = Some(location(info)));
}

fn location(info: &PanicHookInfo<'_>) -> String {
    info.location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default()
}

/// True on a thread whose panics are caught and reported as problems.
pub fn is_background() -> bool {
    std::thread::current()
        .name()
        .is_some_and(|n| n.starts_with(BACKGROUND_PREFIX))
}

/// The one line printed for a panic that is not caught.
fn describe(info: &PanicHookInfo<'_>, location: &str) -> String {
    let thread = std::thread::current()
        .name()
        .map(crate::sanitize::clean)
        .map(|n| n.into_owned())
        .unwrap_or_else(|| "?".into());
    format!(
        "hunt: internal error (a bug in hunt, please report it) in thread '{thread}' at {location}: {}",
        message(info.payload())
    )
}

/// A panic payload as neutralised text, cut to a readable length.
pub fn message(payload: &(dyn Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    };
    crate::sanitize::clean_width(&text, 300)
}

/// Runs `f`, turning a panic into `Err(description)` with its location
/// (when the hook saw it) and message, neutralised.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Ok(v),
        Err(payload) => {
            let location = LOCATION.with(|l| l.borrow_mut().take());
            let msg = message(payload.as_ref());
            Err(match location {
                Some(loc) if !loc.is_empty() => format!("{msg} (at {loc})"),
                _ => msg,
            })
        }
    }
}

/// Debug builds only: panics on a record containing the text of
/// `HUNT_FAILPOINT_PANIC`, so tests can prove that a bug in a parser costs
/// one record (or one input), is reported, and makes `hunt scan` exit 2.
/// Release builds have no such hook.
#[cfg(debug_assertions)]
pub fn failpoint(record: &str) {
    static NEEDLE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let needle = NEEDLE.get_or_init(|| {
        std::env::var("HUNT_FAILPOINT_PANIC")
            .ok()
            .filter(|n| !n.is_empty())
    });
    if let Some(n) = needle {
        if record.contains(n.as_str()) {
            panic!("failpoint hit by record {record}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_returns_the_neutralised_message() {
        let r: Result<(), String> = catch(|| panic!("bad \u{1b}[31m line"));
        let e = r.unwrap_err();
        assert!(e.contains("bad \\u{1b}[31m line"), "{e}");
        assert!(!e.contains('\u{1b}'));
        assert_eq!(catch(|| 7), Ok(7));
    }
}

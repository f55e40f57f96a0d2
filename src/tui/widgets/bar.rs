//! The three bars around every screen: the breadcrumb line (the screen
//! stack), the status bar (sources and whether they are followed, load
//! progress, events, events/s, parse problems, findings by severity, marks,
//! the selection's status and owner, the case file, the analyst) and the footer (key hints generated from the keymap, or the
//! last message). Segments are dropped by priority when the terminal is narrow.

use crate::finding::Severity;
use crate::pipeline::SourceState;
use crate::sanitize::clean_width;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::case_link::{Status, Target};
use crate::tui::format;
use crate::tui::theme::Role;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn title(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    buf.set_style(area, theme.style(Role::Text));
    let mut spans = vec![Span::styled("hunt", theme.style(Role::Title))];
    for s in &app.stack {
        spans.push(Span::styled(" › ", theme.style(Role::Dim)));
        spans.push(Span::styled(s.crumb(), theme.style(Role::Text)));
    }
    let help = app
        .keymap
        .label(app.top().contexts(), Action::Help)
        .map(|k| format!("{k} help"))
        .filter(|h| area.width as usize > crate::sanitize::width(h) + 40);
    // The breadcrumb stops (with `…`) a cell short of the help hint.
    let hint_w = help.as_deref().map_or(0, crate::sanitize::width) as u16;
    let crumbs = Rect {
        width: area
            .width
            .saturating_sub(if hint_w > 0 { hint_w + 1 } else { 0 }),
        ..area
    };
    super::line(buf, crumbs, spans);
    if let Some(h) = help {
        buf.set_string(area.right() - hint_w, area.y, h, theme.style(Role::Dim));
    }
}

/// One status segment: priority (lower is kept longer) and its spans.
type Segment<'a> = (u8, Vec<Span<'a>>);

pub fn status(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    let base = theme.style(Role::Status);
    buf.set_style(area, base);
    let s = &app.session;
    let mut segs: Vec<Segment> = Vec::new();
    segs.push((1, vec![Span::styled(sources_text(app), base)]));
    // What live network sources lost (UDP drops): never silent.
    let dropped: u64 = s
        .sources
        .iter()
        .filter_map(|x| x.live.as_ref())
        .map(|l| l.dropped)
        .sum();
    if dropped > 0 {
        segs.push((
            1,
            vec![Span::styled(
                format!("⚠ {} dropped", format::count(dropped)),
                base.patch(theme.style(Role::Warning)),
            )],
        ));
    }
    segs.push((
        0,
        vec![Span::styled(
            format::counted(s.store.count() as u64, "event", "events"),
            base,
        )],
    ));
    segs.extend(flow_segments(app));
    segs.push((0, severity_spans(app)));
    segs.extend(work_segments(app));
    segs.extend(case_segments(app, area.width));
    let width = |segs: &[Segment]| {
        segs.iter()
            .map(|(_, v)| v.iter().map(|s| s.width()).sum::<usize>() + 3)
            .sum::<usize>()
    };
    while width(&segs) > area.width as usize && segs.len() > 1 {
        let worst = segs
            .iter()
            .enumerate()
            .max_by_key(|(i, (p, _))| (*p, *i))
            .map(|(i, _)| i)
            .unwrap_or(0);
        segs.remove(worst);
    }
    let mut spans = vec![Span::styled(" ", base)];
    for (i, (_, v)) in segs.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", base.patch(theme.style(Role::Border))));
        }
        spans.extend(v);
    }
    Paragraph::new(Line::from(super::fit_spans(spans, area.width.into())))
        .style(base)
        .render(area, buf);
}

/// The sources: loading progress, the one file's name, or how many are followed.
fn sources_text(app: &App) -> String {
    let s = &app.session;
    let followed = s.sources.iter().filter(|x| x.followed).count();
    let reading: Vec<_> = s
        .sources
        .iter()
        .filter(|x| matches!(x.state, SourceState::Opening | SourceState::Reading))
        .collect();
    if !reading.is_empty() {
        // Per-file bytes read of size are on the sources screen (p).
        let (read, total): (u64, u64) = s
            .sources
            .iter()
            .map(|x| (x.bytes_read, x.size.unwrap_or(x.bytes_read)))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        // A stream (stdin, a FIFO) has no size: say what was read.
        let unsized_ = reading
            .iter()
            .any(|x| x.state == SourceState::Reading && x.size.is_none());
        if unsized_ || total == 0 {
            format!("⟳ loading · {} read", format::bytes(read))
        } else {
            let pct = (read * 100).checked_div(total).unwrap_or(0).min(99);
            format!("⟳ loading {pct}% of {}", format::bytes(total))
        }
    } else if let [x] = s.sources.as_slice() {
        let name = std::path::Path::new(&x.name)
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|_| x.live.is_none())
            .unwrap_or(&x.name);
        let how = match (&x.live, x.followed) {
            (Some(_), _) => " ⟳ live",
            (None, true) => " ⟳ following",
            (None, false) => "",
        };
        let room = if x.live.is_some() { 32 } else { 24 };
        format!("{}{how}", clean_width(name, room))
    } else if followed > 0 {
        format!("{} sources ⟳ {followed} followed", s.sources.len())
    } else {
        format!("{} sources", s.sources.len())
    }
}

/// Kafka lag, events per second, and parse problems or unreadable sources.
fn flow_segments(app: &App) -> Vec<Segment<'static>> {
    let theme = &app.theme;
    let base = theme.style(Role::Status);
    let s = &app.session;
    let mut segs = Vec::new();
    for live in app.kafka.lives() {
        let (lag, rate, last) = live.totals();
        let last = last.map_or("none".into(), |o| o.to_string());
        segs.push((
            1,
            vec![Span::styled(
                format!(
                    "kafka lag {} · {} msg/s · @{last}",
                    format::count(lag.max(0) as u64),
                    format::compact(rate)
                ),
                base,
            )],
        ));
    }
    if app.rate.events_per_sec >= 1.0 {
        segs.push((
            2,
            vec![Span::styled(
                format!("{} ev/s", format::compact(app.rate.events_per_sec)),
                base,
            )],
        ));
    }
    let failed = s
        .sources
        .iter()
        .filter(|x| x.state == SourceState::Failed)
        .count();
    let problems = s.problem_count();
    if problems > 0 || failed > 0 {
        let counted = format::counted(problems, "problem", "problems");
        let t = if failed > 0 {
            format!("⚠ {failed} unreadable, {counted}")
        } else {
            format!("⚠ {counted}")
        };
        let key = app
            .keymap
            .label(&[crate::tui::keymap::Context::Global], Action::Sources)
            .unwrap_or_default();
        segs.push((
            2,
            vec![Span::styled(
                format!("{t} ({key})"),
                base.patch(theme.style(Role::Warning)),
            )],
        ));
    }
    segs
}

/// Findings not suppressed, by severity: `C3 H18 M17 L0`.
fn severity_spans(app: &App) -> Vec<Span<'static>> {
    let theme = &app.theme;
    let base = theme.style(Role::Status);
    let mut by = [0usize; 4];
    for f in app.session.findings.all() {
        if f.suppressed.is_none() {
            if let Some(n) = by.get_mut(f.severity as usize) {
                *n += 1;
            }
        }
    }
    let mut sev = Vec::new();
    for (sv, letter) in [
        (Severity::Critical, "C"),
        (Severity::High, "H"),
        (Severity::Medium, "M"),
        (Severity::Low, "L"),
    ] {
        sev.push(Span::styled(
            format!("{letter}{} ", by.get(sv as usize).copied().unwrap_or(0)),
            base.patch(theme.style(format::severity_role(sv))),
        ));
    }
    sev
}

/// The workflow: how many alerts are marked, and the status and owner of
/// what is selected when someone set them.
fn work_segments(app: &App) -> Vec<Segment<'static>> {
    let theme = &app.theme;
    let base = theme.style(Role::Status);
    let mut segs = Vec::new();
    let marks = app.alerts().marks.len();
    if marks > 0 {
        segs.push((
            1,
            vec![Span::styled(
                format!("● {marks} marked"),
                base.patch(theme.style(Role::Key)),
            )],
        ));
    }
    let work = match app.top().incident(app) {
        Some(id) => Some(app.case.work(Target::Incident, &id)),
        None => app
            .selected_finding()
            .map(|f| app.case.work(Target::Finding, &f.id)),
    };
    if let Some(w) = work.filter(|w| w.status != Status::New || w.owner.is_some()) {
        let owner = w.owner.as_deref().unwrap_or("nobody");
        segs.push((
            2,
            vec![Span::styled(
                format!("{} · owner {}", w.status.as_str(), clean_width(owner, 24)),
                base,
            )],
        ));
    }
    segs
}

/// The case file (and whether it is read-only) and who verdicts are recorded as.
fn case_segments(app: &App, width: u16) -> Vec<Segment<'static>> {
    let theme = &app.theme;
    let base = theme.style(Role::Status);
    let mut segs = Vec::new();
    let case = match (&app.case.path, app.case.is_open()) {
        (Some(p), true) => format!(
            "case {}",
            clean_width(
                &p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                30
            )
        ),
        _ => "no case".into(),
    };
    // A read-only case applies but saves nothing: said for as long as it lasts.
    let case = match &app.case.read_only {
        Some(_) if app.case.is_open() => format!("{case} (read-only)"),
        _ => case,
    };

    let case_role = if app.case.is_open() && app.case.read_only.is_none() {
        Role::Status
    } else {
        Role::Warning
    };
    segs.push((
        3,
        vec![Span::styled(case, base.patch(theme.style(case_role)))],
    ));
    // Who verdicts are recorded as ([case] analyst, else $USER); the
    // fallback is a warning that says how to set a name.
    if let Some(a) = app.case.analyst() {
        let role = if a == crate::triage::UNNAMED_ANALYST {
            Role::Warning
        } else {
            Role::Status
        };
        segs.push((
            3,
            vec![Span::styled(
                if role == Role::Warning && width < 150 {
                    // The long hint would push the segment off a narrow bar.
                    "analyst unnamed: set [case] analyst".to_string()
                } else {
                    format!(
                        "analyst {}",
                        clean_width(&crate::triage::analyst_label(a), 72)
                    )
                },
                base.patch(theme.style(role)),
            )],
        ));
    }
    segs
}

pub fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    let base = theme.style(Role::Footer);
    buf.set_style(area, base);
    if let Some((role, msg)) = &app.flash {
        let line = Line::from(Span::styled(
            format!(" {msg}"),
            base.patch(theme.style(*role)),
        ));
        Paragraph::new(line).style(base).render(area, buf);
        return;
    }
    let key = base.patch(theme.style(Role::Key));
    let mut spans = vec![Span::styled(" ", base)];
    let pairs: Vec<(String, String)> = match &app.modal {
        Some(m) => m.hints(&app.keymap),
        None => {
            let ctx = app.top().contexts();
            let mut v = Vec::new();
            for &a in app.top().hints() {
                if a == Action::VerdictFalsePositive {
                    let ks: Vec<String> = [
                        Action::VerdictTruePositive,
                        Action::VerdictBenignPositive,
                        Action::VerdictFalsePositive,
                        Action::VerdictUndetermined,
                    ]
                    .iter()
                    .filter_map(|a| {
                        app.keymap
                            .keys_for(ctx, *a)
                            .first()
                            .map(ToString::to_string)
                    })
                    .collect();
                    if !ks.is_empty() {
                        v.push((ks.join("/"), "verdict".into()));
                    }
                    continue;
                }
                if let Some(k) = app.keymap.keys_for(ctx, a).first() {
                    v.push((k.to_string(), a.hint().to_string()));
                }
            }
            v
        }
    };
    let mut used = 1;
    for (k, label) in pairs {
        let w = k.chars().count() + label.chars().count() + 3;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        if !k.is_empty() {
            spans.push(Span::styled(k, key));
            spans.push(Span::styled(" ", base));
        }
        spans.push(Span::styled(format!("{label}  "), base));
    }
    Paragraph::new(Line::from(spans))
        .style(base)
        .render(area, buf);
}

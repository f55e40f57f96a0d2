//! Sources and parse problems: each input with its format, state, whether
//! it is followed, bytes read of its size, events and problems; then the
//! first problems of every file with file:line and reason. Read-only.

use super::ListPos;
use super::{Ctx, ScreenView};
use crate::pipeline::{Session, SourceState};
use crate::sanitize::clean_width;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

fn state(s: SourceState) -> &'static str {
    match s {
        SourceState::Opening => "opening",
        SourceState::Reading => "reading",
        SourceState::Following => "following",
        SourceState::Done => "done",
        SourceState::Failed => "FAILED",
    }
}

pub fn lines<'a>(
    session: &Session,
    kafka: &[crate::ingest::kafka::Live],
    notes: &[String],
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let mut out = vec![Line::from(Span::styled(
        "Sources",
        theme.style(Role::Header),
    ))];
    for (i, s) in session.sources.iter().enumerate() {
        source_lines(s, theme, width, &mut out);
        for live in kafka.iter().filter(|k| k.file as usize == i) {
            kafka_lines(live, theme, width, &mut out);
        }
    }
    problem_lines(session, theme, width, &mut out);
    enrichment_lines(session, notes, theme, width, &mut out);
    out
}

/// One source: name, format, state, bytes and events, then what went wrong with it.
fn source_lines(
    s: &crate::pipeline::SourceInfo,
    theme: &Theme,
    width: usize,
    out: &mut Vec<Line<'_>>,
) {
    let size = match s.size {
        Some(n) if n > 0 => format!(
            "{} of {} ({}%)",
            format::bytes(s.bytes_read),
            format::bytes(n),
            (s.bytes_read * 100 / n).min(100)
        ),
        _ => format::bytes(s.bytes_read),
    };
    let role = if s.state == SourceState::Failed {
        Role::Error
    } else {
        Role::Text
    };
    out.push(Line::from(vec![
        Span::styled(
            format!(
                "  {} ",
                clean_width(&s.name, width.saturating_sub(60).max(20))
            ),
            theme.style(role),
        ),
        Span::styled(
            format!(
                "{} · {}{} · {size} · {}",
                clean_width(&s.format, 24),
                state(s.state),
                if s.followed { " (followed)" } else { "" },
                format::counted(s.stats.events, "event", "events")
            ),
            theme.style(Role::Dim),
        ),
    ]));
    if s.stats.problem_count() > 0 || s.stats.ignored_count() > 0 || s.stats.duplicates > 0 {
        let mut parts: Vec<String> = s
            .stats
            .problems
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        parts.extend(
            s.stats
                .ignored
                .iter()
                .map(|(r, n)| format!("{n} ignored: {r}")),
        );
        if s.stats.duplicates > 0 {
            parts.push(format!(
                "{} duplicate records (loaded before, counted once)",
                s.stats.duplicates
            ));
        }
        out.push(Line::from(Span::styled(
            format!(
                "      {}",
                clean_width(&parts.join(", "), width.saturating_sub(8))
            ),
            theme.style(Role::Warning),
        )));
    }
    if let Some(notice) = crate::report::assumed_year_notice(&s.name, &s.stats) {
        out.push(Line::from(Span::styled(
            format!("      {}", clean_width(&notice, width.saturating_sub(8))),
            theme.style(Role::Warning),
        )));
    }
    if let Some(live) = &s.live {
        for d in &live.details {
            let warn = (live.dropped > 0 && live.lost.contains(d))
                || (live.refused > 0 && live.refusals.contains(d));
            let role = if warn { Role::Warning } else { Role::Dim };
            out.push(Line::from(Span::styled(
                format!("      {}", clean_width(d, width.saturating_sub(8))),
                theme.style(role),
            )));
        }
    }
    if let Some(e) = &s.error {
        out.push(Line::from(Span::styled(
            format!("      {}", clean_width(e, width.saturating_sub(8))),
            theme.style(Role::Error),
        )));
    }
}

/// The first parse problems of every source, with where they are.
fn problem_lines(session: &Session, theme: &Theme, width: usize, out: &mut Vec<Line<'_>>) {
    out.push(Line::default());
    let total = session.problem_count();
    out.push(Line::from(Span::styled(
        format!("Parse problems ({total})"),
        theme.style(Role::Header),
    )));
    if total == 0 {
        out.push(Line::from(Span::styled(
            "  none: every record was read or deliberately ignored",
            theme.style(Role::Dim),
        )));
    }
    for s in &session.sources {
        for p in &s.stats.first_problems {
            let at = if p.line > 0 {
                format!("{}:{}", s.name, p.line)
            } else {
                format!("{} @{}", s.name, p.offset)
            };
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {} ", clean_width(&at, 50)),
                    theme.style(Role::Accent),
                ),
                Span::styled(format!("{}: ", p.reason), theme.style(Role::Warning)),
                Span::styled(
                    clean_width(&p.detail, width.saturating_sub(40).max(20)),
                    theme.style(Role::Text),
                ),
            ]));
        }
        let kept = s.stats.first_problems.len() as u64;
        if s.stats.problem_count() > kept {
            out.push(Line::from(Span::styled(
                format!(
                    "  … and {} more in {}",
                    s.stats.problem_count() - kept,
                    clean_width(&s.name, 60)
                ),
                theme.style(Role::Dim),
            )));
        }
    }
}

/// What the enrichment databases said, and records they could not decode.
fn enrichment_lines(
    session: &Session,
    notes: &[String],
    theme: &Theme,
    width: usize,
    out: &mut Vec<Line<'_>>,
) {
    // Records a database could not decode show up while events are read.
    let decode = session.enricher.decode_problems();
    if !notes.is_empty() || !decode.is_empty() {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "Enrichment",
            theme.style(Role::Header),
        )));
        for n in notes {
            out.push(Line::from(Span::styled(
                format!("  {}", clean_width(n, width.saturating_sub(4))),
                theme.style(Role::Dim),
            )));
        }
        for d in &decode {
            out.push(Line::from(Span::styled(
                format!("  {}", clean_width(d, width.saturating_sub(4))),
                theme.style(Role::Warning),
            )));
        }
    }
}

/// A Kafka input's group and partitions: offsets, lag, rate, commits.
fn kafka_lines(
    live: &crate::ingest::kafka::Live,
    theme: &Theme,
    width: usize,
    out: &mut Vec<Line<'_>>,
) {
    let (lag, rate, _) = live.totals();
    let st = live.state();
    out.push(Line::from(Span::styled(
        clean_width(
            &format!(
                "      group {} · topic {} · {} partitions · lag {} · {} msg/s",
                live.group,
                live.topic,
                st.partitions.len(),
                format::count(lag.max(0) as u64),
                format::compact(rate)
            ),
            width.saturating_sub(2),
        ),
        theme.style(Role::Dim),
    )));
    for p in &st.partitions {
        let last = p.last_offset.map_or("none yet".into(), |o| o.to_string());
        let committed = p.committed.map_or("none".into(), |o| o.to_string());
        let replayed = if p.replayed > 0 {
            format!(" · {} replayed", p.replayed)
        } else {
            String::new()
        };
        out.push(Line::from(Span::styled(
            clean_width(
                &format!(
                    "        partition {}: last offset {last} · high watermark {} · lag {} · committed {committed} · {} msg/s · {} read{replayed}",
                    p.partition,
                    p.high_watermark,
                    p.lag(),
                    format::compact(p.rate),
                    p.messages
                ),
                width.saturating_sub(2),
            ),
            theme.style(Role::Text),
        )));
    }
    if st.backoffs > 0 {
        out.push(Line::from(Span::styled(
            format!(
                "        {} empty fetches retried from an earlier offset",
                st.backoffs
            ),
            theme.style(Role::Dim),
        )));
    }
    if let Some(e) = &st.error {
        out.push(Line::from(Span::styled(
            format!("        {}", clean_width(e, width.saturating_sub(10))),
            theme.style(Role::Error),
        )));
    }
}

pub fn render(app: &App, pos: &ListPos, body: Rect, buf: &mut Buffer) {
    let all = lines(
        &app.session,
        app.kafka.lives(),
        &app.notes,
        &app.theme,
        body.width as usize,
    );
    let from = pos
        .offset
        .min(all.len().saturating_sub(body.height as usize));
    // Every line is cut with `…` at the screen's edge.
    let all: Vec<Line> = all
        .into_iter()
        .map(|l| Line::from(widgets::fit_spans(l.spans, body.width.into())))
        .collect();
    Paragraph::new(all)
        .scroll((from as u16, 0))
        .render(body, buf);
}

/// The sources screen: where it is scrolled to.
#[derive(Debug, Default)]
pub struct SourcesState {
    pub pos: ListPos,
}

impl ScreenView for SourcesState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        "Sources".into()
    }
    fn hints(&self) -> &'static [Action] {
        &[Action::Back, Action::Quit]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, &self.pos, body, buf)
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        let len = lines(cx.session, cx.kafka, cx.notes, cx.theme, 200).len();
        super::scroll(&mut self.pos, delta, len, height)
    }
    fn first_visible_row(&self, _app: &App, _height: usize) -> usize {
        self.pos.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::Enricher;
    use crate::event::{Event, Kind, Source};
    use crate::tui::theme::ColorMode;
    use mmdb_writer::{Value, Writer};

    #[test]
    fn undecodable_geoip_records_are_listed_under_enrichment() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::builder("GeoLite2-City").build();
        let loc = Value::map([
            ("latitude", Value::from(51.5)),
            ("longitude", Value::from(-0.1)),
            ("accuracy_radius", Value::from("wide")),
        ]);
        w.insert_value(
            "81.2.69.0/24".parse::<ipnet::IpNet>().unwrap(),
            Value::map([("location", loc)]),
        )
        .unwrap();
        let path = dir.path().join("Bad-City.mmdb");
        std::fs::write(&path, w.to_bytes().unwrap()).unwrap();
        let (enricher, _) = Enricher::open(&[path]);
        let mut session = Session::new(crate::tui::fixture::quiet_config(), enricher);
        let theme = Theme::builtin("default", ColorMode::Indexed256);
        let text = |s: &Session| {
            lines(s, &[], &[], &theme, 300)
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(!text(&session).contains("does not decode"));
        let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
        ev.ip = session.store.strings.intern("81.2.69.7");
        session.enricher.apply(&mut ev, &mut session.store.strings);
        let t = text(&session);
        assert!(t.contains("Enrichment"), "{t}");
        assert!(
            t.contains("Bad-City.mmdb") && t.contains("does not decode"),
            "{t}"
        );
    }

    use crate::config::Config;
    use crate::ingest::read::Input;

    fn text(session: &Session) -> String {
        let theme = Theme::builtin("default", ColorMode::None);
        lines(session, &[], &[], &theme, 200)
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    #[test]
    fn duplicates_are_shown_per_file() {
        let mut s = Session::new(Config::default(), Enricher::none());
        s.add_sources(&[Input::Path("graph.json".into())], false);
        assert!(!text(&s).contains("duplicate"));
        if let Some(src) = s.sources.first_mut() {
            src.stats.duplicates = 3;
        }
        let t = text(&s);
        assert!(t.contains("3 duplicate records"), "{t}");
    }
}

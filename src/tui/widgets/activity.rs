//! An activity sparkline (ratatui `Sparkline`): events per time bucket
//! over a span, with a label line naming the span. Built once per rebuild
//! as a fixed number of buckets and resampled to the width when drawn, so
//! drawing costs the width, not the number of events.

use crate::event::Millis;
use crate::tui::format;
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Sparkline, Widget};

/// Buckets kept (resampled to the screen width when drawn).
pub const BUCKETS: usize = 240;

/// Events per bucket and the span they cover.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Activity {
    pub buckets: Vec<u64>,
    pub span: Option<(Millis, Millis)>,
}

impl Activity {
    /// Counts `times` (in any order) into [`BUCKETS`] buckets over their span.
    pub fn of(times: &[Millis]) -> Activity {
        let span = times
            .iter()
            .fold(None, |acc: Option<(Millis, Millis)>, &t| match acc {
                None => Some((t, t)),
                Some((a, b)) => Some((a.min(t), b.max(t))),
            });
        let mut buckets = vec![0; BUCKETS];
        if let Some((a, b)) = span {
            let w = (b - a).max(1) as f64;
            for &t in times {
                let k = (((t - a) as f64 / w) * (BUCKETS - 1) as f64) as usize;
                if let Some(n) = buckets.get_mut(k.min(BUCKETS - 1)) {
                    *n += 1;
                }
            }
        }
        Activity { buckets, span }
    }

    /// The label line, then the sparkline in the rows below.
    pub fn draw(&self, buf: &mut Buffer, area: Rect, theme: &Theme) {
        if area.height == 0 {
            return;
        }
        let label = match self.span {
            Some((a, b)) => format!("activity {} → {}", format::time(a), format::time(b)),
            None => "activity".into(),
        };
        super::line(buf, area, vec![Span::styled(label, theme.style(Role::Dim))]);
        let chart = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let data = resample(&self.buckets, chart.width as usize);
        Sparkline::default()
            .data(&data)
            .style(theme.style(Role::Chart))
            .render(chart, buf);
    }
}

/// Sums `series` into `width` buckets.
pub fn resample(series: &[u64], width: usize) -> Vec<u64> {
    if width == 0 || series.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0; width];
    for (i, v) in series.iter().enumerate() {
        if let Some(o) = out.get_mut(i * width / series.len()) {
            *o += v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_land_in_their_bucket_and_resample_keeps_the_total() {
        let a = Activity::of(&[0, 0, 1000, 500]);
        assert_eq!(a.span, Some((0, 1000)));
        assert_eq!(a.buckets.first(), Some(&2));
        assert_eq!(a.buckets.last(), Some(&1));
        assert_eq!(a.buckets.iter().sum::<u64>(), 4);
        assert_eq!(resample(&a.buckets, 7).iter().sum::<u64>(), 4);
        assert_eq!(Activity::of(&[]).span, None);
    }
}

//! Column widths that give way in a deliberate order. Each column says the
//! width it wants, the least it can be read at, and when it gives way:
//! detail columns (title, AS, client, operation) shrink first, then the
//! ones after them, and identity and time columns last. A column that
//! cannot have its minimum is dropped (width 0), again detail first. The
//! widths are exact `Length`s, so the table never re-solves them and cuts
//! an identity to make room for a title. One flexible column takes what is
//! left over.

use ratatui::layout::Constraint;

/// A column with a short form is dropped to spare another a cut only when
/// it gives way at this level or higher (an alert's first-seen time).
pub const DROP_FORMS: u8 = 11;

/// One column's needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Col {
    pub want: u16,
    pub min: u16,
    /// Higher gives way earlier: 0 identity (never cut while a detail
    /// column shows), 1 time (shrinks to its short form, never dropped for
    /// an identity), 2 and up detail.
    pub give: u8,
    /// Takes the width left over (at most one column should).
    pub grow: bool,
    /// Narrower only switches to a shorter form (a time, a detector name): not a cut.
    pub form: bool,
    /// Never dropped to spare another column a cut (the title at 120 columns).
    pub keep: bool,
}

impl Col {
    pub const fn fixed(w: u16, give: u8) -> Col {
        Col {
            want: w,
            min: w,
            give,
            grow: false,
            form: false,
            keep: false,
        }
    }
    /// A column with a long and a short form (`want` and `min` wide).
    pub const fn forms(min: u16, want: u16, give: u8) -> Col {
        Col {
            want,
            min,
            give,
            grow: false,
            form: true,
            keep: false,
        }
    }
    pub const fn range(min: u16, want: u16, give: u8) -> Col {
        Col {
            want,
            min,
            give,
            grow: false,
            form: false,
            keep: false,
        }
    }
    pub const fn grow(min: u16, want: u16, give: u8) -> Col {
        Col {
            want,
            min,
            give,
            grow: true,
            form: false,
            keep: false,
        }
    }
    /// The same column, never dropped to spare another one a cut.
    pub const fn kept(self) -> Col {
        Col { keep: true, ..self }
    }
}

/// Widths for `cols` in `width` cells with `spacing` between shown columns.
pub fn fit(cols: &[Col], width: u16, spacing: u16) -> Vec<u16> {
    let mut w: Vec<u16> = cols.iter().map(|c| c.want.max(c.min)).collect();
    let mut shown: Vec<bool> = vec![true; cols.len()];
    let total = |w: &[u16], shown: &[bool]| -> u32 {
        let n = shown.iter().filter(|s| **s).count() as u32;
        let cells: u32 = w
            .iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(x, _)| u32::from(*x))
            .sum();
        cells + n.saturating_sub(1) * u32::from(spacing)
    };
    let mut order: Vec<usize> = (0..cols.len()).collect();
    // Highest `give` first; among equals, the rightmost first.
    order.sort_by(|&a, &b| {
        let (ga, gb) = (
            cols.get(a).map_or(0, |c| c.give),
            cols.get(b).map_or(0, |c| c.give),
        );
        gb.cmp(&ga).then(b.cmp(&a))
    });
    // Drop whole columns, detail first, until the minimums fit.
    let mins: Vec<u16> = cols.iter().map(|c| c.min).collect();
    for &i in &order {
        if total(&mins, &shown) <= u32::from(width) {
            break;
        }
        if let Some(s) = shown.get_mut(i) {
            *s = false;
        }
    }
    // Shrink the rest towards their minimums, detail first. No column (but
    // the growing one, which takes what is left by design) is
    // cut while one that gives way before it (`give` 2 and up; 1 is time,
    // never dropped for another) still shows: that one is dropped instead
    // and the widths are worked out again.
    loop {
        for (x, c) in w.iter_mut().zip(cols) {
            *x = c.want.max(c.min);
        }
        for &i in &order {
            let over = total(&w, &shown).saturating_sub(u32::from(width));
            if over == 0 {
                break;
            }
            if let (Some(x), Some(c)) = (w.get_mut(i), cols.get(i)) {
                let can = u32::from(x.saturating_sub(c.min));
                *x -= over.min(can) as u16;
            }
        }
        // The lowest `give` among columns cut short (not just a shorter form).
        let cut = cols
            .iter()
            .zip(&w)
            .zip(&shown)
            .filter(|((c, x), s)| **s && !c.form && !c.grow && **x < c.want)
            .map(|((c, _), _)| c.give)
            .min();
        // The first column to give way that gives way before it (never one with a short form).
        let detail = cut.and_then(|g| {
            order.iter().copied().find(|&i| {
                shown.get(i) == Some(&true)
                    && cols.get(i).is_some_and(|c| {
                        !c.keep && c.give > g.max(1) && (!c.form || c.give >= DROP_FORMS)
                    })
            })
        });
        match detail {
            Some(j) => {
                if let Some(s) = shown.get_mut(j) {
                    *s = false;
                }
            }
            _ => break,
        }
    }
    // What is left over goes to the growing column.
    let spare = u32::from(width).saturating_sub(total(&w, &shown));
    if let Some(i) = cols
        .iter()
        .enumerate()
        .position(|(i, c)| c.grow && shown.get(i).copied().unwrap_or(false))
    {
        if let Some(x) = w.get_mut(i) {
            *x = x.saturating_add(spare.min(u32::from(u16::MAX)) as u16);
        }
    }
    w.iter()
        .zip(&shown)
        .map(|(x, s)| if *s { *x } else { 0 })
        .collect()
}

/// The widths as table constraints.
pub fn constraints(widths: &[u16]) -> Vec<Constraint> {
    widths.iter().map(|w| Constraint::Length(*w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_gives_way_before_identity_and_time() {
        // mark, time, user, title(detail)
        let cols = [
            Col::fixed(1, 0),
            Col::forms(11, 16, 1),
            Col::range(12, 30, 0),
            Col::grow(10, 40, 9),
        ];
        // Plenty: everyone as wanted, the title takes the rest.
        assert_eq!(fit(&cols, 120, 1), vec![1, 16, 30, 70]);
        // Tight: the title shrinks to its minimum before time or user lose a cell.
        assert_eq!(fit(&cols, 60, 1), vec![1, 16, 30, 10]);
        // Tighter: then the time (short form); the title goes before the user is cut.
        assert_eq!(fit(&cols, 55, 1), vec![1, 11, 30, 10]);
        assert_eq!(fit(&cols, 50, 1), vec![1, 16, 30, 0]);
        assert_eq!(fit(&cols, 45, 1), vec![1, 12, 30, 0]);
        // Too narrow for the title's minimum: it goes, the rest stays readable.
        assert_eq!(fit(&cols, 30, 1), vec![1, 11, 16, 0]);
    }
}

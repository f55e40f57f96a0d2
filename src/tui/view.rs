//! Draws a whole frame from `&App`: breadcrumbs, the top screen, the status
//! bar, the footer and any open dialog. Never changes the model.

use super::app::App;
use super::screens;
use super::theme::Role;
use super::widgets::{bar, dialog};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::Frame;

/// Draws into a frame (the main loop and the TestBackend tests).
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if let Some(cursor) = render(app, area, frame.buffer_mut()) {
        frame.set_cursor_position(cursor);
    }
}

/// Draws into a buffer; returns where the text cursor goes, if a dialog has one.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    buf.set_style(area, app.theme.style(Role::Text));
    if area.width < 20 || area.height < 5 {
        buf.set_stringn(
            area.x,
            area.y,
            "hunt: window too small",
            area.width as usize,
            app.theme.style(Role::Warning),
        );
        return None;
    }
    render_frame(app, area, buf)
}

/// The whole frame at any size. [`render`] shows a notice instead below
/// 20x5, but the parts must not rely on that: the tests draw them at every
/// size from nothing up.
pub(super) fn render_frame(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let f = screens::frame(area);
    bar::title(app, f.title, buf);
    app.top().render(app, f.body, buf);
    bar::status(app, f.status, buf);
    bar::footer(app, f.footer, buf);
    dialog::render(app, area, buf)
}

//! The main loop, the single owner of the model and the session. It waits
//! on terminal events, ingest messages, raw-record reads, signals and a
//! timer; drains ingest messages within a time budget (~8 ms) so keys stay
//! responsive while loading; advances the incremental filter; and draws at
//! most ~30 times a second, only when something changed. Effects from the
//! model (case writes, raw reads, quit) are performed here.

use super::app::{App, Effect};
use super::raw::{self, RawText};
use super::view;
use crate::pipeline::{IngestMsg, Readers};
use crate::store::EventIdx;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use std::time::{Duration, Instant};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

/// Longest time spent taking in ingest messages before looking at the keyboard again.
const INGEST_BUDGET: Duration = Duration::from_millis(8);
/// Time per tick given to the incremental filter.
const FILTER_BUDGET: Duration = Duration::from_millis(8);
/// Shortest time between two recordings of a growing session in the case.
const RECORD_EVERY: Duration = Duration::from_secs(5);

/// Records the workbench session in the case when the load ends, as a tail
/// adds events or findings (at most every [`RECORD_EVERY`]) and on the way
/// out, so the hand-off always describes the session the analyst worked in.
#[derive(Default)]
struct Recorder {
    /// (events, findings) at the last recording.
    recorded: Option<(usize, usize)>,
    at: Option<Instant>,
    failed: bool,
}

impl Recorder {
    fn poll(&mut self, app: &mut App, force: bool) {
        if app.loading() && !force {
            return;
        }
        let now = (app.session.store.len(), app.session.findings.all().len());
        if self.recorded == Some(now) {
            return;
        }
        let due = self.at.is_none_or(|t| t.elapsed() >= RECORD_EVERY);
        if !(due || force) {
            return;
        }
        self.recorded = Some(now);
        self.at = Some(Instant::now());
        if let Err(e) = app.case.record_session(&app.session) {
            // Said once: the hand-off of this case will not describe this session.
            if !self.failed {
                self.failed = true;
                app.case_written(Err(format!(
                    "{e}: this session is not recorded for the hand-off"
                )));
            }
        }
    }
}

/// Minimum time between two draws (~30 fps).
const FRAME: Duration = Duration::from_millis(33);
/// Housekeeping interval (events/s, case changes made by other processes).
const HOUSEKEEPING: Duration = Duration::from_millis(500);

pub async fn run(
    terminal: &mut DefaultTerminal,
    mut app: App,
    readers: Readers,
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    app.on_resize(size.width, size.height);
    let mut keys = EventStream::new();
    let (raw_tx, mut raw_rx) = mpsc::unbounded_channel::<(EventIdx, RawText)>();
    let mut ingest = bridge(readers);
    let mut ingest_open = true;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut meter = RateMeter::new();
    let mut housekeeping = tokio::time::interval(HOUSEKEEPING);
    housekeeping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut recorder = Recorder::default();

    loop {
        if app.session.pending() > 0 && (app.session.all_done() || !ingest_open) {
            app.session.release();
            app.after_ingest();
            recorder.poll(&mut app, false);
            dirty = true;
        }
        let filtering = app.tick(FILTER_BUDGET);
        dirty |= filtering;
        let since = last_draw.map(|t| t.elapsed()).unwrap_or(FRAME);
        if dirty && since >= FRAME {
            terminal.draw(|f| view::draw(&app, f))?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        if app.quit {
            break;
        }
        // Wake for the next frame when something is waiting to be drawn, or at once while filtering.
        let wait = if filtering {
            Duration::ZERO
        } else if dirty {
            FRAME.saturating_sub(since)
        } else {
            Duration::from_secs(3600)
        };
        tokio::select! {
            biased;
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
            ev = keys.next() => match ev {
                Some(Ok(ev)) => {
                    let effects = handle_terminal(&mut app, ev);
                    perform(&mut app, effects, &raw_tx);
                    dirty = true;
                }
                Some(Err(_)) | None => break,
            },
            Some((event, text)) = raw_rx.recv() => {
                app.raw_loaded(event, text);
                dirty = true;
            }
            msg = ingest.recv(), if ingest_open => match msg {
                Some(msg) => {
                    app.session.handle(msg);
                    let start = Instant::now();
                    while start.elapsed() < INGEST_BUDGET {
                        match ingest.try_recv() {
                            Ok(m) => { app.session.handle(m); }
                            Err(mpsc::error::TryRecvError::Empty) => break,
                            Err(mpsc::error::TryRecvError::Disconnected) => { ingest_open = false; break; }
                        }
                    }
                    app.after_ingest();
                    dirty = true;
                }
                None => ingest_open = false,
            },
            _ = housekeeping.tick() => {
                app.now = chrono::Utc::now();
                let rate = meter.sample(app.session.store.len());
                if (rate - app.rate.events_per_sec).abs() >= 0.5 {
                    app.rate.events_per_sec = rate;
                    dirty = true;
                }
                recorder.poll(&mut app, false);
                commit_kafka(&mut app);
                if app.case.poll_external(&app.session.config) {
                    app.apply_triage();
                    dirty = true;
                }
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
    recorder.poll(&mut app, true);
    Ok(())
}

fn handle_terminal(app: &mut App, ev: Event) -> Vec<Effect> {
    match ev {
        Event::Key(k) => app.on_key(k),
        Event::Mouse(m) => app.on_mouse(m),
        Event::Resize(w, h) => {
            app.on_resize(w, h);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Performs the model's effects: case writes here, raw reads on a worker thread.
pub fn perform(
    app: &mut App,
    effects: Vec<Effect>,
    raw_tx: &mpsc::UnboundedSender<(EventIdx, RawText)>,
) {
    for e in effects {
        match e {
            Effect::Quit => app.quit = true,
            Effect::Case(op) => super::effects::write_case(app, op),
            Effect::Copy { what, text } => super::clipboard::perform(app, &what, &text),
            Effect::LoadRaw(req) => {
                let tx = raw_tx.clone();
                std::thread::spawn(move || {
                    let text = raw::read(&req);
                    let _ = tx.send((req.event, text));
                });
            }
        }
    }
}

/// Commits the Kafka inputs' offsets with the findings of their events,
/// once every event received has been through the detectors.
fn commit_kafka(app: &mut App) {
    if app.kafka.is_empty() || app.session.pending() > 0 {
        return;
    }
    let App {
        kafka,
        session,
        case,
        ..
    } = app;
    kafka.advance(session);
    for f in session.findings.all() {
        let doc = crate::report::finding_json(session, f);
        kafka.change(f, &doc);
    }
    if let Err(e) = kafka.commit(session, case.open_case()) {
        let e = format!("kafka offsets not committed: {e}");
        app.set_flash(super::theme::Role::Error, crate::sanitize::clean(&e));
    }
}

/// Moves ingest messages from the readers' channel into the async world.
fn bridge(readers: Readers) -> mpsc::Receiver<IngestMsg> {
    let (tx, rx) = mpsc::channel(256);
    std::thread::spawn(move || {
        for msg in readers.rx.iter() {
            if tx.blocking_send(msg).is_err() {
                return;
            }
        }
    });
    rx
}

/// Events per second over the last sampling interval (smoothed).
struct RateMeter {
    last: Instant,
    last_len: usize,
    rate: f64,
}

impl RateMeter {
    fn new() -> RateMeter {
        RateMeter {
            last: Instant::now(),
            last_len: 0,
            rate: 0.0,
        }
    }

    fn sample(&mut self, len: usize) -> f64 {
        let dt = self.last.elapsed().as_secs_f64();
        if dt < 0.05 {
            return self.rate;
        }
        let now = (len.saturating_sub(self.last_len)) as f64 / dt;
        self.rate = if now == 0.0 {
            0.0
        } else {
            0.5 * self.rate + 0.5 * now
        };
        self.last = Instant::now();
        self.last_len = len;
        self.rate
    }
}

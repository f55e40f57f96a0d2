//! The consumer thread of one Kafka input: it reads every partition of the
//! topic (stateful detectors need all of a user's events in one hunt),
//! turns each partition's fetch into one batch of drafts, and marks in the
//! [`Live`] ledger where that batch leaves its partition. It never commits:
//! the owner commits a batch's offsets once its events are processed and
//! its findings are in the case (at least once).
//!
//! A fetch from an offset below the high watermark that comes back empty
//! is retried from earlier offsets (1, 2, 4, … back), dropping what it
//! gets before the wanted offset: some brokers (Tansu 0.6) return nothing
//! for an offset inside a multi-record batch, where Kafka returns the
//! whole batch for the client to skip into.

use super::connect::connect;
use super::live::{Committed, Live, Mark, PartitionStatus};
use super::message::decode;
use super::settings::KafkaConfig;
use super::url::{KafkaUrl, Position, Start};
use crate::event::Batch;
use crate::ingest::stats::FileStats;
use crate::ingest::Format;
use rskafka::client::partition::{OffsetAt, PartitionClient, UnknownTopicHandling};
use rskafka::client::Client;
use std::collections::{BTreeMap, VecDeque};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the consumer hands its owner (the pipeline wraps it in its messages).
/// One per fetch and partition: the size of the batch variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Out {
    Opened,
    Batch {
        seq: u64,
        batch: Batch,
        stats: FileStats,
    },
    /// Payload bytes read so far.
    Progress {
        bytes: u64,
    },
    CaughtUp {
        batches: u64,
    },
    Finished {
        batches: u64,
    },
    Failed(String),
}

/// One Kafka input to read.
#[derive(Clone, Debug)]
pub struct KafkaInput {
    pub file: u32,
    pub url: KafkaUrl,
    pub config: KafkaConfig,
    pub format: Option<Format>,
    /// Keep reading at the end of the partitions; otherwise stop at the
    /// high watermarks found on start.
    pub follow: bool,
}

/// The owner's side of a started consumer: it waits for the committed
/// positions (see [`Handle::begin`]) before it reads.
pub struct Handle {
    pub live: Live,
    start: SyncSender<BTreeMap<i32, Committed>>,
}

impl Handle {
    /// Lets the consumer start from `committed` (positions the case holds
    /// for this group and topic). A handle dropped without this starts it
    /// from the configured position.
    pub fn begin(self, committed: BTreeMap<i32, Committed>) -> Live {
        let _ = self.start.send(committed);
        self.live
    }
}

/// Starts the consumer thread; `emit` returns false once the owner is gone.
pub fn spawn(
    input: KafkaInput,
    mut emit: impl FnMut(Out) -> bool + Send + 'static,
) -> std::io::Result<Handle> {
    let live = Live::new(
        input.file,
        input.url.display(),
        input.url.topic.clone(),
        input.url.group.clone(),
    );
    let (start, wait) = std::sync::mpsc::sync_channel(1);
    let shared = live.clone();
    std::thread::Builder::new()
        .name("hunt-kafka".into())
        .spawn(move || run(input, wait, shared, &mut emit))?;
    Ok(Handle { live, start })
}

fn run(
    input: KafkaInput,
    wait: Receiver<BTreeMap<i32, Committed>>,
    live: Live,
    emit: &mut dyn FnMut(Out) -> bool,
) {
    let committed = wait.recv().unwrap_or_default();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            emit(Out::Failed(format!("cannot start the Kafka client: {e}")));
            return;
        }
    };
    rt.block_on(consume(&input, committed, &live, emit));
}

/// One partition being read.
struct Part {
    client: Arc<PartitionClient>,
    status: PartitionStatus,
    /// How far before `next` the current fetch starts (see the module doc).
    back: i64,
    /// (newest event time, first offset) of recent fetches, for `replay_from`.
    recent: VecDeque<(i64, i64)>,
    newest_ms: i64,
    rate_since: Instant,
    rate_count: u64,
    /// High watermark on start (reads stop there without follow).
    end: i64,
}

/// Fetch responses remembered per partition to find where a replay starts.
const MAX_RECENT: usize = 4096;

async fn consume(
    input: &KafkaInput,
    committed: BTreeMap<i32, Committed>,
    live: &Live,
    emit: &mut dyn FnMut(Out) -> bool,
) {
    let Some(mut parts) = open(input, &committed, live, emit).await else {
        return;
    };
    if !emit(Out::Opened) {
        return;
    }
    let mut seq = 0u64;
    let mut bytes = 0u64;
    loop {
        let cfg = &input.config;
        let max_bytes = i32::try_from(cfg.fetch_max_bytes.max(1024)).unwrap_or(i32::MAX);
        let wait = i32::try_from(cfg.max_wait_ms).unwrap_or(i32::MAX);
        let fetches = parts.iter().map(|p| {
            let from = (p.status.next - p.back).max(0);
            let c = Arc::clone(&p.client);
            async move { c.fetch_records(from, 1..max_bytes, wait).await }
        });
        let results = futures::future::join_all(fetches).await;
        let mut errors = Vec::new();
        for (p, res) in parts.iter_mut().zip(results) {
            match res {
                Ok((records, hw)) => {
                    let Some(out) = take(p, records, hw, input) else {
                        continue;
                    };
                    let mark = Mark {
                        seq,
                        partition: p.status.partition,
                        next: p.status.next,
                        replay_from: replay_from(p, cfg.replay.ms()),
                    };
                    live.mark(mark);
                    let (batch, stats) = out;
                    bytes += stats.bytes_read;
                    if !emit(Out::Batch { seq, batch, stats }) {
                        return;
                    }
                    seq += 1;
                }
                Err(e) => errors.push(format!("partition {}: {e}", p.status.partition)),
            }
        }
        publish(live, &mut parts, errors);
        if !emit(Out::Progress { bytes }) {
            return;
        }
        let done = !input.follow && parts.iter().all(|p| p.status.next >= p.end);
        let msg = if done {
            Out::Finished { batches: seq }
        } else {
            Out::CaughtUp { batches: seq }
        };
        if !emit(msg) || done {
            return;
        }
    }
}

/// Connects, finds the topic's partitions and where each starts. Waits
/// and retries while following; otherwise a failure ends the input.
async fn open(
    input: &KafkaInput,
    committed: &BTreeMap<i32, Committed>,
    live: &Live,
    emit: &mut dyn FnMut(Out) -> bool,
) -> Option<Vec<Part>> {
    loop {
        match try_open(input, committed).await {
            Ok(parts) => {
                let mut s = live.state();
                s.error = None;
                s.partitions = parts.iter().map(|p| p.status.clone()).collect();
                return Some(parts);
            }
            Err(e) if input.follow => {
                live.state().error = Some(e);
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => {
                emit(Out::Failed(e));
                return None;
            }
        }
    }
}

async fn try_open(
    input: &KafkaInput,
    committed: &BTreeMap<i32, Committed>,
) -> Result<Vec<Part>, String> {
    let client: Client = connect(&input.url, &input.config).await?;
    let topic = &input.url.topic;
    let topics = client.list_topics().await.map_err(|e| e.to_string())?;
    let Some(t) = topics.into_iter().find(|t| &t.name == topic) else {
        return Err(format!("topic {} not found", crate::sanitize::clean(topic)));
    };
    let mut parts = Vec::new();
    for partition in t.partitions {
        let pc = client
            .partition_client(topic.clone(), partition, UnknownTopicHandling::Retry)
            .await
            .map_err(|e| format!("partition {partition}: {e}"))?;
        let end = pc
            .get_offset(OffsetAt::Latest)
            .await
            .map_err(|e| format!("partition {partition}: {e}"))?;
        let c = committed.get(&partition).copied();
        let (next, replay_until) = match (input.url.start, c) {
            (Start::Committed { .. }, Some(c)) => {
                let from = if input.config.replay.ms() > 0 {
                    c.replay_from.min(c.next)
                } else {
                    c.next
                };
                (from, c.next)
            }
            (Start::Committed { fallback }, None) | (Start::At(fallback), _) => {
                let at = match fallback {
                    Position::Earliest => OffsetAt::Earliest,
                    Position::Latest => OffsetAt::Latest,
                    Position::Time(t) => OffsetAt::Timestamp(t),
                };
                let o = pc
                    .get_offset(at)
                    .await
                    .map_err(|e| format!("partition {partition}: {e}"))?;
                (o, o)
            }
        };
        parts.push(Part {
            client: Arc::new(pc),
            status: PartitionStatus {
                partition,
                next,
                high_watermark: end,
                committed: c.map(|c| c.next),
                resume_at: replay_until,
                processed: next,
                ..Default::default()
            },
            back: 0,
            recent: VecDeque::new(),
            newest_ms: i64::MIN,
            rate_since: Instant::now(),
            rate_count: 0,
            end,
        });
    }
    Ok(parts)
}

/// Turns one partition's fetch into a batch (`None`: nothing new).
fn take(
    p: &mut Part,
    records: Vec<rskafka::record::RecordAndOffset>,
    hw: i64,
    input: &KafkaInput,
) -> Option<(Batch, FileStats)> {
    p.status.high_watermark = hw;
    let wanted = p.status.next;
    let fresh: Vec<_> = records.into_iter().filter(|r| r.offset >= wanted).collect();
    if fresh.is_empty() {
        // Behind the high watermark and given nothing: look further back.
        p.back = if wanted < hw {
            (p.back * 2).max(1).min(wanted)
        } else {
            0
        };
        return None;
    }
    p.back = 0;
    let mut batch = Batch::recycled();
    let mut stats = FileStats::default();
    let first = fresh.first().map_or(wanted, |r| r.offset);
    for r in &fresh {
        let before = batch.drafts.len();
        match r.record.value.as_deref() {
            Some(v) => decode(
                v,
                input.file,
                r.offset,
                input.config.max_message_bytes,
                input.format,
                &mut batch,
                &mut stats,
            ),
            None => {
                stats.records += 1;
                stats.ignore("empty Kafka message (tombstone)");
            }
        }
        if let Some(t) = batch
            .drafts
            .get(before..)
            .and_then(|d| d.iter().map(|d| d.time).max())
        {
            p.newest_ms = p.newest_ms.max(t);
        }
        if r.offset < p.status.resume_at {
            p.status.replayed += 1;
        }
        p.status.last_offset = Some(r.offset);
        p.status.next = r.offset + 1;
    }
    p.status.messages += fresh.len() as u64;
    p.rate_count += fresh.len() as u64;
    if p.recent.len() >= MAX_RECENT {
        p.recent.pop_front();
    }
    p.recent.push_back((p.newest_ms, first));
    Some((batch, stats))
}

/// The offset a restart reads from to see `replay_ms` of event time before
/// the committed offset: the first fetch whose newest event is that recent.
fn replay_from(p: &mut Part, replay_ms: i64) -> i64 {
    if replay_ms <= 0 {
        return p.status.next;
    }
    let cutoff = p.newest_ms.saturating_sub(replay_ms);
    while p.recent.len() > 1 && p.recent.front().is_some_and(|&(t, _)| t < cutoff) {
        p.recent.pop_front();
    }
    p.recent.front().map_or(p.status.next, |&(_, o)| o)
}

/// Copies the partitions' status into the shared state, with rates.
fn publish(live: &Live, parts: &mut [Part], errors: Vec<String>) {
    let mut s = live.state();
    s.error = errors.into_iter().next();
    for p in parts.iter_mut() {
        let dt = p.rate_since.elapsed().as_secs_f64();
        if dt >= 1.0 {
            p.status.rate = p.rate_count as f64 / dt;
            p.rate_since = Instant::now();
            p.rate_count = 0;
        }
        if p.back > 0 {
            s.backoffs += 1;
        }
        let st = &p.status;
        match s
            .partitions
            .iter_mut()
            .find(|q| q.partition == st.partition)
        {
            // The owner's fields (processed, committed) stay as the owner set them.
            Some(q) => {
                q.next = st.next;
                q.last_offset = st.last_offset;
                q.high_watermark = st.high_watermark;
                q.rate = st.rate;
                q.messages = st.messages;
                q.replayed = st.replayed;
            }
            None => s.partitions.push(st.clone()),
        }
    }
}

//! Group commit of verified Yardstik webhook events into the inbox.
//!
//! `POST /webhooks/yardstik` verifies a webhook, then hands the event to this writer and
//! waits. The writer takes every event queued once the tasks ready to run have had their
//! turn (up to `max_batch`, see `GATHER_YIELDS`), inserts them with one `INSERT …
//! SELECT … ON CONFLICT DO NOTHING` over the batch sent as one JSON parameter (one
//! statement whose text never changes, one commit; see `Db::insert_events`), then
//! answers each waiting request: new or duplicate. So "200 means persisted" holds (a
//! request is answered only after its row is committed), while a burst of webhooks pays
//! one commit per batch instead of one per event. A failed batch is rolled back as a whole
//! (a statement is atomic) and every request in it is answered with an error (Yardstik
//! retries): nothing of a batch is half-persisted.
//!
//! SQLite has one writer: one writer task. On PostgreSQL a few tasks take batches in turn,
//! so one batch is being collected while another commits.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex};
use tokio_util::sync::CancellationToken;

use screening_metrics::Metrics;

use crate::inbox::NewEvent;
use crate::{Backend, Db};

/// One verified event, owned (it crosses to the writer task).
#[derive(Debug, Clone)]
pub struct IngestEvent {
    pub tenant_id: String,
    pub event_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub event: String,
}

/// Why an event could not be stored; the request answers 5xx and Yardstik retries.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IngestError {
    #[error("the batch holding this event could not be stored: {0}")]
    Batch(String),
    #[error("the inbox writer is stopped")]
    Stopped,
}

struct Job {
    event: IngestEvent,
    reply: oneshot::Sender<Result<bool, IngestError>>,
}

/// The handle handlers submit events with; cheap to clone.
#[derive(Clone)]
pub struct Ingest {
    tx: mpsc::Sender<Job>,
    queued: Arc<AtomicUsize>,
}

/// Events waiting for the writer at most (senders wait beyond: back-pressure).
const QUEUE: usize = 8192;

/// How often the writer lets the runtime's other ready tasks run before it closes a batch.
/// The first event of a batch wakes the writer, and tokio runs a task woken by another
/// task next: without yielding, a batch would close after the one or two events handed in
/// by then, while the requests already being read would wait for the next commit. Each
/// yield lets them hand in their events first; when nothing else is ready it returns at
/// once, so a lone webhook is not delayed. Under a burst from 16 connections, four rounds
/// took batches from about 3 to about 14 events and the context switches per webhook from
/// about 1.1 to 0.5 (two rounds: 10 events, 0.7; stopping at the first round that brings
/// nothing did no better).
const GATHER_YIELDS: usize = 4;

impl Ingest {
    /// Start the writer task(s). They stop once `stop` fires and the queue is drained.
    pub fn start(
        db: Db,
        metrics: Metrics,
        max_batch: usize,
        stop: CancellationToken,
    ) -> (Ingest, Vec<tokio::task::JoinHandle<()>>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let queued = Arc::new(AtomicUsize::new(0));
        let writers = match db.backend {
            Backend::Sqlite => 1,
            Backend::Postgres => 3,
        };
        let tasks = (0..writers)
            .map(|_| {
                tokio::spawn(write_loop(
                    db.clone(),
                    metrics.clone(),
                    rx.clone(),
                    queued.clone(),
                    max_batch.max(1),
                    stop.clone(),
                ))
            })
            .collect();
        (Ingest { tx, queued }, tasks)
    }

    /// Store one event; answers once its batch committed. `true`: new, `false`: a replay
    /// (already stored, or an identical event earlier in the same batch).
    pub async fn submit(&self, event: IngestEvent) -> Result<bool, IngestError> {
        let (reply, answer) = oneshot::channel();
        self.queued.fetch_add(1, Ordering::Relaxed);
        if self.tx.send(Job { event, reply }).await.is_err() {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(IngestError::Stopped);
        }
        answer.await.unwrap_or(Err(IngestError::Stopped))
    }

    /// Events handed over and not yet taken into a batch.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }
}

async fn write_loop(
    db: Db,
    metrics: Metrics,
    rx: Arc<Mutex<mpsc::Receiver<Job>>>,
    queued: Arc<AtomicUsize>,
    max_batch: usize,
    stop: CancellationToken,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    loop {
        {
            let mut rx = rx.lock().await;
            let first = tokio::select! {
                j = rx.recv() => j,
                _ = stop.cancelled() => rx.try_recv().ok(),
            };
            let Some(first) = first else { break };
            batch.push(first);
            for round in 0..=GATHER_YIELDS {
                if round > 0 {
                    tokio::task::yield_now().await;
                }
                while batch.len() < max_batch {
                    match rx.try_recv() {
                        Ok(j) => batch.push(j),
                        Err(_) => break,
                    }
                }
                if batch.len() >= max_batch {
                    break;
                }
            }
        }
        queued.fetch_sub(batch.len(), Ordering::Relaxed);
        metrics.ingest_batch_size.observe(batch.len());
        let events: Vec<NewEvent> = batch
            .iter()
            .map(|j| NewEvent {
                tenant_id: &j.event.tenant_id,
                event_id: &j.event.event_id,
                resource_type: &j.event.resource_type,
                resource_id: &j.event.resource_id,
                event: &j.event.event,
            })
            .collect();
        match db.insert_events(&events).await {
            Ok(new) => {
                for (job, new) in batch.drain(..).zip(new) {
                    let _ = job.reply.send(Ok(new));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, events = batch.len(), "a batch of yardstik events could not be stored");
                let err = IngestError::Batch(e.to_string());
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(err.clone()));
                }
            }
        }
    }
}

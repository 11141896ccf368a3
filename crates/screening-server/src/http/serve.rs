//! The server's own accept loop (hyper-util's HTTP/1 and HTTP/2 connection builder with a
//! timer), so that one client cannot hold the server:
//!
//! - a request's head must arrive within `header_read_timeout` of the server waiting for
//!   it (slowloris), and a connection's first request must start within that time too (a
//!   fresh socket that sends nothing, or an HTTP/2 preface trickled in);
//! - a connection with no request in flight and no bytes moving for `idle_timeout` is
//!   closed (idle keep-alive sockets, a client that stops reading its answer);
//! - at most `max_connections` connections are held, at most `max_per_client` per client
//!   address (a trusted proxy's connections are not counted per address); beyond, a new
//!   connection is closed as soon as it is accepted, and counted;
//! - the process's descriptor limit is raised to its hard limit at start-up and the
//!   connection cap lowered to fit what remains of it, so accepting never runs out of
//!   descriptors the database and outgoing calls need;
//! - on shutdown the listener closes, idle connections close, and requests in flight are
//!   answered (bounded by the request timeout) before [`serve`] returns.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use screening_metrics::{ConnectionRefusal, Metrics};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::config::ConnectionLimits;

/// Descriptors kept for everything but accepted connections (database pool, Yardstik and
/// ATS calls, files).
pub const RESERVED_DESCRIPTORS: u64 = 256;

/// Raise the soft `RLIMIT_NOFILE` to the hard limit; the soft limit now in force.
#[cfg(unix)]
pub fn raise_descriptor_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the one struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    Some(lim.rlim_cur)
}

#[cfg(not(unix))]
pub fn raise_descriptor_limit() -> Option<u64> {
    None
}

/// The connection cap that fits a descriptor limit of `nofile` (`None`: unknown).
pub fn fitted_max_connections(configured: usize, nofile: Option<u64>) -> usize {
    match nofile {
        Some(n) => {
            let room = n.saturating_sub(RESERVED_DESCRIPTORS).max(16);
            configured.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
        None => configured,
    }
}

/// Open connections, in total and per client address.
#[derive(Debug)]
pub struct Slots {
    max: usize,
    max_per_client: usize,
    trusted: Vec<IpAddr>,
    inner: Mutex<SlotsInner>,
}

#[derive(Debug, Default)]
struct SlotsInner {
    open: usize,
    /// Only addresses holding a connection now: at most `max` entries.
    by_client: HashMap<IpAddr, usize>,
}

/// One held connection; released on drop.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    client: Option<IpAddr>,
}

impl Slots {
    pub fn new(max: usize, max_per_client: usize, trusted: Vec<IpAddr>) -> Arc<Self> {
        Arc::new(Slots {
            max: max.max(1),
            max_per_client: max_per_client.max(1),
            trusted,
            inner: Mutex::default(),
        })
    }

    /// Take a slot for a connection from `peer`, or say which cap refuses it.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Slot, ConnectionRefusal> {
        let mut s = self.inner.lock().expect("slots");
        if s.open >= self.max {
            return Err(ConnectionRefusal::TotalCap);
        }
        let client = (!self.trusted.contains(&peer)).then_some(peer);
        if let Some(ip) = client {
            let n = s.by_client.entry(ip).or_insert(0);
            if *n >= self.max_per_client {
                return Err(ConnectionRefusal::PerClientCap);
            }
            *n += 1;
        }
        s.open += 1;
        Ok(Slot {
            slots: self.clone(),
            client,
        })
    }

    pub fn open(&self) -> usize {
        self.inner.lock().expect("slots").open
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut s = self.slots.inner.lock().expect("slots");
        s.open -= 1;
        if let Some(ip) = self.client {
            if let Some(n) = s.by_client.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    s.by_client.remove(&ip);
                }
            }
        }
    }
}

/// What the connection's requests tell its watchdog.
#[derive(Debug, Default)]
struct Activity {
    /// Requests whose answer is not yet produced.
    in_flight: AtomicUsize,
    /// A request has started on this connection.
    started: AtomicBool,
}

struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(a: &Arc<Activity>) -> Self {
        a.started.store(true, Ordering::SeqCst);
        a.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(a.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A socket that fails with `TimedOut` when it has been idle too long (no request in
/// flight and no bytes moving for `idle`), or when no request started within `first_by`.
struct Watched {
    io: TcpStream,
    activity: Arc<Activity>,
    idle: Duration,
    first_by: Instant,
    timer: Pin<Box<Sleep>>,
}

impl Watched {
    fn new(io: TcpStream, activity: Arc<Activity>, limits: &ConnectionLimits) -> Self {
        let now = Instant::now();
        let first_by = now + limits.header_read_timeout;
        Watched {
            io,
            activity,
            idle: limits.idle_timeout,
            first_by,
            timer: Box::pin(tokio::time::sleep_until(
                (now + limits.idle_timeout).min(first_by),
            )),
        }
    }

    fn moved(&mut self) {
        let deadline = self.deadline(Instant::now() + self.idle);
        self.timer.as_mut().reset(deadline);
    }

    fn deadline(&self, idle_deadline: Instant) -> Instant {
        if self.activity.started.load(Ordering::SeqCst) {
            idle_deadline
        } else {
            idle_deadline.min(self.first_by)
        }
    }

    /// `Err(TimedOut)` when the connection is to be closed; otherwise the timer is armed.
    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return Ok(());
            }
            let started = self.activity.started.load(Ordering::SeqCst);
            if !started && Instant::now() >= self.first_by {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no request in time",
                ));
            }
            if self.activity.in_flight.load(Ordering::SeqCst) == 0 {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "idle"));
            }
            // A request is being answered: not idle; look again later.
            let next = self.deadline(Instant::now() + self.idle);
            self.timer.as_mut().reset(next);
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    self.moved();
                }
                Poll::Ready(r)
            }
            Poll::Pending => match self.check(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.moved();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match self.check(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write_vectored(cx, bufs) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.moved();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match self.check(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Serve `router` on `listener` within `limits` until `shutdown` fires, then drain: stop
/// accepting, close idle connections, and wait (at most `drain`) for requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    slots: Arc<Slots>,
    metrics: Metrics,
    shutdown: CancellationToken,
    drain: Duration,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(64)
        .keep_alive_interval(None);
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of descriptors or memory for a moment: wait instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let slot = match slots.admit(peer.ip()) {
            Ok(s) => s,
            Err(reason) => {
                metrics.connections_refused.inc(reason);
                drop(stream);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::default());
        let io = TokioIo::new(Watched::new(stream, activity.clone(), &limits));
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let in_flight = InFlight::begin(&activity);
            let router = router.clone();
            async move {
                let res = router.oneshot(req.map(axum::body::Body::new)).await;
                drop(in_flight);
                res
            }
        });
        let conn = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let watched = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = watched.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown: connections still open after the drain time were dropped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_in_total_and_per_client_and_trusted_proxies_uncounted() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let slots = Slots::new(5, 2, vec![proxy]);
        let a1 = slots.admit(a).unwrap();
        let _a2 = slots.admit(a).unwrap();
        assert_eq!(slots.admit(a).unwrap_err(), ConnectionRefusal::PerClientCap);
        let _b1 = slots.admit(b).unwrap();
        let _p1 = slots.admit(proxy).unwrap();
        let _p2 = slots.admit(proxy).unwrap();
        assert_eq!(slots.open(), 5);
        assert_eq!(slots.admit(b).unwrap_err(), ConnectionRefusal::TotalCap);
        drop(a1);
        assert_eq!(slots.open(), 4);
        let _a3 = slots.admit(a).expect("a released slot is free again");
        assert_eq!(
            slots.admit(proxy).unwrap_err(),
            ConnectionRefusal::TotalCap,
            "a trusted proxy is held to the total"
        );
    }

    #[test]
    fn per_client_entries_are_only_for_open_connections() {
        let slots = Slots::new(100, 1, vec![]);
        for i in 0..50u8 {
            let s = slots.admit(IpAddr::from([192, 0, 2, i])).unwrap();
            drop(s);
        }
        assert!(slots.inner.lock().unwrap().by_client.is_empty());
    }

    #[test]
    fn the_cap_fits_the_descriptor_limit() {
        assert_eq!(fitted_max_connections(4096, Some(1024)), 768);
        assert_eq!(fitted_max_connections(4096, Some(1 << 20)), 4096);
        assert_eq!(fitted_max_connections(4096, Some(100)), 16);
        assert_eq!(fitted_max_connections(4096, None), 4096);
    }

    #[test]
    fn the_descriptor_limit_is_raised_to_the_hard_limit() {
        let soft = raise_descriptor_limit().expect("readable on unix");
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: reads into the struct passed.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
        assert_eq!(soft, lim.rlim_cur);
        assert_eq!(lim.rlim_cur, lim.rlim_max);
    }
}

//! The one in-memory cache type: every cache of the server is bounded in size and, where
//! its entries go stale, in time, and a miss that many callers hit at once is computed once.
//!
//! A hand-written map needs its own eviction (which the server's old maps did by clearing
//! or scanning when full) and its own single flight; both are easy to get wrong under a
//! flood of made-up keys. [`Cache`] is `moka`'s concurrent cache: entries beyond the bound
//! are evicted by its admission policy (least useful first), each lives at most its time to
//! live, and [`Cache::try_get_with`] runs one initialisation per key for all concurrent
//! callers (a failure is shared by them and not kept).

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use screening_metrics::{CacheName, Metrics};

#[derive(Clone)]
pub struct Cache<K, V> {
    inner: moka::future::Cache<K, V>,
}

impl<K, V> Cache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// At most `max_entries` entries, each kept at most `ttl` (`None`: until evicted).
    pub fn new(max_entries: u64, ttl: Option<Duration>) -> Self {
        let mut b = moka::future::Cache::builder().max_capacity(max_entries);
        if let Some(ttl) = ttl {
            b = b.time_to_live(ttl);
        }
        Cache { inner: b.build() }
    }

    /// At most `max_entries` entries, each dropped when unused for `idle` (a use keeps
    /// it) and at the latest after `ttl`.
    pub fn refreshed(max_entries: u64, idle: Duration, ttl: Duration) -> Self {
        let inner = moka::future::Cache::builder()
            .max_capacity(max_entries)
            .time_to_idle(idle)
            .time_to_live(ttl)
            .build();
        Cache { inner }
    }

    /// At most `max_entries` entries; each kept at most `ttl`, and dropped sooner when
    /// unused for `idle` (a use keeps it); every entry evicted because the cache was full
    /// is counted in `screening_cache_evictions_total{cache = name}`. For maps whose keys a
    /// caller chooses: hash such keys first, so that an entry's size is fixed.
    pub fn counted(
        max_entries: u64,
        ttl: Duration,
        idle: Option<Duration>,
        metrics: &Metrics,
        name: CacheName,
    ) -> Self {
        let evictions = metrics.cache_evictions.clone();
        let mut b = moka::future::Cache::builder()
            .max_capacity(max_entries)
            .time_to_live(ttl)
            .eviction_listener(move |_, _, cause| {
                if cause == moka::notification::RemovalCause::Size {
                    evictions.inc(name);
                }
            });
        if let Some(idle) = idle {
            b = b.time_to_idle(idle);
        }
        Cache { inner: b.build() }
    }

    pub async fn get(&self, key: &K) -> Option<V> {
        self.inner.get(key).await
    }

    pub async fn insert(&self, key: K, value: V) {
        self.inner.insert(key, value).await
    }

    /// The cached value, or the one `init` makes (once for every concurrent caller of the
    /// same key); a failure is handed to every waiting caller and not kept.
    pub async fn try_get_with<F, E>(&self, key: K, init: F) -> Result<V, Arc<E>>
    where
        F: Future<Output = Result<V, E>>,
        E: Send + Sync + 'static,
    {
        self.inner.try_get_with(key, init).await
    }

    /// Entries held now (after pending evictions ran).
    pub async fn len(&self) -> u64 {
        self.inner.run_pending_tasks().await;
        self.inner.entry_count()
    }

    pub async fn is_empty(&self) -> bool {
        self.len().await == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_misses_compute_once_and_failures_are_not_kept() {
        let cache: Cache<String, u32> = Cache::new(10, Some(Duration::from_secs(60)));
        let calls = Arc::new(AtomicUsize::new(0));
        let make = |calls: Arc<AtomicUsize>| async move {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok::<u32, String>(7)
        };
        let (a, b) = tokio::join!(
            cache.try_get_with("k".into(), make(calls.clone())),
            cache.try_get_with("k".into(), make(calls.clone())),
        );
        assert_eq!((a.unwrap(), b.unwrap()), (7, 7));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let failed = cache
            .try_get_with("f".into(), async { Err::<u32, _>("down".to_string()) })
            .await;
        assert_eq!(failed.unwrap_err().as_str(), "down");
        assert_eq!(cache.get(&"f".into()).await, None, "a failure is not kept");
    }

    #[tokio::test]
    async fn bounded_in_entries_and_in_time() {
        let cache: Cache<u32, u32> = Cache::new(100, Some(Duration::from_millis(50)));
        for i in 0..1_000 {
            cache.insert(i, i).await;
        }
        assert!(cache.len().await <= 100, "{}", cache.len().await);
        cache.insert(5_000, 1).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(
            cache.get(&5_000).await,
            None,
            "expired after its time to live"
        );
    }

    #[tokio::test]
    async fn counted_caches_count_evictions_and_keep_used_entries() {
        let metrics = Metrics::default();
        let cache: Cache<u32, ()> = Cache::counted(
            50,
            Duration::from_secs(60),
            Some(Duration::from_millis(150)),
            &metrics,
            CacheName::WebhookAccounts,
        );
        for i in 0..500 {
            cache.insert(i, ()).await;
        }
        assert!(cache.len().await <= 50);
        let evicted = metrics.cache_evictions.get(CacheName::WebhookAccounts);
        assert!(evicted >= 400, "evictions counted: {evicted}");
        assert_eq!(metrics.cache_evictions.get(CacheName::RateSessions), 0);

        let fresh: Cache<u32, ()> = Cache::counted(
            10,
            Duration::from_secs(60),
            Some(Duration::from_millis(150)),
            &metrics,
            CacheName::RateSessions,
        );
        fresh.insert(1, ()).await;
        fresh.insert(2, ()).await;
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert_eq!(fresh.get(&1).await, Some(()), "a used entry stays");
        }
        assert_eq!(
            fresh.get(&2).await,
            None,
            "an unused one went after its idle time"
        );
    }
}

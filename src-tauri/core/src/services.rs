//! Herald's background work, assembled in one place for the desktop app and for
//! `herald-cli run`: the sending engine, the iMIS write-back worker, the report mailer and
//! the reply poller, started together with one set of intervals and stopped by one signal.
//! A new worker is added here, and both get it.

use crate::engine::{Engine, EngineEvent, EngineLock, EngineOptions};
use crate::imis::DirectoryCache;
use crate::report::ReportPolicy;
use crate::secrets::SecretStore;
use crate::writeback::{self, WriteBackPolicy};
use crate::{replies, report, Error, Result, Store};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How often each worker looks for work when it has none.
#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    pub writeback: Duration,
    pub reports: Duration,
    /// Replies: while a LIVE campaign is sending, and otherwise.
    pub replies_busy: Duration,
    pub replies_quiet: Duration,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            writeback: Duration::from_secs(15),
            reports: Duration::from_secs(30),
            replies_busy: replies::BUSY_INTERVAL,
            replies_quiet: replies::QUIET_INTERVAL,
        }
    }
}

/// Who holds the data folder's engine lock (one Herald sends from a folder at a time).
#[derive(Debug, Clone)]
pub enum EngineLocking {
    /// The caller holds it already (`herald-cli run` refuses to start without it).
    Held,
    /// The engine waits for it, checking every 10 s (the app, while another Herald sends).
    WaitFor(PathBuf),
}

/// What the services are made of.
pub struct Parts {
    pub store: Store,
    pub secrets: Arc<dyn SecretStore>,
    pub directories: Arc<DirectoryCache>,
    pub engine: EngineOptions,
    /// Told of the engine's progress (the app forwards it to the window).
    pub on_event: Arc<dyn Fn(EngineEvent) + Send + Sync>,
    /// Wakes the reply poller ("Check for replies").
    pub check_replies: Arc<Notify>,
    pub intervals: Intervals,
}

/// The running services.
pub struct Services {
    engine: Arc<Engine>,
    store: Store,
    secrets: Arc<dyn SecretStore>,
    directories: Arc<DirectoryCache>,
    stop: watch::Sender<bool>,
    workers: Vec<(&'static str, JoinHandle<()>)>,
}

/// The workers every Herald runs, by name, in the order they start.
pub const WORKERS: [&str; 4] = ["write-back", "reports", "replies", "engine"];

impl Services {
    /// Starts the write-back worker, the report mailer, the reply poller and, unless
    /// `engine_in_background` is false (`run --until-idle` drives it itself), the engine.
    /// They stop when `stop` is set (or [`Services::stop`] is called).
    pub fn start(
        parts: Parts,
        locking: EngineLocking,
        engine_in_background: bool,
        stop: watch::Sender<bool>,
    ) -> Self {
        let Parts {
            store,
            secrets,
            directories,
            engine: options,
            on_event,
            check_replies,
            intervals,
        } = parts;
        let engine = Engine::new(
            store.clone(),
            secrets.clone(),
            directories.clone(),
            options,
            Arc::new(move |e| on_event(e)),
        );
        let mut workers: Vec<(&'static str, JoinHandle<()>)> = vec![
            (
                WORKERS[0],
                tokio::spawn(writeback::run_worker(
                    store.clone(),
                    directories.clone(),
                    secrets.clone(),
                    WriteBackPolicy::default(),
                    intervals.writeback,
                    stop.subscribe(),
                )),
            ),
            (
                WORKERS[1],
                tokio::spawn(report::run_worker(
                    store.clone(),
                    secrets.clone(),
                    ReportPolicy::default(),
                    intervals.reports,
                    stop.subscribe(),
                )),
            ),
            (
                WORKERS[2],
                tokio::spawn(replies::run_poller(
                    store.clone(),
                    secrets.clone(),
                    check_replies,
                    (intervals.replies_busy, intervals.replies_quiet),
                    stop.subscribe(),
                )),
            ),
        ];
        if engine_in_background {
            workers.push((
                WORKERS[3],
                tokio::spawn(run_engine(engine.clone(), locking, stop.subscribe())),
            ));
        }
        Self {
            engine,
            store,
            secrets,
            directories,
            stop,
            workers,
        }
    }

    /// The workers started, by name.
    pub fn workers(&self) -> Vec<&'static str> {
        self.workers.iter().map(|(name, _)| *name).collect()
    }

    /// The names of the workers still running.
    pub fn running(&self) -> Vec<&'static str> {
        self.workers
            .iter()
            .filter(|(_, task)| !task.is_finished())
            .map(|(name, _)| *name)
            .collect()
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// `run --until-idle`: sends until every due campaign is done, reads replies once,
    /// then sends the reports and writes back what the run queued, and stops everything.
    pub async fn run_until_idle(self) -> Result<()> {
        self.engine.run_until_idle().await?;
        // The replies that came in meanwhile (opt-outs queue their write-backs below).
        if let Err(e) = replies::poll_once(&self.store, self.secrets.as_ref()).await {
            tracing::warn!(error = %e, "replies could not be read");
        }
        // The reports the run queued (a report that cannot be sent is marked failed).
        while self.store.reports_pending().await? {
            report::drain_reports(&self.store, self.secrets.as_ref(), &ReportPolicy::default())
                .await?;
            if self.store.reports_pending().await? {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        // Then the write-backs.
        let settings = self.store.settings().await?;
        let (cache, s2, secrets) = (
            self.directories.clone(),
            settings.clone(),
            self.secrets.clone(),
        );
        let directory = tokio::task::spawn_blocking(move || cache.get(&s2, secrets.as_ref()))
            .await
            .map_err(|e| Error::Invalid(e.to_string()))??;
        while self.store.writeback_status(None).await?.pending > 0 {
            writeback::drain_until_idle(
                &self.store,
                &directory,
                &settings,
                &WriteBackPolicy::default(),
            )
            .await?;
            if self.store.writeback_status(None).await?.pending > 0 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        self.stop().await;
        Ok(())
    }

    /// Stops every worker and waits for them (requests in flight are recorded first).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for (name, task) in self.workers {
            if let Err(e) = task.await {
                tracing::error!(worker = name, error = %e, "a background worker ended abnormally");
            }
        }
    }
}

async fn run_engine(engine: Arc<Engine>, locking: EngineLocking, stop: watch::Receiver<bool>) {
    let _lock = match locking {
        EngineLocking::Held => None,
        EngineLocking::WaitFor(data_dir) => {
            let mut warned = false;
            loop {
                match EngineLock::acquire(&data_dir) {
                    Ok(lock) => {
                        tracing::info!(lock = %lock.path().display(), "the sending engine is running");
                        break Some(lock);
                    }
                    Err(e) => {
                        if !warned {
                            tracing::warn!(error = %e, "the sending engine waits for the other Herald to stop");
                            warned = true;
                        }
                        let mut stop = stop.clone();
                        tokio::select! {
                            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
                            _ = stop.changed() => {}
                        }
                        if *stop.borrow() {
                            return;
                        }
                    }
                }
            }
        }
    };
    if let Err(e) = engine.run(stop).await {
        tracing::error!(error = %e, "the sending engine stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;
    use crate::store::test_support::store;

    fn parts(store: &Store) -> Parts {
        Parts {
            store: store.clone(),
            secrets: Arc::new(MemorySecrets::default()),
            directories: Arc::new(DirectoryCache::new()),
            engine: EngineOptions::default(),
            on_event: Arc::new(|_| {}),
            check_replies: Arc::new(Notify::new()),
            intervals: Intervals::default(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_worker_starts_together_and_one_signal_stops_them_all() {
        let (store, _clock, dir) = store().await;
        let services = Services::start(
            parts(&store),
            EngineLocking::WaitFor(dir.path().to_path_buf()),
            true,
            watch::channel(false).0,
        );
        assert_eq!(services.workers(), WORKERS.to_vec());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(services.running(), WORKERS.to_vec(), "all keep running");
        // The app's engine took the data folder's lock: a second sender waits.
        assert!(EngineLock::acquire(dir.path()).is_err());
        tokio::time::timeout(Duration::from_secs(10), services.stop())
            .await
            .expect("one signal stops every worker");
        assert!(
            EngineLock::acquire(dir.path()).is_ok(),
            "the lock is let go"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn until_idle_drives_the_engine_itself_and_stops_the_rest() {
        let (store, _clock, _dir) = store().await;
        let services = Services::start(
            parts(&store),
            EngineLocking::Held,
            false,
            watch::channel(false).0,
        );
        assert_eq!(services.workers(), WORKERS[..3].to_vec());
        tokio::time::timeout(Duration::from_secs(20), services.run_until_idle())
            .await
            .expect("idle at once with nothing to do")
            .unwrap();
    }
}

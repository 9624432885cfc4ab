//! `herald-cli run [--until-idle]`: the app's sending engine, headless.

use crate::commands::Context;
use herald_core::engine::{Engine, EngineLock, EngineOptions};
use herald_core::imis::DirectoryCache;
use herald_core::writeback::{self, WriteBackPolicy};
use herald_core::{paths, Error, Result};
use std::sync::Arc;
use std::time::Duration;

pub async fn run(ctx: &Context, until_idle: bool) -> Result<String> {
    let data_dir = paths::resolve_data_dir(ctx.data_dir.clone()).ok_or_else(|| {
        Error::Invalid("no data folder could be found; pass --data-dir DIR".into())
    })?;
    std::fs::create_dir_all(&data_dir).map_err(|source| Error::Io {
        context: format!("could not create {}", data_dir.display()),
        source,
    })?;
    let _lock = EngineLock::acquire(&data_dir)?;
    // A headless run logs like the app: rolling files in <data dir>/logs, numbers masked.
    let _log_guard = match herald_core::telemetry::file_subscriber(
        &paths::log_dir(&data_dir),
        "herald-cli",
        "info",
    ) {
        Ok((subscriber, guard)) => {
            let _ = tracing::subscriber::set_global_default(subscriber);
            Some(guard)
        }
        Err(e) => {
            eprintln!("herald-cli: note: could not open the log folder: {e}");
            None
        }
    };
    tracing::info!(version = herald_core::VERSION, "herald-cli run starting");
    let store = ctx.store().await?;
    let secrets: Arc<dyn herald_core::secrets::SecretStore> = Arc::from(ctx.secrets()?);
    let directories = Arc::new(DirectoryCache::new());
    let engine = Engine::new(
        store.clone(),
        secrets.clone(),
        directories.clone(),
        EngineOptions::from_env(),
        Arc::new(|_| {}),
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(writeback::run_worker(
        store.clone(),
        directories.clone(),
        secrets.clone(),
        WriteBackPolicy::default(),
        Duration::from_secs(5),
        stop_rx.clone(),
    ));
    let reports = tokio::spawn(herald_core::report::run_worker(
        store.clone(),
        secrets.clone(),
        herald_core::report::ReportPolicy::default(),
        Duration::from_secs(5),
        stop_rx.clone(),
    ));
    let poller = tokio::spawn(herald_core::replies::run_poller(
        store.clone(),
        secrets.clone(),
        Default::default(),
        (
            herald_core::replies::BUSY_INTERVAL,
            herald_core::replies::QUIET_INTERVAL,
        ),
        stop_rx.clone(),
    ));
    if until_idle {
        engine.run_until_idle().await?;
        // The replies that came in meanwhile (opt-outs queue their write-backs below).
        if let Err(e) = herald_core::replies::poll_once(&store, secrets.as_ref()).await {
            tracing::warn!(error = %e, "replies could not be read");
            eprintln!("herald-cli: note: {e}");
        }
        // The reports the run queued (a report that cannot be sent is marked failed).
        while store.reports_pending().await? {
            herald_core::report::drain_reports(
                &store,
                secrets.as_ref(),
                &herald_core::report::ReportPolicy::default(),
            )
            .await?;
            if store.reports_pending().await? {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        // Then the write-backs the run queued.
        let settings = store.settings().await?;
        let (cache, s2, sec) = (directories.clone(), settings.clone(), secrets.clone());
        let directory = tokio::task::spawn_blocking(move || cache.get(&s2, sec.as_ref()))
            .await
            .map_err(|e| Error::Invalid(e.to_string()))??;
        while store.writeback_status(None).await?.pending > 0 {
            writeback::drain_until_idle(&store, &directory, &settings, &WriteBackPolicy::default())
                .await?;
            if store.writeback_status(None).await?.pending > 0 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    } else {
        let engine_task = {
            let engine = engine.clone();
            let rx = stop_rx.clone();
            tokio::spawn(async move { engine.run(rx).await })
        };
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop_tx.send(true);
        let _ = engine_task.await;
    }
    let _ = stop_tx.send(true);
    let _ = worker.await;
    let _ = reports.await;
    let _ = poller.await;
    let campaigns = store.list_campaigns().await?;
    serde_json::to_string_pretty(&serde_json::json!({
        "campaigns": campaigns.iter().map(|c| serde_json::json!({"id": c.id, "name": c.name, "status": c.status, "counts": c.counts})).collect::<Vec<_>>(),
        "writeback": store.writeback_status(None).await?,
    }))
    .map_err(|e| Error::Invalid(e.to_string()))
}

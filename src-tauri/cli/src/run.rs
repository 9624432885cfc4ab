//! `herald-cli run [--until-idle]`: the app's sending engine, headless.

use crate::commands::Context;
use herald_core::engine::{EngineLock, EngineOptions};
use herald_core::imis::DirectoryCache;
use herald_core::services::{EngineLocking, Intervals, Parts, Services};
use herald_core::{paths, Error, Result};
use std::sync::Arc;

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
    // The same background work as the app, from the same assembly (herald_core::services).
    let services = Services::start(
        Parts {
            store: store.clone(),
            secrets: Arc::from(ctx.secrets()?),
            directories: Arc::new(DirectoryCache::new()),
            engine: EngineOptions::from_env(),
            on_event: Arc::new(|_| {}),
            check_replies: Default::default(),
            intervals: Intervals::default(),
        },
        EngineLocking::Held,
        !until_idle,
        tokio::sync::watch::channel(false).0,
    );
    if until_idle {
        services.run_until_idle().await?;
    } else {
        let _ = tokio::signal::ctrl_c().await;
        services.stop().await;
    }
    let campaigns = store.list_campaigns().await?;
    serde_json::to_string_pretty(&serde_json::json!({
        "campaigns": campaigns.iter().map(|c| serde_json::json!({"id": c.id, "name": c.name, "status": c.status, "counts": c.counts})).collect::<Vec<_>>(),
        "writeback": store.writeback_status(None).await?,
    }))
    .map_err(|e| Error::Invalid(e.to_string()))
}

//! The iMIS client, the write-back worker and the wizard's query import, over HTTP
//! against the fake iMIS server, faults included.

mod client;
mod replies;
mod tls;
mod writeback;

use herald_core::imis::{ImisClient, ImisConfig, RetryPolicy};
use herald_core::secrets::Sensitive;
use herald_fake_imis::{FakeImis, Options};
use std::time::Duration;

pub async fn server(opts: Options) -> FakeImis {
    FakeImis::start(opts).await.expect("the fake iMIS starts")
}

pub async fn standard() -> FakeImis {
    server(Options::default()).await
}

/// A client with short timeouts and fast retries, so fault tests run in milliseconds.
pub fn client_for(fake: &FakeImis) -> ImisClient {
    client_with(fake, |_| {})
}

pub fn client_with(fake: &FakeImis, tweak: impl FnOnce(&mut ImisConfig)) -> ImisClient {
    let mut cfg = ImisConfig::new(&fake.url(), "herald", Sensitive::new("herald-demo"));
    cfg.timeout = Duration::from_secs(5);
    cfg.retry = RetryPolicy {
        attempts: 4,
        base: Duration::from_millis(10),
        max: Duration::from_millis(40),
    };
    tweak(&mut cfg);
    ImisClient::new(cfg).unwrap()
}

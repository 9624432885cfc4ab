//! Plumbing shared by Herald's fake servers (iMIS, Twilio): connections served one by
//! one so a fault can cut one without an answer, fault rules that match requests by
//! method and path, and a meter of requests and concurrency.

use axum::extract::Request;
use axum::http::Method;
use axum::{Extension, Router};
use serde::Deserialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// A fault for the next `times` requests whose method and path (prefix) match, after
/// `skip` matching requests have passed untouched.
#[derive(Debug, Clone, Deserialize)]
pub struct Rule<F> {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    pub fault: F,
    #[serde(default = "one")]
    pub times: u32,
    #[serde(default)]
    pub skip: u32,
}

fn one() -> u32 {
    1
}

impl<F> Rule<F> {
    pub fn new(method: &str, path: &str, fault: F) -> Self {
        Self {
            method: Some(method.into()),
            path: path.into(),
            fault,
            times: 1,
            skip: 0,
        }
    }
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = n;
        self
    }
}

/// The faults waiting for requests. The first matching rule applies.
pub struct Faults<F>(Mutex<VecDeque<Rule<F>>>);

impl<F> Default for Faults<F> {
    fn default() -> Self {
        Self(Mutex::new(VecDeque::new()))
    }
}

impl<F: Clone> Faults<F> {
    pub fn add(&self, rule: Rule<F>) {
        self.0.lock().unwrap().push_back(rule);
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    /// The fault this request gets, if any (consuming one use of its rule).
    pub fn take(&self, method: &Method, path: &str) -> Option<F> {
        let mut rules = self.0.lock().unwrap();
        let i = rules.iter().position(|r| {
            path.starts_with(&r.path)
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
        })?;
        let rule = &mut rules[i];
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        let fault = rule.fault.clone();
        rule.times = rule.times.saturating_sub(1);
        if rule.times == 0 {
            rules.remove(i);
        }
        Some(fault)
    }
}

/// Requests seen and how many overlapped.
#[derive(Default)]
pub struct Meter {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    requests: Mutex<Vec<(String, String)>>,
}

/// Held while a request is handled.
pub struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Meter {
    /// Records a request; keep the guard until it is answered.
    pub fn enter(&self, method: &Method, path: &str) -> InFlight<'_> {
        self.requests
            .lock()
            .unwrap()
            .push((method.to_string(), path.to_string()));
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(&self.in_flight)
    }
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
    /// (method, path) of every request, in arrival order.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.requests.lock().unwrap().clone()
    }
    pub fn count(&self, path_prefix: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, p)| p.starts_with(path_prefix))
            .count()
    }
    pub fn count_method(&self, method: &str, path_prefix: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p)| m == method && p.starts_with(path_prefix))
            .count()
    }
}

/// Closes the connection of the request that carries it, without an answer.
#[derive(Clone)]
pub struct Killer(Arc<Notify>);

impl Killer {
    /// Cuts the connection of `request` (the server must then never answer it).
    pub fn of(request: &Request) -> Option<Killer> {
        request.extensions().get::<Killer>().cloned()
    }
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

/// Serves HTTP/1.1 connection by connection, so that a fault can drop one.
pub async fn serve(listener: TcpListener, router: Router) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let kill = Arc::new(Notify::new());
        let app = router.clone().layer(Extension(Killer(kill.clone())));
        tokio::spawn(async move {
            let service = hyper_util::service::TowerToHyperService::new(app);
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
            }
        });
    }
}

/// What a fake server is: its state, made from options, and the routes that serve it.
pub trait FakeService: Sized + Send + Sync + 'static {
    type Options;
    fn new(opts: Self::Options) -> Result<Self, String>;
    fn router(state: Arc<Self>) -> Router;
}

/// A fake server listening on a loopback port until dropped; it derefs to its state, so a
/// test can switch faults and read what the server received.
pub struct Running<S> {
    addr: std::net::SocketAddr,
    state: Arc<S>,
    task: tokio::task::JoinHandle<()>,
}

impl<S: FakeService> Running<S> {
    /// Starts on a free loopback port.
    pub async fn start(opts: S::Options) -> Result<Self, String> {
        Self::start_on(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), opts).await
    }

    pub async fn start_on(addr: std::net::SocketAddr, opts: S::Options) -> Result<Self, String> {
        let state = Arc::new(S::new(opts)?);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let task = tokio::spawn(serve(listener, S::router(state.clone())));
        Ok(Self { addr, state, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &Arc<S> {
        &self.state
    }
}

impl<S> std::ops::Deref for Running<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.state
    }
}

impl<S> Drop for Running<S> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

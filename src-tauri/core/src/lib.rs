//! Herald's core: campaigns, storage, settings, secrets and logging, with no GUI
//! dependency. The desktop shell (`herald`) and `herald-cli` are thin layers over it.

pub mod backoff;
pub mod campaign;
pub mod clock;
pub mod compose;
pub mod csv_out;
pub mod drafts;
pub mod engine;
pub mod error;
pub mod imis;
pub mod keychain;
pub mod memory;
pub mod notices;
pub mod paths;
pub mod preflight;
pub mod replies;
pub mod report;
pub mod secrets;
pub mod services;
pub mod settings;
pub mod stats;
pub mod status;
pub mod store;
pub mod telemetry;
pub mod test_text;
pub mod twilio;
pub mod window;
pub mod writeback;
pub mod zone;

pub use error::{Error, ErrorCode, Result};
pub use store::Store;

/// Herald's version, shown in the UI and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

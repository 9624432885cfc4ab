//! Twilio Programmable Messaging: the resource, the client, and what each error code
//! means for a person. See `reference/twilio.md`.

pub mod client;
pub mod codes;
pub mod resource;

pub use client::{CreateOutcome, Credentials, Sender, TwilioClient, TwilioConfig, TwilioError};
pub use resource::{MessagePage, MessageResource};

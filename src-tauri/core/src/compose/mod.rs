//! Composing a message: merge templates, SMS segment counting and Twilio's
//! smart encoding.

mod graphemes;
pub mod segments;
pub mod smart_encoding;
pub mod template;

//! Composing a message: merge templates, SMS segment counting and Twilio's
//! smart encoding.

pub mod address_zones;
pub mod audience;
mod graphemes;
pub mod phone;
pub mod prepare;
pub mod segments;
pub mod smart_encoding;
pub mod summary;
pub mod template;
pub mod time_zones;

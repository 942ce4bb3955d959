//! Sign-in building blocks that run on the server only.

pub mod password;

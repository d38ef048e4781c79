//! R3 end-user documents as specifications: review, reuse and alternatives.

mod alternatives;
mod review;
mod support;

//! The lifecycle rules as specifications: R1 ordering and holds on picked numbers, R2 provisioning time, R7 waitlist,
//! R8 free tests, and the number state machine with R10.4 / R10.D3 routing.

mod hold;
mod number;
mod ordering;
mod provisioning;
mod support;
mod trial;
mod waitlist;

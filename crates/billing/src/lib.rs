//! The billing calendar, the ledger and renewal decisions (R10, R1.4).

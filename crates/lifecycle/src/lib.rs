//! The number lifecycle: offers, orders, provisioning ETA, waitlist and trials (R1, R2, R7, R8).

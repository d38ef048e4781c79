//! Prepaid-term and negotiated bulk discounts and how they combine (R11).

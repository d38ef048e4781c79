//! Customers, companies, contracts and closing documents (R12).

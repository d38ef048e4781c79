//! Forwarding plans, inbound routing, SIP accounts, CallerID, greetings and call records (R4, R5, R6, R13).

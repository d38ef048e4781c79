//! Typed ids: a customer id can never be passed where a number id is wanted.

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw value, as storage keeps it.
            #[must_use]
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }
    )*};
}

ids! {
    /// A customer: a person or a company with one balance.
    CustomerId,
    /// A number rented (or being rented) by a customer.
    NumberId,
    /// An offer of a carrier: country, city, kind and prices.
    OfferId,
    /// A carrier, the local operator that owns the numbers.
    CarrierId,
    /// An order for one or more numbers.
    OrderId,
    /// An uploaded end-user document.
    DocumentId,
    /// A ledger entry.
    LedgerEntryId,
    /// A SIP account.
    SipAccountId,
    /// An uploaded greeting file.
    GreetingId,
    /// A free one-hour trial.
    TrialId,
    /// A waitlist entry.
    WaitlistEntryId,
    /// A one-shot SMS allocation.
    SmsAllocationId,
    /// A call detail record.
    CallId,
    /// A contract with a company.
    ContractId,
    /// A negotiated bulk discount agreement.
    AgreementId,
    /// A payment a customer started, pending until the payment provider confirms it.
    PaymentId,
    /// An API key (never its token, which is shown once and stored only as a hash).
    ApiKeyId,
}

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vnum_core::{CarrierId, CountryCode, NumberId, OfferId, PhoneNumber};

/// A request to a carrier to connect one number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningRequest {
    /// The number being ordered, in vnum.
    pub number: NumberId,
    /// The carrier that provides it.
    pub carrier: CarrierId,
    /// The offer ordered.
    pub offer: OfferId,
    /// The country asked for.
    pub country: CountryCode,
    /// The city asked for, for geographic numbers (R1.2).
    pub city: Option<String>,
    /// The concrete number, for manual orders (R1.3).
    pub wanted: Option<PhoneNumber>,
}

/// The carrier's acknowledgement: provisioning completes later (R2), reported through the
/// `connect_number` use case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningTicket {
    /// The carrier's own reference for the request.
    pub reference: String,
    /// The number, when the carrier assigned it at once (instant numbers, R2.1).
    pub assigned: Option<PhoneNumber>,
}

/// The carrier refused or could not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarrierError {
    /// The carrier has no number left for the request.
    #[error("the carrier has no number available for this request")]
    OutOfStock,
    /// The carrier refused the request.
    #[error("the carrier refused the request: {0}")]
    Refused(String),
    /// The carrier could not be reached; the request may be retried.
    #[error("the carrier could not be reached: {0}")]
    Unavailable(String),
}

/// The local carriers that own the numbers.
#[async_trait]
pub trait CarrierGateway: Send + Sync {
    /// Asks the carrier to connect a number.
    ///
    /// # Errors
    /// [`CarrierError::OutOfStock`] or [`CarrierError::Refused`] when the carrier says no;
    /// [`CarrierError::Unavailable`] when it could not be asked.
    async fn request_number(
        &self,
        request: ProvisioningRequest,
    ) -> Result<ProvisioningTicket, CarrierError>;

    /// Tells the carrier that a number is released.
    ///
    /// # Errors
    /// [`CarrierError::Unavailable`] when the carrier could not be told.
    async fn release_number(&self, number: &PhoneNumber) -> Result<(), CarrierError>;
}

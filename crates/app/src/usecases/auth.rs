use rand::RngCore;
use sha2::{Digest, Sha256};

use chrono::{DateTime, Utc};
use vnum_core::{ApiKeyId, CustomerId};

use crate::model::{ApiKey, Principal};
use crate::{Error, Vnum};

/// The prefix of every token, so a leaked one is recognisable in logs and scanners.
const TOKEN_PREFIX: &str = "vnum_";

/// The lower-case hex SHA-256 of a token: what storage keeps instead of the token.
#[must_use]
pub fn token_sha256(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    text
}

/// The longest name of an API key, in characters.
pub const MAX_KEY_NAME_CHARS: usize = 100;

/// An API key to create: whom it authenticates, its name and when it stops by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiKey {
    /// Whom the key authenticates.
    pub principal: Principal,
    /// A name for people, 1 to [`MAX_KEY_NAME_CHARS`] characters.
    pub name: String,
    /// When it stops working, if ever; in the future.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key just created and its bearer token, which exists only here: storage keeps its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedApiKey {
    /// The key as stored.
    pub key: ApiKey,
    /// The bearer token, `vnum_` and 64 hex digits.
    pub token: String,
}

impl Vnum {
    /// Issues a key for `principal` that never expires and returns the bearer token. The
    /// token is shown only here: storage keeps its SHA-256.
    ///
    /// # Errors
    /// As [`Vnum::create_api_key`].
    pub async fn issue_api_key(&self, principal: Principal, name: &str) -> Result<String, Error> {
        let issued = self
            .create_api_key(NewApiKey {
                principal,
                name: name.to_owned(),
                expires_at: None,
            })
            .await?;
        Ok(issued.token)
    }

    /// Creates an API key and returns it with its bearer token, which is shown only here:
    /// storage keeps its SHA-256. Who may create which key is the caller's check (a customer
    /// creates only its own customer keys).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty or overlong name or an expiry that is not in the
    /// future; [`Error::NotFound`] for an unknown customer.
    pub async fn create_api_key(&self, new: NewApiKey) -> Result<IssuedApiKey, Error> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > MAX_KEY_NAME_CHARS {
            return Err(Error::Invalid(format!(
                "an API key needs a name of 1 to {MAX_KEY_NAME_CHARS} characters"
            )));
        }
        let now = self.ports.clock.now();
        if let Some(expiry) = new.expires_at.filter(|expiry| *expiry <= now) {
            return Err(Error::Invalid(format!(
                "the key would expire at {}, which is not in the future (now is {}): \
                 give a later instant or none",
                expiry.to_rfc3339(),
                now.to_rfc3339()
            )));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("{TOKEN_PREFIX}{}", hex(&bytes));
        let mut tx = self.ports.store.begin().await?;
        if let Principal::Customer(id) = new.principal {
            tx.customer(id)
                .await?
                .ok_or_else(|| Error::not_found("customer", id))?;
        }
        let key = tx
            .insert_api_key(ApiKey {
                id: ApiKeyId(0),
                token_sha256: token_sha256(&token),
                principal: new.principal,
                name: name.to_owned(),
                created_at: now,
                expires_at: new.expires_at,
                revoked_at: None,
            })
            .await?;
        tx.commit().await?;
        Ok(IssuedApiKey { key, token })
    }

    /// The keys of `customer`, or every key for `None`, oldest first; revoked and expired
    /// ones included. Never a token: only its hash is stored.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn api_keys(&self, customer: Option<CustomerId>) -> Result<Vec<ApiKey>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.api_keys(customer).await?)
    }

    /// Revokes key `id`: it stops working at once, on the very next request. With
    /// `owner`, only a key of that customer is found. Revoking a revoked key changes
    /// nothing.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown key, or another customer's.
    pub async fn revoke_api_key(
        &self,
        id: ApiKeyId,
        owner: Option<CustomerId>,
    ) -> Result<ApiKey, Error> {
        let mut tx = self.ports.store.begin().await?;
        let found = tx
            .api_key_by_id(id)
            .await?
            .filter(|key| owner.is_none_or(|c| key.principal == Principal::Customer(c)))
            .ok_or_else(|| Error::not_found("API key", id))?;
        if found.revoked_at.is_some() {
            return Ok(found);
        }
        tx.revoke_api_key(id, self.ports.clock.now()).await?;
        let revoked = tx
            .api_key_by_id(id)
            .await?
            .ok_or_else(|| Error::not_found("API key", id))?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// Who a bearer token belongs to; `None` for a token vnum did not issue, or a key that
    /// is revoked or past its expiry at this instant (checked on every call, whatever a
    /// store remembers).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>, Error> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
            return Ok(None);
        }
        let mut tx = self.ports.store.read().await?;
        let key = tx.api_key(&token_sha256(token)).await?;
        let now = self.ports.clock.now();
        Ok(key.filter(|key| key.works_at(now)).map(|key| key.principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_the_lower_case_hex_sha256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            token_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

use rand::RngCore;
use sha2::{Digest, Sha256};

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

impl Vnum {
    /// Issues an API key for `principal` and returns the bearer token. The token is shown
    /// only here: storage keeps its SHA-256.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn issue_api_key(&self, principal: Principal, label: &str) -> Result<String, Error> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("{TOKEN_PREFIX}{}", hex(&bytes));
        let mut tx = self.ports.store.begin().await?;
        if let Principal::Customer(id) = principal {
            tx.customer(id)
                .await?
                .ok_or_else(|| Error::not_found("customer", id))?;
        }
        tx.insert_api_key(ApiKey {
            token_sha256: token_sha256(&token),
            principal,
            label: label.to_owned(),
            created_at: self.ports.clock.now(),
        })
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Who a bearer token belongs to; `None` for a token vnum did not issue.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>, Error> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
            return Ok(None);
        }
        let mut tx = self.ports.store.read().await?;
        Ok(tx
            .api_key(&token_sha256(token))
            .await?
            .map(|key| key.principal))
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

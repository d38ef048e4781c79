//! SIP accounts: a login, a password and a domain, enough to configure any SIP device
//! (R5.1).
//!
//! The provider stores only HA1 = MD5(login:realm:password), which is all SIP digest
//! authentication needs; the plain password is shown to the customer once, when the account
//! is issued or its password reset, and never again.

use std::fmt;

use md5::{Digest, Md5};
use rand::Rng;
use serde::{Deserialize, Serialize};
use vnum_core::{CustomerId, NumberId};

use crate::{CallsError, SipLogin};

/// The alphabet of generated passwords: letters and digits without the look-alikes
/// `0 O o 1 l I`, so a password read off a screen is typed right the first time.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Length of generated passwords: 20 characters of a 56-letter alphabet, about 116 bits.
const PASSWORD_LENGTH: usize = 20;

/// A password in plain text, returned once when it is made.
///
/// Its `Debug` hides the text so that it never lands in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimePassword(String);

impl OneTimePassword {
    /// The password, to show to the customer once.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn generate(rng: &mut impl Rng) -> Self {
        let text = (0..PASSWORD_LENGTH)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self(text)
    }
}

impl fmt::Debug for OneTimePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimePassword(***)")
    }
}

/// HA1 = MD5(login:realm:password) as 32 lower-case hex digits (RFC 2617, RFC 8760 MD5).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ha1(String);

impl Ha1 {
    /// HA1 of a login, realm and password.
    #[must_use]
    pub fn compute(login: &str, realm: &str, password: &str) -> Self {
        let mut md5 = Md5::new();
        for part in [login, ":", realm, ":", password] {
            md5.update(part.as_bytes());
        }
        let digest = md5.finalize();
        let mut hex = String::with_capacity(32);
        for byte in digest {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(hex)
    }

    /// The hex digits, as a SIP registrar's subscriber table stores them.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A SIP account of the provider (R5.1, R4.3: free with any number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipAccount {
    owner: CustomerId,
    login: SipLogin,
    realm: String,
    ha1: Ha1,
}

impl SipAccount {
    /// Issues an account to `owner`, who must own at least one number (R5.1: accounts are
    /// issued after a number is bought). `realm` is the provider's SIP domain. Returns the
    /// account and its password, which is not stored and cannot be shown again.
    ///
    /// # Errors
    /// [`CallsError::NoNumberOwned`] when `owned_numbers` is empty;
    /// [`CallsError::InvalidRealm`] for an empty realm or one with a `:`.
    pub fn issue(
        owner: CustomerId,
        owned_numbers: &[NumberId],
        login: SipLogin,
        realm: &str,
        rng: &mut impl Rng,
    ) -> Result<(Self, OneTimePassword), CallsError> {
        if owned_numbers.is_empty() {
            return Err(CallsError::NoNumberOwned(owner));
        }
        if realm.is_empty() || realm.contains(':') || realm.chars().any(char::is_whitespace) {
            return Err(CallsError::InvalidRealm(realm.to_owned()));
        }
        let password = OneTimePassword::generate(rng);
        let account = Self {
            owner,
            ha1: Ha1::compute(login.as_str(), realm, password.expose()),
            login,
            realm: realm.to_owned(),
        };
        Ok((account, password))
    }

    /// Replaces the password with a new random one and returns it, once (R5.1). The old
    /// password stops working.
    #[must_use]
    pub fn reset_password(&mut self, rng: &mut impl Rng) -> OneTimePassword {
        let password = OneTimePassword::generate(rng);
        self.ha1 = Ha1::compute(self.login.as_str(), &self.realm, password.expose());
        password
    }

    /// True when `password` is this account's password.
    #[must_use]
    pub fn verify(&self, password: &str) -> bool {
        Ha1::compute(self.login.as_str(), &self.realm, password) == self.ha1
    }

    /// The customer the account belongs to.
    #[must_use]
    pub const fn owner(&self) -> CustomerId {
        self.owner
    }

    /// The login.
    #[must_use]
    pub const fn login(&self) -> &SipLogin {
        &self.login
    }

    /// The SIP domain (digest realm).
    #[must_use]
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The stored digest secret.
    #[must_use]
    pub const fn ha1(&self) -> &Ha1 {
        &self.ha1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn login() -> SipLogin {
        SipLogin::parse("alice").unwrap()
    }

    #[test]
    fn ha1_matches_the_rfc_2617_example() {
        // RFC 2617 section 3.5: Mufasa / testrealm@host.com / Circle Of Life.
        assert_eq!(
            Ha1::compute("Mufasa", "testrealm@host.com", "Circle Of Life").as_str(),
            "939e7578ed9e3c518a452acee763bce9"
        );
    }

    #[test]
    fn r5_1_an_account_is_issued_only_after_a_number_is_bought() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let err =
            SipAccount::issue(CustomerId(3), &[], login(), "sip.vnum.test", &mut rng).unwrap_err();
        assert_eq!(err, CallsError::NoNumberOwned(CustomerId(3)));
        assert!(err.to_string().contains("buy a number"), "{err}");
    }

    #[test]
    fn r5_1_the_password_is_shown_once_and_only_its_ha1_is_kept() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let (account, password) = SipAccount::issue(
            CustomerId(3),
            &[NumberId(9)],
            login(),
            "sip.vnum.test",
            &mut rng,
        )
        .unwrap();
        assert_eq!(password.expose().len(), 20);
        assert!(password.expose().bytes().all(|b| ALPHABET.contains(&b)));
        assert!(account.verify(password.expose()));
        assert!(!account.verify("wrong"));
        assert_eq!(
            account.ha1(),
            &Ha1::compute("alice", "sip.vnum.test", password.expose())
        );
        assert_eq!(format!("{password:?}"), "OneTimePassword(***)");
        let stored = format!("{account:?}");
        assert!(!stored.contains(password.expose()));
    }

    #[test]
    fn r5_1_a_reset_gives_a_new_password_and_retires_the_old() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut account, old) = SipAccount::issue(
            CustomerId(3),
            &[NumberId(9)],
            login(),
            "sip.vnum.test",
            &mut rng,
        )
        .unwrap();
        let new = account.reset_password(&mut rng);
        assert_ne!(old, new);
        assert!(account.verify(new.expose()));
        assert!(!account.verify(old.expose()));
    }

    #[test]
    fn realms_with_colons_would_break_ha1_and_are_refused() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        assert!(matches!(
            SipAccount::issue(CustomerId(1), &[NumberId(1)], login(), "a:b", &mut rng),
            Err(CallsError::InvalidRealm(_))
        ));
    }
}

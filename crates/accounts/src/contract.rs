//! Customers and the details a company's contract needs (R12.1, R12.3).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Who a customer is. Both kinds rent numbers the same way; a company may also sign a
/// contract and pay by bank transfer (R12.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    /// A private person.
    Person,
    /// A company.
    Company,
}

impl CustomerKind {
    /// Only a company signs a contract and pays by bank transfer; a person pays by its
    /// balance (R12.1).
    ///
    /// # Errors
    /// [`crate::AccountsError::NotACompany`] for a person.
    pub fn may_sign_contract(self) -> Result<(), crate::AccountsError> {
        match self {
            Self::Company => Ok(()),
            Self::Person => Err(crate::AccountsError::NotACompany),
        }
    }
}

/// An International Bank Account Number.
///
/// Invariant: two country letters, two check digits, 11 to 30 letters or digits, 15 to 34
/// characters in all, and the ISO 13616 mod-97 check holds. Stored without spaces, in upper
/// case; displayed in groups of four.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

impl Iban {
    /// Parses an IBAN; spaces are ignored and letters may be in either case.
    ///
    /// # Errors
    /// [`ContractFieldError::InvalidIban`] saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, ContractFieldError> {
        let fail = |why: &'static str| ContractFieldError::InvalidIban {
            text: text.to_owned(),
            why,
        };
        let iban: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !iban.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(fail("only letters and digits are allowed"));
        }
        if !(15..=34).contains(&iban.len()) {
            return Err(fail("an IBAN has 15 to 34 characters"));
        }
        let b = iban.as_bytes();
        if !(b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic()) {
            return Err(fail("an IBAN starts with two country letters"));
        }
        if !(b[2].is_ascii_digit() && b[3].is_ascii_digit()) {
            return Err(fail("the country letters are followed by two check digits"));
        }
        if mod97(&iban) != 1 {
            return Err(fail(
                "the check digits do not match: a character is mistyped",
            ));
        }
        Ok(Self(iban))
    }

    /// The IBAN without spaces.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// ISO 13616: move the first four characters to the end, read letters as 10..35, and take
/// the remainder of the whole number by 97, digit by digit so it never overflows.
fn mod97(iban: &str) -> u32 {
    let (head, tail) = iban.split_at(4);
    tail.bytes().chain(head.bytes()).fold(0u32, |acc, b| {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        }
    })
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(std::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl TryFrom<String> for Iban {
    type Error = ContractFieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Iban> for String {
    fn from(value: Iban) -> Self {
        value.0
    }
}

/// A Business Identifier Code (SWIFT code), ISO 9362.
///
/// Invariant: 8 or 11 characters: four bank letters, two country letters, two location
/// letters or digits, and optionally three branch letters or digits; upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bic(String);

impl Bic {
    /// Parses a BIC; letters may be in either case.
    ///
    /// # Errors
    /// [`ContractFieldError::InvalidBic`].
    pub fn parse(text: &str) -> Result<Self, ContractFieldError> {
        let bic = text.trim().to_ascii_uppercase();
        let b = bic.as_bytes();
        let valid = (b.len() == 8 || b.len() == 11)
            && b[..6].iter().all(u8::is_ascii_uppercase)
            && b[6..].iter().all(u8::is_ascii_alphanumeric);
        if valid {
            Ok(Self(bic))
        } else {
            Err(ContractFieldError::InvalidBic(text.to_owned()))
        }
    }

    /// The BIC.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Bic {
    type Error = ContractFieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Bic> for String {
    fn from(value: Bic) -> Self {
        value.0
    }
}

/// Where a company's bank account is: an IBAN, or (where IBANs are not used) an account
/// number with the bank's code; a BIC for either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BankAccount {
    /// An IBAN.
    Iban {
        /// The IBAN.
        iban: Iban,
        /// The bank's BIC, when given.
        bic: Option<Bic>,
    },
    /// A domestic account number and bank code.
    Domestic {
        /// The account number, digits only.
        account_number: String,
        /// The bank code (sort code, routing number, BIK, …).
        bank_code: String,
        /// The bank's BIC, when given.
        bic: Option<Bic>,
    },
}

impl fmt::Display for BankAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bic = match self {
            Self::Iban { iban, bic } => {
                write!(f, "IBAN {iban}")?;
                bic
            }
            Self::Domestic {
                account_number,
                bank_code,
                bic,
            } => {
                write!(f, "account {account_number}, bank code {bank_code}")?;
                bic
            }
        };
        match bic {
            Some(bic) => write!(f, ", BIC {bic}"),
            None => Ok(()),
        }
    }
}

/// A field of the contract form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractField {
    /// The company's registered name.
    CompanyName,
    /// The company's address.
    Address,
    /// The signatory's position.
    SignatoryPosition,
    /// The signatory's full name.
    SignatoryName,
}

impl fmt::Display for ContractField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CompanyName => "the company name",
            Self::Address => "the company address",
            Self::SignatoryPosition => "the signatory's position",
            Self::SignatoryName => "the signatory's full name",
        })
    }
}

/// One thing wrong with a contract form (R12.3).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContractFieldError {
    /// A required field is empty.
    #[error("{0} is missing")]
    Missing(ContractField),
    /// Neither an IBAN nor an account number with a bank code.
    #[error("bank details are missing: give an IBAN, or an account number with the bank code")]
    BankDetailsMissing,
    /// Both an IBAN and a domestic account.
    #[error("give either an IBAN or an account number with the bank code, not both")]
    BankDetailsTwice,
    /// An IBAN that fails its checks.
    #[error("invalid IBAN {text:?}: {why}")]
    InvalidIban {
        /// The text given.
        text: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A BIC of the wrong shape.
    #[error("invalid BIC {0:?}: expected 8 or 11 characters such as DEUTDEFF or DEUTDEFF500")]
    InvalidBic(String),
    /// An account number of the wrong shape.
    #[error("invalid account number {0:?}: expected 4 to 34 digits")]
    InvalidAccountNumber(String),
    /// A domestic account without its bank code, or a bank code of the wrong shape.
    #[error("invalid bank code {0:?}: expected 3 to 15 letters or digits")]
    InvalidBankCode(String),
}

/// Every field a contract needs (R12.3).
impl vnum_core::rule::RuleError for ContractFieldError {
    fn rule(&self) -> vnum_core::RuleId {
        vnum_core::rule::R12_3
    }
}

/// The contract form as the customer filled it in; every field may be empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractForm {
    /// The company's registered name.
    pub company_name: String,
    /// The company's address.
    pub address: String,
    /// The IBAN, if the bank uses IBANs.
    pub iban: String,
    /// The account number, where no IBAN is given.
    pub account_number: String,
    /// The bank code, with an account number.
    pub bank_code: String,
    /// The bank's BIC (optional).
    pub bic: String,
    /// The signatory's position, e.g. "Managing Director".
    pub signatory_position: String,
    /// The signatory's full name.
    pub signatory_name: String,
}

/// The validated details a contract with a company needs (R12.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractDetails {
    company_name: String,
    address: String,
    bank_account: BankAccount,
    signatory_position: String,
    signatory_name: String,
}

impl ContractDetails {
    /// Validates a filled-in form (R12.3).
    ///
    /// # Errors
    /// Every problem with the form at once, so the customer can fix them in one go.
    pub fn validate(form: &ContractForm) -> Result<Self, Vec<ContractFieldError>> {
        let mut errors = Vec::new();
        let mut required = |field: ContractField, value: &str| {
            let value = value.trim();
            if value.is_empty() {
                errors.push(ContractFieldError::Missing(field));
            }
            value.to_owned()
        };
        let company_name = required(ContractField::CompanyName, &form.company_name);
        let address = required(ContractField::Address, &form.address);
        let signatory_position =
            required(ContractField::SignatoryPosition, &form.signatory_position);
        let signatory_name = required(ContractField::SignatoryName, &form.signatory_name);
        let bank_account = match bank_account(form) {
            Ok(account) => Some(account),
            Err(mut bank_errors) => {
                errors.append(&mut bank_errors);
                None
            }
        };
        match bank_account {
            Some(bank_account) if errors.is_empty() => Ok(Self {
                company_name,
                address,
                bank_account,
                signatory_position,
                signatory_name,
            }),
            _ => Err(errors),
        }
    }

    /// The company's registered name.
    #[must_use]
    pub fn company_name(&self) -> &str {
        &self.company_name
    }

    /// The company's address.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The bank account payments come from and refunds go to.
    #[must_use]
    pub const fn bank_account(&self) -> &BankAccount {
        &self.bank_account
    }

    /// The signatory's position.
    #[must_use]
    pub fn signatory_position(&self) -> &str {
        &self.signatory_position
    }

    /// The signatory's full name.
    #[must_use]
    pub fn signatory_name(&self) -> &str {
        &self.signatory_name
    }
}

fn bank_account(form: &ContractForm) -> Result<BankAccount, Vec<ContractFieldError>> {
    let mut errors = Vec::new();
    let bic = match form.bic.trim() {
        "" => None,
        text => Bic::parse(text).map_err(|e| errors.push(e)).ok(),
    };
    let iban = form.iban.trim();
    let account = form.account_number.trim();
    let code = form.bank_code.trim();
    let account_number: String = account
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let account = match (iban.is_empty(), account.is_empty() && code.is_empty()) {
        (true, true) => {
            errors.push(ContractFieldError::BankDetailsMissing);
            None
        }
        (false, false) => {
            errors.push(ContractFieldError::BankDetailsTwice);
            None
        }
        (false, true) => Iban::parse(iban)
            .map_err(|e| errors.push(e))
            .ok()
            .map(|iban| BankAccount::Iban {
                iban,
                bic: bic.clone(),
            }),
        (true, false) => {
            let account_ok = (4..=34).contains(&account_number.len())
                && account_number.bytes().all(|b| b.is_ascii_digit());
            if !account_ok {
                errors.push(ContractFieldError::InvalidAccountNumber(account.to_owned()));
            }
            let code_ok =
                (3..=15).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
            if !code_ok {
                errors.push(ContractFieldError::InvalidBankCode(code.to_owned()));
            }
            (account_ok && code_ok).then(|| BankAccount::Domestic {
                account_number,
                bank_code: code.to_owned(),
                bic: bic.clone(),
            })
        }
    };
    match account {
        Some(account) if errors.is_empty() => Ok(account),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r12_1_only_a_company_signs_a_contract() {
        use vnum_core::rule::RuleError;
        assert_eq!(CustomerKind::Company.may_sign_contract(), Ok(()));
        let refused = CustomerKind::Person.may_sign_contract().unwrap_err();
        assert_eq!(refused.rule(), vnum_core::rule::R12_1);
    }

    fn form() -> ContractForm {
        ContractForm {
            company_name: "Acme GmbH".into(),
            address: "Unter den Linden 1, 10117 Berlin".into(),
            iban: "DE89 3704 0044 0532 0130 00".into(),
            bic: "cobadeffxxx".into(),
            signatory_position: "Managing Director".into(),
            signatory_name: "Erika Mustermann".into(),
            ..ContractForm::default()
        }
    }

    #[test]
    fn iban_mod_97_accepts_real_ibans_and_catches_typos() {
        for good in [
            "DE89370400440532013000",
            "GB82 WEST 1234 5698 7654 32",
            "fr14 2004 1010 0505 0001 3m02 606",
        ] {
            assert!(Iban::parse(good).is_ok(), "{good}");
        }
        let typo = Iban::parse("DE89370400440532013001")
            .unwrap_err()
            .to_string();
        assert!(typo.contains("check digits do not match"), "{typo}");
        assert!(Iban::parse("DE89").is_err());
        assert!(Iban::parse("1289370400440532013000").is_err());
        assert_eq!(
            Iban::parse("de89370400440532013000").unwrap().to_string(),
            "DE89 3704 0044 0532 0130 00"
        );
    }

    #[test]
    fn bic_has_8_or_11_characters() {
        assert!(Bic::parse("DEUTDEFF").is_ok());
        assert!(Bic::parse("DEUTDEFF500").is_ok());
        for bad in ["DEUTDEF", "DEUTDEFF5", "1EUTDEFF", "DEUT-EFF"] {
            assert!(Bic::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn r12_3_a_complete_form_makes_contract_details() {
        let details = ContractDetails::validate(&form()).unwrap();
        assert_eq!(details.company_name(), "Acme GmbH");
        assert_eq!(
            details.bank_account().to_string(),
            "IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX"
        );
        let domestic = ContractForm {
            iban: String::new(),
            account_number: "40702 810 9000 0000 1234".into(),
            bank_code: "044525225".into(),
            bic: String::new(),
            ..form()
        };
        assert!(matches!(
            ContractDetails::validate(&domestic).unwrap().bank_account(),
            BankAccount::Domestic { account_number, .. } if account_number == "40702810900000001234"
        ));
    }

    #[test]
    fn r12_3_every_missing_or_invalid_field_is_reported_at_once() {
        let errors = ContractDetails::validate(&ContractForm {
            bic: "BAD".into(),
            ..ContractForm::default()
        })
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                ContractFieldError::Missing(ContractField::CompanyName),
                ContractFieldError::Missing(ContractField::Address),
                ContractFieldError::Missing(ContractField::SignatoryPosition),
                ContractFieldError::Missing(ContractField::SignatoryName),
                ContractFieldError::InvalidBic("BAD".into()),
                ContractFieldError::BankDetailsMissing,
            ]
        );
        assert_eq!(
            errors[3].to_string(),
            "the signatory's full name is missing"
        );
        let twice = ContractForm {
            account_number: "12345678".into(),
            bank_code: "10020030".into(),
            ..form()
        };
        assert_eq!(
            ContractDetails::validate(&twice).unwrap_err(),
            vec![ContractFieldError::BankDetailsTwice]
        );
        let no_code = ContractForm {
            iban: String::new(),
            account_number: "12345678".into(),
            ..form()
        };
        assert_eq!(
            ContractDetails::validate(&no_code).unwrap_err(),
            vec![ContractFieldError::InvalidBankCode(String::new())]
        );
    }
}

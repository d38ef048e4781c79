//! R12: a company signs a contract, pays by bank transfer and asks for its closing
//! documents; R4.6: statistics of the balance.

use vnum_accounts::ContractForm;
use vnum_app::model::CustomerKind;
use vnum_app::{Error, RegisterCustomer};
use vnum_core::{Currency, Period};
use vnum_testkit::{day, eur};

use crate::world::{catalogue, world_on};

#[tokio::test]
async fn r12_1_r12_2_r12_3_a_company_pays_by_bank_transfer_and_reconciles_its_month() {
    let world = world_on(day(2026, 3, 2));
    let shop = catalogue(&world).await;
    let acme = world
        .vnum
        .register_customer(RegisterCustomer {
            name: "Acme GmbH".into(),
            email: "billing@acme.example".into(),
            kind: CustomerKind::Company,
            currency: Currency::EUR,
        })
        .await
        .unwrap();

    // R12.3: every missing field is named at once.
    let err = world
        .vnum
        .sign_contract(acme.id, &ContractForm::default())
        .await
        .unwrap_err();
    let Error::Invalid(message) = err else {
        panic!("expected an invalid form, got {err:?}")
    };
    for field in ["name", "address", "signatory"] {
        assert!(message.contains(field), "{message} should name {field}");
    }
    let form = ContractForm {
        company_name: "Acme GmbH".into(),
        address: "Friedrichstrasse 1, 10117 Berlin".into(),
        iban: "DE89 3704 0044 0532 0130 00".into(),
        bic: "COBADEFFXXX".into(),
        signatory_position: "Managing Director".into(),
        signatory_name: "Erika Mustermann".into(),
        ..ContractForm::default()
    };
    world.vnum.sign_contract(acme.id, &form).await.unwrap();

    // R12.1: a bank transfer credits once per bank reference.
    world
        .vnum
        .record_bank_transfer(acme.id, eur("100.00"), day(2026, 3, 2), "BANK-001")
        .await
        .unwrap();
    let again = world
        .vnum
        .record_bank_transfer(acme.id, eur("100.00"), day(2026, 3, 2), "BANK-001")
        .await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    world.buy(acme.id, &shop.de_mobile, 1).await;
    world.run_renewals_until(day(2026, 4, 5)).await;
    world.top_up(acme.id, eur("20.00")).await;

    // R12.2: the statement of March opens at zero and closes on the ledger's balance.
    let march = Period::new(day(2026, 3, 1), day(2026, 4, 1)).unwrap();
    let documents = world.vnum.closing_documents(acme.id, march).await.unwrap();
    assert!(documents.statement.opening().is_zero());
    assert_eq!(
        documents.statement.closing(),
        eur("90.00"),
        "100 paid, 10 for March's month"
    );
    assert!(documents.statement_text.contains("Acme GmbH"));
    let april = Period::new(day(2026, 4, 1), day(2026, 5, 1)).unwrap();
    let next = world.vnum.closing_documents(acme.id, april).await.unwrap();
    assert_eq!(next.statement.opening(), documents.statement.closing());
    assert_eq!(next.statement.closing(), world.balance(acme.id).await);

    // A person cannot sign a contract.
    let pat = world.customer("Pat").await;
    let refused = world.vnum.sign_contract(pat.id, &form).await.unwrap_err();
    assert_eq!(refused.rule(), Some(vnum_core::rule::R12_1));
}

//! R3.D1 review, re-upload and reuse; R3.2 personal versus business requirements.

use std::collections::BTreeSet;

use proptest::prelude::*;
use vnum_compliance::{
    Document, DocumentError, DocumentKind, DocumentRequirement, EndUser, RejectionReason, Review,
    ReviewEvent, missing_documents,
};
use vnum_core::{CustomerId, DocumentId, rule};
use vnum_testkit::{at, day};

use DocumentKind::{CompanyRegistration, PassportOrId, ProofOfAddress, RepresentativeId};

fn reject(reason: &str) -> ReviewEvent {
    ReviewEvent::Reject {
        at: at(day(2026, 3, 2), 10),
        reason: RejectionReason::new(reason).expect("a test reason is not blank"),
    }
}

fn accept() -> ReviewEvent {
    ReviewEvent::Accept {
        at: at(day(2026, 3, 2), 10),
    }
}

#[test]
fn r3_d1_a_pending_document_is_accepted_once_and_the_decision_is_final() {
    let doc = Document::upload(
        DocumentId(1),
        CustomerId(7),
        PassportOrId,
        at(day(2026, 3, 1), 9),
    );
    assert_eq!(doc.state(), &Review::Pending);
    let accepted = doc.review(accept()).unwrap();
    assert!(accepted.is_accepted());
    let err = accepted.review(reject("blurred")).unwrap_err();
    assert_eq!(
        err,
        DocumentError::IllegalReview {
            state: "accepted",
            event: "reject"
        }
    );
    assert_eq!(err.to_string(), "cannot reject a document that is accepted");
    assert!(accepted.is_accepted());
}

#[test]
fn r3_d1_a_rejection_carries_a_reason_the_customer_can_act_on() {
    assert_eq!(
        RejectionReason::new("  "),
        Err(DocumentError::EmptyRejectionReason)
    );
    let doc = Document::upload(
        DocumentId(1),
        CustomerId(7),
        ProofOfAddress,
        at(day(2026, 3, 1), 9),
    );
    let rejected = doc
        .review(reject(" the bill is older than three months "))
        .unwrap();
    match rejected.state() {
        Review::Rejected { reason, .. } => {
            assert_eq!(reason.as_str(), "the bill is older than three months");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn r3_d1_a_rejected_document_is_re_uploaded_as_a_new_pending_version() {
    let doc = Document::upload(
        DocumentId(1),
        CustomerId(7),
        ProofOfAddress,
        at(day(2026, 3, 1), 9),
    );
    assert!(matches!(
        doc.reupload(DocumentId(2), at(day(2026, 3, 1), 10)),
        Err(DocumentError::NotRejected { .. })
    ));
    let rejected = doc.review(reject("unreadable scan")).unwrap();
    let second = rejected
        .reupload(DocumentId(2), at(day(2026, 3, 3), 9))
        .unwrap();
    assert_eq!(second.version(), 2);
    assert_eq!(second.kind(), ProofOfAddress);
    assert_eq!(second.customer(), CustomerId(7));
    assert_eq!(second.state(), &Review::Pending);
    let accepted = second.review(accept()).unwrap();
    assert!(matches!(
        accepted.reupload(DocumentId(3), at(day(2026, 3, 4), 9)),
        Err(DocumentError::NotRejected { .. })
    ));
}

#[test]
fn r3_d1_accepted_documents_are_reused_for_a_later_order() {
    let requirement = DocumentRequirement::new([PassportOrId, ProofOfAddress], []);
    let passport = Document::upload(
        DocumentId(1),
        CustomerId(7),
        PassportOrId,
        at(day(2026, 3, 1), 9),
    )
    .review(accept())
    .unwrap();
    let bill = Document::upload(
        DocumentId(2),
        CustomerId(7),
        ProofOfAddress,
        at(day(2026, 3, 1), 9),
    );
    let strangers = Document::upload(
        DocumentId(3),
        CustomerId(8),
        ProofOfAddress,
        at(day(2026, 3, 1), 9),
    )
    .review(accept())
    .unwrap();

    let check = missing_documents(
        &requirement,
        EndUser::Personal,
        CustomerId(7),
        [&passport, &bill, &strangers],
    );
    assert!(check.missing.is_empty());
    assert_eq!(check.awaiting_review, BTreeSet::from([ProofOfAddress]));
    assert!(!check.is_complete());
    assert_eq!(check.rule, rule::R3_D1);

    let bill = bill.review(accept()).unwrap();
    assert!(
        missing_documents(
            &requirement,
            EndUser::Personal,
            CustomerId(7),
            [&passport, &bill]
        )
        .is_complete()
    );
}

#[test]
fn r3_2_business_end_users_are_asked_for_other_documents() {
    let requirement =
        DocumentRequirement::new([PassportOrId], [CompanyRegistration, RepresentativeId]);
    let passport = Document::upload(
        DocumentId(1),
        CustomerId(7),
        PassportOrId,
        at(day(2026, 3, 1), 9),
    )
    .review(accept())
    .unwrap();
    assert!(
        missing_documents(&requirement, EndUser::Personal, CustomerId(7), [&passport])
            .is_complete()
    );
    assert_eq!(
        missing_documents(&requirement, EndUser::Business, CustomerId(7), [&passport]).missing,
        BTreeSet::from([CompanyRegistration, RepresentativeId])
    );
    assert!(requirement.applies_to(EndUser::Business));
    assert!(!DocumentRequirement::none().applies_to(EndUser::Personal));
}

fn kind() -> impl Strategy<Value = DocumentKind> {
    prop_oneof![
        Just(PassportOrId),
        Just(ProofOfAddress),
        Just(CompanyRegistration),
        Just(RepresentativeId),
        Just(DocumentKind::LocalAddress),
    ]
}

proptest! {
    /// Every required kind is exactly one of: covered by an accepted document of the
    /// customer, awaiting review, or missing.
    #[test]
    fn r3_d1_each_required_kind_is_covered_awaiting_or_missing(
        required in prop::collection::btree_set(kind(), 0..5),
        uploads in prop::collection::vec((kind(), 0u8..3, 7i64..9), 0..12),
    ) {
        let requirement = DocumentRequirement::new(required.iter().copied(), []);
        let documents: Vec<Document> = uploads
            .iter()
            .enumerate()
            .map(|(i, &(kind, review, customer))| {
                let doc = Document::upload(
                    DocumentId(i64::try_from(i).unwrap()),
                    CustomerId(customer),
                    kind,
                    at(day(2026, 3, 1), 9),
                );
                match review {
                    0 => doc,
                    1 => doc.review(accept()).unwrap(),
                    _ => doc.review(reject("unreadable")).unwrap(),
                }
            })
            .collect();
        let check = missing_documents(&requirement, EndUser::Personal, CustomerId(7), &documents);
        let of_customer = |k: DocumentKind, accepted: bool| documents.iter().any(|d| {
            d.customer() == CustomerId(7) && d.kind() == k && d.is_accepted() == accepted
                && (accepted || d.state() == &Review::Pending)
        });
        for k in &required {
            let covered = of_customer(*k, true);
            let pending = !covered && of_customer(*k, false);
            prop_assert_eq!(check.awaiting_review.contains(k), pending);
            prop_assert_eq!(check.missing.contains(k), !covered && !pending);
        }
        prop_assert!(check.missing.is_subset(&required));
        prop_assert!(check.awaiting_review.is_subset(&required));
    }
}

//! End-user documents: uploads, re-uploads of rejected ones, and the operators' review
//! (R3.1, R3.D1).

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::param::Query;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::types::multipart::Upload;
use std::borrow::Cow;

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromMultipartField, ParseResult, Type};
use poem_openapi::{ApiResponse, Enum, Multipart, Object, OpenApi};
use vnum_app::{MAX_DOCUMENT_BYTES, ReviewDecision, Vnum};
use vnum_compliance::{Document, Review};
use vnum_core::{CustomerId, DocumentId};

use crate::Tag;
use crate::auth::Caller;
use crate::page;
use crate::problem::{ApiResult, Problem, field_problem};
use crate::wire::document::DocKind;

/// Documents.
pub(crate) struct DocumentsApi {
    pub(crate) vnum: Vnum,
}

/// Where a document's review stands (R3.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "ReviewState", rename_all = "snake_case")]
pub(crate) enum ReviewState {
    /// Waiting for a reviewer.
    Pending,
    /// Accepted; counts for every later order that asks for the kind.
    Accepted,
    /// Rejected; upload a new version.
    Rejected,
}

/// One version of an uploaded document.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Document")]
pub(crate) struct DocumentBody {
    /// The id of this version.
    id: i64,
    /// The customer.
    customer: i64,
    /// The kind.
    kind: DocKind,
    /// 1 for the first upload, one more for each re-upload.
    version: u32,
    /// When it was uploaded.
    uploaded_at: DateTime<Utc>,
    /// Where its review stands.
    review: ReviewState,
    /// When it was reviewed.
    #[oai(skip_serializing_if_is_none)]
    reviewed_at: Option<DateTime<Utc>>,
    /// For a rejected document: what to fix.
    #[oai(skip_serializing_if_is_none)]
    reason: Option<String>,
}

impl From<Document> for DocumentBody {
    fn from(document: Document) -> Self {
        let (review, reviewed_at, reason) = match document.state() {
            Review::Pending => (ReviewState::Pending, None, None),
            Review::Accepted { at } => (ReviewState::Accepted, Some(*at), None),
            Review::Rejected { at, reason } => (
                ReviewState::Rejected,
                Some(*at),
                Some(reason.as_str().to_owned()),
            ),
        };
        Self {
            id: document.id().get(),
            customer: document.customer().get(),
            kind: document.kind().into(),
            version: document.version(),
            uploaded_at: document.uploaded_at(),
            review,
            reviewed_at,
            reason,
        }
    }
}

/// The wire names of the document kinds, for a problem that says what is expected.
const KINDS: [(&str, DocKind); 5] = [
    ("passport_or_id", DocKind::PassportOrId),
    ("proof_of_address", DocKind::ProofOfAddress),
    ("company_registration", DocKind::CompanyRegistration),
    ("representative_id", DocKind::RepresentativeId),
    ("local_address", DocKind::LocalAddress),
];

/// A document kind in a form field: its schema is [`DocKind`]'s list of names, and a name
/// off the list gets a 400 listing them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FormKind(DocKind);

impl Type for FormKind {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        DocKind::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        DocKind::schema_ref()
    }

    fn register(registry: &mut Registry) {
        DocKind::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromMultipartField for FormKind {
    async fn parse_from_multipart(field: Option<poem::web::Field>) -> ParseResult<Self> {
        let Some(field) = field else {
            return Err(ParseError::expected_input());
        };
        let text = field.text().await.map_err(ParseError::custom)?;
        KINDS
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, kind)| Self(*kind))
            .ok_or_else(|| {
                let names: Vec<&str> = KINDS.iter().map(|(name, _)| *name).collect();
                ParseError::custom(format!(
                    "{text:?} is not a document kind: expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// A document upload: `multipart/form-data` with a `kind` and a `file`.
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub(crate) struct DocumentUpload {
    /// The kind of document: `passport_or_id`, `proof_of_address`, `company_registration`,
    /// `representative_id` or `local_address`.
    kind: FormKind,
    /// The scan or photo, at most 10 MiB.
    file: Upload,
}

/// A re-upload of a rejected document: `multipart/form-data` with a `file`.
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub(crate) struct DocumentReupload {
    /// The new scan or photo, at most 10 MiB.
    file: Upload,
}

/// The answer to an upload.
#[derive(ApiResponse)]
pub(crate) enum Uploaded {
    /// The document is stored and waits for review.
    #[oai(status = 201)]
    Created(Json<DocumentBody>),
}

/// A reviewer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "ReviewDecision", rename_all = "snake_case")]
pub(crate) enum Decision {
    /// The document is fine.
    Accept,
    /// The document is not usable: `reason` says what to fix.
    Reject,
}

/// A review.
#[derive(Clone, Debug, Object)]
pub(crate) struct ReviewBody {
    /// Accept or reject.
    decision: Decision,
    /// Required for a rejection: what the customer has to fix.
    #[oai(validator(max_length = 500), skip_serializing_if_is_none)]
    reason: Option<String>,
}

/// A document's scan, as it was uploaded.
#[derive(ApiResponse)]
pub(crate) enum ScanFile {
    /// The file, byte for byte; its type is whatever the customer uploaded (PDF, JPEG, …).
    #[oai(status = 200, content_type = "application/octet-stream")]
    Scan(
        Binary<Vec<u8>>,
        /// `attachment; filename="document-<id>"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

async fn read_scan(file: Upload) -> ApiResult<Vec<u8>> {
    if file.size() > MAX_DOCUMENT_BYTES {
        return Err(field_problem(
            "file",
            format!(
                "the document has {} bytes: at most {MAX_DOCUMENT_BYTES} bytes are accepted",
                file.size()
            ),
        ));
    }
    file.into_vec().await.map_err(|e| {
        Problem::new(
            poem::http::StatusCode::BAD_REQUEST,
            format!("the file could not be read: {e}"),
        )
    })
}

page::page_of!(
    /// A page of documents, oldest first.
    DocumentPage,
    DocumentBody
);

#[OpenApi(prefix_path = "/v1", tag = "Tag::Documents")]
impl DocumentsApi {
    /// Upload a document
    ///
    /// An end-user document for the carriers' requirements (R3.1); pending until an
    /// operator reviews it. Numbers waiting for documents go to the carrier once every
    /// document they need is accepted (R2.2).
    #[oai(
        path = "/customers/:id/documents",
        method = "post",
        operation_id = "upload_document"
    )]
    async fn upload(
        &self,
        caller: Caller,
        id: Path<i64>,
        body: DocumentUpload,
    ) -> ApiResult<Uploaded> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let kind = body.kind.0;
        let bytes = read_scan(body.file).await?;
        let document = self.vnum.upload_document(id, kind.into(), bytes).await?;
        Ok(Uploaded::Created(Json(document.into())))
    }

    /// Re-upload a rejected document
    ///
    /// A new version of a rejected document, pending again (R3.D1).
    #[oai(
        path = "/customers/:id/documents/:document_id/reupload",
        method = "post",
        operation_id = "reupload_document"
    )]
    async fn reupload(
        &self,
        caller: Caller,
        id: Path<i64>,
        document_id: Path<i64>,
        body: DocumentReupload,
    ) -> ApiResult<Uploaded> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let bytes = read_scan(body.file).await?;
        let document = self
            .vnum
            .reupload_document(id, DocumentId(document_id.0), bytes)
            .await?;
        Ok(Uploaded::Created(Json(document.into())))
    }

    /// List a customer's documents
    ///
    /// Every version, oldest first.
    #[oai(
        path = "/customers/:id/documents",
        method = "get",
        operation_id = "list_documents"
    )]
    async fn list(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<DocumentPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let documents = self.vnum.documents_of(id).await?;
        let documents = documents.into_iter().map(DocumentBody::from).collect();
        Ok(Json(page::slice(documents, page, |d| d.id).into()))
    }

    /// Download a document's scan
    ///
    /// The file as it was uploaded, for an operator to review it; a customer may download
    /// its own (another customer's answers 404).
    #[oai(
        path = "/documents/:document_id/scan",
        method = "get",
        operation_id = "download_document_scan"
    )]
    async fn scan(&self, caller: Caller, document_id: Path<i64>) -> ApiResult<ScanFile> {
        let owner = match caller.principal() {
            vnum_app::model::Principal::Customer(own) => Some(own),
            _ => {
                caller.operator()?;
                None
            }
        };
        let (document, bytes) = self
            .vnum
            .document_scan(DocumentId(document_id.0), owner)
            .await?;
        Ok(ScanFile::Scan(
            Binary(bytes),
            format!("attachment; filename=\"document-{}\"", document.id()),
        ))
    }

    /// Documents waiting for review
    ///
    /// For operators, oldest first.
    #[oai(
        path = "/documents/pending",
        method = "get",
        operation_id = "list_pending_documents"
    )]
    async fn pending(
        &self,
        caller: Caller,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<DocumentPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        caller.operator()?;
        let documents = self.vnum.pending_documents().await?;
        let documents = documents.into_iter().map(DocumentBody::from).collect();
        Ok(Json(page::slice(documents, page, |d| d.id).into()))
    }

    /// Review a document
    ///
    /// For operators: accept, or reject with a reason the customer reads (R3.D1).
    #[oai(
        path = "/documents/:document_id/review",
        method = "post",
        operation_id = "review_document"
    )]
    async fn review(
        &self,
        caller: Caller,
        document_id: Path<i64>,
        body: Json<ReviewBody>,
    ) -> ApiResult<Json<DocumentBody>> {
        caller.operator()?;
        let decision = match (body.0.decision, body.0.reason) {
            (Decision::Accept, _) => ReviewDecision::Accept,
            (Decision::Reject, Some(reason)) => ReviewDecision::Reject { reason },
            (Decision::Reject, None) => {
                return Err(field_problem(
                    "reason",
                    "a rejection needs a reason that tells the customer what to fix",
                ));
            }
        };
        let document = self
            .vnum
            .review_document(DocumentId(document_id.0), decision)
            .await?;
        Ok(Json(document.into()))
    }
}

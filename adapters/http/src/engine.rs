//! The SIP engine's endpoints: routing inbound calls, the CallerID of outgoing calls,
//! digest credentials, call detail records and inbound SMS. For the engine's key (and
//! operators'): the SIP engine (Kamailio, FreeSWITCH) and the SMS gateway call them; a
//! customer's key gets 403.

use std::time::Duration;

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use vnum_app::{CallOut, InboundRoute, Vnum};
use vnum_calls::{CallLine, CallRecordFields, CallerId, RoutingDecision, VoicemailFallback};
use vnum_core::{CallId, NumberId, TrialId};

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::params::{DialledNumbers, invalid};
use crate::problem::{ApiResult, Problem};
use crate::wire::call::{Call, Direction, Disposition};
use crate::wire::sms::SmsDelivered;

/// The version of the Kamailio `rtjson` routing document this API writes.
const RTJSON_VERSION: &str = "1.0";

/// The SIP engine's operations.
pub(crate) struct EngineApi {
    pub(crate) vnum: Vnum,
    /// The numbers the engine named before.
    pub(crate) dialled: DialledNumbers,
    /// The longest the engine may keep a routing decision ([`Options::route_cache`]).
    ///
    /// [`Options::route_cache`]: crate::Options::route_cache
    pub(crate) route_cache: Duration,
}

/// What to do with an inbound call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "RoutingAction", rename_all = "snake_case")]
pub(crate) enum Action {
    /// Ring the branches (or routes), then voicemail if given.
    Ring,
    /// Answer with voicemail at once (R4.5).
    Voicemail,
    /// Refuse the call with the SIP status.
    Reject,
}

/// How the engine wants the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "RoutingFormat", rename_all = "snake_case")]
pub(crate) enum Format {
    /// vnum's own shape: branches with their step.
    Json,
    /// Kamailio `rtjson`: `routing` and `routes` with `fr_inv_timer` in milliseconds.
    Rtjson,
}

/// One leg to ring.
#[derive(Clone, Debug, Object)]
#[oai(rename = "RoutingBranch")]
pub(crate) struct Branch {
    /// The SIP request URI.
    uri: String,
    /// Branches of one step ring together; step `n + 1` starts when step `n` rang out.
    step: u16,
    /// How long the branch rings.
    timeout_seconds: u32,
}

/// One route of a Kamailio `rtjson` document.
#[derive(Clone, Debug, Object)]
#[oai(rename = "RtjsonRoute")]
pub(crate) struct Route {
    /// The SIP request URI.
    uri: String,
    /// How long the route rings, in milliseconds (`fr_inv_timer`).
    fr_inv_timer: u64,
}

/// What happens when nobody answers (R4.5).
#[derive(Clone, Debug, Object)]
#[oai(rename = "VoicemailFallback")]
pub(crate) struct Voicemail {
    /// Seconds from the start of ringing until voicemail answers.
    after_seconds: u32,
    /// The greeting to play (R13.1); without one the engine's standard prompt plays.
    #[oai(skip_serializing_if_is_none)]
    greeting: Option<i64>,
}

impl From<VoicemailFallback> for Voicemail {
    fn from(fallback: VoicemailFallback) -> Self {
        Self {
            after_seconds: fallback.after_seconds,
            greeting: fallback.greeting.map(vnum_core::GreetingId::get),
        }
    }
}

/// The routing decision for one inbound call.
///
/// `ring`: `branches` (or, with `?format=rtjson`, `version`, `routing` and `routes`, which
/// Kamailio's `rtjson_init_routes` reads and whose other fields it ignores) and `voicemail`
/// when it is the fallback; `voicemail`: `voicemail`; `reject`: the SIP `status` and
/// `reason` to answer with. `rule` names the rule that decided (R10.4 for a suspended
/// account).
#[derive(Clone, Debug, Object)]
#[oai(rename = "RoutingDecision")]
pub(crate) struct Routing {
    /// Ring, voicemail or reject.
    action: Action,
    /// The rented number's id, to name in the call record (R4.6); absent for a free test's
    /// number or a number nobody rents.
    #[oai(skip_serializing_if_is_none)]
    number: Option<i64>,
    /// The free test's id when the dialled number is a free test's (R8 Decision): the call
    /// record names it instead of a number.
    #[oai(skip_serializing_if_is_none)]
    trial: Option<i64>,
    /// The branches to ring, ordered by step (default format).
    #[oai(skip_serializing_if_is_none)]
    branches: Option<Vec<Branch>>,
    /// `1.0`, the version of the `rtjson` document (`rtjson` format).
    #[oai(skip_serializing_if_is_none)]
    version: Option<String>,
    /// `serial` or `parallel` (`rtjson` format).
    #[oai(skip_serializing_if_is_none)]
    routing: Option<String>,
    /// The routes, in order (`rtjson` format).
    #[oai(skip_serializing_if_is_none)]
    routes: Option<Vec<Route>>,
    /// Voicemail, at once or after the branches rang out.
    #[oai(skip_serializing_if_is_none)]
    voicemail: Option<Voicemail>,
    /// The SIP status of a rejection.
    #[oai(skip_serializing_if_is_none)]
    status: Option<u16>,
    /// The SIP reason phrase of a rejection.
    #[oai(skip_serializing_if_is_none)]
    reason: Option<String>,
    /// The rule that decided.
    rule: String,
    /// How many seconds the engine may answer calls to this number with this decision
    /// without asking again; 0: ask for every call. vnum tells the engine when a change
    /// (a forwarding plan, the number's state, its owner's balance or SIP accounts) ends
    /// the decision earlier.
    cache_seconds: u64,
}

impl Routing {
    /// The decision in `format`, which the engine may keep for `cache` at most.
    fn new(route: InboundRoute, format: Format, cache: Duration) -> Self {
        let InboundRoute {
            number,
            trial,
            decision,
            stable_for,
        } = route;
        let rule = decision.rule().as_str().to_owned();
        // Whole seconds, rounded down: a decision never outlives the instant it changes at.
        let stable = stable_for.map_or(cache, |d| d.to_std().unwrap_or_default());
        let mut routing = Self {
            cache_seconds: cache.min(stable).as_secs(),
            action: Action::Reject,
            number: number.map(NumberId::get),
            trial: trial.map(TrialId::get),
            branches: None,
            version: None,
            routing: None,
            routes: None,
            voicemail: None,
            status: None,
            reason: None,
            rule,
        };
        match decision {
            RoutingDecision::Ring {
                branches,
                voicemail,
                ..
            } => {
                routing.action = Action::Ring;
                routing.voicemail = voicemail.map(Voicemail::from);
                match format {
                    Format::Json => {
                        routing.branches = Some(
                            branches
                                .into_iter()
                                .map(|b| Branch {
                                    uri: b.uri,
                                    step: b.step,
                                    timeout_seconds: b.timeout_seconds,
                                })
                                .collect(),
                        );
                    }
                    Format::Rtjson => {
                        // The router's plans are one step of parallel branches or steps of
                        // one branch each, which is exactly what rtjson can say.
                        let parallel = branches.len() > 1 && branches.iter().all(|b| b.step == 0);
                        routing.version = Some(RTJSON_VERSION.to_owned());
                        routing.routing =
                            Some(if parallel { "parallel" } else { "serial" }.to_owned());
                        routing.routes = Some(
                            branches
                                .into_iter()
                                .map(|b| Route {
                                    uri: b.uri,
                                    fr_inv_timer: u64::from(b.timeout_seconds) * 1000,
                                })
                                .collect(),
                        );
                    }
                }
            }
            RoutingDecision::Voicemail { voicemail, .. } => {
                routing.action = Action::Voicemail;
                routing.voicemail = Some(voicemail.into());
            }
            RoutingDecision::Reject(rejection) => {
                routing.status = Some(rejection.status);
                routing.reason = Some(rejection.reason.to_owned());
            }
        }
        routing
    }
}

/// Whether an outgoing call presents a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "CallerIdAction", rename_all = "snake_case")]
pub(crate) enum Presentation {
    /// Present `number` as the caller.
    Present,
    /// Withhold the caller's number.
    Withheld,
}

/// The CallerID of an outgoing call (R6).
#[derive(Clone, Debug, Object)]
#[oai(rename = "OutboundDecision")]
pub(crate) struct Outbound {
    /// The calling account.
    login: String,
    /// Present or withheld.
    caller_id: Presentation,
    /// The number to present, E.164.
    #[oai(skip_serializing_if_is_none)]
    number: Option<String>,
    /// The rented number (its id) to name in the call record (R4.6): the account's
    /// number, shown or not; absent when the account has no live number.
    #[oai(skip_serializing_if_is_none)]
    number_id: Option<i64>,
    /// The rule that decided the CallerID (R6.2: no add-on; R6.3: the destination's
    /// country).
    rule: String,
    /// The longest the call may last, in seconds: what the balance pays at the
    /// destination's rate (R6.D2). Absent when the call is rejected.
    #[oai(skip_serializing_if_is_none)]
    max_duration: Option<u32>,
    /// The SIP answer to refuse the call with, and the rule that refused. Absent when the
    /// call may be made.
    #[oai(skip_serializing_if_is_none)]
    reject: Option<OutboundReject>,
}

/// A call out refused (R6.D2, R10.4, R5.1): the SIP status and reason phrase the engine
/// answers the caller with, and the rule. 402 Payment Required when a payment would let
/// the call through (in debt, R10.4; the first increment not covered, R6.D2); 403
/// Forbidden otherwise (no rate for the destination, no number to call from).
#[derive(Clone, Debug, Object)]
#[oai(rename = "OutboundRejection")]
pub(crate) struct OutboundReject {
    /// The SIP status: 402 or 403.
    code: u16,
    /// Why, in words the caller can read.
    reason: String,
    /// The rule that refused.
    rule: String,
}

/// Digest credentials of a SIP account (R5.1): the engine never sees a password.
#[derive(Clone, Debug, Object)]
#[oai(rename = "SipDigestCredentials")]
pub(crate) struct DigestCredentials {
    /// The login.
    login: String,
    /// The digest realm, the provider's SIP domain.
    realm: String,
    /// MD5(login:realm:password), 32 lower-case hex digits.
    ha1: String,
}

/// A call as the SIP engine reports it (R4.6).
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewCallRecord")]
pub(crate) struct NewCall {
    /// The rented number (its id) the call was to or from: `number` or `trial`, one of
    /// them, as the routing decision named it.
    #[oai(skip_serializing_if_is_none)]
    number: Option<i64>,
    /// The free test (its id) whose number the call was to (R8 Decision).
    #[oai(skip_serializing_if_is_none)]
    trial: Option<i64>,
    /// Inbound or outbound.
    direction: Direction,
    /// The caller as signalled.
    #[oai(validator(max_length = 256))]
    from: String,
    /// The callee as signalled.
    #[oai(validator(max_length = 256))]
    to: String,
    /// When the call arrived.
    start: DateTime<Utc>,
    /// When it was answered, for answered and voicemail calls.
    #[oai(skip_serializing_if_is_none)]
    answer: Option<DateTime<Utc>>,
    /// When it ended.
    end: DateTime<Utc>,
    /// How it ended.
    disposition: Disposition,
    /// The SIP status of a rejected call.
    #[oai(skip_serializing_if_is_none)]
    sip_status: Option<u16>,
    /// The request URI of the branch that answered.
    #[oai(validator(max_length = 256), skip_serializing_if_is_none)]
    answered_by: Option<String>,
    /// The engine's name for the call, its SIP Call-ID: a second report of the same call
    /// counts once, as with `Idempotency-Key` (for engines that cannot send headers).
    #[oai(
        validator(min_length = 1, max_length = 200),
        skip_serializing_if_is_none
    )]
    call_id: Option<String>,
}

impl NewCall {
    /// The name a repeated report is known by: the `Idempotency-Key` header or the body's
    /// `call_id`, which must agree when both are sent.
    fn reference(&self, header: Option<String>) -> ApiResult<Option<String>> {
        match (header, &self.call_id) {
            (Some(key), Some(call_id)) if key != *call_id => Err(invalid(
                "call_id",
                format!(
                    "it names another call than the Idempotency-Key header ({key}): send one \
                     of them, or both the same"
                ),
            )),
            (Some(key), _) => Ok(Some(key)),
            (None, call_id) => Ok(call_id.clone()),
        }
    }
}

impl TryFrom<NewCall> for CallRecordFields {
    type Error = Problem;

    fn try_from(call: NewCall) -> Result<Self, Problem> {
        let disposition = match (call.disposition, call.sip_status) {
            (Disposition::Answered, _) => vnum_calls::Disposition::Answered,
            (Disposition::NoAnswer, _) => vnum_calls::Disposition::NoAnswer,
            (Disposition::Busy, _) => vnum_calls::Disposition::Busy,
            (Disposition::Voicemail, _) => vnum_calls::Disposition::Voicemail,
            (Disposition::Rejected, Some(code @ 300..=699)) => {
                vnum_calls::Disposition::Rejected { code }
            }
            (Disposition::Rejected, Some(code)) => {
                return Err(invalid(
                    "sip_status",
                    format!(
                        "{code} is not a final failure response: a rejected call has a SIP \
                         status from 300 to 699"
                    ),
                ));
            }
            (Disposition::Rejected, None) => {
                return Err(invalid(
                    "sip_status",
                    "a rejected call needs the SIP status it was rejected with",
                ));
            }
        };
        let line = match (call.number, call.trial) {
            (Some(number), None) => CallLine::Number(NumberId(number)),
            (None, Some(trial)) => CallLine::Trial(TrialId(trial)),
            _ => {
                return Err(invalid(
                    "number",
                    "a call report names the rented number (`number`) or the free test \
                     (`trial`) the routing decision named, one of them",
                ));
            }
        };
        Ok(Self {
            id: CallId(0),
            line,
            direction: match call.direction {
                Direction::Inbound => vnum_calls::Direction::Inbound,
                Direction::Outbound => vnum_calls::Direction::Outbound,
            },
            from: call.from,
            to: call.to,
            start: call.start,
            answer: call.answer,
            end: call.end,
            disposition,
            answered_by: call.answered_by,
        })
    }
}

/// The answer to a call report.
#[derive(ApiResponse)]
pub(crate) enum Recorded {
    /// The call was stored.
    #[oai(status = 201)]
    Created(Json<Call>),
    /// The call was reported before under the same `Idempotency-Key`: nothing was stored;
    /// the first record.
    #[oai(status = 200)]
    Replayed(Json<Call>),
}

/// Call reports sent together (`POST /v1/engine/calls/batch`).
#[derive(Clone, Debug, Object)]
#[oai(rename = "CallReportBatch")]
pub(crate) struct CallBatch {
    /// 1 to 500 reports, each with its `call_id`.
    #[oai(validator(min_items = 1, max_items = 500))]
    calls: Vec<NewCall>,
}

/// A report of a batch that vnum refused.
#[derive(Clone, Debug, Object)]
#[oai(rename = "RefusedCallReport")]
pub(crate) struct RefusedReport {
    /// Its `call_id`.
    call_id: String,
    /// The status a report of its own would have been answered with (404, 409, 422).
    status: u16,
    /// Why.
    detail: String,
}

/// What became of a batch of call reports.
#[derive(Clone, Debug, Object)]
#[oai(rename = "CallReportBatchResult")]
pub(crate) struct BatchResult {
    /// How many reports are stored now (new ones, and ones reported before).
    recorded: u32,
    /// The reports vnum refused; sending them again would not change that.
    refused: Vec<RefusedReport>,
}

/// An SMS from the gateway.
#[derive(Clone, Debug, Object)]
pub(crate) struct InboundSms {
    /// The number it was sent to, E.164.
    #[oai(validator(pattern = r"^\+[1-9][0-9]{7,14}$"))]
    to: String,
    /// The sender as the gateway reports it (a short code or a name, not always E.164).
    #[oai(validator(max_length = 64))]
    from: String,
    /// The text.
    #[oai(validator(max_length = 1600))]
    text: String,
}

#[OpenApi(prefix_path = "/v1/engine", tag = "Tag::Engine")]
impl EngineApi {
    /// Route an inbound call
    ///
    /// For the SIP engine, on every call to a rented number: ring, voicemail or reject with
    /// a SIP status and the rule (404 for an unknown number, 480 with R10.4 while the
    /// owner's balance is below zero). `?format=rtjson` answers ring decisions in the shape
    /// of Kamailio's `rtjson` module (`routing`, `routes` with `fr_inv_timer`).
    #[oai(path = "/route", method = "get", operation_id = "engine_route")]
    async fn route(
        &self,
        caller: Caller,
        /// The dialled number, E.164 (`%2B4930…`; an unencoded `+`, read as a space, is
        /// accepted too).
        #[oai(validator(pattern = r"^[+ ][1-9][0-9]{7,14}$"))]
        to: Query<String>,
        /// `json` (default) or `rtjson`.
        format: Query<Option<Format>>,
    ) -> ApiResult<Json<Routing>> {
        caller.engine()?;
        let dialled = self.dialled.phone("to", &to.0)?;
        let route = self.vnum.route_inbound(&dialled).await?;
        Ok(Json(Routing::new(
            route,
            format.0.unwrap_or(Format::Json),
            self.route_cache,
        )))
    }

    /// Decide an outgoing call
    ///
    /// For the SIP engine, on every call from a SIP account: the number to present, or
    /// withheld (R6.1–R6.3), and whether the call may be made (R6.D2): `max_duration` in
    /// seconds, what the balance pays at the destination's rate, or `reject` with the SIP
    /// `code` to answer (402 in debt, R10.4, or when the first increment is not covered,
    /// R6.D2; 403 without a rate, R6.D2, or without a live number to call from, R5.1), its
    /// `reason` and `rule`. A refusal is a 200 decision the engine applies.
    #[oai(path = "/outbound", method = "get", operation_id = "engine_outbound")]
    async fn outbound(
        &self,
        caller: Caller,
        /// The calling account's login.
        login: Query<String>,
        /// The destination, E.164 (an unencoded `+`, read as a space, is accepted too).
        #[oai(validator(pattern = r"^[+ ][1-9][0-9]{7,14}$"))]
        to: Query<String>,
    ) -> ApiResult<Json<Outbound>> {
        caller.engine()?;
        let destination = self.dialled.phone("to", &to.0)?;
        let decision = self.vnum.authorize_outbound(&login.0, &destination).await?;
        let rule = decision.caller_id.rule().as_str().to_owned();
        let (caller_id, number) = match decision.caller_id {
            CallerId::Present { number, .. } => (Presentation::Present, Some(number.to_string())),
            CallerId::Withheld { .. } => (Presentation::Withheld, None),
        };
        let (max_duration, reject) = match decision.call_out {
            CallOut::Allowed { max_seconds, .. } => (Some(max_seconds), None),
            CallOut::Refused {
                rule,
                reason,
                unpaid,
            } => (
                None,
                Some(OutboundReject {
                    code: if unpaid { 402 } else { 403 },
                    reason,
                    rule: rule.as_str().to_owned(),
                }),
            ),
        };
        Ok(Json(Outbound {
            login: decision.login,
            caller_id,
            number,
            number_id: decision.number.map(NumberId::get),
            rule,
            max_duration,
            reject,
        }))
    }

    /// Digest credentials of a SIP account
    ///
    /// For the SIP registrar: the realm and HA1 of a login, to check digest
    /// authentication (R5.1). Passwords are never stored.
    #[oai(
        path = "/sip-accounts/:login",
        method = "get",
        operation_id = "engine_sip_account"
    )]
    async fn sip_account(
        &self,
        caller: Caller,
        login: Path<String>,
    ) -> ApiResult<Json<DigestCredentials>> {
        caller.engine()?;
        let record = self.vnum.sip_account_by_login(&login.0).await?;
        Ok(Json(DigestCredentials {
            login: record.account.login().as_str().to_owned(),
            realm: record.account.realm().to_owned(),
            ha1: record.account.ha1().as_str().to_owned(),
        }))
    }

    /// Record a call
    ///
    /// For the SIP engine, after every call: the call detail record (R4.6) that call
    /// statistics are made of. With an `Idempotency-Key` or a `call_id` (the call's SIP
    /// Call-ID) a report sent again answers 200 with the first record and is counted once;
    /// the same key for a different call answers 409.
    #[oai(path = "/calls", method = "post", operation_id = "engine_record_call")]
    async fn record_call(
        &self,
        caller: Caller,
        /// The engine's name for the call, 1 to 200 characters, such as its Call-ID.
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 200))]
        idempotency_key: Header<Option<String>>,
        body: Json<NewCall>,
    ) -> ApiResult<Recorded> {
        caller.engine()?;
        let reference = body.0.reference(idempotency_key.0)?;
        let recorded = self
            .vnum
            .record_call(body.0.try_into()?, reference.as_deref())
            .await?;
        let mut call: Call = recorded.call.into();
        call.cost = recorded.cost.map(MoneyBody::from);
        let call = Json(call);
        Ok(if recorded.replayed {
            Recorded::Replayed(call)
        } else {
            Recorded::Created(call)
        })
    }

    /// Record calls in a batch
    ///
    /// For the SIP engine: up to 500 call reports in one request, each as `POST
    /// /v1/engine/calls` takes it and with its `call_id`, so that a batch sent again counts
    /// each call once. Reports vnum refuses (an unknown number, inconsistent times, a
    /// `call_id` of another call) are listed in `refused` and the others stored; when vnum
    /// cannot store a report (503), it answers 503 and the engine sends the whole batch
    /// again.
    #[oai(
        path = "/calls/batch",
        method = "post",
        operation_id = "engine_record_calls"
    )]
    async fn record_calls(
        &self,
        caller: Caller,
        body: Json<CallBatch>,
    ) -> ApiResult<Json<BatchResult>> {
        caller.engine()?;
        let mut result = BatchResult {
            recorded: 0,
            refused: Vec::new(),
        };
        let calls = body.0.calls;
        if let Some(index) = calls.iter().position(|c| c.call_id.is_none()) {
            return Err(invalid(
                &format!("calls[{index}].call_id"),
                "every report of a batch needs its call_id, so that a batch sent again counts \
                 each call once",
            ));
        }
        // Reports that cannot be read are refused on their own; the rest are stored
        // together, with one answer each.
        let mut readable = Vec::with_capacity(calls.len());
        let mut refusals = Vec::new();
        for report in calls {
            let call_id = report.call_id.clone().unwrap_or_default();
            match CallRecordFields::try_from(report) {
                Ok(fields) => readable.push((fields, call_id)),
                Err(problem) => refusals.push((call_id, problem)),
            }
        }
        let ids: Vec<String> = readable.iter().map(|(_, id)| id.clone()).collect();
        let outcomes = self.vnum.record_calls(readable).await?;
        for (call_id, outcome) in ids.into_iter().zip(outcomes) {
            match outcome {
                Ok(_) => result.recorded += 1,
                Err(error) => refusals.push((call_id, Problem::from(error))),
            }
        }
        for (call_id, refused) in refusals {
            if refused.status_code().is_server_error() {
                return Err(refused);
            }
            tracing::warn!(call_id, status = refused.status, detail = %refused.detail, "a call report was refused");
            result.refused.push(RefusedReport {
                call_id,
                status: refused.status,
                detail: refused.detail,
            });
        }
        Ok(Json(result))
    }

    /// Deliver an inbound SMS
    ///
    /// For the SMS gateway: delivers a message to the rented number, kept for its customer
    /// to read (`GET /v1/customers/{id}/numbers/{number_id}/sms`), or else to the one-shot
    /// allocation waiting on the number (R9.1). The customer is told (`number.sms_received`
    /// or `sms.received`). 404 for a number neither rented nor allocated; 422 with the rule
    /// while the balance is below zero (R10.4), for a rented number not connected yet
    /// (R1.2), for a second SMS to a one-shot number (R9.1) or one after expiry (R9.D1).
    #[oai(path = "/sms", method = "post", operation_id = "engine_deliver_sms")]
    async fn deliver_sms(
        &self,
        caller: Caller,
        body: Json<InboundSms>,
    ) -> ApiResult<Json<SmsDelivered>> {
        caller.engine()?;
        let number = self.dialled.phone("to", &body.0.to)?;
        if body.0.text.is_empty() {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "`text` is empty: an SMS has a text",
            ));
        }
        let delivery = self
            .vnum
            .receive_sms(&number, &body.0.from, &body.0.text)
            .await?;
        Ok(Json(delivery.into()))
    }
}

#[cfg(test)]
mod tests {
    use vnum_calls::{Branch as Leg, Rejection};
    use vnum_core::rule;

    use super::*;

    fn unnamed(decision: RoutingDecision) -> InboundRoute {
        InboundRoute {
            number: None,
            trial: None,
            decision,
            stable_for: None,
        }
    }

    fn leg(uri: &str, step: u16, seconds: u32) -> Leg {
        Leg {
            uri: uri.to_owned(),
            step,
            timeout_seconds: seconds,
        }
    }

    #[test]
    fn r5_d1_steps_of_one_branch_are_serial_rtjson_routes_in_milliseconds() {
        let decision = RoutingDecision::Ring {
            branches: vec![leg("sip:a@x", 0, 15), leg("sip:b@x", 1, 25)],
            voicemail: Some(VoicemailFallback {
                after_seconds: 40,
                greeting: None,
            }),
            rule: rule::R5_D1,
        };
        let routing = Routing::new(unnamed(decision), Format::Rtjson, Duration::ZERO);
        assert_eq!(routing.routing.as_deref(), Some("serial"));
        assert_eq!(routing.version.as_deref(), Some("1.0"));
        let routes = routing.routes.unwrap_or_default();
        let timers: Vec<u64> = routes.iter().map(|r| r.fr_inv_timer).collect();
        assert_eq!(timers, [15_000, 25_000]);
        assert!(routing.branches.is_none());
        assert_eq!(routing.voicemail.map(|v| v.after_seconds), Some(40));
        assert_eq!(routing.rule, "R5.D1");
    }

    #[test]
    fn r4_4_one_step_of_several_branches_is_parallel() {
        let decision = RoutingDecision::Ring {
            branches: vec![leg("sip:a@x", 0, 20), leg("sip:b@x", 0, 20)],
            voicemail: None,
            rule: rule::R4_4,
        };
        let routing = Routing::new(unnamed(decision), Format::Rtjson, Duration::ZERO);
        assert_eq!(routing.routing.as_deref(), Some("parallel"));
    }

    #[test]
    fn r10_4_a_rejection_carries_its_sip_status_reason_and_rule() {
        let decision = RoutingDecision::Reject(Rejection {
            status: 480,
            reason: "Temporarily Unavailable",
            rule: rule::R10_4,
        });
        for format in [Format::Json, Format::Rtjson] {
            let route = InboundRoute {
                number: Some(NumberId(7)),
                trial: None,
                decision: decision.clone(),
                stable_for: None,
            };
            let routing = Routing::new(route, format, Duration::ZERO);
            assert_eq!(routing.action, Action::Reject);
            assert_eq!(
                routing.number,
                Some(7),
                "the engine reports the refused call"
            );
            assert_eq!(routing.status, Some(480));
            assert_eq!(routing.reason.as_deref(), Some("Temporarily Unavailable"));
            assert_eq!(routing.rule, "R10.4");
            assert!(routing.routes.is_none() && routing.branches.is_none());
        }
    }

    #[test]
    fn a_decision_is_kept_no_longer_than_the_option_allows_nor_past_its_change() {
        let ring = || RoutingDecision::Ring {
            branches: vec![leg("sip:a@x", 0, 20)],
            voicemail: None,
            rule: rule::R8_1,
        };
        let minute = Duration::from_secs(60);
        let cases = [
            (None, minute, 60),
            (None, Duration::ZERO, 0),
            (Some(chrono::TimeDelta::seconds(90)), minute, 60),
            (Some(chrono::TimeDelta::milliseconds(30_900)), minute, 30),
            (Some(chrono::TimeDelta::milliseconds(900)), minute, 0),
            (Some(chrono::TimeDelta::seconds(90)), Duration::ZERO, 0),
        ];
        for (stable_for, cache, expected) in cases {
            let route = InboundRoute {
                number: None,
                trial: None,
                decision: ring(),
                stable_for,
            };
            let routing = Routing::new(route, Format::Rtjson, cache);
            assert_eq!(routing.cache_seconds, expected, "{stable_for:?} {cache:?}");
        }
    }
}

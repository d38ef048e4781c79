//! Email: the `Notifier` port written to the log, or sent over SMTP with `lettre`.
//!
//! The message about an event comes from its type's template: a subject, a text body and
//! an HTML body with `{{placeholders}}` named after the event's data fields (an amount
//! reads `12.50 EUR`) plus `event_id`, `event_type` and `created_at`. The built-in
//! templates can be replaced one file at a time from a directory
//! (`email_templates_dir`): `<type>.subject`, `<type>.txt`, `<type>.html`, such as
//! `number.connected.subject`.
//!
//! Headers cannot be injected: values put in the subject have every control character
//! (CR and LF above all) replaced by a space, the recipient must parse as one address, and
//! `lettre` encodes what is left. HTML bodies get their values escaped.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;
use vnum_app::model::{Event, Notice};
use vnum_app::ports::{Notifier, NotifyError};

/// One event type's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// A message written from a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The subject, one line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// The templates of every event type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Templates {
    by_type: BTreeMap<&'static str, Template>,
}

fn builtin(subject: &str, text: &str) -> Template {
    let paragraphs: String = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>\n", p.trim()))
        .collect();
    Template {
        subject: subject.to_owned(),
        text: format!("{text}\n"),
        html: format!("<!doctype html>\n<html><body>\n{paragraphs}</body></html>\n"),
    }
}

impl Default for Templates {
    fn default() -> Self {
        let mut by_type = BTreeMap::new();
        let mut add = |kind: &'static str, subject: &str, text: &str| {
            by_type.insert(kind, builtin(subject, text));
        };
        add(
            "number.connected",
            "Your number {{number}} is connected",
            "Your new number {{number}} is connected and ready for calls. It is charged on \
             day {{charge_day}} of every month; the first term is paid until {{paid_until}}.",
        );
        add(
            "number.provisioning_failed",
            "A number you ordered cannot be provided",
            "The carrier could not provide number {{number_id}} of your order \
             ({{reason}}). {{refund}} went back to your balance (R1.D3).",
        );
        add(
            "account.suspended",
            "Your numbers are suspended: the balance is negative",
            "The monthly fees were charged and your balance is now {{balance}}. Your numbers \
             stay yours, but they receive no calls and no SMS until the balance is zero or \
             above again (R10.4).\n\nTop up to restore service; your charge days do not \
             change (R10.5).",
        );
        add(
            "account.resumed",
            "Your numbers work again",
            "Your balance is {{balance}}: your numbers receive calls and SMS again (R10.4).",
        );
        add(
            "payment.credited",
            "Payment received: {{amount}}",
            "{{amount}} was credited to your balance, which is now {{balance}}.",
        );
        add(
            "sms.received",
            "SMS for {{service}} on {{number}}",
            "Your one-shot number {{number}} received an SMS for {{service}}:\n\n{{text}}",
        );
        add(
            "number.sms_received",
            "SMS from {{from}} on {{number}}",
            "Your number {{number}} received an SMS from {{from}}:\n\n{{text}}",
        );
        add(
            "recording.delivered",
            "Your professional recording is ready",
            "The professional recording you ordered (order {{order_id}}) is now greeting \
             {{greeting_id}} of your number {{number_id}}. Select it and turn the greeting on \
             in the number's settings to play it (R13.1).",
        );
        add(
            "recording.cancelled",
            "Your professional recording was cancelled",
            "Your order {{order_id}} of a professional recording was cancelled: {{reason}} \
             {{refund}} went back to your balance.",
        );
        add(
            "waitlist.restocked",
            "{{wanted}} are on sale again",
            "You asked to be told when {{wanted}} go on sale. Offer {{offer_id}} has \
             numbers in stock now; whoever orders first gets them.",
        );
        add(
            "document.reviewed",
            "Your document {{document_id}} was {{decision}}",
            "Your document {{document_id}} was reviewed: {{decision}}. {{reason}}",
        );
        add(
            "trial.ended",
            "Your free test of {{number}} has ended",
            "The hour of your free test of {{number}} is over; calls to it are no longer \
             delivered to you.",
        );
        add(
            "webhook.disabled",
            "Your webhook endpoint {{endpoint_id}} is disabled",
            "Deliveries to {{url}} kept failing (last: {{last_error}}), so the endpoint \
             takes no more events. Register it again once it answers.",
        );
        Self { by_type }
    }
}

impl Templates {
    /// The built-in templates, each part replaced by the file of the same name in `dir`
    /// when there is one.
    ///
    /// # Errors
    /// When `dir` cannot be read, or holds a file named after no event type and part.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut templates = Self::default();
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the email templates in {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let (kind, part) = name.rsplit_once('.').unwrap_or((&name, ""));
            let Some(template) = templates.by_type.get_mut(kind) else {
                anyhow::bail!(
                    "{}: no event type is called {kind}; the types are {}",
                    path.display(),
                    Notice::TYPES.join(", ")
                );
            };
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            match part {
                "subject" => template.subject = text.trim().to_owned(),
                "txt" => template.text = text,
                "html" => template.html = text,
                _ => anyhow::bail!(
                    "{}: a template is <type>.subject, <type>.txt or <type>.html",
                    path.display()
                ),
            }
        }
        Ok(templates)
    }

    /// The message about `event`.
    #[must_use]
    pub fn render(&self, event: &Event) -> Rendered {
        let values = placeholders(event);
        let template = self
            .by_type
            .get(event.notice.type_name())
            .cloned()
            .unwrap_or_else(|| builtin(event.notice.type_name(), "{{event_type}}"));
        let subject = fill(&template.subject, &values, one_line);
        Rendered {
            subject: one_line(&subject),
            text: fill(&template.text, &values, str::to_owned),
            html: fill(&template.html, &values, html_escape),
        }
    }
}

/// The values a template may name.
fn placeholders(event: &Event) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    if let Value::Object(fields) = event.notice.data() {
        for (name, value) in fields {
            let text = match value {
                Value::Null => String::new(),
                Value::String(s) => s,
                Value::Object(ref o) if o.contains_key("amount") && o.contains_key("currency") => {
                    format!(
                        "{} {}",
                        o["amount"].as_str().unwrap_or_default(),
                        o["currency"].as_str().unwrap_or_default()
                    )
                }
                other => other.to_string(),
            };
            values.insert(name, text);
        }
    }
    if !values.contains_key("refund") || values["refund"].is_empty() {
        values.insert("refund".into(), "Nothing".into());
    }
    values.insert("event_id".into(), event.id.0.clone());
    values.insert("event_type".into(), event.notice.type_name().into());
    values.insert("created_at".into(), event.created_at.to_rfc3339());
    values
}

/// `template` with every `{{name}}` replaced by its value through `escape`; unknown names
/// are left as they are.
fn fill(
    template: &str,
    values: &BTreeMap<String, String>,
    escape: impl Fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match values.get(name) {
                    Some(value) => out.push_str(&escape(value)),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// One line: control characters (CR, LF, tab, …) become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A notifier that writes each message to the log instead of sending it: the default when
/// no SMTP server is configured.
#[derive(Clone, Debug, Default)]
pub struct LogNotifier {
    templates: Templates,
}

impl LogNotifier {
    /// Logs messages written from `templates`.
    #[must_use]
    pub fn new(templates: Templates) -> Self {
        Self { templates }
    }
}

#[async_trait]
impl Notifier for LogNotifier {
    async fn notify(&self, event: &Event) -> Result<(), NotifyError> {
        let message = self.templates.render(event);
        tracing::info!(
            event = %event.id,
            to = event.email.as_deref().unwrap_or_default(),
            subject = %message.subject,
            "email not sent: no SMTP server configured"
        );
        Ok(())
    }
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP upgraded with STARTTLS, which the server must offer (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: a relay on the same host or network only.
    None,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "starttls" => Ok(Self::Starttls),
            "tls" => Ok(Self::Tls),
            "none" => Ok(Self::None),
            other => Err(format!(
                "{other} is not starttls, tls or none (how the SMTP connection is secured)"
            )),
        }
    }
}

/// Where and how to send email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpSettings {
    /// The server's host name (checked against its certificate with TLS).
    pub host: String,
    /// Its port.
    pub port: u16,
    /// STARTTLS, implicit TLS or none.
    pub security: SmtpSecurity,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    /// The sender (`vnum <noreply@example.com>`).
    pub from: String,
    /// How long one conversation may take.
    pub timeout: Duration,
    /// A PEM file of root certificates trusted besides the usual ones.
    pub ca_file: Option<std::path::PathBuf>,
}

/// A notifier that sends each message over SMTP. A message the server does not accept is
/// an error: the outbox tries the event again later, with backoff.
#[derive(Clone)]
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    templates: Templates,
}

impl std::fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpNotifier")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpNotifier {
    /// A notifier on the server `settings` name, writing messages from `templates`. No
    /// connection is made before the first message.
    ///
    /// # Errors
    /// When the sender is not one address, or TLS cannot be set up for the host.
    pub fn new(settings: &SmtpSettings, templates: Templates) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .with_context(|| format!("the sender {:?} is not an email address", settings.from))?;
        let builder = match (settings.security, &settings.ca_file) {
            (SmtpSecurity::None, _) => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
            (security, Some(ca_file)) => {
                let pem = std::fs::read(ca_file)
                    .with_context(|| format!("cannot read smtp_ca_file {}", ca_file.display()))?;
                let root = Certificate::from_pem(&pem).with_context(|| {
                    format!(
                        "smtp_ca_file {} holds no PEM certificate",
                        ca_file.display()
                    )
                })?;
                let parameters = TlsParameters::builder(settings.host.clone())
                    .add_root_certificate(root)
                    .build_rustls()
                    .context("cannot set up TLS for the SMTP server")?;
                let tls = if security == SmtpSecurity::Tls {
                    Tls::Wrapper(parameters)
                } else {
                    Tls::Required(parameters)
                };
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host).tls(tls)
            }
            (SmtpSecurity::Starttls, None) => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .context("cannot set up STARTTLS for the SMTP server")?
            }
            (SmtpSecurity::Tls, None) => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                    .context("cannot set up TLS for the SMTP server")?
            }
        };
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            templates,
        })
    }

    /// The message about `event`, as it would be sent.
    ///
    /// # Errors
    /// When the event has no recipient, or the recipient is not one address.
    pub fn message(&self, event: &Event) -> Result<Message, NotifyError> {
        let to = event.email.clone().unwrap_or_default();
        let refused = |reason: String| NotifyError {
            to: to.clone(),
            reason,
        };
        let mailbox: Mailbox = to
            .parse()
            .map_err(|e| refused(format!("not an email address: {e}")))?;
        let rendered = self.templates.render(event);
        Message::builder()
            .from(self.from.clone())
            .to(mailbox)
            .subject(rendered.subject)
            .message_id(Some(format!("<{}@{}>", event.id, self.from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| refused(e.to_string()))
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    async fn notify(&self, event: &Event) -> Result<(), NotifyError> {
        let message = self.message(event)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| NotifyError {
                to: event.email.clone().unwrap_or_default(),
                reason: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use vnum_app::model::EventId;
    use vnum_core::CustomerId;

    fn restocked(wanted: &str) -> Event {
        Event {
            id: EventId("0b0c2f9e-8f1b-4c59-9a53-2d9c36c1d0a1".into()),
            created_at: chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
            email: Some("ann@example.com".into()),
            notice: Notice::WaitlistRestocked {
                customer: CustomerId(7),
                entry_id: 3,
                wanted: wanted.into(),
                offer_id: 12,
            },
        }
    }

    #[test]
    fn r7_1_a_city_with_cr_lf_stays_in_the_subject_line() {
        let rendered =
            Templates::default().render(&restocked("numbers in Berlin\r\nBcc: victim@example.com"));
        assert!(!rendered.subject.contains('\r') && !rendered.subject.contains('\n'));
        assert_eq!(
            rendered.subject,
            "numbers in Berlin  Bcc: victim@example.com are on sale again"
        );
    }

    #[test]
    fn html_bodies_escape_values_and_text_bodies_keep_them() {
        let rendered = Templates::default().render(&restocked("<b>Berlin</b> & more"));
        assert!(
            rendered
                .html
                .contains("&lt;b&gt;Berlin&lt;/b&gt; &amp; more")
        );
        assert!(rendered.text.contains("<b>Berlin</b> & more"));
    }

    #[test]
    fn a_template_file_replaces_its_part_only() {
        let dir = std::env::temp_dir().join(format!("vnum-templates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("waitlist.restocked.subject"),
            "Offer {{offer_id}}: {{wanted}} ({{event_id}})\n",
        )
        .unwrap();
        let templates = Templates::load(&dir).unwrap();
        let rendered = templates.render(&restocked("numbers in Berlin"));
        assert_eq!(
            rendered.subject,
            "Offer 12: numbers in Berlin (0b0c2f9e-8f1b-4c59-9a53-2d9c36c1d0a1)"
        );
        assert!(rendered.text.contains("whoever orders first"));
        std::fs::write(dir.join("number.lost.txt"), "x").unwrap();
        let err = Templates::load(&dir).unwrap_err();
        assert!(err.to_string().contains("number.lost"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

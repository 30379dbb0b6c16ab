//! The mail sent to designated approvers and to requesters.

use askama::Template;
use chrono::{DateTime, Utc};

use super::RequestView;
use crate::domain::ids::Email;
use crate::domain::request::{AccessRequest, Status};
use crate::domain::subscription::{Locale, Owner};
use crate::i18n::{self, format_time_written, texts, Texts};
use crate::ports::OutgoingMail;

#[derive(Template)]
#[template(path = "mail/approver.txt")]
struct ApproverText<'a> {
    t: &'a Texts,
    v: &'a RequestView,
    expiry: &'a str,
    request_link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/approver.html")]
struct ApproverHtml<'a> {
    t: &'a Texts,
    v: &'a RequestView,
    expiry: &'a str,
    request_link: &'a str,
}

/// Builds the mail that requests `approver`'s decision on `request`. Its one link, to the
/// request's page, carries `token`.
pub fn approver_mail(
    request: &AccessRequest,
    approver: &Owner,
    public_url: &str,
    token: &str,
    now: DateTime<Utc>,
) -> OutgoingMail {
    let t = texts(approver.locale);
    let view = RequestView::new(request, approver.locale, now);
    let request_link = format!("{public_url}/lockbox/requests/{}?token={token}", request.request_id);
    let expiry = t
        .mail_expiry
        .replace("{date}", &format_time_written(request.expires_at, approver.locale));
    let text = ApproverText {
        t,
        v: &view,
        expiry: &expiry,
        request_link: &request_link,
    };
    let html = ApproverHtml {
        t,
        v: &view,
        expiry: &expiry,
        request_link: &request_link,
    };
    OutgoingMail {
        to: approver.email.clone(),
        subject: format!("{} – {}", t.mail_subject, request.subscription_id),
        text: text.render().unwrap_or_default(),
        html: html.render().unwrap_or_default(),
    }
}

/// A request's fields as its requester reads them in the outcome mail, in one language.
struct RequesterView {
    request_id: String,
    subscription_id: String,
    resource_id: String,
    resource_kind: &'static str,
    scope: &'static str,
    permission: &'static str,
    support_ticket_id: String,
}

impl RequesterView {
    fn new(request: &AccessRequest, locale: Locale) -> Self {
        Self {
            request_id: request.request_id.to_string(),
            subscription_id: request.subscription_id.to_string(),
            resource_id: request.resource_id.to_string(),
            resource_kind: i18n::resource_kind_label(request.resource_kind, locale),
            scope: i18n::scope_label(request.scope, locale),
            permission: i18n::permission_label(request.permission_level, locale),
            support_ticket_id: request.support_ticket_id.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "mail/requester.txt")]
struct RequesterText<'a> {
    t: &'a Texts,
    v: &'a RequesterView,
    summary: &'a str,
    when: Option<&'a str>,
    reason: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mail/requester.html")]
struct RequesterHtml<'a> {
    t: &'a Texts,
    v: &'a RequesterView,
    subject: &'a str,
    summary: &'a str,
    when: Option<&'a str>,
    reason: Option<&'a str>,
}

/// Returns the instant that the outcome mail gives for `outcome`: when access ends or ended, or
/// when the request expired.
fn outcome_time(request: &AccessRequest, outcome: Status) -> Option<DateTime<Utc>> {
    match outcome {
        Status::Approved | Status::AccessEnded => request.access_ends_at,
        Status::Expired => Some(request.expires_at),
        Status::Revoked => request.closed_at,
        _ => None,
    }
}

/// Returns the reason to show with `outcome`. The stored reason belongs to the request's last
/// step, so it is shown only while the request is still in the outcome's state, and never for
/// ended access, whose reason is the one given with the approval.
fn outcome_reason(request: &AccessRequest, outcome: Status) -> Option<&str> {
    let recorded_with_outcome = matches!(
        outcome,
        Status::Approved | Status::Denied | Status::Rejected | Status::Revoked
    );
    if recorded_with_outcome && request.status == outcome {
        request.reason.as_deref()
    } else {
        None
    }
}

/// Builds the requester's mail about `request` reaching `outcome`, in the request's
/// `requester_locale`. Returns `None` for a status that is not an outcome the requester is
/// mailed about. The mail carries no link, because requesters read their requests through the
/// API.
pub fn requester_mail(request: &AccessRequest, outcome: Status, to: &Email) -> Option<OutgoingMail> {
    let locale = request.requester_locale;
    let t = texts(locale);
    let sentences = i18n::outcome_texts(outcome, locale)?;
    let view = RequesterView::new(request, locale);
    let subject = sentences
        .subject
        .replace("{resource}", &view.resource_id)
        .replace("{subscription}", &view.subscription_id);
    let when = sentences
        .when
        .zip(outcome_time(request, outcome))
        .map(|(sentence, at)| sentence.replace("{date}", &format_time_written(at, locale)));
    let reason = outcome_reason(request, outcome);
    let text = RequesterText {
        t,
        v: &view,
        summary: sentences.summary,
        when: when.as_deref(),
        reason,
    };
    let html = RequesterHtml {
        t,
        v: &view,
        subject: &subject,
        summary: sentences.summary,
        when: when.as_deref(),
        reason,
    };
    Some(OutgoingMail {
        to: to.clone(),
        text: text.render().unwrap_or_default(),
        html: html.render().unwrap_or_default(),
        subject,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::app::notify::OUTCOMES;
    use crate::domain::identity::{Caller, Role};
    use crate::domain::ids::{ResourceId, SubscriptionId, SupportTicketId, TenantId};
    use crate::domain::policy::{JitEvaluation, Verdict};
    use crate::domain::request::{Decision, NewRequest, PermissionLevel, ResourceKind, Scope};
    use crate::domain::subscription::{Subscription, SupportPlan};

    const ALICE: &str = "alice@contoso.example";
    const ENGINEER: &str = "engineer@provider.example";

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap()
    }

    fn email(raw: &str) -> Email {
        Email::parse(raw).unwrap()
    }

    fn submitted(locale: Locale) -> AccessRequest {
        let new = NewRequest {
            subscription_id: SubscriptionId::parse("sub-1").unwrap(),
            resource_id: ResourceId::parse("vm-web-01").unwrap(),
            resource_kind: ResourceKind::VirtualMachine,
            scope: Scope::Resource,
            permission_level: PermissionLevel::Read,
            support_ticket_id: SupportTicketId::parse("T-1001").unwrap(),
            justification: "The web VM's disk is full".into(),
            requester_locale: locale,
        };
        let engineer = Caller {
            principal: email(ENGINEER),
            mfa: true,
            isolated_identity: false,
            roles: vec![Role::SupportEngineer],
            tenant: None,
        };
        let tenant = TenantId::parse("contoso").unwrap();
        AccessRequest::submit(new, tenant, &engineer, t0(), TimeDelta::hours(96), TimeDelta::hours(8)).0
    }

    fn notified(locale: Locale) -> AccessRequest {
        let owners = vec![Owner {
            email: email(ALICE),
            locale: Locale::En,
        }];
        let subscription = Subscription::new(
            SubscriptionId::parse("sub-1").unwrap(),
            TenantId::parse("contoso").unwrap(),
            SupportPlan::Premier,
            owners,
            t0(),
            email("admin@provider.example"),
        )
        .unwrap();
        let evaluation = JitEvaluation {
            rule: "customer-decides".into(),
            verdict: Verdict::CustomerApproval,
        };
        submitted(locale)
            .apply_jit(evaluation, Some(&subscription), t0())
            .unwrap()
            .request
    }

    /// Approved one hour after submission, so access ends at 19:00 UTC.
    fn approved(locale: Locale) -> AccessRequest {
        let at = t0() + TimeDelta::hours(1);
        notified(locale)
            .decide(&email(ALICE), Decision::Approve, None, at)
            .unwrap()
            .request
    }

    fn denied(locale: Locale) -> AccessRequest {
        let reason = Some("Not during the change freeze".to_owned());
        let at = t0() + TimeDelta::hours(1);
        notified(locale)
            .decide(&email(ALICE), Decision::Deny, reason, at)
            .unwrap()
            .request
    }

    /// Expired at its deadline, four days after submission.
    fn expired(locale: Locale) -> AccessRequest {
        notified(locale).expire(t0() + TimeDelta::hours(96)).unwrap().request
    }

    fn rejected(locale: Locale) -> AccessRequest {
        let evaluation = JitEvaluation {
            rule: "no-admin".into(),
            verdict: Verdict::Reject {
                reason: "admin access needs an isolated identity".into(),
            },
        };
        submitted(locale).apply_jit(evaluation, None, t0()).unwrap().request
    }

    /// Revoked three hours after submission, at 13:00 UTC.
    fn revoked(locale: Locale) -> AccessRequest {
        let reason = Some("The disk is fixed".to_owned());
        approved(locale)
            .revoke(&email(ALICE), reason, t0() + TimeDelta::hours(3))
            .unwrap()
            .request
    }

    fn access_ended(locale: Locale) -> AccessRequest {
        approved(locale).expire(t0() + TimeDelta::hours(9)).unwrap().request
    }

    fn mail(request: &AccessRequest, outcome: Status) -> OutgoingMail {
        requester_mail(request, outcome, &email(ENGINEER)).expect("an outcome mail")
    }

    #[test]
    fn approved_text_reads_in_english() {
        let request = approved(Locale::En);
        let mail = mail(&request, Status::Approved);
        let expected = format!(
            "Hello,\n\
             \n\
             A designated approver of the customer approved your access request. \
             Your access is open until Friday 4 December 2026 at 19:00 UTC.\n\
             \n\
             Request: {}\n\
             Subscription: sub-1\n\
             Resource: vm-web-01 (Virtual machine)\n\
             Scope: Single resource\n\
             Permission level: Read\n\
             Support ticket: T-1001\n\
             \n\
             You receive this mail because you submitted this access request.",
            request.request_id
        );
        assert_eq!(mail.text.trim_end(), expected);
        assert_eq!(mail.to.as_str(), ENGINEER);
    }

    #[test]
    fn approved_text_reads_in_french() {
        let request = approved(Locale::Fr);
        let mail = mail(&request, Status::Approved);
        let expected = format!(
            "Bonjour,\n\
             \n\
             Un approbateur désigné du client a approuvé votre demande d’accès. \
             Votre accès est ouvert jusqu’au vendredi 4 décembre 2026 à 19:00 UTC.\n\
             \n\
             Demande\u{a0}: {}\n\
             Abonnement\u{a0}: sub-1\n\
             Ressource\u{a0}: vm-web-01 (Machine virtuelle)\n\
             Étendue\u{a0}: Ressource unique\n\
             Niveau d’autorisation\u{a0}: Lecture\n\
             Ticket de support\u{a0}: T-1001\n\
             \n\
             Vous recevez cet e-mail parce que vous avez soumis cette demande d’accès.",
            request.request_id
        );
        assert_eq!(mail.text.trim_end(), expected);
    }

    #[test]
    fn subjects_and_summaries_per_outcome() {
        // (outcome, request, locale, subject, sentences the text and HTML parts contain)
        let cases: Vec<(Status, AccessRequest, Locale, &str, Vec<&str>)> = vec![
            (
                Status::Approved,
                approved(Locale::En),
                Locale::En,
                "Access approved: vm-web-01 in subscription sub-1",
                vec!["Your access is open until Friday 4 December 2026 at 19:00 UTC."],
            ),
            (
                Status::Approved,
                approved(Locale::Fr),
                Locale::Fr,
                "Accès approuvé\u{a0}: vm-web-01 dans l’abonnement sub-1",
                vec!["Votre accès est ouvert jusqu’au vendredi 4 décembre 2026 à 19:00 UTC."],
            ),
            (
                Status::Denied,
                denied(Locale::En),
                Locale::En,
                "Access denied: vm-web-01 in subscription sub-1",
                vec![
                    "denied your access request, so no access is granted.",
                    "Not during the change freeze",
                ],
            ),
            (
                Status::Denied,
                denied(Locale::Fr),
                Locale::Fr,
                "Accès refusé\u{a0}: vm-web-01 dans l’abonnement sub-1",
                vec!["a refusé votre demande d’accès", "Not during the change freeze"],
            ),
            (
                Status::Expired,
                expired(Locale::En),
                Locale::En,
                "Access request expired: vm-web-01 in subscription sub-1",
                vec![
                    "Nobody decided on your access request",
                    "The request expired on Tuesday 8 December 2026 at 10:00 UTC.",
                ],
            ),
            (
                Status::Expired,
                expired(Locale::Fr),
                Locale::Fr,
                "Demande d’accès expirée\u{a0}: vm-web-01 dans l’abonnement sub-1",
                vec![
                    "Aucune décision n’a été prise",
                    "La demande a expiré le mardi 8 décembre 2026 à 10:00 UTC.",
                ],
            ),
            (
                Status::Rejected,
                rejected(Locale::En),
                Locale::En,
                "Access request rejected: vm-web-01 in subscription sub-1",
                vec![
                    "rejected before it reached the customer",
                    "admin access needs an isolated identity",
                ],
            ),
            (
                Status::Rejected,
                rejected(Locale::Fr),
                Locale::Fr,
                "Demande d’accès rejetée\u{a0}: vm-web-01 dans l’abonnement sub-1",
                vec![
                    "rejetée avant de parvenir au client",
                    "admin access needs an isolated identity",
                ],
            ),
            (
                Status::Revoked,
                revoked(Locale::En),
                Locale::En,
                "Access revoked: vm-web-01 in subscription sub-1",
                vec![
                    "ended your access before its scheduled end",
                    "Your access ended on Friday 4 December 2026 at 13:00 UTC.",
                    "The disk is fixed",
                ],
            ),
            (
                Status::Revoked,
                revoked(Locale::Fr),
                Locale::Fr,
                "Accès révoqué\u{a0}: vm-web-01 dans l’abonnement sub-1",
                vec![
                    "a mis fin à votre accès",
                    "Votre accès a pris fin le vendredi 4 décembre 2026 à 13:00 UTC.",
                    "The disk is fixed",
                ],
            ),
            (
                Status::AccessEnded,
                access_ended(Locale::En),
                Locale::En,
                "Access ended: vm-web-01 in subscription sub-1",
                vec![
                    "Your access reached its scheduled end.",
                    "Your access ended on Friday 4 December 2026 at 19:00 UTC.",
                ],
            ),
            (
                Status::AccessEnded,
                access_ended(Locale::Fr),
                Locale::Fr,
                "Accès terminé\u{a0}: vm-web-01 dans l’abonnement sub-1",
                vec![
                    "Votre accès a atteint son échéance prévue.",
                    "Votre accès a pris fin le vendredi 4 décembre 2026 à 19:00 UTC.",
                ],
            ),
        ];
        for (outcome, request, locale, subject, sentences) in cases {
            let mail = mail(&request, outcome);
            assert_eq!(mail.subject, subject, "subject of {outcome} in {locale:?}");
            for sentence in sentences {
                assert!(
                    mail.text.contains(sentence),
                    "{outcome} text in {locale:?} lacks {sentence:?}: {}",
                    mail.text
                );
                assert!(
                    mail.html.contains(sentence),
                    "{outcome} HTML in {locale:?} lacks {sentence:?}: {}",
                    mail.html
                );
            }
            assert!(
                mail.text.contains(&request.request_id.to_string()),
                "{outcome} text names the request"
            );
            assert!(mail.text.contains("T-1001"), "{outcome} text names the support ticket");
            let lang = match locale {
                Locale::En => "<html lang=\"en\">",
                Locale::Fr => "<html lang=\"fr\">",
            };
            assert!(mail.html.contains(lang), "{outcome} HTML in {locale:?} lacks {lang}");
        }
    }

    #[test]
    fn mail_shows_no_status_id() {
        for (outcome, request) in [
            (Status::Approved, approved(Locale::En)),
            (Status::AccessEnded, access_ended(Locale::En)),
            (Status::Expired, expired(Locale::Fr)),
        ] {
            let mail = mail(&request, outcome);
            for status in Status::ALL.iter().filter(|status| status.as_str().contains('_')) {
                assert!(
                    !mail.subject.contains(status.as_str()),
                    "{outcome} subject shows {status}"
                );
                assert!(!mail.text.contains(status.as_str()), "{outcome} text shows {status}");
                assert!(!mail.html.contains(status.as_str()), "{outcome} HTML shows {status}");
            }
        }
    }

    #[test]
    fn reason_belongs_to_its_outcome() {
        let text = mail(&denied(Locale::En), Status::Denied).text;
        assert!(text.contains("Reason: Not during the change freeze"), "{text}");
        let text = mail(&denied(Locale::Fr), Status::Denied).text;
        assert!(text.contains("Motif\u{a0}: Not during the change freeze"), "{text}");

        // An approval event handled after the revocation must not show the revocation's reason.
        let late_approval = mail(&revoked(Locale::En), Status::Approved);
        assert!(
            !late_approval.text.contains("The disk is fixed"),
            "{}",
            late_approval.text
        );
        assert!(!late_approval.text.contains("Reason"), "{}", late_approval.text);

        let with_note = notified(Locale::En)
            .decide(&email(ALICE), Decision::Approve, Some("Read only, please".into()), t0())
            .unwrap()
            .request;
        let approval = mail(&with_note, Status::Approved).text;
        assert!(approval.contains("Reason: Read only, please"), "{approval}");
        let ended = with_note.expire(t0() + TimeDelta::hours(8)).unwrap().request;
        let ended_text = mail(&ended, Status::AccessEnded).text;
        assert!(!ended_text.contains("Read only, please"), "{ended_text}");
    }

    #[test]
    fn html_escapes_and_text_stays_plain() {
        let request = notified(Locale::En)
            .decide(
                &email(ALICE),
                Decision::Deny,
                Some("<b>no</b> & \"never\"".into()),
                t0(),
            )
            .unwrap()
            .request;
        let mail = mail(&request, Status::Denied);
        assert!(
            mail.html.contains("&#60;b&#62;no&#60;/b&#62; &#38; &#34;never&#34;"),
            "{}",
            mail.html
        );
        assert!(!mail.html.contains("<b>no</b>"), "{}", mail.html);
        assert!(mail.text.contains("Reason: <b>no</b> & \"never\"\n"), "{}", mail.text);
        assert!(!mail.text.contains("<p>"), "{}", mail.text);
        assert!(!mail.text.contains("&#"), "{}", mail.text);
    }

    #[test]
    fn requester_mail_has_no_link() {
        for (outcome, request) in [
            (Status::Approved, approved(Locale::En)),
            (Status::Revoked, revoked(Locale::Fr)),
        ] {
            let mail = mail(&request, outcome);
            for part in [&mail.text, &mail.html] {
                assert!(!part.contains("http"), "{outcome} mail has a link: {part}");
                assert!(!part.contains("token"), "{outcome} mail mentions a token: {part}");
            }
        }
    }

    #[test]
    fn every_outcome_has_mail_in_both_languages() {
        for outcome in OUTCOMES {
            for locale in [Locale::En, Locale::Fr] {
                let request = submitted(locale);
                assert!(
                    requester_mail(&request, outcome, &email(ENGINEER)).is_some(),
                    "no {outcome} mail in {locale:?}"
                );
            }
        }
        for status in Status::ALL.into_iter().filter(|status| !OUTCOMES.contains(status)) {
            let request = submitted(Locale::En);
            assert!(
                requester_mail(&request, status, &email(ENGINEER)).is_none(),
                "{status} is not an outcome"
            );
        }
    }
}

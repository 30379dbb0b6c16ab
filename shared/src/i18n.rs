//! The words of the mail to approvers and requesters and of the approver pages, in English and
//! French.

use chrono::{DateTime, Datelike, TimeDelta, Utc};

use crate::domain::audit::Operation;
use crate::domain::request::{PermissionLevel, ResourceKind, Scope, Status};
use crate::domain::subscription::Locale;

/// Every sentence and label of the mail and the approver pages, in one language, except the
/// requester mail's sentences about each outcome, which [`outcome_texts`] returns.
pub struct Texts {
    pub lang: &'static str,
    /// The colon after a label, with the space French puts before it.
    pub colon: &'static str,
    pub mail_subject: &'static str,
    pub mail_greeting: &'static str,
    pub mail_intro: &'static str,
    pub mail_expiry: &'static str,
    pub mail_open: &'static str,
    pub mail_ignore: &'static str,
    /// The last line of the requester's outcome mail, with the reason they receive it.
    pub requester_footer: &'static str,
    pub label_request: &'static str,
    pub label_subscription: &'static str,
    pub label_tenant: &'static str,
    pub label_resource: &'static str,
    pub label_resource_kind: &'static str,
    pub label_scope: &'static str,
    pub label_permission: &'static str,
    pub label_ticket: &'static str,
    pub label_requester: &'static str,
    pub label_justification: &'static str,
    pub label_status: &'static str,
    pub label_created: &'static str,
    pub label_expires: &'static str,
    pub label_access_ends: &'static str,
    pub label_decided_by: &'static str,
    pub page_title: &'static str,
    pub pending_title: &'static str,
    pub pending_none: &'static str,
    pub details_title: &'static str,
    pub decide_prompt: &'static str,
    pub approve: &'static str,
    pub deny: &'static str,
    pub revoke: &'static str,
    pub revoke_prompt: &'static str,
    pub approved_done: &'static str,
    pub denied_done: &'static str,
    pub revoked_done: &'static str,
    pub conflict_title: &'static str,
    /// Explains that a request in the state `{status}` can no longer change.
    pub closed_body: &'static str,
    /// Explains that someone else changed the request at the same moment.
    pub changed_body: &'static str,
    pub forbidden_title: &'static str,
    pub not_found_title: &'static str,
    pub invalid_title: &'static str,
    /// Explains that the form field `{field}` is missing or invalid.
    pub invalid_body: &'static str,
    pub not_found_body: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    pub token_damaged: &'static str,
    pub token_expired: &'static str,
    pub token_other_request: &'static str,
    pub token_not_owner: &'static str,
    pub back_to_list: &'static str,
    pub language_label: &'static str,
    pub continue_title: &'static str,
    pub continue_body: &'static str,
    pub continue_link: &'static str,
    pub label_jit: &'static str,
    /// Says that the JIT rule `{rule}` sent the request to the customer.
    pub jit_customer: &'static str,
    /// Says that `{approver}` approved the request on the provider's side first.
    pub jit_internal: &'static str,
    pub label_reason: &'static str,
    pub deny_reason_label: &'static str,
    pub revoke_reason_label: &'static str,
    pub label_time_left: &'static str,
    pub tab_pending: &'static str,
    pub tab_history: &'static str,
    pub history_title: &'static str,
    /// Explains the history tab; `{days}` is how many days it covers.
    pub history_intro: &'static str,
    pub history_none: &'static str,
    pub closed_title: &'static str,
    pub closed_none: &'static str,
    pub label_closed_at: &'static str,
    pub audit_title: &'static str,
    pub label_operation: &'static str,
    pub label_actor: &'static str,
    pub label_at: &'static str,
    pub filter_all: &'static str,
    pub filter_submit: &'static str,
    pub form_rejected_title: &'static str,
    pub form_missing_nonce: &'static str,
    pub form_invalid_nonce: &'static str,
    pub form_cross_origin: &'static str,
    pub stale_form_title: &'static str,
    /// Explains that the posted form is out of date; `{status}` is the request's current state.
    pub stale_form_body: &'static str,
    pub expired_title: &'static str,
    pub expired_body: &'static str,
    pub session_expired: &'static str,
}

pub const EN: Texts = Texts {
    lang: "en",
    colon: ":",
    mail_subject: "Access request pending your approval",
    mail_greeting: "Hello,",
    mail_intro: "A support engineer has asked for access to data in your subscription. Nobody can access your data unless a designated approver of the subscription approves.",
    mail_expiry: "Without a decision, the request expires on its own on {date}, and no access is granted.",
    mail_open: "Review the request and decide",
    mail_ignore: "Opening the link changes nothing; only the Approve or Deny button on the page decides.",
    requester_footer: "You receive this mail because you submitted this access request.",
    label_request: "Request",
    label_subscription: "Subscription",
    label_tenant: "Tenant",
    label_resource: "Resource",
    label_resource_kind: "Resource type",
    label_scope: "Scope",
    label_permission: "Permission level",
    label_ticket: "Support ticket",
    label_requester: "Requested by",
    label_justification: "Justification",
    label_status: "Status",
    label_created: "Requested at",
    label_expires: "Expires at",
    label_access_ends: "Access ends at",
    label_decided_by: "Decided by",
    page_title: "Customer Lockbox",
    pending_title: "Requests waiting for your decision",
    pending_none: "No request is waiting for your decision.",
    details_title: "Access request",
    decide_prompt: "Approve to grant access for {duration}, or deny to refuse it.",
    approve: "Approve",
    deny: "Deny",
    revoke: "Revoke access now",
    revoke_prompt: "Access is open. You can end it before its scheduled end.",
    approved_done: "You approved this request. Access is open until",
    denied_done: "You denied this request. No access is granted.",
    revoked_done: "You revoked access. It has ended.",
    conflict_title: "This request can no longer be changed",
    closed_body: "This request is in the state “{status}”. It can no longer be approved, denied or revoked.",
    changed_body: "Someone changed this request at the same moment. Open the link again to see its current state.",
    forbidden_title: "This link cannot be used",
    not_found_title: "Request not found",
    invalid_title: "Invalid form",
    invalid_body: "The form field “{field}” is missing or invalid. Use the buttons on the request’s page.",
    not_found_body: "This request no longer exists. Finished requests are deleted after their retention period.",
    error_title: "Something went wrong",
    error_body: "The service could not complete the action. Nothing was changed. Please try again in a moment.",
    token_damaged: "The link is damaged or incomplete. Open it again from the original email, or copy the whole address.",
    token_expired: "The link has expired.",
    token_other_request: "This link belongs to another request.",
    token_not_owner: "You are no longer an owner of this request's subscription, so this link no longer works.",
    back_to_list: "Back to pending requests",
    language_label: "Language",
    continue_title: "Opening the page",
    continue_body: "Your browser opens the page in a moment. If it does not, use this link:",
    continue_link: "Open the page",
    label_jit: "Access policy",
    jit_customer: "Rule “{rule}” requires the customer's approval",
    jit_internal: "approved first by {approver} at the provider",
    label_reason: "Reason",
    deny_reason_label: "Reason for denying (optional, kept in the audit log)",
    revoke_reason_label: "Reason for revoking (optional, kept in the audit log)",
    label_time_left: "Time left",
    tab_pending: "Pending",
    tab_history: "History",
    history_title: "History of this subscription",
    history_intro: "Requests created, approved, denied and expired in the last {days} days, newest first.",
    history_none: "No entry matches.",
    closed_title: "Decided and expired requests",
    closed_none: "No request was decided or expired in this period.",
    label_closed_at: "Outcome recorded",
    audit_title: "Audit log",
    label_operation: "Operation",
    label_actor: "By",
    label_at: "When",
    filter_all: "All four operations",
    filter_submit: "Show",
    form_rejected_title: "This form cannot be used",
    form_missing_nonce: "The form is incomplete, so nothing was changed. Open the request's page again and use its buttons.",
    form_invalid_nonce: "The form does not belong to this request's page, so nothing was changed. Open the request's page again and use its buttons.",
    form_cross_origin: "The form was sent from another site, so it was refused and nothing was changed. Open the link in your email and use the buttons on the request's page.",
    stale_form_title: "This page was out of date",
    stale_form_body: "This form was already used, or the request changed after the page was loaded, so nothing was changed. The request is now in the state “{status}”.",
    expired_title: "This request has expired",
    expired_body: "Nobody decided this request before its deadline, so it expired and no access was granted. It can no longer be approved or denied.",
    session_expired: "The page was open too long, or the browser did not keep its cookie. Open the link in your email again.",
};

pub const FR: Texts = Texts {
    lang: "fr",
    colon: "\u{a0}:",
    mail_subject: "Demande d’accès en attente de votre approbation",
    mail_greeting: "Bonjour,",
    mail_intro: "Un ingénieur du support demande à accéder à des données de votre abonnement. Personne n’accède à vos données sans l’accord d’un approbateur désigné de l’abonnement.",
    mail_expiry: "Sans décision, la demande expire d’elle-même le {date}, et aucun accès n’est accordé.",
    mail_open: "Examiner la demande et décider",
    mail_ignore: "Ouvrir le lien ne change rien\u{a0}; seuls les boutons Approuver ou Refuser de la page décident.",
    requester_footer: "Vous recevez cet e-mail parce que vous avez soumis cette demande d’accès.",
    label_request: "Demande",
    label_subscription: "Abonnement",
    label_tenant: "Locataire",
    label_resource: "Ressource",
    label_resource_kind: "Type de ressource",
    label_scope: "Étendue",
    label_permission: "Niveau d’autorisation",
    label_ticket: "Ticket de support",
    label_requester: "Demandé par",
    label_justification: "Justification",
    label_status: "État",
    label_created: "Demandé le",
    label_expires: "Expire le",
    label_access_ends: "Fin de l’accès",
    label_decided_by: "Décidé par",
    page_title: "Customer Lockbox",
    pending_title: "Demandes en attente de votre décision",
    pending_none: "Aucune demande n’attend votre décision.",
    details_title: "Demande d’accès",
    decide_prompt: "Approuvez pour accorder l’accès pendant {duration}, ou refusez-le.",
    approve: "Approuver",
    deny: "Refuser",
    revoke: "Révoquer l’accès maintenant",
    revoke_prompt: "L’accès est ouvert. Vous pouvez y mettre fin avant l’échéance prévue.",
    approved_done: "Vous avez approuvé cette demande. L’accès est ouvert jusqu’au",
    denied_done: "Vous avez refusé cette demande. Aucun accès n’est accordé.",
    revoked_done: "Vous avez révoqué l’accès. Il a pris fin.",
    conflict_title: "Cette demande ne peut plus être modifiée",
    closed_body: "Cette demande est à l’état « {status} ». Elle ne peut plus être approuvée, refusée ni révoquée.",
    changed_body: "Quelqu’un a modifié cette demande au même moment. Ouvrez de nouveau le lien pour voir son état actuel.",
    forbidden_title: "Ce lien ne peut pas être utilisé",
    not_found_title: "Demande introuvable",
    invalid_title: "Formulaire non valide",
    invalid_body: "Le champ « {field} » du formulaire est absent ou non valide. Utilisez les boutons de la page de la demande.",
    not_found_body: "Cette demande n’existe plus. Les demandes terminées sont supprimées après leur durée de conservation.",
    error_title: "Une erreur est survenue",
    error_body: "Le service n’a pas pu terminer l’action. Rien n’a été modifié. Veuillez réessayer dans un instant.",
    token_damaged: "Le lien est endommagé ou incomplet. Ouvrez-le à nouveau depuis l’e-mail d’origine, ou copiez l’adresse entière.",
    token_expired: "Le lien a expiré.",
    token_other_request: "Ce lien concerne une autre demande.",
    token_not_owner: "Vous n’êtes plus propriétaire de l’abonnement de cette demande\u{a0}: ce lien ne fonctionne plus.",
    back_to_list: "Retour aux demandes en attente",
    language_label: "Langue",
    continue_title: "Ouverture de la page",
    continue_body: "Votre navigateur ouvre la page dans un instant. Sinon, suivez ce lien\u{a0}:",
    continue_link: "Ouvrir la page",
    label_jit: "Politique d’accès",
    jit_customer: "La règle « {rule} » exige l’approbation du client",
    jit_internal: "approuvée d’abord par {approver} chez le fournisseur",
    label_reason: "Motif",
    deny_reason_label: "Motif du refus (facultatif, conservé dans le journal d’audit)",
    revoke_reason_label: "Motif de la révocation (facultatif, conservé dans le journal d’audit)",
    label_time_left: "Temps restant",
    tab_pending: "En attente",
    tab_history: "Historique",
    history_title: "Historique de cet abonnement",
    history_intro: "Demandes créées, approuvées, refusées et expirées ces {days} derniers jours, des plus récentes aux plus anciennes.",
    history_none: "Aucune entrée ne correspond.",
    closed_title: "Demandes décidées ou expirées",
    closed_none: "Aucune demande n’a été décidée ni n’a expiré sur cette période.",
    label_closed_at: "Issue enregistrée le",
    audit_title: "Journal d’audit",
    label_operation: "Opération",
    label_actor: "Par",
    label_at: "Date",
    filter_all: "Les quatre opérations",
    filter_submit: "Afficher",
    form_rejected_title: "Ce formulaire ne peut pas être utilisé",
    form_missing_nonce: "Le formulaire est incomplet\u{a0}: rien n’a été modifié. Ouvrez de nouveau la page de la demande et utilisez ses boutons.",
    form_invalid_nonce: "Le formulaire ne provient pas de la page de cette demande\u{a0}: rien n’a été modifié. Ouvrez de nouveau la page de la demande et utilisez ses boutons.",
    form_cross_origin: "Le formulaire a été envoyé depuis un autre site\u{a0}: il a été refusé et rien n’a été modifié. Ouvrez le lien de votre e-mail et utilisez les boutons de la page de la demande.",
    stale_form_title: "Cette page n’était plus à jour",
    stale_form_body: "Ce formulaire a déjà été utilisé, ou la demande a changé après le chargement de la page\u{a0}: rien n’a été modifié. La demande est maintenant à l’état « {status} ».",
    expired_title: "Cette demande a expiré",
    expired_body: "Aucune décision n’a été prise sur cette demande avant son échéance\u{a0}: elle a expiré et aucun accès n’a été accordé. Elle ne peut plus être approuvée ni refusée.",
    session_expired: "La page est restée ouverte trop longtemps, ou le navigateur n’a pas conservé son cookie. Ouvrez de nouveau le lien de votre e-mail.",
};

/// The sentences of a requester's mail about one outcome of their request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeTexts {
    /// The subject, with the placeholders `{resource}` and `{subscription}`.
    pub subject: &'static str,
    /// A description of what happened to the request.
    pub summary: &'static str,
    /// A sentence with the outcome's time as `{date}`, for outcomes that have one.
    pub when: Option<&'static str>,
}

/// Returns the requester mail's sentences for `outcome`, or `None` for a status that the
/// requester is not mailed about, such as a pending one.
pub fn outcome_texts(outcome: Status, locale: Locale) -> Option<OutcomeTexts> {
    let (subject, summary, when) = match (locale, outcome) {
        (Locale::En, Status::Approved) => (
            "Access approved: {resource} in subscription {subscription}",
            "A designated approver of the customer approved your access request.",
            Some("Your access is open until {date}."),
        ),
        (Locale::En, Status::Denied) => (
            "Access denied: {resource} in subscription {subscription}",
            "A designated approver of the customer denied your access request, so no access is granted.",
            None,
        ),
        (Locale::En, Status::Expired) => (
            "Access request expired: {resource} in subscription {subscription}",
            "Nobody decided on your access request before its deadline, so no access is granted.",
            Some("The request expired on {date}."),
        ),
        (Locale::En, Status::Rejected) => (
            "Access request rejected: {resource} in subscription {subscription}",
            "Your access request was rejected before it reached the customer, so no access is granted.",
            None,
        ),
        (Locale::En, Status::Revoked) => (
            "Access revoked: {resource} in subscription {subscription}",
            "A designated approver of the customer ended your access before its scheduled end.",
            Some("Your access ended on {date}."),
        ),
        (Locale::En, Status::AccessEnded) => (
            "Access ended: {resource} in subscription {subscription}",
            "Your access reached its scheduled end.",
            Some("Your access ended on {date}."),
        ),
        (Locale::Fr, Status::Approved) => (
            "Accès approuvé\u{a0}: {resource} dans l’abonnement {subscription}",
            "Un approbateur désigné du client a approuvé votre demande d’accès.",
            Some("Votre accès est ouvert jusqu’au {date}."),
        ),
        (Locale::Fr, Status::Denied) => (
            "Accès refusé\u{a0}: {resource} dans l’abonnement {subscription}",
            "Un approbateur désigné du client a refusé votre demande d’accès\u{a0}: aucun accès n’est accordé.",
            None,
        ),
        (Locale::Fr, Status::Expired) => (
            "Demande d’accès expirée\u{a0}: {resource} dans l’abonnement {subscription}",
            "Aucune décision n’a été prise sur votre demande d’accès avant son échéance\u{a0}: aucun accès n’est accordé.",
            Some("La demande a expiré le {date}."),
        ),
        (Locale::Fr, Status::Rejected) => (
            "Demande d’accès rejetée\u{a0}: {resource} dans l’abonnement {subscription}",
            "Votre demande d’accès a été rejetée avant de parvenir au client\u{a0}: aucun accès n’est accordé.",
            None,
        ),
        (Locale::Fr, Status::Revoked) => (
            "Accès révoqué\u{a0}: {resource} dans l’abonnement {subscription}",
            "Un approbateur désigné du client a mis fin à votre accès avant l’échéance prévue.",
            Some("Votre accès a pris fin le {date}."),
        ),
        (Locale::Fr, Status::AccessEnded) => (
            "Accès terminé\u{a0}: {resource} dans l’abonnement {subscription}",
            "Votre accès a atteint son échéance prévue.",
            Some("Votre accès a pris fin le {date}."),
        ),
        (_, Status::Submitted | Status::PendingInternalApproval | Status::CustomerNotified | Status::Cancelled) => {
            return None
        }
    };
    Some(OutcomeTexts { subject, summary, when })
}

pub fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::En => &EN,
        Locale::Fr => &FR,
    }
}

/// Formats a duration in words: whole hours as `8 hours` (`8 heures`), whole minutes as
/// `30 minutes`, else seconds.
pub fn format_duration(seconds: i64, locale: Locale) -> String {
    let (count, unit) = if seconds % 3600 == 0 {
        (seconds / 3600, ["hour", "hours", "heure", "heures"])
    } else if seconds % 60 == 0 {
        (seconds / 60, ["minute", "minutes", "minute", "minutes"])
    } else {
        (seconds, ["second", "seconds", "seconde", "secondes"])
    };
    // English uses the singular for 1 only; French also for 0, which durations never are.
    let plural = count > 1;
    let word = match (locale, plural) {
        (Locale::En, false) => unit[0],
        (Locale::En, true) => unit[1],
        (Locale::Fr, false) => unit[2],
        (Locale::Fr, true) => unit[3],
    };
    format!("{count}\u{a0}{word}")
}

/// Formats the time left before a deadline, rounded down to whole minutes: `3 d 4 h`, `5 h 12 min`,
/// `12 min`, or a phrase for less than a minute.
pub fn format_time_left(left: TimeDelta, locale: Locale) -> String {
    let minutes = left.num_minutes();
    if minutes < 1 {
        return match locale {
            Locale::En => "less than a minute".to_owned(),
            Locale::Fr => "moins d’une minute".to_owned(),
        };
    }
    let (days, hours, minutes) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    let day_unit = match locale {
        Locale::En => "d",
        Locale::Fr => "j",
    };
    if days > 0 {
        format!("{days}\u{a0}{day_unit} {hours}\u{a0}h")
    } else if hours > 0 {
        format!("{hours}\u{a0}h {minutes}\u{a0}min")
    } else {
        format!("{minutes}\u{a0}min")
    }
}

/// Names an audit operation for approvers. English pages use the public operation names; French
/// pages translate them and keep the public name in brackets, because customers filter by it.
pub fn operation_label(operation: Operation, locale: Locale) -> String {
    let french = match operation {
        Operation::CreateLockboxRequest => "Demande créée",
        Operation::ApproveLockboxRequest => "Demande approuvée",
        Operation::DenyLockboxRequest => "Demande refusée",
        Operation::LockboxRequestExpiry => "Demande expirée",
        _ => return operation.name().to_owned(),
    };
    match locale {
        Locale::En => operation.name().to_owned(),
        Locale::Fr => format!("{french} ({})", operation.name()),
    }
}

/// Reads a language code from a page's `lang` parameter.
pub fn parse_locale(code: &str) -> Option<Locale> {
    match code {
        "en" => Some(Locale::En),
        "fr" => Some(Locale::Fr),
        _ => None,
    }
}

/// Formats an instant in words, in UTC, for mail that is read later and away from the page:
/// `Tuesday 8 December 2026 at 22:58 UTC`, or `mardi 8 décembre 2026 à 22:58 UTC`.
pub fn format_time_written(at: DateTime<Utc>, locale: Locale) -> String {
    const EN_DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    const EN_MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR_DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
    const FR_MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let weekday = at.weekday().num_days_from_monday() as usize;
    let month = at.month0() as usize;
    let time = at.format("%H:%M");
    match locale {
        Locale::En => format!(
            "{} {} {} {} at {time} UTC",
            EN_DAYS[weekday],
            at.day(),
            EN_MONTHS[month],
            at.year()
        ),
        Locale::Fr => {
            // French writes the first day of a month as an ordinal: « le 1er mars ».
            let day = match at.day() {
                1 => "1er".to_owned(),
                day => day.to_string(),
            };
            format!(
                "{} {day} {} {} à {time} UTC",
                FR_DAYS[weekday],
                FR_MONTHS[month],
                at.year()
            )
        }
    }
}

/// Formats an instant for people, in UTC.
pub fn format_time(at: DateTime<Utc>, locale: Locale) -> String {
    match locale {
        Locale::En => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        Locale::Fr => at.format("%d/%m/%Y à %H:%M UTC").to_string(),
    }
}

pub fn status_label(status: Status, locale: Locale) -> &'static str {
    match (locale, status) {
        (Locale::En, Status::Submitted) => "Submitted",
        (Locale::En, Status::PendingInternalApproval) => "Waiting for internal approval",
        (Locale::En, Status::CustomerNotified) => "Waiting for your decision",
        (Locale::En, Status::Approved) => "Approved",
        (Locale::En, Status::Denied) => "Denied",
        (Locale::En, Status::Expired) => "Expired",
        (Locale::En, Status::Rejected) => "Rejected",
        (Locale::En, Status::Cancelled) => "Cancelled by the requester",
        (Locale::En, Status::AccessEnded) => "Access ended",
        (Locale::En, Status::Revoked) => "Access revoked",
        (Locale::Fr, Status::Submitted) => "Soumise",
        (Locale::Fr, Status::PendingInternalApproval) => "En attente d’approbation interne",
        (Locale::Fr, Status::CustomerNotified) => "En attente de votre décision",
        (Locale::Fr, Status::Approved) => "Approuvée",
        (Locale::Fr, Status::Denied) => "Refusée",
        (Locale::Fr, Status::Expired) => "Expirée",
        (Locale::Fr, Status::Rejected) => "Rejetée",
        (Locale::Fr, Status::Cancelled) => "Annulée par le demandeur",
        (Locale::Fr, Status::AccessEnded) => "Accès terminé",
        (Locale::Fr, Status::Revoked) => "Accès révoqué",
    }
}

pub fn permission_label(level: PermissionLevel, locale: Locale) -> &'static str {
    match (locale, level) {
        (Locale::En, PermissionLevel::Read) => "Read",
        (Locale::En, PermissionLevel::Write) => "Write",
        (Locale::En, PermissionLevel::Admin) => "Administrator",
        (Locale::Fr, PermissionLevel::Read) => "Lecture",
        (Locale::Fr, PermissionLevel::Write) => "Écriture",
        (Locale::Fr, PermissionLevel::Admin) => "Administrateur",
    }
}

pub fn scope_label(scope: Scope, locale: Locale) -> &'static str {
    match (locale, scope) {
        (Locale::En, Scope::Subscription) => "Whole subscription",
        (Locale::En, Scope::ResourceGroup) => "Resource group",
        (Locale::En, Scope::Resource) => "Single resource",
        (Locale::Fr, Scope::Subscription) => "Abonnement entier",
        (Locale::Fr, Scope::ResourceGroup) => "Groupe de ressources",
        (Locale::Fr, Scope::Resource) => "Ressource unique",
    }
}

pub fn resource_kind_label(kind: ResourceKind, locale: Locale) -> &'static str {
    match (locale, kind) {
        (Locale::En, ResourceKind::VirtualMachine) => "Virtual machine",
        (Locale::En, ResourceKind::VmScaleSet) => "Virtual machine scale set",
        (Locale::En, ResourceKind::PaasV1) => "Platform instance (PaaS v1)",
        (Locale::En, ResourceKind::ClassicVm) => "Classic virtual machine",
        (Locale::Fr, ResourceKind::VirtualMachine) => "Machine virtuelle",
        (Locale::Fr, ResourceKind::VmScaleSet) => "Groupe de machines virtuelles identiques",
        (Locale::Fr, ResourceKind::PaasV1) => "Instance de plateforme (PaaS v1)",
        (Locale::Fr, ResourceKind::ClassicVm) => "Machine virtuelle classique",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_uses_largest_whole_unit() {
        assert_eq!(format_duration(8 * 3600, Locale::En), "8\u{a0}hours");
        assert_eq!(format_duration(3600, Locale::En), "1\u{a0}hour");
        assert_eq!(format_duration(8 * 3600, Locale::Fr), "8\u{a0}heures");
        assert_eq!(format_duration(30 * 60, Locale::Fr), "30\u{a0}minutes");
        assert_eq!(format_duration(45, Locale::En), "45\u{a0}seconds");
    }

    #[test]
    fn written_time_names_day_and_month() {
        let at = "2026-12-08T22:58:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            format_time_written(at, Locale::En),
            "Tuesday 8 December 2026 at 22:58 UTC"
        );
        assert_eq!(format_time_written(at, Locale::Fr), "mardi 8 décembre 2026 à 22:58 UTC");
        let first = "2027-03-01T07:05:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            format_time_written(first, Locale::En),
            "Monday 1 March 2027 at 07:05 UTC"
        );
        assert_eq!(
            format_time_written(first, Locale::Fr),
            "lundi 1er mars 2027 à 07:05 UTC"
        );
    }

    #[test]
    fn time_left_uses_two_units() {
        assert_eq!(
            format_time_left(TimeDelta::minutes(3 * 1440 + 4 * 60 + 59), Locale::En),
            "3\u{a0}d 4\u{a0}h"
        );
        assert_eq!(
            format_time_left(TimeDelta::minutes(3 * 1440), Locale::Fr),
            "3\u{a0}j 0\u{a0}h"
        );
        assert_eq!(
            format_time_left(TimeDelta::minutes(5 * 60 + 12), Locale::En),
            "5\u{a0}h 12\u{a0}min"
        );
        assert_eq!(format_time_left(TimeDelta::seconds(90), Locale::En), "1\u{a0}min");
        assert_eq!(
            format_time_left(TimeDelta::seconds(59), Locale::En),
            "less than a minute"
        );
        assert_eq!(
            format_time_left(TimeDelta::seconds(-5), Locale::Fr),
            "moins d’une minute"
        );
    }

    #[test]
    fn sentences_keep_their_placeholders() {
        for texts in [&EN, &FR] {
            assert!(texts.mail_expiry.contains("{date}"), "{}", texts.lang);
            assert!(texts.decide_prompt.contains("{duration}"), "{}", texts.lang);
            assert!(texts.closed_body.contains("{status}"), "{}", texts.lang);
            assert!(texts.invalid_body.contains("{field}"), "{}", texts.lang);
            assert!(texts.jit_customer.contains("{rule}"), "{}", texts.lang);
            assert!(texts.jit_internal.contains("{approver}"), "{}", texts.lang);
            assert!(texts.history_intro.contains("{days}"), "{}", texts.lang);
            assert!(texts.stale_form_body.contains("{status}"), "{}", texts.lang);
        }
    }

    #[test]
    fn outcome_sentences_keep_their_placeholders() {
        for locale in [Locale::En, Locale::Fr] {
            for outcome in Status::ALL {
                let Some(sentences) = outcome_texts(outcome, locale) else {
                    continue;
                };
                assert!(sentences.subject.contains("{resource}"), "{locale:?} {outcome}");
                assert!(sentences.subject.contains("{subscription}"), "{locale:?} {outcome}");
                assert!(!sentences.summary.contains('{'), "{locale:?} {outcome}");
                if let Some(when) = sentences.when {
                    assert!(when.contains("{date}"), "{locale:?} {outcome}");
                }
            }
        }
    }

    #[test]
    fn pending_and_cancelled_have_no_outcome_texts() {
        for status in [
            Status::Submitted,
            Status::PendingInternalApproval,
            Status::CustomerNotified,
            Status::Cancelled,
        ] {
            assert_eq!(outcome_texts(status, Locale::En), None, "{status}");
            assert_eq!(outcome_texts(status, Locale::Fr), None, "{status}");
        }
    }
}

"""Channel and place gates: opt-outs, consent to automated calls, the workplace, stated places.

- `channel.opt_out` — a STOP / 退订 / unsubscribe stops that channel at that address at once;
  with `scope: channel`, every address of the channel (US-ELEC-01/02, US-TCPA-02).
- `channel.automated_consent` — autodialled, prerecorded and artificial (AI) voice calls — and
  texts, conservatively — need prior express consent that has not been revoked (US-TCPA-01/02).
- `place.workplace` — no contact at work when the person said the employer forbids it
  (US-COMM-03); some channels need the person's consent at a workplace point at all (an
  employer-provided e-mail in the US, calls and visits at work in Ireland).
- `place.inconvenient` — places the person said are inconvenient (US-COMM-02, UK-CONT-01).
"""

from __future__ import annotations

from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import ContactRequest, RuleResult
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules._base import allow, deny, zh

OPT_OUT = "channel.opt_out"
AUTOMATED_CONSENT = "channel.automated_consent"
WORKPLACE = "place.workplace"
INCONVENIENT_PLACE = "place.inconvenient"


def opt_out(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    rule = profile.opt_out
    assert rule is not None
    if request.purpose in rule.exempt_purposes:
        return allow(
            OPT_OUT,
            rule.cite,
            f"{request.purpose} messages are exempt from opt-outs.",
            f"{zh(request.purpose)} 类消息不受退订限制。",
        )
    address = request.contact_point.address
    for stop in request.party.opt_outs:
        if stop.channel is not request.channel:
            continue
        if stop.address is None or rule.scope == "channel" or stop.address == address:
            where = "every address" if stop.address is None or rule.scope == "channel" else address
            return deny(
                OPT_OUT,
                rule.cite,
                f"The person opted out of {request.channel} at {where} on"
                f" {stop.at.date().isoformat()}.",
                f"对方已于 {stop.at.date().isoformat()} 退订 {zh(request.channel)}（{where}）。",
                None,
            )
    return allow(
        OPT_OUT,
        rule.cite,
        f"No opt-out of {request.channel} at this address.",
        f"对方未退订该地址的 {zh(request.channel)}。",
    )


def automated_consent(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    rule = profile.automated_consent
    assert rule is not None
    kinds = [k for k in rule.required_for if getattr(request, k)]
    if request.channel not in rule.channels or not kinds:
        return allow(
            AUTOMATED_CONSENT,
            rule.cite,
            "Not an autodialled, prerecorded or artificial-voice call or text.",
            "非自动拨号、预录或人工合成语音的电话或短信。",
        )
    cite = rule.citation_for("sms") if request.channel.value == "sms" else rule.cite
    consent = request.contact_point.automated_consent
    what = ", ".join(sorted(kinds))
    if consent is None:
        return deny(
            AUTOMATED_CONSENT,
            cite,
            f"No prior express consent on record for {what} contact at this number.",
            f"该号码无事先明示同意记录，不得进行 {what} 联系。",
            None,
        )
    if not consent.valid_at(request.at):
        if consent.revoked_at is not None and consent.revoked_at <= request.at:
            return deny(
                AUTOMATED_CONSENT,
                rule.citation_for("revocation"),
                f"Consent to {what} contact was revoked on {consent.revoked_at.date()}.",
                f"对方已于 {consent.revoked_at.date()} 撤回同意。",
                None,
            )
        return deny(
            AUTOMATED_CONSENT,
            cite,
            "Consent is recorded as given after this time.",
            "同意记录时间晚于本次联系时间。",
            consent.given_at,
        )
    return allow(
        AUTOMATED_CONSENT,
        cite,
        f"Prior express consent to {what} contact on record.",
        "已有事先明示同意记录。",
    )


def workplace(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    rule = profile.workplace
    assert rule is not None
    point = request.contact_point
    if not point.is_workplace:
        return allow(WORKPLACE, rule.cite, "Not a workplace contact point.", "非工作单位联系方式。")
    if rule.honour_stated_prohibition and request.party.no_workplace_contact:
        return deny(
            WORKPLACE,
            rule.cite,
            "The person said they may not be contacted at work.",
            "对方已告知不得在工作单位联系。",
            None,
        )
    if request.channel in rule.consent_required_channels and not point.workplace_consent:
        return deny(
            WORKPLACE,
            rule.citation_for("consent_required_channels"),
            f"{request.channel} at a workplace needs the person's consent, and there is none.",
            f"在工作单位进行 {zh(request.channel)} 联系须经对方同意，目前无同意记录。",
            None,
        )
    return allow(WORKPLACE, rule.cite, "Workplace contact is not barred.", "不禁止在工作单位联系。")


def inconvenient_place(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    rule = profile.inconvenient_places
    assert rule is not None
    places = request.party.inconvenient_places
    point = request.contact_point
    place = point.place or ("work" if point.is_workplace else None)
    if place is not None and (place in places or (point.is_workplace and "work" in places)):
        return deny(
            INCONVENIENT_PLACE,
            rule.cite,
            f"The person said {place} is an inconvenient place to be contacted.",
            f"对方声明不便在 {place} 被联系。",
            None,
        )
    return allow(
        INCONVENIENT_PLACE,
        rule.cite,
        "Not a place the person said is inconvenient.",
        "非对方声明的不便联系地点。",
    )

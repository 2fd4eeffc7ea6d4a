"""Enumerations of the compliance app, with bilingual labels.

The values are the pure core's (`arrears.core.compliance.model`); a test checks they agree, so
a row can always be turned into the core's value with `Channel(row.channel)`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    CALL = "call", _("Telephone call")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    IN_APP = "in_app", _("In-app message")
    VISIT = "visit", _("Visit")


class Role(models.TextChoices):
    DEBTOR = "debtor", _("Debtor")
    CO_OBLIGOR = "co_obligor", _("Co-obligor")
    GUARANTOR = "guarantor", _("Guarantor")
    SPOUSE = "spouse", _("Spouse")
    PARENT_OF_MINOR = "parent_of_minor", _("Parent of a minor")
    GUARDIAN = "guardian", _("Guardian")
    ESTATE_REPRESENTATIVE = "estate_representative", _("Estate representative")
    ATTORNEY = "attorney", _("Attorney")
    DEBT_ADVISER = "debt_adviser", _("Debt adviser")
    CONTACT_PERSON = "contact_person", _("Contact person (联系人)")
    EMPLOYER = "employer", _("Employer")
    THIRD_PARTY = "third_party", _("Third party")


class Purpose(models.TextChoices):
    COLLECTION = "collection", _("Collection")
    SERVICING = "servicing", _("Servicing reminder or notice")
    TRANSACTIONAL = "transactional", _("Transactional")
    LOCATION = "location", _("Locating the borrower")


class AttemptOutcome(models.TextChoices):
    FAILED = "failed", _("Did not connect")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail left")
    CONNECTED = "connected", _("Answered, no conversation about the debt")
    CONVERSATION = "conversation", _("Conversation about the debt")
    REFUSED = "refused", _("Refused further contact")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class HoldKind(models.TextChoices):
    CEASE_COMMUNICATION = "cease_communication", _("Cease communication")
    DISPUTE = "dispute", _("Dispute pending")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy")
    DECEASED = "deceased", _("Deceased")
    ATTORNEY = "attorney", _("Represented by an attorney")
    BREATHING_SPACE = "breathing_space", _("Breathing space (UK)")
    SERVICEMEMBER = "servicemember", _("Servicemember")


class BreathingSpaceKind(models.TextChoices):
    STANDARD = "standard", _("Standard (60 days)")
    MENTAL_HEALTH_CRISIS = "mental_health_crisis", _("Mental health crisis")


class ProfileCode(models.TextChoices):
    CN = "CN", _("China")
    US = "US", _("United States")
    UK = "UK", _("United Kingdom")
    EU = "EU", _("European Union (base)")
    IE = "IE", _("Ireland")

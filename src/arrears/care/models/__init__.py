"""The care desk's state, one module per area (the desk, tickets, the line and chat, answers)."""

from arrears.care.models.answers import CannedReply, KnowledgeArticle, SatisfactionSurvey
from arrears.care.models.desk import (
    CareAgent,
    CareQueue,
    DeskCalendar,
    Incident,
    SlaPolicySet,
    Team,
)
from arrears.care.models.line import Callback, ChatSession, PhoneCall
from arrears.care.models.tickets import SlaAlert, Ticket, TicketEvent, TicketMessage

__all__ = [
    "Callback",
    "CannedReply",
    "CareAgent",
    "CareQueue",
    "ChatSession",
    "DeskCalendar",
    "Incident",
    "KnowledgeArticle",
    "PhoneCall",
    "SatisfactionSurvey",
    "SlaAlert",
    "SlaPolicySet",
    "Team",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
]

"""E-mail into the desk: real SMTP conversations with the desk's mail server, threading,
Chinese charsets, duplicates, robots, and what a stranger's mail may and may not do."""

from __future__ import annotations

import base64
import email.message

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.care.choices import Origin, TicketStatus
from arrears.care.models import Ticket, TicketEvent, TicketMessage
from arrears.care.services.mail import receive_email
from arrears.care.services.mail_text import html_to_text, parse_email
from arrears.care.services.tickets import change_status, reply_to_ticket
from arrears.compliance.models import ContactAttempt
from tests.care.channels_fixtures import *  # noqa: F403
from tests.care.channels_fixtures import CN_MORNING, mail

SMTP = pytest.mark.django_db(transaction=True)  # the mail server works in its own thread


@SMTP
def test_a_new_mail_from_a_borrower_opens_an_inquiry_on_their_file(desk_mail, borrower_loan):
    borrower = borrower_loan.borrower
    desk_mail.send(
        mail(
            sender=f"张三 <{borrower.email}>",
            subject="提前还款咨询",
            body="您好，请问提前还款需要手续费吗？",
            message_id="<first@mail.example.com>",
        )
    )

    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.origin, ticket.borrower) == ("inquiry", "email", borrower)
    assert (ticket.subject, ticket.requester_address) == ("提前还款咨询", borrower.email)
    [message] = ticket.messages.all()
    assert message.body == "您好，请问提前还款需要手续费吗？"
    assert message.email_message_id == "<first@mail.example.com>"
    attempt = message.contact_attempt
    assert (attempt.channel, attempt.direction, attempt.purpose) == (
        "email",
        "inbound",
        "servicing",
    )
    assert attempt.borrower == borrower
    assert [r.outcome for r in desk_mail.handler.receipts] == ["opened"]


@SMTP
def test_a_reply_in_the_thread_lands_on_the_same_ticket_and_opens_it_again(
    desk_mail, borrower_loan, cn_clock
):
    borrower = borrower_loan.borrower
    desk_mail.send(
        mail(
            sender=borrower.email,
            subject="还款日能否调整",
            body="能否把还款日改到每月20日？",
            message_id="<ask@mail.example.com>",
        )
    )
    ticket = Ticket.objects.get()
    reply = reply_to_ticket(
        ticket=ticket, body="可以，请确认新的还款日。", by=None, status="pending", at=CN_MORNING
    )
    assert reply.email_message_id  # our reply's Message-ID, which the borrower answers

    desk_mail.send(
        mail(
            sender=borrower.email,
            subject=f"Re: [{ticket.reference}] 回复：还款日能否调整",
            body="确认，改到20日。\n\n在 2025年1月15日 10:00，客服 写道：\n> 可以，请确认。",
            message_id="<answer@mail.example.com>",
            in_reply_to=reply.email_message_id,
        )
    )

    assert Ticket.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    answer = ticket.messages.get(email_message_id="<answer@mail.example.com>")
    assert answer.body == "确认，改到20日。"  # the quoted history is not kept twice
    assert answer.in_reply_to == reply.email_message_id
    assert ContactAttempt.objects.filter(borrower=borrower, direction="inbound").count() == 2


@SMTP
def test_chinese_subject_and_text_in_gb18030_and_mislabelled_gb2312_are_read(
    desk_mail, borrower_loan
):
    borrower = borrower_loan.borrower
    desk_mail.send(
        mail(
            sender=borrower.email,
            subject="关于朱镕基路的账单地址",
            body="我的账单地址是朱镕基路1号，请更新。",
            message_id="<gb18030@mail.example.com>",
            charset="gb18030",
        )
    )
    # "镕" is not in GB2312, yet mailers label GBK text "gb2312"
    text = "地址：朱镕基路2号".encode("gbk")
    subject = "=?GB2312?B?" + base64.b64encode("镕的问题".encode("gbk")).decode() + "?="
    raw = (
        f"From: {borrower.email}\r\nTo: care@lender.example\r\nSubject: {subject}\r\n"
        "Message-ID: <gb2312@mail.example.com>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + text
    desk_mail.send(raw, sender=borrower.email)

    first = TicketMessage.objects.get(email_message_id="<gb18030@mail.example.com>")
    assert (first.ticket.subject, first.body) == (
        "关于朱镕基路的账单地址",
        "我的账单地址是朱镕基路1号，请更新。",
    )
    second = TicketMessage.objects.get(email_message_id="<gb2312@mail.example.com>")
    assert (second.ticket.subject, second.body) == ("镕的问题", "地址：朱镕基路2号")


@SMTP
def test_the_same_mail_delivered_twice_is_one_message(desk_mail, borrower_loan):
    message = mail(
        sender=borrower_loan.borrower.email,
        subject="重复投递",
        body="同一封邮件。",
        message_id="<twice@mail.example.com>",
    )
    desk_mail.send(message)
    desk_mail.send(message)

    assert TicketMessage.objects.filter(email_message_id="<twice@mail.example.com>").count() == 1
    assert Ticket.objects.count() == 1
    assert [r.outcome for r in desk_mail.handler.receipts] == ["opened", "duplicate"]


@pytest.mark.parametrize(
    ("headers", "subject", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: 账单", "auto_submitted"),
        ({"Precedence": "bulk"}, "Newsletter", "bulk"),
        ({}, "自动回复：我正在休假", "auto_reply"),
        ({"X-Autoreply": "yes"}, "Re: bill", "auto_reply"),
    ],
)
def test_an_auto_reply_is_set_aside_with_its_reason_and_does_not_reopen_the_ticket(
    borrower_loan, headers, subject, reason
):
    borrower = borrower_loan.borrower
    first = receive_email(
        bytes(mail(sender=borrower.email, subject="账单", body="请问", message_id="<q@m.cn>")),
        at=CN_MORNING,
    )
    change_status(ticket=first.ticket, status="solved", at=CN_MORNING)
    robot = mail(
        sender=borrower.email,
        subject=subject,
        body="I am away.",
        message_id="<robot@m.cn>",
        in_reply_to="<q@m.cn>",
        headers=headers,
    )

    receipt = receive_email(bytes(robot), at=CN_MORNING)

    assert (receipt.outcome, receipt.reason, receipt.ticket) == ("ignored", reason, first.ticket)
    first.ticket.refresh_from_db()
    assert first.ticket.status == TicketStatus.SOLVED
    assert first.ticket.messages.count() == 1
    assert TicketEvent.objects.filter(
        ticket=first.ticket, reason=f"mail.set_aside.{reason}"
    ).exists()


def test_a_ticket_reference_in_the_subject_threads_only_mail_from_the_ticket_s_own_people(
    borrower_loan,
):
    borrower = borrower_loan.borrower
    opened = receive_email(
        bytes(mail(sender=borrower.email, subject="账单", body="请问", message_id="<a@m.cn>")),
        at=CN_MORNING,
    )
    reference = opened.ticket.reference

    own = receive_email(
        bytes(
            mail(
                sender=borrower.email, subject=f"[{reference}]", body="补充", message_id="<b@m.cn>"
            )
        ),
        at=CN_MORNING,
    )
    stranger = receive_email(
        bytes(
            mail(
                sender="x@evil.example", subject=f"[{reference}]", body="hi", message_id="<c@m.cn>"
            )
        ),
        at=CN_MORNING,
    )

    assert (own.outcome, own.ticket) == ("threaded", opened.ticket)
    assert stranger.outcome == "opened" and stranger.ticket != opened.ticket
    assert stranger.ticket.borrower is None


def test_a_stranger_s_mail_opens_a_ticket_whose_reply_is_kept_but_not_sent(db, templates):
    receipt = receive_email(
        bytes(
            mail(
                sender="Li Lei <li.lei@unknown.example>",
                subject="Loan question",
                body="Do you offer loans?",
                message_id="<s@unknown.example>",
            )
        ),
        at=CN_MORNING,
    )
    ticket = receipt.ticket
    assert (ticket.borrower, ticket.requester_name, ticket.language) == (None, "Li Lei", "en")
    assert ticket.messages.get().contact_attempt is None  # no borrower: no contact history

    reply = reply_to_ticket(ticket=ticket, body="Please call us.", by=None, at=CN_MORNING)

    reply.refresh_from_db()
    assert reply.outbox_message is None
    event = TicketEvent.objects.get(ticket=ticket, reason="reply.not_sent.no_borrower")
    assert event.params["sent"] is False and event.params["message"] == reply.pk


def test_an_html_only_mail_is_read_as_its_words(borrower_loan):
    message = email.message.EmailMessage()
    message["From"] = borrower_loan.borrower.email
    message["Subject"] = "HTML"
    message["Message-ID"] = "<html@m.cn>"
    message.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>您好，</p>"
        "<p>请问<b>还款</b>金额&amp;日期？</p><script>alert(1)</script></body></html>",
        subtype="html",
    )

    receipt = receive_email(bytes(message), at=CN_MORNING)

    assert receipt.message.body == "您好，\n\n请问还款金额&日期？"
    assert receipt.message.channel == Origin.EMAIL


def test_a_mail_that_is_empty_is_refused_naming_the_raw_mail(db):
    from arrears.core.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        receive_email(b"  ", at=CN_MORNING)
    assert refused.value.field == "raw"
    assert Ticket.objects.count() == 0


def test_html_is_turned_into_lines_of_text():
    assert html_to_text("<div>a<br>b</div><p>c  d</p>") == "a\nb\n\nc d"


_TEXT = st.text(
    alphabet=st.sampled_from(list("还款日期账单镕朱基路abcXYZ019 ，。？!")), min_size=1, max_size=60
).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=_TEXT, body=_TEXT, charset=st.sampled_from(["utf-8", "gb18030", "gbk"]))
def test_any_chinese_or_english_subject_and_text_read_back_as_written(subject, body, charset):
    raw = bytes(
        mail(sender="a@b.cn", subject=subject, body=body, message_id="<p@b.cn>", charset=charset)
    )

    parsed = parse_email(raw)

    assert parsed.subject == " ".join(subject.split())
    assert parsed.body == body.strip()
    assert parsed.message_id == "<p@b.cn>"


def test_the_mail_server_asks_the_sender_to_try_again_while_the_database_is_away(
    desk_mail, monkeypatch
):
    import smtplib

    from django.db import OperationalError

    def away(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("arrears.care.mail_server.receive_email", away)

    with pytest.raises(smtplib.SMTPDataError) as answer:
        desk_mail.send(mail(sender="a@b.cn", subject="x", body="y", message_id="<451@b.cn>"))

    assert answer.value.smtp_code == 451  # the sending server keeps the mail


@SMTP
def test_the_mail_server_refuses_for_good_a_mail_with_nothing_in_it(desk_mail):
    import smtplib

    with pytest.raises(smtplib.SMTPDataError) as answer:
        desk_mail.send(b"\r\n", sender="a@b.cn")

    assert answer.value.smtp_code == 550
    assert Ticket.objects.count() == 0

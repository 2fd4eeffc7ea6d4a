"""Every channel adapter delivers only on a valid permit, and really delivers: a real SMTP
conversation, a real HTTP call to the stub provider, a real PDF, a row in the portal inbox."""

from __future__ import annotations

import datetime as dt
import re

import pypdf
import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from arrears.compliance.choices import Channel, Direction
from arrears.compliance.models import ContactAttempt
from arrears.compliance.services import (
    PermitAlreadyUsed,
    PermitExpired,
    PermitMissing,
    request_permit,
)
from arrears.engagement.channels import DeliveryFailed, OutboundMessage
from arrears.engagement.channels.email import EmailAdapter
from arrears.engagement.channels.inapp import InAppAdapter
from arrears.engagement.channels.letter import (
    LAWYER_LETTER,
    WARNING_LETTER,
    LetterAdapter,
    _styles,
)
from arrears.engagement.channels.sms import HttpSmsAdapter
from arrears.engagement.inbox import InAppNotification
from tests.engagement.channel_support import address_for

pytestmark = pytest.mark.django_db

CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.LETTER, Channel.IN_APP]


@pytest.fixture
def channels(smtp_server, sms_provider, letter_dir, cn_clock):  # type: ignore[no-untyped-def]
    """Each channel's adapter, and how to count what it really delivered."""
    adapters = {
        Channel.EMAIL: EmailAdapter(clock=cn_clock),
        Channel.SMS: HttpSmsAdapter(clock=cn_clock),
        Channel.LETTER: LetterAdapter(clock=cn_clock),
        Channel.IN_APP: InAppAdapter(clock=cn_clock),
    }
    delivered = {
        Channel.EMAIL: lambda: len(smtp_server.messages),
        Channel.SMS: lambda: len(sms_provider.requests),
        Channel.LETTER: lambda: len(list(letter_dir.rglob("*.pdf"))) if letter_dir.exists() else 0,
        Channel.IN_APP: lambda: InAppNotification.objects.count(),
    }
    return adapters, delivered


def permit_for(account, channel, clock):  # type: ignore[no-untyped-def]
    decision = request_permit(
        borrower=account.borrower,
        account=account,
        channel=channel,
        address=address_for(channel, account.borrower),
        purpose="servicing",
        clock=clock,
    )
    assert decision.allowed, decision.denied_rules
    return decision.issued_permit


def message_to(account, channel, key="k1"):  # type: ignore[no-untyped-def]
    return OutboundMessage(
        borrower_id=account.borrower_id,
        address=address_for(channel, account.borrower),
        subject="还款提醒",
        body="您的还款日为1月20日。回复TD退订",
        idempotency_key=key,
        recipient_name=account.borrower.full_name,
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_send_without_a_permit_fails_in_every_adapter(channels, cn_loan, channel):
    adapters, delivered = channels
    with pytest.raises(PermitMissing):
        adapters[channel].send(permit_id=None, message=message_to(cn_loan, channel))
    assert delivered[channel]() == 0


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_used_permit_fails_in_every_adapter(channels, cn_loan, cn_clock, channel):
    adapters, delivered = channels
    permit = permit_for(cn_loan, channel, cn_clock)
    adapters[channel].send(permit_id=permit.pk, message=message_to(cn_loan, channel, "first"))
    assert delivered[channel]() == 1
    with pytest.raises(PermitAlreadyUsed):
        adapters[channel].send(permit_id=permit.pk, message=message_to(cn_loan, channel, "again"))
    assert delivered[channel]() == 1


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_expired_permit_fails_in_every_adapter(channels, cn_loan, cn_clock, channel):
    adapters, delivered = channels
    permit = permit_for(cn_loan, channel, cn_clock)
    cn_clock.set(permit.valid_until + dt.timedelta(seconds=1))
    with pytest.raises(PermitExpired):
        adapters[channel].send(permit_id=permit.pk, message=message_to(cn_loan, channel))
    assert delivered[channel]() == 0


def test_an_email_goes_out_in_a_real_smtp_conversation(smtp_server, cn_loan, cn_clock):
    permit = permit_for(cn_loan, Channel.EMAIL, cn_clock)
    message = OutboundMessage(
        borrower_id=cn_loan.borrower_id,
        address=cn_loan.borrower.email,
        subject="还款提醒",
        body="您的还款日为1月20日，应还¥1,000.00。",
        html_body="<p>您的还款日为<b>1月20日</b></p>",
        idempotency_key="0b5e6a4e-3f0c-4b7e-9a55-6c1d0e2f8a11",
    )
    delivery = EmailAdapter(clock=cn_clock).send(permit_id=permit.pk, message=message)

    [received] = smtp_server.messages
    assert smtp_server.envelopes == [("notices@lender.example", [cn_loan.borrower.email])]
    assert received["Message-ID"] == "<0b5e6a4e-3f0c-4b7e-9a55-6c1d0e2f8a11@lender.example>"
    assert delivery.provider_ref == received["Message-ID"]
    assert received["Subject"] == "还款提醒"
    assert "应还¥1,000.00" in received.get_body(("plain",)).get_content()
    assert "<b>1月20日</b>" in received.get_body(("html",)).get_content()
    attempt = ContactAttempt.objects.get(permit=permit)
    assert (attempt.channel, attempt.outcome) == ("email", "sent")


def test_a_refused_mailbox_is_a_permanent_failure(smtp_server, cn_loan, cn_clock):
    message = OutboundMessage(
        borrower_id=cn_loan.borrower_id, address="nobody@bounce.invalid", body="x"
    )
    with pytest.raises(DeliveryFailed) as failure:
        EmailAdapter(clock=cn_clock).deliver(message, permit_id=__import__("uuid").uuid4())
    assert failure.value.transient is False
    assert smtp_server.messages == []


def test_an_unreachable_mail_server_is_a_transient_failure(settings, cn_loan, cn_clock):
    settings.ARREARS_EMAIL_HOST, settings.ARREARS_EMAIL_PORT = "127.0.0.1", 9  # discard: closed
    message = OutboundMessage(borrower_id=cn_loan.borrower_id, address="a@example.com", body="x")
    with pytest.raises(DeliveryFailed) as failure:
        EmailAdapter(clock=cn_clock).deliver(message, permit_id=__import__("uuid").uuid4())
    assert failure.value.transient is True


def test_a_text_goes_to_the_provider_once_per_key(sms_provider, cn_loan, cn_clock):
    adapter = HttpSmsAdapter(clock=cn_clock)
    message = message_to(cn_loan, Channel.SMS, key="outbox-1")
    first = adapter.deliver(message, permit_id=__import__("uuid").uuid4())
    again = adapter.deliver(message, permit_id=__import__("uuid").uuid4())

    assert first.provider_ref == again.provider_ref
    assert len(sms_provider.requests) == 2
    [text] = sms_provider.texts()
    assert text["To"] == address_for(Channel.SMS, cn_loan.borrower)
    assert text["From"] == "+8610690000"
    assert text["Body"] == "您的还款日为1月20日。回复TD退订"
    assert sms_provider.requests[0]["key"] == "outbox-1"


def test_a_provider_error_is_transient_and_a_refusal_permanent(sms_provider, cn_loan, cn_clock):
    adapter = HttpSmsAdapter(clock=cn_clock)
    sms_provider.fail_next = [503]
    with pytest.raises(DeliveryFailed) as busy:
        adapter.deliver(message_to(cn_loan, Channel.SMS), permit_id=__import__("uuid").uuid4())
    assert busy.value.transient
    bad = HttpSmsAdapter(clock=cn_clock, token="wrong")
    with pytest.raises(DeliveryFailed) as refused:
        bad.deliver(message_to(cn_loan, Channel.SMS), permit_id=__import__("uuid").uuid4())
    assert not refused.value.transient
    assert sms_provider.texts() == []


def _text_of(path) -> tuple[str, pypdf.PdfReader]:  # type: ignore[no-untyped-def]
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_a_chinese_warning_letter_is_a4_pdf_with_the_text_in_order(letter_dir, cn_loan, cn_clock):
    body = (
        "您名下尾号1234的贷款已逾期三十天，逾期金额为人民币壹万贰仟元整（¥12,000.00）。"
        "请您于2025年1月25日前归还全部逾期款项，以免影响您的个人信用记录。"
        * 3
        + "\n\n如您在还款方面遇到困难，请致电400-000-0000与我们协商还款方案。"
    )
    permit = permit_for(cn_loan, Channel.LETTER, cn_clock)
    message = OutboundMessage(
        borrower_id=cn_loan.borrower_id,
        address=address_for(Channel.LETTER, cn_loan.borrower),
        subject="催收函",
        body=body,
        kind=WARNING_LETTER,
        recipient_name="张三",
        idempotency_key="letter-zh",
    )
    delivery = LetterAdapter(clock=cn_clock).send(permit_id=permit.pk, message=message)

    pdf = letter_dir / "2025-01-15" / "letter-zh.pdf"
    assert delivery.provider_ref == str(pdf)
    text, reader = _text_of(pdf)
    flat = re.sub(r"\s+", "", text)
    for earlier, later in [
        ("示例消费金融有限公司", "张三"),
        ("张三", "2025年1月15日"),
        ("2025年1月15日", "催收函"),
        ("催收函", "您名下尾号1234的贷款已逾期三十天"),
        ("以免影响您的个人信用记录", "如您在还款方面遇到困难"),
    ]:
        assert earlier in flat and later in flat
        assert flat.index(earlier) < flat.index(later)
    assert "请致电400-000-0000与我们协商还款方案" in flat
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    # CJK line breaking, as laid out: no line starts with closing punctuation
    paragraph = Paragraph(body.split("\n\n")[0], _styles("zh-hans")["body"])
    paragraph.wrap(160 * mm, 1000 * mm)
    lines = ["".join(line[1]) for line in paragraph.blPara.lines]
    assert len(lines) > 3
    assert not [line for line in lines if line[:1] in "，。、；：）」"]
    assert (letter_dir / "2025-01-15" / "letter-zh.json").exists()


def test_an_english_lawyers_letter_is_signed_by_the_firm(letter_dir, cn_loan, cn_clock):
    permit = permit_for(cn_loan, Channel.LETTER, cn_clock)
    message = OutboundMessage(
        borrower_id=cn_loan.borrower_id,
        address=address_for(Channel.LETTER, cn_loan.borrower),
        subject="Letter before action",
        body="We act for the lender.\n\nUnless the arrears of CNY 12,000.00 are paid within "
        "14 days, our client may begin proceedings without further notice.",
        kind=LAWYER_LETTER,
        language="en",
        recipient_name="Jane Roe",
        idempotency_key="letter-en",
    )
    LetterAdapter(clock=cn_clock).send(permit_id=permit.pk, message=message)

    text, reader = _text_of(letter_dir / "2025-01-15" / "letter-en.pdf")
    flat = " ".join(text.split())
    assert "15 January 2025" in flat
    assert flat.index("Jane Roe") < flat.index("Letter before action") < flat.index("We act for")
    assert "our client may begin proceedings" in flat
    assert "示例律师事务所" in re.sub(r"\s+", "", text)  # the firm signs, in its own name
    assert len(reader.pages) == 1


def test_an_in_app_message_lands_in_the_portal_inbox_once(cn_loan, cn_clock):
    permit = permit_for(cn_loan, Channel.IN_APP, cn_clock)
    InAppAdapter(clock=cn_clock).send(
        permit_id=permit.pk, message=message_to(cn_loan, Channel.IN_APP, key="inapp-1")
    )
    [note] = InAppNotification.objects.all()
    assert (note.borrower_id, note.title, note.read_at) == (cn_loan.borrower_id, "还款提醒", None)
    assert ContactAttempt.objects.filter(
        permit=permit, channel="in_app", direction=Direction.OUTBOUND
    ).exists()

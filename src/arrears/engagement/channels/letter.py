"""Letters as PDF files (A4) in a folder a print-and-post service collects from.

Chinese is set in Adobe's `STSong-Light` CID font, which every PDF reader has built in (no font
file is shipped or embedded), with reportlab's CJK line breaking: lines break between any two
characters, except that closing punctuation (，。、」) never starts a line nor opening
punctuation ends one. Latin text uses Times.

Layouts: a notice, a warning letter (催收函) and a lawyer's letter (律师函) share the frame —
the lender's letterhead, the recipient's address block, the date in the letter's language, a
title, the body paragraphs (blank lines separate them), a signature, and a footer with the
reference and page number — and differ in title, letterhead and signature (the law firm's).

The file is named after the outbox key, so writing the same message again replaces the same
file: the mail house never sees two copies. A JSON sidecar carries the address for its system.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from arrears.compliance.choices import Channel
from arrears.core.clock import Clock
from arrears.engagement.channels.base import (
    ChannelAdapter,
    Delivery,
    DeliveryFailed,
    OutboundMessage,
)

CJK_FONT = "STSong-Light"
LATIN_FONT = "Times-Roman"
LATIN_BOLD = "Times-Bold"

NOTICE = "notice"
WARNING_LETTER = "warning_letter"
LAWYER_LETTER = "lawyers_letter"


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _is_chinese(language: str) -> bool:
    return language.lower().startswith("zh")


def _title(kind: str) -> str:
    if kind == LAWYER_LETTER:
        return _("Lawyer's letter")
    if kind == WARNING_LETTER:
        return _("Warning letter")
    return _("Notice")


def _styles(language: str) -> dict[str, ParagraphStyle]:
    chinese = _is_chinese(language)
    body_font = CJK_FONT if chinese else LATIN_FONT
    bold_font = CJK_FONT if chinese else LATIN_BOLD
    wrap = "CJK" if chinese else None
    base = ParagraphStyle("body", fontName=body_font, fontSize=11, leading=18, wordWrap=wrap)
    return {
        "letterhead": ParagraphStyle(
            "letterhead", parent=base, fontName=bold_font, fontSize=14, leading=20, alignment=1
        ),
        "address": ParagraphStyle("address", parent=base, leading=15),
        "date": ParagraphStyle("date", parent=base, alignment=2),
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold_font, fontSize=18, leading=26, alignment=1
        ),
        "body": ParagraphStyle(
            "paragraph",
            parent=base,
            firstLineIndent=22 if chinese else 0,
            spaceAfter=8,
            alignment=4 if not chinese else 0,
        ),
        "signature": ParagraphStyle("signature", parent=base, alignment=2),
    }


_CJK_RUN = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]+")


def _markup(text: str) -> str:
    """Escaped paragraph markup; Chinese runs inside Latin text are set in the CJK font (Times
    has no glyphs for them)."""
    return _CJK_RUN.sub(lambda run: f'<font name="{CJK_FONT}">{run.group(0)}</font>', escape(text))


def _lines(text: str) -> str:
    return "<br/>".join(_markup(line) for line in text.strip().splitlines() if line.strip())


def _paragraphs(text: str) -> list[str]:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks if block]


def render_letter(
    message: OutboundMessage, *, on: dt.date, reference: str, lender: str, law_firm: str = ""
) -> bytes:
    """The letter as PDF bytes (A4), in the message's language."""
    _register_fonts()
    language = message.language or "zh-hans"
    chinese = _is_chinese(language)
    styles = _styles(language)
    with override(language):
        title = message.subject or _title(message.kind)
        signer = law_firm if message.kind == LAWYER_LETTER and law_firm else lender
        letterhead = signer
        footer = _("Reference %(ref)s · page %(page)s")
        salutation = (
            _("Dear %(name)s,") % {"name": message.recipient_name} if message.recipient_name else ""
        )
        if message.kind == LAWYER_LETTER and law_firm:
            signature = _("%(firm)s, on behalf of %(lender)s") % {
                "firm": law_firm,
                "lender": lender,
            }
        else:
            signature = signer
    locale = "zh_Hans_CN" if chinese else "en_GB"
    when = format_date(on, format="long", locale=locale)
    story: list[Any] = [
        Paragraph(_markup(letterhead), styles["letterhead"]),
        Spacer(1, 8 * mm),
        Paragraph(
            _lines("\n".join(filter(None, [message.recipient_name, message.address]))),
            styles["address"],
        ),
        Spacer(1, 6 * mm),
        Paragraph(_markup(when), styles["date"]),
        Spacer(1, 6 * mm),
        Paragraph(_markup(title), styles["title"]),
        Spacer(1, 6 * mm),
    ]
    if salutation:
        story.append(Paragraph(_markup(salutation), styles["address"]))
        story.append(Spacer(1, 3 * mm))
    story.extend(Paragraph(_markup(p), styles["body"]) for p in _paragraphs(message.body))
    story.append(Spacer(1, 10 * mm))
    story.append(Paragraph(_markup(signature), styles["signature"]))
    story.append(Paragraph(_markup(when), styles["signature"]))

    footer_font = CJK_FONT if chinese else LATIN_FONT

    def draw_footer(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(footer_font, 8)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, footer % {"ref": reference, "page": doc.page})
        canvas.restoreState()

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=25 * mm,
        title=title,
        author=signer,
        subject=reference,
        lang="zh-CN" if chinese else "en",
        invariant=1,
    )
    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()


class LetterAdapter(ChannelAdapter):
    """Writes `<ARREARS_LETTER_DIR>/<YYYY-MM-DD>/<key>.pdf` and a `.json` sidecar."""

    channel = Channel.LETTER

    def __init__(self, *, clock: Clock | None = None, folder: str | Path | None = None) -> None:
        super().__init__(clock=clock)
        self.folder = Path(folder or settings.ARREARS_LETTER_DIR)

    def deliver(self, message: OutboundMessage, *, permit_id: uuid.UUID) -> Delivery:
        now = self.clock.now()
        key = message.idempotency_key or str(permit_id)
        on = now.astimezone(_zone()).date()
        pdf = render_letter(
            message,
            on=on,
            reference=key,
            lender=settings.ARREARS_LENDER_NAME,
            law_firm=settings.ARREARS_LAW_FIRM_NAME,
        )
        day_folder = self.folder / on.isoformat()
        target = day_folder / f"{_safe(key)}.pdf"
        try:
            day_folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, pdf)
            _write_atomically(
                target.with_suffix(".json"),
                json.dumps(
                    {
                        "reference": key,
                        "kind": message.kind or NOTICE,
                        "recipient": message.recipient_name,
                        "address": message.address.splitlines(),
                        "language": message.language,
                        "written_at": now.isoformat(),
                    },
                    ensure_ascii=False,
                    indent=2,
                ).encode(),
            )
        except OSError as error:
            raise DeliveryFailed(
                _("The letter could not be written to %(path)s: %(error)s")
                % {"path": target, "error": error},
                transient=True,
            ) from error
        return Delivery(
            permit_id=permit_id,
            channel=self.channel,
            address=message.address,
            provider_ref=str(target),
            delivered_at=now,
        )


def _zone() -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key)[:100] or "letter"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name, then rename: the mail house never picks up half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)

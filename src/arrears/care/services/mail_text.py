"""Reading an e-mail (RFC 5322) for the desk: who, which thread, what it says, is it a robot.

Parsed with the stdlib `email` package (`policy.default`). Chinese mail is often labelled
GB2312 or GBK while holding characters only GB18030 has, so those labels are read as GB18030
(a superset), in headers (RFC 2047 encoded words) and bodies alike; a body with no charset is
tried as UTF-8, then GB18030. The text part is preferred; an HTML-only mail is turned into text.
The quoted history under "On … wrote:" / "在…写道：" is dropped: the ticket already holds it.
"""

from __future__ import annotations

import dataclasses
import email
import email.errors
import email.header
import email.message
import email.policy
import email.utils
import hashlib
import re
from html.parser import HTMLParser

#: Charset labels read as GB18030, the superset the sender most likely meant.
_GB_LABELS = frozenset({"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"})
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
#: A ticket reference in a subject: "[T0000123]".
TICKET_REFERENCE = re.compile(r"\[(T\d{7,})\]")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?reply|out of (the )?office|自动回复|自动答复|休假)", re.IGNORECASE
)
_QUOTE_HEADER = re.compile(
    r"^\s*(On .{4,200} wrote:|在.{2,200}写道[:：]|-{3,}\s*(Original Message|原始邮件)\s*-{3,})\s*$",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})


@dataclasses.dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    body: str
    #: Why no person wrote it ("" when a person did): auto_submitted, bulk, bounce, auto_reply.
    automatic: str
    #: A delivery status notification (a bounce of something we sent).
    is_bounce_report: bool

    def thread_ids(self) -> list[str]:
        """The Message-IDs it answers: In-Reply-To first, then References newest first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))

    def ticket_reference(self) -> str:
        found = TICKET_REFERENCE.search(self.subject)
        return found.group(1) if found else ""


def parse_email(raw: bytes, *, envelope_from: str | None = None) -> ParsedMail:
    """Read a raw message; `envelope_from` is the SMTP MAIL FROM ("" or "<>": a bounce)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    from_name, from_address = email.utils.parseaddr(header_text(message, "From"))
    message_id = message_ids(header_text(message, "Message-ID"))
    is_report = message.get_content_type() == "multipart/report"
    subject = " ".join(header_text(message, "Subject").split())
    return ParsedMail(
        message_id=message_id[0] if message_id else _stand_in_id(raw),
        in_reply_to=tuple(message_ids(header_text(message, "In-Reply-To"))),
        references=tuple(message_ids(header_text(message, "References"))),
        subject=subject,
        from_name=from_name.strip(),
        from_address=from_address.strip().lower(),
        body=_without_quote(body_text(message)),
        automatic=_automatic(message, subject, from_address, envelope_from, is_report),
        is_bounce_report=is_report,
    )


def language_of(text: str) -> str:
    """The language of a stranger's message: Chinese if it has Chinese characters, else English."""
    return "zh-hans" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


def message_ids(value: str) -> list[str]:
    """The `<id@domain>` tokens of a Message-ID, In-Reply-To or References header."""
    return _MESSAGE_ID.findall(value or "")


def _stand_in_id(raw: bytes) -> str:
    """A Message-ID for a mail without one: the same bytes, the same id (so it dedupes)."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def header_text(message: email.message.Message, name: str) -> str:
    """A header's text with its encoded words decoded (GB labels read as GB18030)."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
    if not raw:
        return ""
    raw = re.sub(r"\r?\n[ \t]", " ", str(raw))
    try:
        pieces = email.header.decode_header(raw)
    except (ValueError, email.errors.HeaderParseError):
        return raw
    return "".join(
        decoded(piece, charset) if isinstance(piece, bytes) else piece for piece, charset in pieces
    ).strip()


def decoded(data: bytes, charset: str | None) -> str:
    """Bytes as text in their declared charset (GB labels as GB18030), else UTF-8, else GB18030."""
    label = (charset or "").strip().lower()
    tried = ["gb18030" if label in _GB_LABELS else label] if label else []
    for candidate in [*tried, "utf-8", "gb18030"]:
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def body_text(message: email.message.EmailMessage) -> str:
    """The text the person wrote: the plain part, else the HTML part as text, else ""."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text = decoded(payload, part.get_content_charset())
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").strip()


class _TextOfHtml(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BREAKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self._BREAKS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.pieces.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML mail, a line per block, no markup (scripts and styles dropped)."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.pieces).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _without_quote(text: str) -> str:
    """The new text only: cut at the quoted history's header, drop trailing "> " lines."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index and _QUOTE_HEADER.match(line):
            lines = lines[:index]
            break
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip() or text.strip()


def _automatic(
    message: email.message.EmailMessage,
    subject: str,
    from_address: str,
    envelope_from: str | None,
    is_report: bool,
) -> str:
    """Why a machine sent this ("" if a person did), per RFC 3834 and common practice."""
    if is_report or envelope_from in ("", "<>"):
        return "bounce"
    if from_address.split("@")[0].lower() in _BOUNCE_SENDERS:
        return "bounce"
    submitted = header_text(message, "Auto-Submitted").lower()
    if submitted and submitted != "no":
        return "auto_submitted"
    if header_text(message, "X-Autoreply") or header_text(message, "X-Autorespond"):
        return "auto_reply"
    if header_text(message, "Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return "bulk"
    if _AUTO_SUBJECT.match(subject):
        return "auto_reply"
    return ""

"""The SMS provider's webhooks: delivery status and inbound replies, signed with HMAC-SHA256.

Each request must carry `X-Arrears-Signature: <hex HMAC-SHA256 of the raw body>` under
`ARREARS_SMS_WEBHOOK_SECRET`; anything else is refused with 403 before the body is read as
a form. The views parse, call one service, answer.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from arrears.core.clock import Clock, SystemClock
from arrears.engagement.channels.sms import SIGNATURE_HEADER, signature_is_valid
from arrears.engagement.services.deliveries import record_delivery_status, record_inbound_sms


def clock() -> Clock:
    """The clock the webhooks record by (tests replace it)."""
    return SystemClock()


def _signed(request: HttpRequest) -> bool:
    return signature_is_valid(
        request.body,
        request.headers.get(SIGNATURE_HEADER, ""),
        settings.ARREARS_SMS_WEBHOOK_SECRET,
    )


def _refused() -> HttpResponse:
    return HttpResponseForbidden(_("The webhook signature is missing or wrong."))


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """`MessageSid`, `MessageStatus` (delivered, failed, undelivered …), `ErrorCode`."""
    if not _signed(request):
        return _refused()
    message = record_delivery_status(
        provider_ref=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error=request.POST.get("ErrorCode", ""),
        clock=clock(),
    )
    if message is None:  # not (yet) ours: the provider retries later
        return JsonResponse({"detail": _("No message has this reference.")}, status=404)
    return JsonResponse({"id": str(message.pk), "status": message.status})


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """`From`, `To`, `Body`, `MessageSid`: a reply from a borrower."""
    if not _signed(request):
        return _refused()
    stored = record_inbound_sms(
        from_number=request.POST.get("From", ""),
        to_number=request.POST.get("To", ""),
        text=request.POST.get("Body", ""),
        provider_ref=request.POST.get("MessageSid", ""),
        clock=clock(),
    )
    return JsonResponse(
        {"threaded": [m.borrower_id for m in stored], "opt_out": any(m.is_opt_out for m in stored)}
    )

"""Webhooks the channel providers call (mounted at /webhooks/)."""

from django.urls import path

from arrears.engagement import webhooks

app_name = "engagement"

urlpatterns = [
    path("sms/status", webhooks.sms_status, name="sms-status"),
    path("sms/inbound", webhooks.sms_inbound, name="sms-inbound"),
]

"""The care desk's own pages and streams (mounted at /care/): web chat and the survey page."""

from django.urls import path

from arrears.care import chat_views, survey_views

app_name = "care"

urlpatterns = [
    path("chats", chat_views.start, name="chat-start"),
    path("chats/<int:chat_id>/events", chat_views.events, name="chat-events"),
    path("chats/<int:chat_id>/messages", chat_views.post_message, name="chat-message"),
    path("chats/<int:chat_id>/end", chat_views.end, name="chat-end"),
    path("chats/<int:chat_id>/accept", chat_views.accept, name="chat-accept"),
    path("agent/presence", chat_views.presence, name="chat-presence"),
    path("survey/<str:token>", survey_views.survey, name="survey"),
]

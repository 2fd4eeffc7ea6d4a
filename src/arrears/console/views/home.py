"""The console's start page: the screens this person's role opens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from arrears.console.access import staff_page


@staff_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {})


urlpatterns = [path("", home, name="home")]

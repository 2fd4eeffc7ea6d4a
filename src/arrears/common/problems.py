"""Errors → RFC 9457 problem details, for every API operation.

`ProblemDetailsAPI` is a NinjaAPI whose error responses are all `application/problem+json`:

    {"type": "urn:arrears:problem:validation-error", "title": "Invalid input", "status": 422,
     "detail": "phones[0]: not a valid phone number", "field": "phones[0]", "errors": [...]}

Domain errors (`arrears.core.errors`) map by kind — ValidationError 422, NotFound 404,
Conflict 409 — as do django-ninja's own input errors (422, naming the field), failed
authentication (401) and refused permissions (403). Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja import errors as ninja_errors

from arrears.common.schemas import Problem
from arrears.core import errors as domain

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:arrears:problem:"

#: The problem type (after `PROBLEM_TYPE_PREFIX`) of each HTTP status an error may have.
_TYPES: dict[int, str] = {
    400: "bad-request",
    401: "not-authenticated",
    403: "permission-denied",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    422: "validation-error",
    429: "too-many-requests",
}


def _titles() -> dict[int, str]:
    """The title of each problem type, in the request's language."""
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Permission denied"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        422: _("Invalid input"),
        429: _("Too many requests"),
    }


def error_responses(*statuses: int) -> dict[int, type[Problem]]:
    """The `response=` entries documenting an operation's error statuses."""
    return dict.fromkeys(statuses, Problem)


class ProblemDetailsAPI(NinjaAPI):
    """A NinjaAPI that answers every error with a problem detail and documents them as such."""

    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()  # keeps the 500 behaviour for real bugs
        handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
            (domain.ArrearsError, self._domain_error),
            (ninja_errors.ValidationError, self._input_error),
            (ninja_errors.HttpError, self._http_error),
            (Http404, self._not_found),
            (PermissionDenied, self._permission_denied),
            (DjangoValidationError, self._model_validation_error),
        ]
        for exc_class, handler in handlers:
            self.add_exception_handler(exc_class, handler)

    # --- building the response -------------------------------------------------------------
    def problem(
        self,
        request: HttpRequest,
        *,
        status: int,
        detail: str,
        field: str | None = None,
        errors: Sequence[Mapping[str, str]] | None = None,
    ) -> HttpResponse:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_PREFIX + _TYPES.get(status, "error"),
            "title": _titles().get(status, _("Error")),
            "status": status,
            "detail": detail,
        }
        if field is not None:
            body["field"] = field
        if errors is not None:
            body["errors"] = list(errors)
        response = self.create_response(request, body, status=status)
        response["Content-Type"] = f"{PROBLEM_MEDIA_TYPE}; charset={self.renderer.charset}"
        return response

    # --- handlers ----------------------------------------------------------------------------
    def _domain_error(self, request: HttpRequest, exc: domain.ArrearsError) -> HttpResponse:
        if isinstance(exc, domain.ValidationError):
            source = {"field": exc.field, "source": "body", "message": exc.reason}
            return self.problem(
                request, status=422, detail=exc.message, field=exc.field, errors=[source]
            )
        if isinstance(exc, domain.NotFound):
            status = 404
        elif isinstance(exc, domain.Conflict):
            status = 409
        else:
            status = exc.status
        return self.problem(request, status=status, detail=exc.message)

    def _input_error(self, request: HttpRequest, exc: ninja_errors.ValidationError) -> HttpResponse:
        problems = [_field_problem(error) for error in exc.errors]
        if not problems:
            return self.problem(request, status=422, detail=_("The request is not valid."))
        first = problems[0]
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return self.problem(
            request, status=422, detail=detail, field=first["field"], errors=problems
        )

    def _http_error(self, request: HttpRequest, exc: ninja_errors.HttpError) -> HttpResponse:
        if isinstance(exc, ninja_errors.AuthenticationError):
            response = self.problem(
                request,
                status=401,
                detail=_("Send an API token as 'Authorization: Bearer <token>', or sign in."),
            )
            response["WWW-Authenticate"] = 'Bearer realm="arrears"'
            return response
        if isinstance(exc, ninja_errors.AuthorizationError):
            return self.problem(
                request, status=403, detail=_("Your role does not allow this action.")
            )
        return self.problem(request, status=exc.status_code, detail=str(exc))

    def _not_found(self, request: HttpRequest, exc: Http404) -> HttpResponse:
        return self.problem(request, status=404, detail=str(exc) or _("No such resource."))

    def _permission_denied(self, request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return self.problem(
            request, status=403, detail=str(exc) or _("Your role does not allow this action.")
        )

    def _model_validation_error(
        self, request: HttpRequest, exc: DjangoValidationError
    ) -> HttpResponse:
        problems = [
            {"field": field, "source": "body", "message": str(message)}
            for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items()
            for message in messages
        ]
        first = problems[0] if problems else {"field": "", "message": str(exc)}
        return self.problem(
            request,
            status=422,
            detail="; ".join(
                f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems
            ),
            field=first["field"] or None,
            errors=problems,
        )

    # --- the OpenAPI document says what the responses really are -----------------------------
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400 and "content" in response:
                        (media,) = response["content"].values()
                        response["content"] = {PROBLEM_MEDIA_TYPE: media}
        return schema


def _field_problem(error: Mapping[str, Any]) -> dict[str, str]:
    """One of ninja's errors as {field, source, message}: `("body", "payload", "phones", 0)`
    becomes field `phones[0]` from the body."""
    location = list(error.get("loc", ()))
    source = str(location.pop(0)) if location else "body"
    if source == "body" and len(location) > 0 and location[0] == "payload":
        location.pop(0)
    message = str(error.get("msg", ""))
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        message = str(error["ctx"]["error"])  # our own message, without pydantic's prefix
    return {"field": _dotted(location), "source": source, "message": message}


def _dotted(location: Iterable[object]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path

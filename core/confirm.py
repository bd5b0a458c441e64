"""Asking once before an action that cannot be taken back, with or without JavaScript.

A form that does such a thing carries ``data-confirm`` (the words of what will happen) and
``data-confirm-yes`` (the yes button's words): static/js/confirm.js asks in a dialog and
posts the form with ``confirmed=yes`` only on yes. Its view acts only on ``confirmed=yes``
and otherwise answers with :func:`confirmation_response`, a page asking the same question,
so a post from a page without the script (or a stray replay) changes nothing.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The field confirm.js and the confirmation page add to the form they send.
CONFIRMED_FIELD = "confirmed"
CONFIRMED_VALUE = "yes"
# Never carried over into the confirmation page's form: the page renders its own token.
_NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRMED_FIELD}


def is_confirmed(request: HttpRequest) -> bool:
    """Whether the person said yes to the question (in the dialog or on the page)."""
    return request.POST.get(CONFIRMED_FIELD) == CONFIRMED_VALUE


def confirmation_response(request: HttpRequest, *, question: str, yes_label: str, back_url: str) -> HttpResponse:
    """A page that asks `question`; its yes button posts the same fields to the same address
    with confirmed=yes, and its other choice goes back to `back_url` having changed nothing."""
    fields = [(name, value) for name, values in request.POST.lists() if name not in _NOT_CARRIED for value in values]
    return render(request, "includes/confirm_page.html", {
        "question": question,
        "yes_label": yes_label,
        "back_url": back_url,
        "action": request.path,
        "fields": fields,
        "confirmed_field": CONFIRMED_FIELD,
        "confirmed_value": CONFIRMED_VALUE,
    })

"""Signing in without a password.

A learner's session holds only the id of the join link that opened it. Every
request checks that link is still live, so revoking a link ends the session at
once. Teachers' links sign in their user account instead, so the same Django
permissions apply to them as when they sign in with a password.
"""

from django.contrib.auth import login, logout

from classes.models import JoinLink, Learner
from classes.courses.join_links import join_link_is_live, join_link_mark_used, link_expiry

SESSION_KEY = "learner_join_link"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_start(request, *, link: JoinLink) -> None:
    """Sign in the person a join link belongs to, replacing whoever was signed in on this device."""
    logout(request)  # flushes the old session: a shared family phone changes hands
    if link.teacher_id:
        login(request, link.teacher.user, backend=AUTH_BACKEND)
    else:
        request.session[SESSION_KEY] = link.pk
        request.session.set_expiry(link_expiry(link=link))
    join_link_mark_used(link=link)


def current_learner(request) -> Learner | None:
    """The learner signed in on this device, if any; looked up once per request."""
    if not hasattr(request, "_current_learner"):
        request._current_learner = _learner_from_session(request)
    return request._current_learner


def _learner_from_session(request) -> Learner | None:
    link_id = request.session.get(SESSION_KEY)
    if not link_id:
        return None
    link = join_link_is_live(link_id=link_id)
    if link is None:
        request.session.pop(SESSION_KEY, None)
        return None
    return link.learner


def scope_learner(scope) -> Learner | None:
    """The learner a socket's session belongs to, if their link is still live."""
    link_id = scope["session"].get(SESSION_KEY)
    link = join_link_is_live(link_id=link_id) if link_id else None
    return link.learner if link else None


def scope_signed_in(scope) -> bool:
    """A revoked link (a new card was printed, or the learner withdrew) no longer signs anyone in."""
    return scope_learner(scope) is not None or scope["user"].is_authenticated

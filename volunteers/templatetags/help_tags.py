"""The 我需要帮助 button of the page header: one tap asks a volunteer to call the signed-in learner."""

from django import template

from classes.courses.learner_session import current_learner
from classes.models import ClassSession, CoursePage

register = template.Library()


def _page_course(context) -> CoursePage | None:
    """The course the learner is looking at, if the page is about one."""
    for candidate in (context.get("course"), context.get("page")):
        if isinstance(candidate, CoursePage):
            return candidate
    session = context.get("session")
    return session.course if isinstance(session, ClassSession) else None


@register.inclusion_tag("volunteers/includes/help_call_me_button.html", takes_context=True)
def help_call_me_button(context):
    """Nothing for visitors who are not signed in as a learner (they keep the link to /help/)."""
    request = context.get("request")
    learner = current_learner(request) if request is not None and hasattr(request, "session") else None
    course = _page_course(context) if learner is not None else None
    return {"learner": learner, "course_id": course.pk if course else None}

"""The 求助 button of the page header: one button, in the same place on every page, that
does what helps whoever is looking. A signed-in learner asks a volunteer to call them with
one tap; anyone else is taken to the help page, which gives the centre's phone number."""

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


@register.inclusion_tag("volunteers/includes/help_button.html", takes_context=True)
def help_button(context):
    """For a learner, the form that posts to help_call_me with the page's course (so the
    volunteer knows where they are stuck); for visitors and staff, the link to /help/."""
    request = context.get("request")
    learner = current_learner(request) if request is not None and hasattr(request, "session") else None
    course = _page_course(context) if learner is not None else None
    return {"learner": learner, "course_id": course.pk if course else None}

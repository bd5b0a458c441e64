"""Who is looking at a page, for the pages of classes that are not their own views: the
Wagtail course page, and the refusal the class page and the learning group share."""

from django import template

from classes.courses.learner_session import current_learner
from classes.courses.selectors import LearnerCourse, learner_course

register = template.Library()


@register.simple_tag(takes_context=True)
def signed_in_here(context) -> bool:
    """`{% signed_in_here as signed_in %}`: this phone is signed in, by a learner's link or a
    staff account. A phone that is not cannot tell whose classes are whose, so it is told to
    open the personal link again rather than that it has no seat."""
    request = context["request"]
    return current_learner(request) is not None or request.user.is_authenticated


@register.simple_tag(takes_context=True)
def my_place_in(context, course) -> LearnerCourse | None:
    """`{% my_place_in page as mine %}`: the signed-in learner's seat or waiting place in
    the course, with its next class; None for anyone else."""
    return learner_course(learner=current_learner(context["request"]), course=course)

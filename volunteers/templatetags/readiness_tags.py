"""Readiness on other apps' pages (the teachers' and coordinators' roster), so those
pages need not know how volunteers count a learner ready."""

from django import template

from volunteers.selectors.readiness import readiness_for_course, summarise_readiness

register = template.Library()


@register.simple_tag
def course_readiness(course) -> dict:
    """`{% course_readiness course as readiness %}`: each seated learner's readiness by
    learner id (`by_learner`) and the course's count (`summary`)."""
    by_learner = readiness_for_course(course=course)
    return {"by_learner": by_learner, "summary": summarise_readiness(by_learner)}


@register.filter
def readiness_of(readiness: dict, learner_id: int):
    """`{{ readiness|readiness_of:learner.pk }}`: one learner's, or None without a seat."""
    return readiness["by_learner"].get(learner_id)

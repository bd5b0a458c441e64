"""The learning groups' unread counts on other pages of classes (我的课程)."""

from django import template

from classes.groups.selectors import unread_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_in_group(context, course, learner) -> int:
    """`{% unread_in_group course learner as unread %}`: messages from others since the learner
    last read. The first call on a page counts the groups of every course the learner is in,
    at once, so a page listing them all costs the same few queries however many there are."""
    counts = context.render_context.get(("unread", learner.pk))
    if counts is None:
        counts = unread_counts(courses=learner.enrolments.values("course_id"), learner=learner)
        context.render_context[("unread", learner.pk)] = counts
    return counts.get(course.pk, 0)

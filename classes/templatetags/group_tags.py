"""The learning groups' unread counts on other pages of classes (我的课程)."""

from django import template

from classes.groups.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_in_group(course, learner) -> int:
    """`{% unread_in_group course learner as unread %}`: messages from others since the learner last read."""
    return unread_count(course=course, learner=learner)

"""The live rooms' findings on other pages of classes (the roster's "who came to class")."""

from django import template

from classes.live.selectors import course_attendance

register = template.Library()


@register.simple_tag
def attendance_of(course) -> list[dict]:
    """`{% attendance_of course as attendance %}`: the latest classes, who came and when."""
    return course_attendance(course=course)

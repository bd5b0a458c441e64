"""The live rooms' findings on other pages of classes (the roster's "who came to class", and
whether the class can be carried without the video server)."""

from django import template

from classes.live.selectors import course_attendance, media_capacity_warning

register = template.Library()


@register.simple_tag
def attendance_of(course) -> list[dict]:
    """`{% attendance_of course as attendance %}`: the latest classes, who came and when."""
    return course_attendance(course=course)


@register.simple_tag
def media_warning_for(course) -> str:
    """`{% media_warning_for course as warning %}`: words for the teacher and the coordinators
    when more learners come online than the teacher's browser can send to alone."""
    return media_capacity_warning(course=course)

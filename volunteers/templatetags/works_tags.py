"""Learners' works on other apps' pages (a course page, the teachers' and learners' own
pages), so those pages need not know when a work is public or who may send one."""

from django import template

from volunteers.selectors.works import courses_helped_by, works_pending_count, works_public_count

register = template.Library()


@register.inclusion_tag("volunteers/includes/course_works_link.html")
def course_works_link(course):
    """`{% course_works_link course %}`: the course's gallery, once it has a public work."""
    return {"course": course, "count": works_public_count(course=course)}


@register.inclusion_tag("volunteers/includes/works_teacher_links.html")
def works_teacher_links(course):
    """`{% works_teacher_links course %}`: works waiting for the teacher, and the gallery."""
    return {"course": course, "waiting": works_pending_count(course=course)}


@register.inclusion_tag("volunteers/includes/work_send_link.html")
def work_send_link(course):
    """`{% work_send_link course %}`: a learner sends a photo of their work."""
    return {"course": course}


@register.inclusion_tag("volunteers/includes/works_volunteer_links.html")
def works_volunteer_links(user, is_coordinator=False):
    """`{% works_volunteer_links request.user is_coordinator %}`: sending works for the
    learners of the courses a volunteer helps; the works waiting, for a coordinator."""
    return {"courses": list(courses_helped_by(user=user)), "is_coordinator": is_coordinator}

"""看回放 buttons, where a class's recordings are offered: 我的课程 and the page of a class that has ended."""

from django import template

from classes.recordings.selectors import recording_may_watch, recordings_ready, replays_of_learner

register = template.Library()


@register.inclusion_tag("classes/replay_links.html")
def session_replays(session, person):
    """The recordings of one class, for someone who may watch them (`person`: their CoursePerson)."""
    if not recording_may_watch(person=person):
        return {"replays": []}
    return {"replays": list(recordings_ready(session=session))}


@register.inclusion_tag("classes/replay_links.html", takes_context=True)
def course_replays(context, course, learner):
    """The latest recordings of a learner's course, if they have a seat in it. The learner's
    courses are read together at the page's first call (replays_of_learner)."""
    key = ("replays_of_learner", learner.pk)
    if key not in context.render_context:
        context.render_context[key] = replays_of_learner(learner=learner)
    return {"replays": context.render_context[key].get(course.pk, [])}

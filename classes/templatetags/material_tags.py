"""The course page's materials, for the Wagtail course page, which is not a view of its own."""

from dataclasses import dataclass

from django import template

from classes.courses.learner_session import current_learner
from classes.courses.materials import MaterialRow, course_materials, learners_only_document_ids

register = template.Library()


@dataclass(frozen=True)
class MaterialList:
    rows: list[MaterialRow]
    locked: bool  # some are kept for the course's learners and this person is not one: say how to get in


@register.simple_tag(takes_context=True)
def materials_of(context, course) -> MaterialList:
    """`{% materials_of page as materials %}`."""
    request = context["request"]
    rows = course_materials(course=course, learner=current_learner(request), user=getattr(request, "user", None))
    return MaterialList(rows, locked=any(not row.may_download for row in rows))


@register.simple_tag
def learners_only_in(body) -> set[int]:
    """`{% learners_only_in page.body as learners_only_documents %}`: the files of the body's
    download buttons that a course keeps for its learners, so those buttons say so too."""
    ids = {block.value["document"].pk for block in body
           if block.block_type == "material" and block.value["document"] is not None}
    return learners_only_document_ids(document_ids=ids)

"""Course materials: the files a course page lists, and who may download those a
coordinator marked for the course's learners only.

Wagtail's document view serves every file; its before_serve_document hook
(classes/wagtail_hooks.py) asks `document_refused_course` first. The files themselves are
never served from /media/ (learning/urls.py, and the proxy's rule in docs/deploy.md), so
the view is the only way to them.

The list on the course page is the same for everyone without a session, as the page
cache needs (core/pagecache.py): a learners-only material is listed to all, with the
words 只限本班学员; only whether to explain how to get in depends on who is looking, and
everyone without a session gets the explanation.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from wagtail.documents.models import AbstractDocument

from classes.courses.people import course_person
from classes.models import CourseMaterial, CoursePage, Learner, RoomRole
from core.documents import document_size_and_type

# The people of a course who may download its learners-only materials. A volunteer helps
# in class but is not given the learners' handouts: the rule the coordinators asked for.
MAY_DOWNLOAD = (RoomRole.LEARNER, RoomRole.TEACHER, RoomRole.COORDINATOR)


@dataclass(frozen=True)
class MaterialRow:
    """One material as the course page lists it."""

    material: CourseMaterial
    size_and_type: str  # “PDF，1.2 MB”
    may_download: bool  # False: the page says how to get in


def course_materials(*, course: CoursePage, learner: Learner | None, user: AbstractBaseUser | None) -> list[MaterialRow]:
    """The course's materials in the editor's order, each with its size and kind in words."""
    # In the editor's order (Orderable's Meta); no order_by, which a preview's unsaved rows could not sort.
    materials = list(course.materials.select_related("document"))
    if any(material.learners_only for material in materials):
        mine = _may_download(course=course, learner=learner, user=user)
    else:
        mine = True
    return [
        MaterialRow(material, document_size_and_type(document=material.document), mine or not material.learners_only)
        for material in materials
    ]


def document_refused_course(
    *, document: AbstractDocument, learner: Learner | None, user: AbstractBaseUser | None
) -> CoursePage | None:
    """The course whose learners-only material this is, when the person may not download it;
    None when they may (or the file is no course's learners-only material). A file marked
    for learners only in several courses opens to the people of any of them."""
    courses = list(
        CoursePage.objects.filter(materials__document=document, materials__learners_only=True).distinct().order_by("path")
    )
    if any(_may_download(course=course, learner=learner, user=user) for course in courses):
        return None
    return courses[0] if courses else None


def learners_only_document_ids(*, document_ids: set[int]) -> set[int]:
    """Those of the files that some course keeps for its learners: the page marks their buttons."""
    if not document_ids:
        return set()
    return set(
        CourseMaterial.objects.filter(document_id__in=document_ids, learners_only=True)
        .values_list("document_id", flat=True)
    )


def _may_download(*, course: CoursePage, learner: Learner | None, user: AbstractBaseUser | None) -> bool:
    person = course_person(course=course, learner=learner, user=user)
    return person is not None and person.role in MAY_DOWNLOAD

"""The coordinators' paste-a-list import of learners, inside the Wagtail admin."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from classes.courses import services
from classes.courses.forms import BulkLearnersForm
from core.roles import require_coordinator


def learners_import(request):
    """Paste “name, phone” lines, see what will happen to each, then save them all at once."""
    require_coordinator(request)
    initial = {"course": request.GET.get("course")} if request.GET.get("course", "").isdigit() else {}
    form = BulkLearnersForm(request.POST or None, initial=initial)
    rows = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "save" in request.POST:
                saved = services.learners_bulk_save(text=data["lines"], course=data["course"], pool=data["pool"])
                messages.success(request, _("%(count)s learners saved.") % {"count": len(saved)})
                if data["course"]:
                    return redirect("roster", course_id=data["course"].pk)
                return redirect("wagtailadmin_learners_import")
            rows = services.learners_bulk_preview(text=data["lines"], course=data["course"])
        except ValidationError as error:
            form.add_error(None, error)
            if "save" in request.POST:
                rows = services.learners_bulk_preview(text=data["lines"], course=data["course"])
    return TemplateResponse(request, "classes/admin/learners_import.html", {
        "form": form,
        "rows": rows,
        "can_save": bool(rows) and all(row.ok for row in rows),
        "page_title": _("Add learners from a list"),
        "header_icon": "group",
    })

"""Site-wide pages: the home page and plain information pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from classes.courses.selectors import course_index_page, sessions_this_week
from classes.models import CoursePage
from core.blocks import BodyBlock
from volunteers.selectors.initiatives import initiatives_current


class HomePage(Page):
    """The front page: a welcome, today's classes and the coming week's classes.

    The class cards come from the timetable; editors write only the welcome.
    """

    introduction = models.TextField(
        _("welcome text"),
        blank=True,
        help_text=_("One or two short sentences shown under the page title."),
    )

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["classes.CourseIndexPage", "home.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["today_sessions"], context["week_sessions"] = sessions_this_week()
        context["course_index"] = course_index_page()
        context["courses"] = CoursePage.listed()
        context["initiatives"] = initiatives_current()
        return context


class StandardPage(Page):
    """A plain information page, e.g. “How to join a class” or “About the centre”."""

    introduction = models.TextField(_("introduction"), blank=True, help_text=_("A short summary at the top."))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"), help_text=_("The page content."))

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("information page")

"""{% load initiative_tags %}{% current_initiatives %}: the centre's current initiatives on any page."""

from django import template

from volunteers.selectors.initiatives import initiatives_current

register = template.Library()


@register.inclusion_tag("volunteers/initiatives.html")
def current_initiatives():
    return {"initiatives": list(initiatives_current())}

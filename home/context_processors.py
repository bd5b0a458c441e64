from django.conf import settings


def centre(request):
    """The centre's name and help phone, shown in the help section of every page."""
    return {"centre_name": settings.CENTRE_NAME, "centre_help_phone": settings.CENTRE_HELP_PHONE}

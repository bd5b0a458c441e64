from django.db import migrations

# Wagtail's own migrations write these records in English, and the admin shows them as they are:
# the root of the page tree and of the collections ("Root"), and the moderation workflow made from
# the Moderators group's publishing rights ("Moderators approval").
WAGTAIL_ROOT = "Root"
ROOT = "根目录"
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"


def admin_in_chinese(apps, schema_editor):
    """Name the roots in Chinese, and turn off Wagtail's default workflow: coordinators publish
    themselves and nobody is a Moderator, so "submit to Moderators approval" would leave a page
    waiting for no one, behind an English button."""
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Page.objects.filter(depth=1, title=WAGTAIL_ROOT).update(title=ROOT, draft_title=ROOT)
    Collection.objects.filter(depth=1, name=WAGTAIL_ROOT).update(name=ROOT)
    Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).update(active=False)


def admin_in_english(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Page.objects.filter(depth=1, title=ROOT).update(title=WAGTAIL_ROOT, draft_title=WAGTAIL_ROOT)
    Collection.objects.filter(depth=1, name=ROOT).update(name=WAGTAIL_ROOT)
    Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).update(active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_dialogue_block"),
        ("wagtailcore", "0025_collection_initial_data"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]
    operations = [migrations.RunPython(admin_in_chinese, admin_in_english)]

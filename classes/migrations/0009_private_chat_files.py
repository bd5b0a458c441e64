"""A learning group's photos and voice messages become private (issue 15): new files go to
PRIVATE_MEDIA_ROOT under random names, and the files already stored under MEDIA_ROOT
(chat/images/2025/06/picture.jpg, guessable and served by /media/) are moved there
under random names too.

Safe to run again and safe with files missing: a name already in private storage is
left alone, and a name whose file is in neither place is left as it was (its URL, now
the members-only view, answers 404 as it would have before). A public file is deleted
only after the transaction that records its new name has committed.
"""

import logging

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import migrations, models, transaction

import core.private_media

logger = logging.getLogger(__name__)

FIELDS = ("image", "thumbnail", "voice")


def move_chat_files_to_private_storage(apps, schema_editor):
    ChatMessage = apps.get_model("classes", "ChatMessage")
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    messages = ChatMessage.objects.exclude(image="", thumbnail="", voice="").only("pk", *FIELDS)
    for message in messages.iterator():
        moved = {}
        for field_name in FIELDS:
            field = ChatMessage._meta.get_field(field_name)
            name = getattr(message, field_name).name
            if not name or field.storage.exists(name):
                continue
            if not public.exists(name):
                logger.warning("Chat file %s of message %s is missing; its name is kept.", name, message.pk)
                continue
            with public.open(name, "rb") as old:
                moved[field_name] = field.storage.save(field.upload_to(message, name), old)
            transaction.on_commit(lambda name=name: public.delete(name))
        if moved:
            ChatMessage.objects.filter(pk=message.pk).update(**moved)


class Migration(migrations.Migration):

    dependencies = [
        ("classes", "0008_room_media_mode"),
    ]

    operations = [
        migrations.AlterField(
            model_name="chatmessage",
            name="image",
            field=models.FileField(blank=True, db_index=True, storage=core.private_media.PrivateStorage(view_name="group_file"), upload_to=core.private_media.PrivateName("chat")),
        ),
        migrations.AlterField(
            model_name="chatmessage",
            name="thumbnail",
            field=models.FileField(blank=True, db_index=True, storage=core.private_media.PrivateStorage(view_name="group_file"), upload_to=core.private_media.PrivateName("chat")),
        ),
        migrations.AlterField(
            model_name="chatmessage",
            name="voice",
            field=models.FileField(blank=True, db_index=True, storage=core.private_media.PrivateStorage(view_name="group_file"), upload_to=core.private_media.PrivateName("chat")),
        ),
        # Going back leaves the files where they are: private, which is never the worse place.
        migrations.RunPython(move_chat_files_to_private_storage, migrations.RunPython.noop),
    ]

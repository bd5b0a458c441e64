"""StreamField blocks shared by every page type."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    """A picture with the words a screen reader says for it and an optional caption."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Description for screen readers"),
        max_length=200,
        help_text=_("Say what the picture shows, e.g. “The teacher writes 永 with a large brush”."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image_block.html"


class VideoBlock(blocks.StructBlock):
    """A video file uploaded to the site and played by the site itself (no outside video host)."""

    video = DocumentChooserBlock(
        label=_("Video file"),
        help_text=_("Upload an MP4 or WebM file in Documents first, then choose it here."),
    )
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    transcript = blocks.TextBlock(
        label=_("What is said in the video"),
        required=False,
        help_text=_("A short written version for learners who cannot hear the sound."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"


class MaterialBlock(blocks.StructBlock):
    """A handout or worksheet learners download, shown as one large button."""

    document = DocumentChooserBlock(label=_("File"))
    title = blocks.CharBlock(label=_("Button text"), max_length=100, help_text=_("e.g. “Download this week's handout”."))
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Download")
        template = "blocks/material_block.html"


class DialogueLineBlock(blocks.StructBlock):
    """One thing one person says, in Chinese and in English."""

    speaker = blocks.CharBlock(
        label=_("Speaker"), max_length=30, help_text=_("Who says it, e.g. “志愿者 Volunteer”.")
    )
    chinese = blocks.CharBlock(label=_("Chinese text"), max_length=200)
    pinyin = blocks.CharBlock(
        label=_("Pinyin"),
        required=False,
        max_length=400,
        help_text=_("Optional. With tone marks, e.g. “nǐ hǎo”, for learners of Chinese."),
    )
    english = blocks.CharBlock(label=_("English text"), max_length=300)

    class Meta:
        icon = "comment"
        label = _("Dialogue line")


class DialogueBlock(blocks.StructBlock):
    """A short conversation learners read, hear read aloud line by line, and print as a handout."""

    title = blocks.CharBlock(label=_("Title"), max_length=100, help_text=_("e.g. “我是一位志愿者”."))
    lines = blocks.ListBlock(
        DialogueLineBlock(),
        label=_("Lines"),
        # Thirty lines is about all a learner follows in one sitting on a phone; split longer ones.
        min_num=1,
        max_num=30,
    )

    class Meta:
        icon = "openquote"
        label = _("Bilingual dialogue")
        help_text = _(
            "Each line in Chinese and in English. Learners can hear every line read aloud, "
            "slowly if they wish, and print the dialogue in large type."
        )
        template = "blocks/dialogue_block.html"


class BodyBlock(blocks.StreamBlock):
    """The content a course or information page is made of."""

    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", icon="title", template="blocks/heading_block.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Text"), features=["bold", "italic", "ol", "ul", "link"], icon="pilcrow"
    )
    image = ImageBlock()
    video = VideoBlock()
    material = MaterialBlock()
    dialogue = DialogueBlock()

    class Meta:
        label = _("Content")

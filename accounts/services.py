import uuid
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import ImageOps

from accounts.models import User
from core.images import image_upright

AVATAR_SIZE = 256


def _avatar_render(upload: UploadedFile) -> ContentFile:
    upright, _format = image_upright(upload)
    image = ImageOps.fit(upright.convert("RGBA"), (AVATAR_SIZE, AVATAR_SIZE))
    buffer = BytesIO()
    image.save(buffer, format="WEBP", quality=85)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    avatar: UploadedFile | bool | None = None,
    notify_replies: bool | None = None,
) -> User:
    """Save what a user may change about themselves.

    `avatar`: an uploaded picture replaces the current one, False removes it, None keeps it.
    `notify_replies`: the reply e-mails on or off; None keeps the setting.
    The replaced file is deleted once the new row is committed.
    """
    old_avatar = User.objects.filter(pk=user.pk).values_list("avatar", flat=True).get()
    user.display_name = display_name
    fields = ["display_name"]
    if notify_replies is not None:
        user.notify_replies = notify_replies
        fields.append("notify_replies")
    if isinstance(avatar, UploadedFile):
        user.avatar = _avatar_render(avatar)
        fields.append("avatar")
    elif avatar is False:
        user.avatar = ""
        fields.append("avatar")
    user.save(update_fields=fields)
    if old_avatar and "avatar" in fields:
        storage = User._meta.get_field("avatar").storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    return user

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.images import image_validate

AVATAR_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me on this device")


class AvatarInput(forms.ClearableFileInput):
    template_name = "accounts/widgets/avatar_input.html"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "avatar", "notify_replies"]
        widgets = {
            "avatar": AvatarInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"})
        }
        help_texts = {
            "avatar": _("A JPEG, PNG, GIF or WebP picture, at most %(size)s.")
            % {"size": filesizeformat(settings.AVATAR_MAX_BYTES)},
        }

    def clean_display_name(self):
        return " ".join(self.cleaned_data["display_name"].split())

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        # Unchanged (the stored file) or cleared: nothing new to check.
        if not avatar or not hasattr(avatar, "content_type"):
            return avatar
        image_validate(
            avatar,
            formats=AVATAR_FORMATS,
            max_bytes=settings.AVATAR_MAX_BYTES,
            max_pixels=settings.AVATAR_MAX_PIXELS,
        )
        return avatar


class SignupForm(AllauthSignupForm):
    honeypot_field_name = settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("email", "username", "password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("placeholder", None)
        if self.honeypot_field_name in self.fields:
            # Hidden by the stylesheet and from assistive technology; only bots fill it in.
            trap = self.fields[self.honeypot_field_name]
            trap.widget.attrs.pop("style", None)
            trap.widget.attrs["autocomplete"] = "off"
        self.fields["username"].help_text = _(
            "Letters, digits and @ . + - _ only. Shown if you leave the display name empty."
        )

"""The body editor's image picker: staff upload a picture or choose an earlier one.

django-prose-editor's Image extension opens this page in a window (its `pickerUrl`) and
takes back the chosen image's address through the CKEditor callback it emulates
(static/js/body_image_picker.js). Reached through the admin site only: staff, CSRF.
"""

import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from articles import services
from articles.models import BodyImage

RECENT_UPLOADS = 24
_CALLBACK = re.compile(r"-?[0-9]{1,9}")


class BodyImageForm(forms.ModelForm):
    class Meta:
        model = BodyImage
        fields = ["image", "alt", "caption", "credit"]


def _callback_number(value: str) -> str:
    # The editor's own number for its callback (it counts down from -1); anything else is
    # dropped, not echoed.
    return value if _CALLBACK.fullmatch(value) else ""


@require_http_methods(["GET", "POST"])
def body_image_picker(request, *, admin_site_context: dict):
    if not (
        request.user.has_perm("articles.change_article")
        or request.user.has_perm("articles.add_article")
    ):
        raise PermissionDenied
    callback = _callback_number(
        request.GET.get("CKEditorFuncNum") or request.POST.get("callback", "")
    )
    form = BodyImageForm(request.POST or None, request.FILES or None)
    chosen, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            chosen = services.body_image_upload(
                image=form.cleaned_data["image"],
                alt=form.cleaned_data["alt"],
                caption=form.cleaned_data["caption"],
                credit=form.cleaned_data["credit"],
                user=request.user,
            )
            form = BodyImageForm()
        else:
            status = 400
    context = {
        **admin_site_context,
        "title": _("Insert a picture"),
        "form": form,
        "callback": callback,
        "chosen": chosen,
        "recent": BodyImage.objects.all()[:RECENT_UPLOADS],
        "is_popup": True,
    }
    return TemplateResponse(
        request, "admin/articles/body_image_picker.html", context, status=status
    )

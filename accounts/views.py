from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import UpdateView

from accounts.forms import ProfileForm
from accounts.models import User
from accounts.roles import author_for
from accounts.services import profile_update


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset=None):
        # A copy: a rejected form must not leak its values into request.user (the header).
        return User.objects.get(pk=self.request.user.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            author_profile=author_for(self.object),
            # Panels of apps above accounts (the newsletter's), named in settings.
            profile_panels=settings.PROFILE_PANELS,
            **kwargs,
        )

    def form_valid(self, form):
        avatar = form.cleaned_data.get("avatar")
        profile_update(
            user=self.object,
            display_name=form.cleaned_data["display_name"],
            avatar=avatar if isinstance(avatar, UploadedFile) or avatar is False else None,
            notify_replies=form.cleaned_data["notify_replies"],
        )
        messages.success(self.request, _("Your profile is saved."))
        return HttpResponseRedirect(self.get_success_url())

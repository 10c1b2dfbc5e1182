from django import template

from newsletter.forms import PreferencesForm
from newsletter.models import Subscriber
from newsletter.services import normalise_email

register = template.Library()


@register.inclusion_tag("newsletter/_profile.html", takes_context=True)
def newsletter_profile_panel(context):
    """The profile's newsletter panel: the signed-in reader's own address only."""
    user = context["request"].user
    subscriber = Subscriber.objects.filter(email=normalise_email(user.email)).first()
    receiving = subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED
    form = PreferencesForm(instance=subscriber if receiving else None, auto_id="nl_%s")
    return {"subscriber": subscriber, "form": form, "csrf_token": context.get("csrf_token")}

"""People who follow an area by email.

A subscription holds an email address and the area, nothing else: no name, no
history table (an unsubscribed address is deleted, not kept). It is confirmed
by a link sent to the address (double opt-in) before any news is sent, and an
unconfirmed one is deleted after ``PENDING_DAYS``.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from inspections.models import LocalArea

PENDING_DAYS = 7


class Subscription(models.Model):
    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField("email address", max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # News published after this moment goes in the next digest.
    news_since = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "area",
                name="public_subscription_one_per_address",
                violation_error_message="This email address already follows this area.",
            )
        ]
        indexes = [models.Index(fields=["area", "confirmed_at"])]

    def __str__(self):
        return f"Subscription to {self.area}"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

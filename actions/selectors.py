"""Read-side rules about plans and actions that other layers share."""

from .models import DeliveryStatus


def is_overdue(action, today):
    return action.due_date < today and action.delivery_status != DeliveryStatus.DELIVERED

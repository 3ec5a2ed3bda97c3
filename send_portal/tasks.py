"""Sending a password reset link, in the task worker.

The reset page only enqueues this task, whatever address was typed, so the
page takes the same time and does the same work for an address that has an
account and one that does not. The worker looks the address up and, if an
active account uses it, sends the link.
"""

from django.contrib.auth import forms as auth_forms
from django.tasks import task


@task
def send_password_reset(*, email, domain, use_https, extra_email_context):
    form = auth_forms.PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    form.save(
        domain_override=domain,
        use_https=use_https,
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
        extra_email_context=extra_email_context,
    )

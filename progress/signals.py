"""Signals for the layers above: what happened to an update or a report, once it is committed.

* ``update_step_taken(sender=ProgressUpdate, update=..., step="approve", by=user, steps=(...))``
  after a workflow step (``progress.workflow.apply_transition``) is committed;
  "Approve and publish now" (``approve_and_publish``) sends it once, as
  ``step="publish"`` with ``steps=("approve", "publish")``;
* ``report_ready(sender=ProgressReport, report=...)`` when a report has been
  generated and is ready to check (``progress.tasks.generate_report``);
* ``forum_challenged(sender=ForumResponse, response=...)`` when the parent
  carer forum challenges a published update, and
  ``forum_replied(sender=ForumReply, reply=...)`` when the board answers
  (``progress.forum``).

The notices layer sends emails from them; this layer knows nothing of mail.
"""

from django.dispatch import Signal

update_step_taken = Signal()
report_ready = Signal()
forum_challenged = Signal()
forum_replied = Signal()

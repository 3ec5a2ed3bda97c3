"""One way to show, check and save a record's form, used by every board edit page.

GET shows the form. POST either saves (recording who and why, and checking
nobody else saved first) and redirects, or shows the same page again with
the GOV.UK error summary and everything the person typed. When someone else
saved in the meantime, the page says who changed what and keeps the typed
values, now against the latest version, so saving again is a decision.
"""

from django.contrib import messages
from django.shortcuts import redirect, render

from .versioning import EditConflict, save_with_history

CONFLICT_MESSAGE = (
    "{who} changed {what} while you were editing it. Your changes have not been saved. "
    "Check their changes below, then save again to keep yours."
)


def edit_record(
    request,
    *,
    area,
    form_class,
    instance=None,
    title,
    back_url,
    success_url,
    success_message,
    form_kwargs=None,
    prepare=None,
    template="board/edit.html",
    extra_context=None,
    edit_reason="Edited",
    what="this",
    save=None,
):
    """Handle a create or edit page for ``form_class``.

    ``prepare(obj)`` is called on a new object before it is first saved, to
    set what the form does not (its area, plan or action). ``success_url`` may
    be a callable taking the saved object. ``edit_reason`` is the history
    reason when the form asks for none; ``what`` names the record in the
    conflict message ("this update"). ``save(obj, form)``, when given, saves
    instead of ``save_with_history`` (a service with rules of its own, such as
    who may edit a progress update); it may raise EditConflict.
    """
    form_kwargs = {"area": area, **(form_kwargs or {})}
    creating = instance is None or instance.pk is None
    conflict = None
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, instance=instance, **form_kwargs)
        if form.is_valid():
            obj = form.save(commit=False)
            if prepare is not None and creating:
                prepare(obj)
            try:
                if save is not None:
                    save(obj, form)
                else:
                    save_with_history(
                        obj,
                        by=request.user,
                        reason=form.reason("Created" if creating else edit_reason),
                        expected_version=None if creating else form.loaded_version,
                    )
                form.save_m2m()
            except EditConflict as error:
                conflict = error
                form = _rebound_for_conflict(request, form_class, error.current, form_kwargs)
                who = ", ".join(sorted(entry.who_name for entry in error.entries)) or "Someone"
                form.add_error(None, CONFLICT_MESSAGE.format(who=who, what=what))
            else:
                messages.success(request, success_message)
                return redirect(success_url(obj) if callable(success_url) else success_url)
    else:
        form = form_class(instance=instance, **form_kwargs)
    context = {
        "area": area,
        "form": form,
        "title": title,
        "back_url": back_url,
        "conflict": conflict,
        **(extra_context or {}),
    }
    return render(request, template, context, status=409 if conflict else 200)


def _rebound_for_conflict(request, form_class, current, form_kwargs):
    """The person's typed values, bound against the latest version of the record."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = form_class(data, request.FILES, instance=current, **form_kwargs)
    form.is_valid()
    return form

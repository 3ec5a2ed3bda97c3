"""The administration site: superusers only, every page opens, and every change has a reason.

Every model registered on the site must open its list and its add page for a
superuser, and every audited model must open the change and history pages of
a real record. Staff who are not superusers, ordinary users and visitors are
sent to the login page and see no records. A change saved through the site
needs a reason; the reason and the superuser are written to the history of
the record and of any rows changed in its inlines.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from actions.models import (
    DeadlineRule,
    DeliveryStatus,
    ImpactStatus,
    Milestone,
    PlanImport,
    PlanIntervention,
    StatedDeadline,
)
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    Membership,
    Organisation,
)
from kit.admin import AuditedAdmin
from progress.models import (
    BoardMeeting,
    Evidence,
    ForumReply,
    ForumResponse,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)
from send_portal.admin import SuperuserAdminSite
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
    make_plan,
    make_review,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
D = datetime.date
REASON_ERROR = "Enter the reason for this change"

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
AUDITED = [model for model, model_admin in REGISTERED if isinstance(model_admin, AuditedAdmin)]


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def page(response):
    return response.content.decode()


def post_value(bound_field):
    """What a browser would send for a field showing its initial value (None: nothing)."""
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def form_fields(form):
    data = {}
    for name in form.fields:
        value = post_value(form[name])
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


def change_page_data(response):
    """The POST a browser would send from an unedited change page, inlines included."""
    data = form_fields(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_fields(formset.management_form))
        for form in formset.forms:
            data.update(form_fields(form))
    return data


def newest_history(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        username="root", email="root@example.org", password="a-long-test-password"
    )


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def records(superuser):
    """One real record of every audited model, joined up as a real area's would be."""
    area = make_area()
    council = make_organisation()
    partnership = make_partner(area=area, organisation=council)
    officer = User.objects.create_user(username="officer", password="a-long-test-password")
    membership = Membership.objects.create(
        user=officer, area=area, role=Membership.Role.OFFICER, organisation=council
    )
    inspection = make_inspection(
        area=area,
        start="2018-03-12",
        end="2018-03-16",
        received="2018-05-16",
        published="2018-05-24",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    finding = make_finding(inspection=inspection, number=1, text="Waiting times are too long")
    review = make_review(area=area, ref="2019-review", held="2019-06", label="15-month review")
    judgement = Judgement.objects.create(
        finding=finding, review=review, verdict=Judgement.Verdict.STILL_MONITORED
    )
    plan = make_plan(inspection=inspection, findings=[finding])
    action = make_action(plan=plan, finding=finding, lead=council)
    milestone = Milestone.objects.create(
        action=action, title="Three-month check", due_date=D(2018, 12, 31)
    )
    update = ProgressUpdate.objects.create(
        action=action,
        period_start=D(2018, 10, 1),
        period_end=D(2018, 12, 31),
        delivery_status=DeliveryStatus.ON_TRACK,
        impact_status=ImpactStatus.SOME_EVIDENCE,
        narrative="Recruitment of two therapists is complete.",
        public_summary="More therapists have started work.",
        author=officer,
    )
    published_update = ProgressUpdate.objects.create(
        action=action,
        period_start=D(2018, 7, 1),
        period_end=D(2018, 9, 30),
        delivery_status=DeliveryStatus.ON_TRACK,
        impact_status=ImpactStatus.SOME_EVIDENCE,
        narrative="Two therapists are being recruited.",
        public_summary="We are hiring therapists.",
        state=ProgressUpdate.State.PUBLISHED,
        publish_at=datetime.datetime(2018, 10, 20, 9, tzinfo=datetime.UTC),
        author=officer,
    )
    challenge = ForumResponse.objects.create(
        update=published_update,
        kind=ForumResponse.Kind.CHALLENGE,
        text="When will families see the new therapists?",
        responded_by=officer,
        answered_at=datetime.datetime(2018, 11, 2, 9, tzinfo=datetime.UTC),
    )
    reply = ForumReply.objects.create(
        challenge=challenge, text="From January, in every clinic.", replied_by=officer
    )
    evidence = Evidence.objects.create(
        update=update,
        title="Board minutes",
        file=ContentFile(b"minutes", name="minutes.pdf"),
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=7,
    )
    measure = Measure.objects.create(
        area=area,
        plan=plan,
        finding=finding,
        slug="waiting-weeks",
        name="Weeks waiting for an assessment",
        definition="Median weeks from referral to assessment in the quarter.",
        source="Council performance report",
        unit=Measure.Unit.WEEKS,
        higher_is_better=False,
    )
    value = MeasureValue.objects.create(
        measure=measure, period_end=D(2018, 12, 31), value=Decimal("18.50")
    )
    meeting = BoardMeeting.objects.create(area=area, held_on=D(2019, 1, 15))
    you_said = YouSaidWeDid.objects.create(
        area=area, heard_on=D(2019, 2, 1), you_said="Waits are long", we_did="Added clinics"
    )
    report = ProgressReport(
        plan=plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=D(2019, 1, 1),
        period_end=D(2019, 3, 31),
        state=ProgressReport.State.READY,
        html="<html></html>",
        sha256="0" * 64,
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4"), save=False)
    report.save()
    plan_import = PlanImport.objects.create(
        plan=plan,
        uploaded_by=superuser,
        filename="plan.xlsx",
        size=10,
        sha256="0" * 64,
        content=b"PK",
    )
    intervention = Intervention.objects.create(
        area=area, ref="improvement-notice", kind=Intervention.Kind.IMPROVEMENT_NOTICE
    )
    intervention_finding = InterventionFinding.objects.create(
        intervention=intervention, finding=finding
    )
    plan_intervention = PlanIntervention.objects.create(plan=plan, intervention=intervention)
    rule = DeadlineRule.objects.order_by("pk").first()
    assert rule is not None, "the deadline rules are seeded by a migration"
    stated_deadline = StatedDeadline.objects.create(
        plan=plan,
        rule=DeadlineRule.objects.get(code="wsoa-submit"),
        due_on=D(2018, 8, 30),
        stated_in="Ofsted's letter of 16 May 2018",
    )
    return {
        obj._meta.model: obj
        for obj in [
            council,
            area,
            partnership,
            membership,
            inspection,
            finding,
            review,
            judgement,
            plan,
            plan.plan_findings.get(),
            action,
            milestone,
            rule,
            update,
            evidence,
            measure,
            value,
            meeting,
            you_said,
            report,
            plan_import,
            intervention,
            intervention_finding,
            stated_deadline,
            plan_intervention,
            challenge,
            reply,
        ]
    }


# The site itself


def test_it_registers_every_portal_model_on_the_superuser_site_with_a_reason():
    assert isinstance(admin.site._wrapped, SuperuserAdminSite)
    portal_models = {
        model
        for app_label in ("inspections", "actions", "progress")
        for model in apps.get_app_config(app_label).get_models()
        if not model.__name__.startswith("Historical")
    }
    assert len(portal_models) == 27
    assert portal_models == set(AUDITED)


def test_it_has_a_record_of_every_audited_model_for_the_page_tests(records):
    assert set(records) == set(AUDITED)
    assert all(obj.pk for obj in records.values())


# Every page opens for a superuser


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED]
)
def test_it_opens_the_list_of_every_registered_model(superuser_client, records, model, model_admin):
    response = superuser_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == model._default_manager.count()
    if model in records:
        assert changelist.result_count >= 1
    assert escape(f"Select {model._meta.verbose_name} to ") in page(response)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED]
)
def test_it_opens_the_add_page_of_every_model_that_can_be_added(
    superuser_client, superuser, model, model_admin
):
    request = RequestFactory().get("/")
    request.user = superuser
    count_before = model._default_manager.count()

    response = superuser_client.get(admin_url(model, "add"))

    if model_admin.has_add_permission(request):
        assert response.status_code == 200
        assert f"Add {model._meta.verbose_name}" in page(response)
    else:
        # Read-only by design (the task queue's results): the site refuses the page.
        assert response.status_code == 403
    if isinstance(model_admin, AuditedAdmin):
        assert "Reason for this change" in page(response)
    assert model._default_manager.count() == count_before


@pytest.mark.parametrize("model", AUDITED, ids=[m._meta.label for m in AUDITED])
def test_it_opens_the_change_page_of_a_real_record_of_every_audited_model(
    superuser_client, records, model
):
    obj = records[model]

    response = superuser_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj
    assert escape(str(obj)) in page(response)
    assert "Reason for this change" in page(response)
    assert 'name="change_reason"' in page(response)


@pytest.mark.parametrize("model", AUDITED, ids=[m._meta.label for m in AUDITED])
def test_it_opens_the_history_page_of_a_real_record_of_every_audited_model(
    superuser_client, records, model
):
    obj = records[model]

    response = superuser_client.get(admin_url(model, "history", obj.pk))

    assert response.status_code == 200
    assert escape(str(obj)) in page(response)
    assert "Change reason" in page(response)
    shown = list(response.context["page_obj"].object_list)
    assert obj.history.exists()
    assert shown == list(obj.history.order_by("-history_date", "-history_id"))
    assert "Created" in page(response)


def test_it_opens_the_change_and_history_pages_of_a_user(superuser_client, superuser):
    change = superuser_client.get(admin_url(User, "change", superuser.pk))
    history = superuser_client.get(admin_url(User, "history", superuser.pk))

    assert change.status_code == 200
    assert "root@example.org" in page(change)
    assert history.status_code == 200
    assert "Change history: root" in page(history)


# Nobody else gets in


@pytest.fixture
def staff_user(db):
    """Staff with every permission, who is still not a superuser."""
    user = User.objects.create_user(
        username="staff", password="a-long-test-password", is_staff=True
    )
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def ordinary_user(db):
    return User.objects.create_user(username="member", password="a-long-test-password")


@pytest.mark.parametrize("who", ["staff_user", "ordinary_user", "anonymous"])
def test_it_sends_everyone_but_a_superuser_to_the_login_page(client, records, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    inspection = records[Inspection]
    urls = [
        reverse("admin:index"),
        admin_url(Inspection, "changelist"),
        admin_url(Inspection, "add"),
        admin_url(Inspection, "change", inspection.pk),
        admin_url(Inspection, "history", inspection.pk),
        admin_url(Finding, "changelist"),
        admin_url(Membership, "changelist"),
    ]

    for url in urls:
        response = client.get(url)

        assert response.status_code == 302, url
        assert response.url.startswith("/admin/login/"), url
        assert response.url.endswith(f"?next={url}"), url
        assert response.content == b""


@pytest.mark.parametrize("who", ["staff_user", "ordinary_user", "anonymous"])
def test_it_shows_no_records_on_the_page_it_sends_them_to(client, records, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.get(admin_url(Finding, "changelist"), follow=True)

    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert response.status_code == 200
    text = page(response)
    assert "Log in" in text
    assert "Waiting times are too long" not in text
    assert "Testshire" not in text
    if who == "anonymous":
        assert "not authorized" not in text
    else:
        username = request.getfixturevalue(who).username
        assert f"You are authenticated as {username}, but are not authorized" in text


def test_it_refuses_a_change_posted_by_staff_who_are_not_superusers(client, records, staff_user):
    inspection = records[Inspection]
    client.force_login(staff_user)

    response = client.post(
        admin_url(Inspection, "change", inspection.pk),
        {"notes": "Changed by staff", "change_reason": "Trying my luck"},
    )

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    inspection.refresh_from_db()
    assert inspection.notes == ""
    assert inspection.history.count() == 1


def test_it_treats_an_inactive_superuser_as_a_visitor(client, records):
    retired = User.objects.create_superuser(
        username="retired", email="retired@example.org", password="a-long-test-password"
    )
    retired.is_active = False
    retired.save()
    client.force_login(retired)

    response = client.get(admin_url(Inspection, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# A reason for every change


@pytest.fixture
def inspection(records):
    return records[Inspection]


@pytest.fixture
def change_form(superuser_client, inspection):
    """The unedited Inspection change page, and the POST it would send."""
    response = superuser_client.get(admin_url(Inspection, "change", inspection.pk))
    assert response.status_code == 200
    return response, change_page_data(response)


def test_it_shows_the_findings_inline_with_its_management_form(change_form, inspection):
    response, data = change_form

    text = page(response)
    assert 'name="findings-TOTAL_FORMS"' in text
    assert 'name="findings-0-text"' in text
    assert data["findings-TOTAL_FORMS"] == "1"
    assert data["findings-INITIAL_FORMS"] == "1"
    assert data["findings-0-id"] == str(inspection.findings.get().pk)
    assert data["ref"] == "2018-inspection"
    assert data["start_date"] == "2018-03-12"
    assert "change_reason" in data
    assert data["change_reason"] == ""


def test_it_refuses_a_change_without_a_reason_and_changes_nothing(
    superuser_client, change_form, inspection
):
    _, data = change_form
    finding = inspection.findings.get()
    history_before = inspection.history.count()
    finding_history_before = finding.history.count()
    assert inspection.notes == ""
    data["notes"] = "Report re-read in full"
    data["findings-0-text"] = "Waiting times are far too long"

    response = superuser_client.post(admin_url(Inspection, "change", inspection.pk), data)

    assert response.status_code == 200
    assert REASON_ERROR in page(response)
    assert response.context["adminform"].form.errors == {"change_reason": [REASON_ERROR]}
    inspection.refresh_from_db()
    finding.refresh_from_db()
    assert inspection.notes == ""
    assert finding.text == "Waiting times are too long"
    assert inspection.history.count() == history_before
    assert finding.history.count() == finding_history_before


def test_it_refuses_a_reason_of_only_spaces(superuser_client, change_form, inspection):
    _, data = change_form
    history_before = inspection.history.count()
    data["notes"] = "Report re-read in full"
    data["change_reason"] = "   "

    response = superuser_client.post(admin_url(Inspection, "change", inspection.pk), data)

    assert response.status_code == 200
    assert REASON_ERROR in page(response)
    inspection.refresh_from_db()
    assert inspection.notes == ""
    assert inspection.history.count() == history_before


def test_it_saves_a_change_with_its_reason_and_the_superuser_in_history(
    superuser_client, change_form, inspection, superuser
):
    _, data = change_form
    history_before = inspection.history.count()
    data["notes"] = "Report re-read in full"
    data["change_reason"] = "Corrected from the published report"

    response = superuser_client.post(admin_url(Inspection, "change", inspection.pk), data)

    assert response.status_code == 302
    assert response.url == admin_url(Inspection, "changelist")
    inspection.refresh_from_db()
    assert inspection.notes == "Report re-read in full"
    assert inspection.history.count() == history_before + 1
    newest = newest_history(inspection)
    assert newest.history_type == "~"
    assert newest.history_user == superuser
    assert newest.history_change_reason == "Corrected from the published report"
    assert newest.notes == "Report re-read in full"


def test_it_shows_the_reason_and_the_superuser_on_the_history_page(
    superuser_client, change_form, inspection, superuser
):
    _, data = change_form
    data["notes"] = "Report re-read in full"
    data["change_reason"] = "Corrected from the published report"
    before = page(superuser_client.get(admin_url(Inspection, "history", inspection.pk)))
    assert "Corrected from the published report" not in before
    assert "<td>Changed</td>" not in before

    superuser_client.post(admin_url(Inspection, "change", inspection.pk), data)
    response = superuser_client.get(admin_url(Inspection, "history", inspection.pk))

    text = page(response)
    assert "Corrected from the published report" in text
    assert f'<a href="/admin/auth/user/{superuser.pk}/change/">root</a>' in text
    assert "<td>Changed</td>" in text
    assert "Report re-read in full" in text


def test_it_gives_an_inline_change_the_same_reason_and_user(
    superuser_client, change_form, inspection, superuser
):
    _, data = change_form
    finding = inspection.findings.get()
    finding_history_before = finding.history.count()
    data["findings-0-text"] = "Waiting times for therapy are too long"
    data["change_reason"] = "Used the inspectors' exact words"

    response = superuser_client.post(admin_url(Inspection, "change", inspection.pk), data)

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.text == "Waiting times for therapy are too long"
    assert finding.history.count() == finding_history_before + 1
    newest = newest_history(finding)
    assert newest.history_type == "~"
    assert newest.history_user == superuser
    assert newest.history_change_reason == "Used the inspectors' exact words"
    assert newest_history(inspection).history_change_reason == "Used the inspectors' exact words"


def test_it_gives_an_inline_addition_the_same_reason_and_user(
    superuser_client, change_form, inspection, superuser
):
    _, data = change_form
    assert inspection.findings.count() == 1
    data.update(
        {
            "findings-TOTAL_FORMS": "2",
            "findings-1-id": "",
            "findings-1-inspection": str(inspection.pk),
            "findings-1-kind": Finding.Kind.SIGNIFICANT_WEAKNESS,
            "findings-1-number": "2",
            "findings-1-text": "Too few children get an EHC plan in 20 weeks",
            "findings-1-wording": Finding.Wording.VERBATIM,
            "findings-1-lead_organisation": "",
        }
    )
    data["change_reason"] = "Added the second weakness from the report"

    response = superuser_client.post(admin_url(Inspection, "change", inspection.pk), data)

    assert response.status_code == 302
    assert inspection.findings.count() == 2
    added = inspection.findings.get(number=2)
    assert added.text == "Too few children get an EHC plan in 20 weeks"
    creation = added.history.get()
    assert creation.history_type == "+"
    assert creation.history_user == superuser
    assert creation.history_change_reason == "Added the second weakness from the report"


def test_it_gives_an_inline_deletion_the_same_reason_and_user(superuser_client, records, superuser):
    inspection = make_inspection(area=records[Inspection].area, ref="2022-inspection")
    finding = make_finding(inspection=inspection, number=1, text="Entered by mistake")
    finding_pk = finding.pk
    form_page = superuser_client.get(admin_url(Inspection, "change", inspection.pk))
    data = change_page_data(form_page)
    data["findings-0-DELETE"] = "on"
    data["change_reason"] = "Removed a finding entered by mistake"

    response = superuser_client.post(admin_url(Inspection, "change", inspection.pk), data)

    assert response.status_code == 302
    assert not Finding.objects.filter(pk=finding_pk).exists()
    deletion = Finding.history.filter(id=finding_pk).order_by("-history_date").first()
    assert deletion.history_type == "-"
    assert deletion.history_user == superuser
    assert deletion.history_change_reason == "Removed a finding entered by mistake"


def test_it_asks_for_a_reason_when_adding_a_record(superuser_client, superuser):
    add_url = admin_url(Organisation, "add")
    data = {
        "name": "Testshire Parent Carer Forum",
        "slug": "testshire-pcf",
        "kind": "other",
        "kind_changed_on_precision": "day",  # the select's default, as a browser sends it
    }
    assert not Organisation.objects.filter(slug="testshire-pcf").exists()

    refused = superuser_client.post(add_url, data)

    assert refused.status_code == 200
    assert REASON_ERROR in page(refused)
    assert not Organisation.objects.filter(slug="testshire-pcf").exists()

    data["change_reason"] = "New partner joined the board"
    accepted = superuser_client.post(add_url, data)

    assert accepted.status_code == 302
    organisation = Organisation.objects.get(slug="testshire-pcf")
    creation = organisation.history.get()
    assert creation.history_type == "+"
    assert creation.history_user == superuser
    assert creation.history_change_reason == "New partner joined the board"


# Deleting


def test_it_records_a_deletion_with_the_superuser(superuser_client, records, superuser):
    inspection = make_inspection(area=records[Inspection].area, ref="2022-inspection")
    finding = make_finding(inspection=inspection, number=1, text="Duplicate entry")
    inspection_pk, finding_pk = inspection.pk, finding.pk
    delete_url = admin_url(Inspection, "delete", inspection.pk)

    confirm = superuser_client.get(delete_url)

    assert confirm.status_code == 200
    assert "Are you sure you want to delete the inspection" in page(confirm)
    assert "Area of significant weakness 1" in page(confirm)
    assert Inspection.objects.filter(pk=inspection_pk).exists()

    response = superuser_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not Inspection.objects.filter(pk=inspection_pk).exists()
    assert not Finding.objects.filter(pk=finding_pk).exists()
    deletion = Inspection.history.filter(id=inspection_pk).order_by("-history_date").first()
    assert deletion.history_type == "-"
    assert deletion.history_user == superuser
    assert deletion.history_change_reason == "Deleted in the administration site"
    cascaded = Finding.history.filter(id=finding_pk).order_by("-history_date").first()
    assert cascaded.history_type == "-"
    assert cascaded.history_user == superuser


def test_it_records_deletions_by_the_delete_selected_action(superuser_client, records, superuser):
    area = records[Inspection].area
    first = make_review(area=area, ref="2020-review", held="2020")
    second = make_review(area=area, ref="2021-review", held="2021")
    model = type(first)
    pks = [first.pk, second.pk]

    response = superuser_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )

    assert response.status_code == 302
    assert not model.objects.filter(pk__in=pks).exists()
    for pk in pks:
        deletion = model.history.filter(id=pk).order_by("-history_date").first()
        assert deletion.history_type == "-"
        assert deletion.history_user == superuser
        assert deletion.history_change_reason == "Deleted in the administration site"

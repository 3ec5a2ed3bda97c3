"""Two people edit the same draft at once: the second is told, and keeps what they typed."""

from playwright.sync_api import expect

from progress.models import ProgressUpdate

from .conftest import sign_in, write_draft


def test_the_second_person_to_save_sees_the_conflict_and_keeps_their_words(
    browser, live_server, cast
):
    update = write_draft(cast)
    edit_url = f"{live_server.url}/board/testshire/updates/{update.pk}/edit/"
    olivia_context, bilal_context = browser.new_context(), browser.new_context()
    try:
        olivia, bilal = olivia_context.new_page(), bilal_context.new_page()
        sign_in(olivia, live_server, "olivia")
        sign_in(bilal, live_server, "bilal")
        # Both open the edit page of the same draft.
        for page in (olivia, bilal):
            page.goto(edit_url)
            expect(page.get_by_role("heading", level=1)).to_have_text("Edit update on action 1.1")
            expect(page.get_by_label("Internal narrative")).to_have_value(
                "Recruitment for the new clinic is under way."
            )

        # Olivia saves first.
        olivia.get_by_label("Internal narrative").fill("Officer's correction: six staff recruited.")
        olivia.get_by_role("button", name="Save").click()
        expect(olivia.get_by_role("alert")).to_contain_text("Draft update saved.")
        update.refresh_from_db()
        assert update.narrative == "Officer's correction: six staff recruited."
        saved_version = update.version

        # Bilal, still on the page he loaded before her save, saves his own words.
        bilal.get_by_label("Internal narrative").fill("Author's own wording of the progress.")
        bilal.get_by_role("button", name="Save").click()
        summary = bilal.get_by_role("alert")
        expect(summary).to_contain_text("There is a problem")
        expect(summary).to_contain_text(
            "Olivia Officer changed this update while you were editing it. "
            "Your changes have not been saved."
        )
        expect(bilal).to_have_title(
            "Error: Edit update on action 1.1 – Testshire – SEND Improvement Portal"
        )
        conflict = bilal.locator("#conflict")
        expect(conflict.get_by_role("heading")).to_have_text("What changed while you were editing")
        expect(conflict).to_contain_text("Olivia Officer")
        changes = conflict.get_by_role("table", name="Changes by Olivia Officer")
        row = changes.get_by_role("row", name="Internal narrative")
        expect(row).to_contain_text("Recruitment for the new clinic is under way.")
        expect(row).to_contain_text("Officer's correction: six staff recruited.")
        # What he typed is still in the form; nothing of his was saved.
        expect(bilal.get_by_label("Internal narrative")).to_have_value(
            "Author's own wording of the progress."
        )
        update.refresh_from_db()
        assert update.narrative == "Officer's correction: six staff recruited."
        assert update.version == saved_version
        assert update.state == ProgressUpdate.State.DRAFT

        # Having seen her change, he saves again on purpose: now his words stand.
        bilal.get_by_role("button", name="Save").click()
        expect(bilal.get_by_role("alert")).to_contain_text("Draft update saved.")
        update.refresh_from_db()
        assert update.narrative == "Author's own wording of the progress."
        assert update.version == saved_version + 1
    finally:
        olivia_context.close()
        bilal_context.close()

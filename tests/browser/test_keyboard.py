"""Keyboard only: skip link first, then sign in, find the action and write an update.

No mouse clicks and no filling by locator: every step is a key press, and
every element that takes focus on the way must show that it has it.
"""

from playwright.sync_api import expect

from progress.models import ProgressUpdate

from .conftest import PASSWORD

# What a sighted keyboard user sees of focus: an outline that is not
# transparent, or a box shadow, on the element or (for GOV.UK radios and
# checkboxes, whose inputs are invisible) on its label's ::before.
FOCUS_STYLE_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: false, what: 'nothing'};
  const shows = (style) => {
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      && !/rgba\\(.*,\\s*0\\)$|transparent/.test(style.outlineColor);
    return outline || style.boxShadow !== 'none';
  };
  let visible = shows(getComputedStyle(el));
  if (!visible && (el.type === 'radio' || el.type === 'checkbox') && el.labels.length) {
    visible = shows(getComputedStyle(el.labels[0], '::before'));
  }
  const name = (el.labels && el.labels.length ? el.labels[0].innerText : '')
    || el.getAttribute('aria-label') || el.innerText || el.value || '';
  return {visible, what: `${el.tagName.toLowerCase()} "${name.trim().slice(0, 60)}"`};
}
"""


def focus_is_visible(page):
    state = page.evaluate(FOCUS_STYLE_JS)
    assert state["visible"], f"Focus is not visible on {state['what']}"
    return state["what"]


def press(page, key):
    page.keyboard.press(key)
    return focus_is_visible(page)


def tab_to(page, locator, *, limit=80):
    """Press Tab until ``locator`` has focus, checking focus shows at every stop."""
    seen = []
    for _ in range(limit):
        seen.append(press(page, "Tab"))
        if locator.evaluate("el => el === document.activeElement"):
            return seen
    raise AssertionError(f"Never reached {locator} by Tab; went through {seen}")


def type_text(page, text):
    page.keyboard.type(text)


def test_sign_in_and_write_an_update_with_the_keyboard_alone(page, live_server, cast):
    page.goto(f"{live_server.url}/accounts/login/")

    # The first Tab reaches the skip link, which shows itself and jumps to the content.
    assert press(page, "Tab") == 'a "Skip to main content"'
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The next Tab is the first field of the sign-in form.
    username = page.get_by_label("Username")
    password = page.get_by_label("Password")
    press(page, "Tab")
    expect(username).to_be_focused()
    type_text(page, "bilal")
    press(page, "Tab")
    expect(password).to_be_focused()
    type_text(page, PASSWORD)
    # Back a step to check the username, then on again and submit with Enter.
    press(page, "Shift+Tab")
    expect(username).to_be_focused()
    expect(username).to_have_value("bilal")
    press(page, "Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My area")

    # From the top of My area to the action's page.
    tab_to(page, page.get_by_role("link", name="1.1 Action 1.1"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("1.1 Action 1.1")
    tab_to(page, page.get_by_role("link", name="Write an update"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("New update on action 1.1")

    # The form, field by field.
    tab_to(page, page.get_by_role("group", name="Start of the period covered").get_by_label("Day"))
    for value in ("1", "4", "2025", "30", "6", "2025"):
        type_text(page, value)
        press(page, "Tab")
    # Tab lands on the chosen radio of each group; arrow keys move the choice.
    delivery = page.get_by_role("group", name="Delivery status")
    expect(delivery.get_by_label("Not started")).to_be_focused()
    press(page, "ArrowDown")
    expect(delivery.get_by_label("On track")).to_be_focused()
    expect(delivery.get_by_label("On track")).to_be_checked()
    press(page, "Tab")
    impact = page.get_by_role("group", name="Impact on children, young people and families")
    expect(impact.get_by_label("No evidence of impact yet")).to_be_focused()
    press(page, "ArrowDown")
    press(page, "ArrowDown")
    press(page, "ArrowUp")
    expect(impact.get_by_label("Some evidence of impact")).to_be_checked()
    press(page, "Tab")
    expect(page.get_by_label("Reason for the change of status")).to_be_focused()
    type_text(page, "Clinic staff now in post.")
    press(page, "Tab")
    expect(page.get_by_label("Internal narrative")).to_be_focused()
    type_text(page, "Four of six posts filled.")
    press(page, "Tab")
    expect(page.get_by_label("Summary for families")).to_be_focused()
    type_text(page, "The new clinic has most of its staff.")
    press(page, "Tab")
    expect(page.get_by_role("button", name="Save")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Draft update saved.")
    update = ProgressUpdate.objects.get()
    assert update.state == ProgressUpdate.State.DRAFT
    assert update.author == cast.board_member
    assert (str(update.period_start), str(update.period_end)) == ("2025-04-01", "2025-06-30")
    assert (update.delivery_status, update.impact_status) == ("on_track", "some_evidence")
    assert update.status_change_reason == "Clinic staff now in post."
    assert update.narrative == "Four of six posts filled."
    assert update.public_summary == "The new clinic has most of its staff."

    # And on for approval, pressing the button with Space this time.
    tab_to(page, page.get_by_role("link", name="Submit for approval update for June 2025"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submit for approval")
    tab_to(page, page.get_by_role("button", name="Submit for approval"))
    page.keyboard.press("Space")
    expect(page.get_by_role("alert")).to_contain_text("Update submitted for approval.")
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED

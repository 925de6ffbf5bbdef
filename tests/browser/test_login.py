"""Log in and out in a real browser."""

import re


def test_login_shows_overview_and_logout_returns_to_login(logged_in_page):
    page = logged_in_page
    assert page.get_by_role("heading", name="Overview").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def test_wrong_password_shows_error(page, user):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Wrong email or password.").is_visible()


def test_signup_creates_workspace(page, db):
    # Sign-up sends the person to log in (with the email filled in) instead of logging in at once: the same
    # answer a taken email gets, so the form does not tell who has an account.
    page.goto("/signup")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password").fill("long enough pw")
    page.get_by_label("Shop or team name").fill("Browser Shop")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("Welcome!").is_visible()
    assert page.get_by_label("Email").input_value() == "browser@example.com"
    page.get_by_label("Password").fill("long enough pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Overview").is_visible()


def test_after_logout_back_and_reload_show_the_login_page_even_with_the_old_cookie(logged_in_page):
    page = logged_in_page
    page.goto("/settings/tokens")
    cookies_before_logout = page.context.cookies()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.context.add_cookies(cookies_before_logout)  # as if the cookie had been copied, or never dropped
    page.go_back()
    page.reload()  # the browser may show its cached copy; asking the server again must not open the page
    page.wait_for_url(re.compile(r"/login\?next=/"))
    assert page.get_by_role("heading", name="Log in").is_visible()


def test_log_out_everywhere_from_settings(logged_in_page, browser, live_server):
    page = logged_in_page
    other = browser.new_context(base_url=live_server)
    other.add_cookies(page.context.cookies())  # the same session in a second browser
    second = other.new_page()
    second.goto("/settings/tokens")
    assert second.get_by_role("heading", name="API tokens").is_visible()

    page.goto("/settings/security")
    page.get_by_role("button", name="Log out everywhere").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("logged out on every device").is_visible()
    second.goto("/settings/tokens")
    second.wait_for_url(re.compile(r"/login\?next=/"))
    other.close()

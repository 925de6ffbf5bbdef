"""Log in and out in a real browser."""


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
    page.goto("/signup")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password").fill("long enough pw")
    page.get_by_label("Shop or team name").fill("Browser Shop")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/")
    assert page.get_by_text("Welcome!").is_visible()

"""The demo in a real browser: headless Chromium (Debian's chromium + chromedriver) driven by selenium.

The app is served by werkzeug's server in a thread on 127.0.0.1; the browser
downloads nothing (a fixed chromedriver and binary, networking features off).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import make_server

from corolla import App

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1200,900",
]


@pytest.fixture
def live_url(app: App) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="notes-demo-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)  # find_element waits a little for an element (click() waits for the next page)
    try:
        yield driver
    finally:
        driver.quit()


def fill(driver: WebDriver, **fields: str) -> None:
    for name, value in fields.items():
        element = driver.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def _replaced(page: WebElement) -> Callable[[WebDriver], bool]:
    """Whether ``page`` (an old document's root) has left the browser.

    Asked in the middle of a navigation, chromedriver sometimes answers "Node
    with given id does not belong to the document" rather than a stale
    element: that too means the old document is gone.
    """

    def check(driver: WebDriver) -> bool:
        try:
            return bool(staleness_of(page)(driver))
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise

    return check


def click(driver: WebDriver, by: str, value: str) -> None:
    """Click what leads to another page, and wait until that page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, value).click()
    WebDriverWait(driver, 10).until(_replaced(page))


def submit(driver: WebDriver, form_css: str = "main form") -> None:
    click(driver, By.CSS_SELECTOR, f"{form_css} [type=submit]")


def flash_texts(driver: WebDriver) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".flash")]


def test_register_log_in_write_edit_log_out(live_url: str, browser: WebDriver) -> None:
    password = "correct horse battery staple"
    browser.get(live_url + "/")
    assert browser.title == "Welcome · Corolla notes"
    click(browser, By.LINK_TEXT, "Create an account")

    assert browser.title == "Register · Corolla notes"
    fill(browser, username="carol", password=password, confirm=password)
    submit(browser)
    assert flash_texts(browser) == ["Welcome, carol! Your account is ready."]
    assert "Signed in as carol" in browser.find_element(By.CSS_SELECTOR, "header .who").text

    click(browser, By.CSS_SELECTOR, "header form button")  # Log out
    assert flash_texts(browser) == ["You are logged out."]
    click(browser, By.LINK_TEXT, "Log in")
    assert browser.title == "Log in · Corolla notes"
    fill(browser, username="carol", password=password)
    submit(browser)
    assert flash_texts(browser) == ["Welcome back, carol."]

    click(browser, By.CSS_SELECTOR, "header a.button")  # New note
    assert browser.title == "New note · Corolla notes"
    fill(browser, title="Plant tulips", body="before the frost")
    submit(browser)
    assert flash_texts(browser) == ["Note “Plant tulips” created."]
    assert browser.find_element(By.CSS_SELECTOR, ".note h2").text == "Plant tulips"

    click(browser, By.LINK_TEXT, "Plant tulips")
    assert browser.title == "Edit note · Corolla notes"
    fill(browser, title="Plant tulips and crocuses")
    submit(browser, "form.card")
    assert flash_texts(browser) == ["Note “Plant tulips and crocuses” saved."]
    assert browser.find_element(By.CSS_SELECTOR, ".note .body").text == "before the frost"

    click(browser, By.CSS_SELECTOR, "header form button")  # Log out
    assert flash_texts(browser) == ["You are logged out."]
    assert browser.title == "Welcome · Corolla notes"
    assert "Signed in" not in browser.find_element(By.TAG_NAME, "header").text


def test_a_stale_form_shows_the_readable_error_page(live_url: str, app: App, browser: WebDriver) -> None:
    password = "correct horse battery staple"
    browser.get(live_url + "/auth/register")
    fill(browser, username="dave", password=password, confirm=password)
    submit(browser)
    browser.find_element(By.CSS_SELECTOR, "header .who")  # registered, and logged in

    browser.get(live_url + "/notes/new")
    fill(browser, title="never saved")
    browser.delete_all_cookies()  # the session ends while the page is open (expired, logged out elsewhere)
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "This form has expired"
    assert "Nothing was saved." in browser.find_element(By.TAG_NAME, "main").text
    assert browser.title == "This form has expired · Corolla notes"

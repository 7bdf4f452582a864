#!/usr/bin/env python3
"""The release board in a real browser: Debian's chromium and chromium-driver driven by Selenium (PyPI),
offline (explicit browser and driver paths, SE_OFFLINE=true), against `berth serve` on 127.0.0.1 over a
ledger that the caller filled through the berth CLI (Tests/BerthCLITests/BrowserBoardTests.swift does).

Environment:
  BERTH_BOARD_URL        the server's base URL, ending in /
  BERTH_BIN              the berth binary; BERTH_PROJECT the project it runs in (berth.yaml, ledger)
  BERTH_IMAGE            the repository on the board; BERTH_DIGEST the digest released as 0.1.0
  BERTH_PROMOTER_TOKEN   a promoter's token (name BERTH_PROMOTER_NAME); BERTH_VIEWER_TOKEN a viewer's
  BERTH_ARTIFACTS        where the screenshots go (default .build/test-artifacts)
  CHROMIUM, CHROMEDRIVER the browser and the driver (default /usr/bin/chromium, /usr/bin/chromedriver)

Exits 0 when every check passed, 1 on the first failure, 77 (printing "skipped: ...") when chromium,
chromedriver or selenium is missing: never a pass without a browser.
"""
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SKIP = 77
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def skip(why):
    print(f"skipped: {why}")
    sys.exit(SKIP)


for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        skip(f"{path} is missing: apt-get install {package}")
try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip("selenium is missing: pip install selenium (into $BERTH_TRUST_VENV)")

os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for a browser or driver online
BASE = os.environ["BERTH_BOARD_URL"]
BERTH = os.environ["BERTH_BIN"]
PROJECT = os.environ["BERTH_PROJECT"]
IMAGE = os.environ["BERTH_IMAGE"]
DIGEST = os.environ["BERTH_DIGEST"]
PROMOTER = os.environ["BERTH_PROMOTER_TOKEN"]
PROMOTER_NAME = os.environ["BERTH_PROMOTER_NAME"]
VIEWER = os.environ["BERTH_VIEWER_TOKEN"]
ARTIFACTS = os.environ.get("BERTH_ARTIFACTS", os.path.join(os.getcwd(), ".build", "test-artifacts"))
CHECKS = []


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    CHECKS.append(what)
    print(f"ok - {what}", flush=True)


def berth(*arguments):
    result = subprocess.run([BERTH, *arguments], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"berth {' '.join(arguments)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def status():
    return {row["environment"]: row for row in json.loads(berth("status", "--json"))}


def history():
    return json.loads(berth("history", "--json"))


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def sign_in(driver, token):
    driver.get(BASE + "login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "main[data-events]"))


def cell(driver, environment):
    for node in driver.find_elements(By.CSS_SELECTOR, "[data-cell]"):
        if node.get_attribute("data-cell") == f"{IMAGE} {environment}":
            return node
    raise AssertionError(f"no card for {environment}")


def fresh(action, attempts=20):
    """Runs `action` again when the live board swapped the card it was reading: a server-sent event
    replaces changed cards at any moment, and an element of the old card is then stale."""
    for attempt in range(attempts):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


def wait_for_text(driver, environment, text, what):
    try:
        WebDriverWait(driver, 20, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: text in cell(d, environment).text)
    except TimeoutException:
        card = fresh(lambda: cell(driver, environment).text)
        raise AssertionError(f"{what}: '{text}' never appeared; the card says: {card!r}")


def force_promote(driver):
    """Enables the card's disabled Promote button in the page and clicks it; says whether it was disabled."""
    def attempt():
        button = cell(driver, "dev").find_element(By.CSS_SELECTOR, "form.promote button")
        disabled = button.get_attribute("disabled") is not None
        driver.execute_script("arguments[0].removeAttribute('disabled'); arguments[0].click()", button)
        return disabled
    return fresh(attempt)


def screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    check(driver.save_screenshot(path) and os.path.getsize(path) > 10_000, f"screenshot saved: {path}")
    print(f"artifact: {path}")


def post(path, fields, cookie=None, origin=None, token=None):
    """A POST outside the browser: the attacker's crafted request."""
    request = urllib.request.Request(BASE + path, data=urllib.parse.urlencode(fields).encode(), method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if cookie:
        request.add_header("Cookie", cookie)
    if origin:
        request.add_header("Origin", origin)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        request.data = json.dumps(fields).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def tokens_absent(driver, what):
    source = driver.page_source
    secrets = [PROMOTER, VIEWER, PROMOTER.split("_")[-1], VIEWER.split("_")[-1]]
    check(not any(secret in source for secret in secrets), f"no token in the page source ({what})")
    check("berth_session" not in driver.execute_script("return document.cookie"),
          f"the session cookie is HttpOnly: scripts can't read it ({what})")


def main():
    origin = urllib.parse.urlsplit(BASE)
    origin = f"{origin.scheme}://{origin.netloc}"
    promoter = browser()
    viewer = browser()
    evil_server = None
    try:
        sign_in(promoter, PROMOTER)
        sign_in(viewer, VIEWER)

        # The board shows what berth status says.
        running = status()
        check(set(running) == {"dev"}, f"berth status: only dev runs 0.1.0 ({sorted(running)})")
        for environment, row in running.items():
            card = cell(promoter, environment)
            check(row["version"] in card.find_element(By.CSS_SELECTOR, ".version").text,
                  f"{environment}: the card shows version {row['version']} as berth status does")
            title = card.find_element(By.CSS_SELECTOR, ".digest").get_attribute("title")
            check(title == f"{IMAGE}@{row['digest']}", f"{environment}: the card's digest is berth status's")
            check(row["actor"] in card.text, f"{environment}: the card names who put it there ({row['actor']})")
        check("nothing promoted" in cell(promoter, "staging").text, "staging and prod are empty, as berth status says")
        screenshot(promoter, "board.png")
        tokens_absent(promoter, "promoter")
        tokens_absent(viewer, "viewer")

        # The second tab subscribes to the events stream; a marker proves it never reloads.
        WebDriverWait(viewer, 15).until(lambda d: d.find_element(By.CSS_SELECTOR, "header .live").text == "live")
        viewer.execute_script("window.__berthNoReload = 'still here'")

        # Promote to staging is disabled by the gate; enabling it in the page and posting is refused by the server.
        check("needs an approval for staging" in fresh(lambda: cell(promoter, "dev").text), "the card says why")
        check(force_promote(promoter), "Promote to staging is disabled while the gate needs an approval")
        WebDriverWait(promoter, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.error"))
        refusal = promoter.find_element(By.CSS_SELECTOR, "p.error").text
        check("approv" in refusal, f"the forced promotion is refused: {refusal!r}")
        check("staging" not in status(), "berth status: staging still runs nothing")
        promoter.get(BASE)

        # A cross-origin form post is refused, with the session cookie and the right CSRF token.
        session = promoter.get_cookie("berth_session")
        check(session is not None, "signed in with a session cookie")
        cookie = f"berth_session={session['value']}"
        csrf = cell(promoter, "dev").find_element(By.CSS_SELECTOR, "form.approve input[name=csrf]").get_attribute("value")
        approval = {"repository": IMAGE, "version": "0.1.0", "environment": "staging", "digest": DIGEST,
                    "gate": cell(promoter, "dev").find_element(By.CSS_SELECTOR, "form.approve input[name=gate]")
                    .get_attribute("value"), "reason": "from elsewhere", "csrf": csrf}
        check(post("approve", approval, cookie=cookie, origin="http://evil.example") == 403,
              "a cross-origin form post is refused (403)")
        # And from a page on another site in the browser itself: the SameSite cookie stays home, nothing changes.
        evil_dir = os.path.join(ARTIFACTS, "evil-site")
        os.makedirs(evil_dir, exist_ok=True)
        fields = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in approval.items())
        with open(os.path.join(evil_dir, "index.html"), "w") as page:
            page.write(f'<form id="f" method="post" action="{BASE}approve">{fields}</form>'
                       '<script>document.getElementById("f").submit()</script>')
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=evil_dir, **k)
        evil_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=evil_server.serve_forever, daemon=True).start()
        promoter.get(f"http://localhost:{evil_server.server_address[1]}/index.html")
        time.sleep(2)
        check(not [e for e in history() if e["kind"] == "approved"], "the other site's auto-submitted form recorded nothing")
        promoter.get(BASE)

        # A viewer can't approve: the page offers no form, and a crafted request is refused.
        check(not cell(viewer, "dev").find_elements(By.CSS_SELECTOR, "form.approve"), "a viewer's board has no Approve form")
        api = {k: v for k, v in approval.items() if k != "csrf"}
        api["gate"] = int(api["gate"])
        check(post("api/v1/approvals", api, token=VIEWER) == 403, "a viewer token can't approve through the API (403)")
        # The viewer's own CSRF token (the server derives it from the session's credential), so only the role says no.
        crafted = dict(approval, csrf="sha256:" + hashlib.sha256(("berth-csrf:" + VIEWER).encode()).hexdigest())
        check(post("approve", crafted, cookie=f"berth_session={VIEWER}", origin=origin) == 403,
              "a viewer's session can't approve with a crafted form, CSRF token and all (403)")
        check(not [e for e in history() if e["kind"] == "approved"], "no approval recorded so far")

        # Approving in the page records an approval bound to the digest, as the token's holder.
        def approve():
            form = cell(promoter, "dev").find_element(By.CSS_SELECTOR, "form.approve")
            form.find_element(By.NAME, "reason").clear()
            form.find_element(By.NAME, "reason").send_keys("the High is in a test-only dependency")
            form.find_element(By.CSS_SELECTOR, "button").click()
        fresh(approve)
        WebDriverWait(promoter, 15).until(lambda d: "Approval recorded" in d.page_source)
        approvals = [e for e in history() if e["kind"] == "approved"]
        check(len(approvals) == 1, "berth history: one approval")
        check(approvals[0]["digest"] == DIGEST and approvals[0]["environment"] == "staging",
              "the approval is bound to the digest shown, for staging")
        check(approvals[0]["actor"] == PROMOTER_NAME, f"recorded as the token's holder ({approvals[0]['actor']})")

        # The second tab sees it without a reload.
        wait_for_text(viewer, "dev", f"approved for staging by {PROMOTER_NAME}", "the second tab")
        check(viewer.execute_script("return window.__berthNoReload") == "still here",
              "the second tab saw the approval over server-sent events, without a reload")

        # A hold from the CLI reaches both tabs; the server then refuses the promotion it stops.
        berth("hold", "--env", "staging", "--reason", "release freeze")
        wait_for_text(viewer, "staging", "release freeze", "the hold in the second tab")
        wait_for_text(promoter, "dev", "held by", "the hold on the Promote button")
        check(force_promote(promoter), "Promote to staging is disabled by the hold")
        WebDriverWait(promoter, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.error"))
        check("held" in promoter.find_element(By.CSS_SELECTOR, "p.error").text, "the server refuses it: held")
        screenshot(viewer, "board-held.png")
        berth("unhold", "--env", "staging", "--reason", "freeze over")

        # Promote now goes through, and the second tab sees staging change.
        promoter.get(BASE)
        def promote():
            button = cell(promoter, "dev").find_element(By.CSS_SELECTOR, "form.promote button")
            enabled = button.get_attribute("disabled") is None
            button.click()
            return enabled
        check(fresh(promote), "Promote to staging is enabled after the approval and the release")
        WebDriverWait(promoter, 15).until(lambda d: "Promotion recorded" in d.page_source)
        running = status()
        check(running.get("staging", {}).get("digest") == DIGEST, "berth status: staging runs the digest")
        check(running["staging"]["actor"] == PROMOTER_NAME, "the promotion is recorded as the token's holder")
        wait_for_text(viewer, "staging", "0.1.0", "staging in the second tab")
        check(viewer.execute_script("return window.__berthNoReload") == "still here", "still without a reload")
        tokens_absent(promoter, "promoter, at the end")
        tokens_absent(viewer, "viewer, at the end")
        screenshot(viewer, "board-final.png")

        # The board's link between the two adjacent cells that now run something opens their diff.
        viewer.get(BASE)
        link = viewer.find_element(By.CSS_SELECTOR, "a.diff")
        check(link.text == "diff dev → staging", f"the board links dev and staging to their diff ({link.text!r})")
        link.click()
        WebDriverWait(viewer, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.diff"))
        check(f"Diff — {IMAGE}: staging → dev" in viewer.find_element(By.TAG_NAME, "h2").text,
              "the diff page names the service and the cells, staging → dev")
        sides = {row.find_element(By.TAG_NAME, "th").text: [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                 for row in viewer.find_elements(By.CSS_SELECTOR, "table.sides tr")[1:]}
        check(sides.get("version") == ["0.1.0", "0.1.0"], f"both sides show version 0.1.0 ({sides.get('version')})")
        check(sides.get("digest") == [running["staging"]["digest"], running["dev"]["digest"]],
              "each side's digest is what berth status says staging and dev run")
        page = viewer.find_element(By.TAG_NAME, "main").text
        check("Both run the same image." in page, "the page says both cells run the same image")
        for direction in ("What dev has that staging hasn't: none.", "What staging has that dev hasn't: none."):
            check(direction in page, f"no commit between them: {direction!r}")
        check("No label differs." in page, "no label differs")
        tokens_absent(viewer, "the diff page")
        screenshot(viewer, "diff.png")
    finally:
        if evil_server:
            evil_server.shutdown()
        for driver in (promoter, viewer):
            driver.quit()
        shutil.rmtree(os.path.join(ARTIFACTS, "evil-site"), ignore_errors=True)
    print(f"passed: {len(CHECKS)} checks")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"FAILED: {failure}")
        sys.exit(1)

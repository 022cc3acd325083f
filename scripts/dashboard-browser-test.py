#!/usr/bin/env python3
"""The dashboard in a real browser (issue 17, DESIGN.md section 11).

Headless Chromium through chromedriver and selenium. Starts `unifeed serve` on the demo's database on a
loopback port, signs in, visits every page, searches for a SKU, opens its product page and compares its
channel and store columns with the published files, presses "publish now", checks the gate's message for
a catalog emptied on purpose (a second database with stores and no products), and checks that a product
title `<script>alert(1)</script>` shows as text. Saves a PNG of each page at 1280x800 and 375x812 in the
screenshots folder. Fails on any JavaScript console error, any HTTP 5xx in the server's request log, or
any check that does not hold.

usage: dashboard-browser-test.py UNIFEED_BINARY SCREENSHOT_FOLDER
"""

import csv
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

BINARY, SHOTS = sys.argv[1], sys.argv[2]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(REPO, "samples", "unifeed.toml")
SIZES = {"1280": (1280, 800), "375": (375, 812)}
checks = []
servers = []


def check(condition, what):
    checks.append(what)
    if not condition:
        raise AssertionError(what)
    print(f"ok: {what}")


def unifeed(db, *args, stdin=None):
    result = subprocess.run([BINARY, "--db", db, "--config", CONFIG, *args], cwd=REPO, capture_output=True, text=True, input=stdin, timeout=300)
    if result.returncode not in (0, 2):
        raise RuntimeError(f"unifeed {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result.stdout.strip()


def serve(db, out):
    log = open(os.path.join(out, "serve.log"), "w")
    process = subprocess.Popen([BINARY, "--db", db, "--config", CONFIG, "serve", "--listen", "127.0.0.1:0", "--out", out], cwd=REPO, stderr=log)
    servers.append((process, os.path.join(out, "serve.log")))
    deadline = time.time() + 30
    while time.time() < deadline:
        text = open(os.path.join(out, "serve.log")).read()
        found = re.search(r"listening on http://(127\.0\.0\.1:\d+)", text)
        if found:
            return "http://" + found.group(1)
        time.sleep(0.1)
    raise RuntimeError("the server did not start: " + open(os.path.join(out, "serve.log")).read())


def browser():
    options = Options()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-gpu")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1280,800")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            options.binary_location = candidate
    service = Service("/usr/bin/chromedriver") if os.path.exists("/usr/bin/chromedriver") else Service()
    return webdriver.Chrome(service=service, options=options)


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def shoot(driver, name):
    for label, (width, height) in SIZES.items():
        driver.set_window_rect(width=width, height=height)
        time.sleep(0.2)
        # The viewport, not the window: set it exactly through the DevTools protocol.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": label == "375"})
        time.sleep(0.2)
        path = os.path.join(SHOTS, f"{name}-{label}.png")
        driver.save_screenshot(path)
        check(os.path.getsize(path) > 1000, f"screenshot {os.path.basename(path)} saved")
        # A page that reads well at this width: nothing wider than the viewport but scrolling tables.
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(overflow <= 1, f"{name} at {width} px has no horizontal page scroll (overflow {overflow} px)")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.set_window_rect(width=1280, height=800)


def click(driver, element, confirm=False):
    """Clicks and waits for the next page to replace this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    if confirm:
        WebDriverWait(driver, 10).until(expected_conditions.alert_is_present())
        driver.switch_to.alert.accept()
    WebDriverWait(driver, 60).until(replaced(page))


def replaced(page):
    """The old page's root is gone. `staleness_of`, but chromedriver sometimes reports a node of the
    document being replaced as "does not belong to the document" (a WebDriverException) instead of a
    stale element: that is the same answer."""

    def gone(_driver):
        try:
            page.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    return gone


def sign_in(driver, base, token):
    driver.get(base + "/signin")
    driver.find_element(By.ID, "token").send_keys(token)
    click(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button"))


def rows(path, delimiter):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def main():
    os.makedirs(SHOTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="unifeed-dashboard-")
    out = os.path.join(work, "demo")
    subprocess.run([BINARY, "demo", "--out", out], cwd=REPO, check=True, capture_output=True, timeout=600)
    db = os.path.join(out, "unifeed.sqlite")
    admin = unifeed(db, "tokens", "create", "browser-admin", "--scope", "admin")
    reader = unifeed(db, "tokens", "create", "browser-reader", "--scope", "feeds:read")
    base = serve(db, out)
    driver = browser()
    try:
        # Without a session every page goes to the sign-in page.
        driver.get(base + "/stock")
        check(driver.current_url.endswith("/signin"), "a page without a session redirects to /signin")
        shoot(driver, "signin")
        sign_in(driver, base, "not-a-token")
        check("Unknown or revoked token" in driver.page_source, "a wrong token is refused with a message")
        # The refusal is a 401, which Chromium logs as a failed load: that one entry is expected, and the
        # log is read (and emptied) here, so any later entry fails the test.
        refused = console_errors(driver)
        check(all("/signin" in e["message"] and "401" in e["message"] for e in refused), "the only console entry so far is the refused sign-in's 401")
        sign_in(driver, base, admin)
        check(driver.find_element(By.TAG_NAME, "h1").text == "Feed health", "signing in with an admin token opens Feed health")

        # Feed health: one card per channel of the report, each with its items as the report says.
        import json
        report = json.load(open(os.path.join(out, "publish-report.json")))
        cards = driver.find_elements(By.CSS_SELECTOR, "section.card")
        check(len(cards) == len(report["channels"]), f"feed health shows {len(report['channels'])} channel cards")
        for entry in report["channels"]:
            items = driver.find_element(By.CSS_SELECTOR, f"#channel-{entry['channel']} dd.items").text.replace(",", "")
            check(items == str(entry["items"]), f"feed health: {entry['channel']} shows {entry['items']} items")
        check(len(driver.find_elements(By.CSS_SELECTOR, "form.publish button")) == 1, "an admin sees 'Publish now'")
        check(len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")) in (0, 1), "feed health's chart is inline SVG when drawn")
        shoot(driver, "health")

        # Publish now (admin): the confirmation, then the notice. The files it writes are at the server's
        # clock, as the product page is, so the comparisons below are at one moment.
        driver.get(base + "/")
        click(driver, driver.find_element(By.CSS_SELECTOR, "form.publish button"), confirm=True)
        check("Published" in driver.find_element(By.CSS_SELECTOR, "p.notice").text, "'publish now' publishes and says so")

        # Diagnostics: filter by channel and severity; rows link to products.
        driver.get(base + "/diagnostics")
        check(driver.find_element(By.TAG_NAME, "h1").text == "Diagnostics", "diagnostics page opens")
        shoot(driver, "diagnostics")
        driver.get(base + "/diagnostics?channel=google-local&severity=warning")
        body = driver.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
        check(all("warning" in r.get_attribute("class") or "No findings" in r.text for r in body), "the severity filter keeps warnings only")
        links = driver.find_elements(By.CSS_SELECTOR, "table.list tbody a")
        if links:
            href = links[0].get_attribute("href")
            check("/products/" in href, "a diagnostic links to its product")

        # Products: search for a SKU of the published files, then open it.
        google = {r["id"]: r for r in rows(os.path.join(out, "google", "products.tsv"), "\t")}
        meta = {r["id"]: r for r in rows(os.path.join(out, "meta", "catalog.csv"), ",")}
        local = rows(os.path.join(out, "google-local", "local-inventory.tsv"), "\t")
        sku = next(r["id"] for r in local if r["id"] in google and r["id"] in meta)
        driver.get(base + "/products")
        shoot(driver, "products")
        box = driver.find_element(By.ID, "q")
        box.clear()
        box.send_keys(sku)
        click(driver, driver.find_element(By.CSS_SELECTOR, "form.search button"))
        found = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.list tbody a")]
        check(sku in found, f"searching for {sku} finds it")
        click(driver, driver.find_element(By.LINK_TEXT, sku))
        check(sku in driver.find_element(By.TAG_NAME, "h1").text, f"the product page of {sku} opens")

        def cell(row, css):
            return row.find_element(By.CSS_SELECTOR, css).text

        g = driver.find_element(By.CSS_SELECTOR, "#channels tr[data-channel='google']")
        check(cell(g, "td.availability") == google[sku]["availability"], f"google availability of {sku} matches google/products.tsv")
        check(cell(g, "td:nth-of-type(1)") == google[sku]["price"], f"google price of {sku} matches google/products.tsv")
        m = driver.find_element(By.CSS_SELECTOR, "#channels tr[data-channel='meta']")
        check(cell(m, "td.availability") == meta[sku]["availability"].replace(" ", "_"), f"meta availability of {sku} matches meta/catalog.csv")
        check(cell(m, "td.quantity") == meta[sku]["quantity_to_sell_on_facebook"], f"meta quantity of {sku} matches meta/catalog.csv")
        for r in (r for r in local if r["id"] == sku):
            s = driver.find_element(By.CSS_SELECTOR, f"#stores tr[data-store='{r['store_code']}']")
            check(cell(s, "td.quantity") == r["quantity"] and cell(s, "td.availability") == r["availability"],
                  f"store {r['store_code']} of {sku} matches google-local/local-inventory.tsv")
        check(len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg rect")) >= 1, "the product page draws stock by location")
        shoot(driver, "product")

        for path, name, heading in (("/stock", "stock", "Stock"), ("/orders", "orders", "Orders"), ("/runs", "runs", "Imports and publishes")):
            driver.get(base + path)
            check(driver.find_element(By.TAG_NAME, "h1").text == heading, f"{path} opens")
            shoot(driver, name)
        driver.get(base + "/orders?unmatched=1")
        check(all("unmatched" in r.get_attribute("class") for r in driver.find_elements(By.CSS_SELECTOR, "#order-lines tbody tr.unmatched")),
              "unmatched order lines are marked")
        driver.get(base + "/runs")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#imports tbody tr")) >= 4, "runs lists the demo's imports")

        driver.get(base + "/runs")
        changed = driver.find_elements(By.CSS_SELECTOR, "#publishes tbody tr td:nth-child(5)")
        check(any(c.text != "–" for c in changed), "the second publish reports items added, removed and changed")

        # A title that is markup shows as text.
        xss = os.path.join(work, "xss.csv")
        with open(xss, "w") as f:
            f.write("product_id,sku,title,description,brand,price,currency,link,image_link,quantity\n")
            f.write("XSS-1,XSS-1,<script>alert(1)</script>,A test,Brand,10.00,USD,https://shop.example/x,https://cdn.shop.example/x.jpg,1\n")
        unifeed(db, "import", "catalog", xss)
        driver.get(base + "/products?q=XSS-1")
        click(driver, driver.find_element(By.LINK_TEXT, "XSS-1"))
        check("<script>alert(1)</script>" in driver.find_element(By.TAG_NAME, "h1").text, "a <script> title shows as text")
        check("&lt;script&gt;alert(1)&lt;/script&gt;" in driver.page_source, "the page source carries the title escaped")
        try:
            driver.switch_to.alert
            check(False, "no alert ran")
        except NoAlertPresentException:
            check(True, "no alert ran")

        # Sign out; the session is gone.
        click(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
        driver.get(base + "/")
        check(driver.current_url.endswith("/signin"), "after signing out, pages ask to sign in again")

        # Read-only: no publish button.
        sign_in(driver, base, reader)
        check(len(driver.find_elements(By.CSS_SELECTOR, "form.publish")) == 0, "a feeds:read token sees no 'Publish now'")
        click(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))

        # The gate: a catalog emptied on purpose (stores, no products) publishing into a copy of the feeds.
        empty_out = os.path.join(work, "emptied")
        subprocess.run(["cp", "-a", out, empty_out], check=True)
        for name in ("unifeed.sqlite", "unifeed.sqlite-wal", "unifeed.sqlite-shm", "serve.log"):
            if os.path.exists(os.path.join(empty_out, name)):
                os.remove(os.path.join(empty_out, name))
        empty_db = os.path.join(work, "emptied.sqlite")
        unifeed(empty_db, "import", "stores", os.path.join(REPO, "samples", "stores.csv"))
        empty_admin = unifeed(empty_db, "tokens", "create", "gate", "--scope", "admin")
        empty_base = serve(empty_db, empty_out)
        sign_in(driver, empty_base, empty_admin)
        click(driver, driver.find_element(By.CSS_SELECTOR, "form.publish button"), confirm=True)
        check("held back" in driver.find_element(By.CSS_SELECTOR, "p.notice").text, "publishing an emptied catalog is held back by the gate")
        held = driver.find_elements(By.CSS_SELECTOR, "section.card.held p.reason")
        check(len(held) > 0 and all("previous feed stays" in r.text for r in held), "each held-back card gives the gate's reason")
        shoot(driver, "gate")

        errors = console_errors(driver)
        check(not errors, f"no JavaScript console errors ({errors})")
    finally:
        driver.quit()
        for process, log in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    for _, log in servers:
        statuses = re.findall(r"status=(\d{3})", open(log).read())
        check(statuses and not any(s.startswith("5") for s in statuses), f"no HTTP 5xx among {len(statuses)} requests ({os.path.basename(os.path.dirname(log))})")
    print(f"dashboard browser test: {len(checks)} checks passed, screenshots in {SHOTS}")


if __name__ == "__main__":
    main()

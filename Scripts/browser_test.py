#!/usr/bin/env python3
"""The web cabinet in a real headless Chromium (Debian's, through chromedriver and selenium).

Each step names what a person does; a failure says which step and saves a screenshot next to the others.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

NUMBER = "+79000000001"

# The smallest PNG a browser shows: one transparent pixel (the server checks the type from these bytes).
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def totp(secret_base32, at=None):
    """RFC 6238 (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((int.from_bytes(digest[offset:offset + 4], "big") & 0x7FFFFFFF) % 1000000)


def phone(driver):
    """A 360×640 phone's viewport (touch, mobile layout), whatever the window's size."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 360, "height": 640, "deviceScaleFactor": 2, "mobile": True})


def desktop(driver):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})


def tap(driver, element):
    """A click as a thumb makes it: the element first scrolled to the middle (the phone's section bar is fixed at the
    bottom of the screen and would take a click meant for what lies under it)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def fits(driver, name):
    """The page does not scroll sideways (wide tables scroll inside their card)."""
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= inner, f"{name} is {width}px wide in a {inner}px viewport"


def audit(driver, name):
    """axe-core (axe-selenium-python) on the page: no serious or critical violation."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    assert results["passes"], f"{name}: axe-core checked nothing"
    violations = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations)


def attribute(driver, element_id, name):
    """An element's attribute, or None while the page is being replaced (after a click that navigates, or a
    refresh): an element found on the old page goes stale when the new one arrives."""
    try:
        return driver.find_element(By.ID, element_id).get_attribute(name)
    except (NoSuchElementException, StaleElementReferenceException):
        return None


def operator_post(base, key, path, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--cabinet", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--operator-key", required=True, help="the server's operator key, for the network's call check")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,900", "--lang=ru-RU"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ru-RU,ru"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 15)
    step_name = "start"

    def step(name):
        nonlocal step_name
        step_name = name
        print(f"· {name}", flush=True)

    def shot(name):
        driver.save_screenshot(os.path.join(args.screenshots, f"{name}.png"))

    def last_code(number=NUMBER):
        """Reads the newest login code from the development SMS sink, as a person would read the phone."""
        for _ in range(50):
            out = subprocess.run([args.cabinet, "outbox", "--to", number, "--limit", "1", "--database", args.database,
                                  "--regions", "Regions"], capture_output=True, text=True, check=True).stdout
            # The text follows the language the page was in (Russian, or English after /lang/en).
            match = re.search(r"(?:Код входа|Login code): (\d{6})", out)
            if match:
                return match.group(1)
            time.sleep(0.2)
        raise AssertionError("no code in the outbox")

    try:
        step("open the login page")
        driver.get(args.base + "/login")
        wait.until(EC.presence_of_element_located((By.ID, "msisdn")))
        assert "Вход в личный кабинет" in driver.title, driver.title
        shot("01-login")

        step("ask for a code for the demo number")
        field = driver.find_element(By.ID, "msisdn")
        field.send_keys("8 (900) 000-00-01")
        driver.find_element(By.ID, "get-code").click()
        wait.until(EC.presence_of_element_located((By.ID, "code")))
        assert "+7 900 000-00-01" in driver.page_source
        assert "Повторно — через" in driver.page_source, "the resend timer is shown"
        shot("02-code")

        step("enter the code from the SMS")
        code = last_code()
        driver.find_element(By.ID, "code").send_keys(code)
        driver.find_element(By.ID, "enter").click()
        wait.until(lambda d: d.current_url.endswith("/dashboard"))
        cookies = {c["name"]: c for c in driver.get_cookies()}
        assert "cabinet_session" in cookies, cookies.keys()
        assert cookies["cabinet_session"]["httpOnly"], "the session cookie is HttpOnly"
        assert "+7 900 000-00-01" in driver.page_source, "the header shows the number"
        shot("03-home")

        step("read balance, remainders and tariff on the dashboard")
        balance = driver.find_element(By.ID, "balance").text
        assert re.search(r"\d+,\d\d", balance), balance
        assert "Мой онлайн" in driver.find_element(By.ID, "dashboard-tariff").text
        bars = driver.find_elements(By.CSS_SELECTOR, ".remainder svg.bar")
        assert len(bars) >= 3, f"bars for minutes, SMS and data: {len(bars)}"
        assert driver.find_element(By.ID, "next-fee").text, "the next fee is announced"
        chart = driver.find_element(By.CSS_SELECTOR, "#spending svg.chart desc").get_attribute("textContent")
        assert "₽" in chart, "the month's spending chart says its figures: " + chart
        shot("03b-dashboard")

        step("on a phone (360×640): balance and top-up on the first screen, no page scrolls sideways, axe-core finds "
             "nothing serious")
        pages = ["/dashboard", "/balance", "/payments", "/promised-payment", "/transfers", "/autopay", "/statement",
                 "/shares", "/tariffs", "/tariffs/advice", "/tariffs/moy-online", "/services", "/blacklist", "/roaming",
                 "/sim-block", "/suspension", "/settings-sms", "/support", "/support/new", "/support/faq/topup-card",
                 "/requests", "/profile", "/security"]
        phone(driver)
        driver.get(args.base + "/dashboard")
        wait.until(EC.presence_of_element_located((By.ID, "balance")))
        for element in [driver.find_element(By.ID, "balance"),
                        driver.find_element(By.CSS_SELECTOR, "#actions a[href='/payments']")]:
            bottom = driver.execute_script("return arguments[0].getBoundingClientRect().bottom", element)
            assert 0 < bottom <= 640, f"{element.text!r} ends at {bottom}px, below the first screen"
        shot("phone-dashboard")
        for page in pages:
            driver.get(args.base + page)
            wait.until(EC.presence_of_element_located((By.ID, "main")))
            fits(driver, page)
            audit(driver, page)
        driver.get(args.base + "/balance")
        wait.until(EC.presence_of_element_located((By.ID, "spending")))
        shot("phone-balance")
        desktop(driver)
        for page in ["/dashboard", "/balance"]:
            driver.get(args.base + page)
            wait.until(EC.presence_of_element_located((By.ID, "spending")))
            fits(driver, page)
            shot("desktop-" + page.strip("/"))
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        step("look at the statement the demo usage left")
        driver.get(args.base + "/statement")
        wait.until(EC.presence_of_element_located((By.ID, "statement-events")))
        rows = driver.find_elements(By.CSS_SELECTOR, "#statement-events tbody tr")
        assert len(rows) >= 5, f"demo events in the statement: {len(rows)}"
        shot("03c-statement")

        step("preview a change to the daily tariff")
        driver.get(args.base + "/tariffs")
        wait.until(EC.presence_of_element_located((By.ID, "current-tariff")))
        driver.find_element(By.ID, "tariff-sutochny").click()
        wait.until(EC.presence_of_element_located((By.ID, "preview-button")))
        driver.find_element(By.ID, "preview-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "tariff-preview")))
        assert "Спишем сегодня" in driver.page_source
        assert driver.find_element(By.ID, "charge-today").text.strip(), "the charge of today is shown"
        shot("03d-preview")

        step("confirm the change and see the request number")
        driver.find_element(By.ID, "confirm-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "tariff-notice")))
        notice = driver.find_element(By.ID, "tariff-notice").text
        assert re.search(r"R-\d{6}", notice), notice
        assert "Посуточный" in driver.find_element(By.ID, "current-tariff").text
        shot("03e-changed")

        step("find the change in the request history and the balance history")
        driver.get(args.base + "/requests")
        wait.until(EC.presence_of_element_located((By.ID, "requests")))
        assert "Смена тарифа" in driver.page_source and "выполнена" in driver.page_source
        driver.get(args.base + "/balance")
        wait.until(EC.presence_of_element_located((By.ID, "movements")))
        assert "Посуточный" in driver.page_source, "the daily fee is explained in the history"
        driver.get(args.base + "/dashboard")
        assert "Посуточный" in driver.find_element(By.ID, "dashboard-tariff").text
        shot("03f-history")

        step("top up by card on the sandbox gateway's page")
        driver.get(args.base + "/payments")
        wait.until(EC.presence_of_element_located((By.ID, "topup-form")))
        driver.find_element(By.ID, "amount").send_keys("500")
        driver.find_element(By.ID, "topup-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "card-form")))
        assert "/sandbox/pay/sbx_" in driver.current_url, driver.current_url
        assert "500,00" in driver.find_element(By.ID, "sandbox-amount").text
        driver.find_element(By.ID, "card").send_keys("4242 4242 4242 4241")
        driver.find_element(By.ID, "expiry").send_keys("12/30")
        driver.find_element(By.ID, "cvc").send_keys("123")
        driver.find_element(By.ID, "sandbox-pay-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "sandbox-error")))
        driver.find_element(By.ID, "card").clear()
        driver.find_element(By.ID, "card").send_keys("4242 4242 4242 4242")
        driver.find_element(By.ID, "expiry").send_keys("12/30")
        driver.find_element(By.ID, "cvc").send_keys("123")
        shot("04a-sandbox")
        driver.find_element(By.ID, "sandbox-pay-button").click()
        wait.until(lambda d: "/payments/pay_" in d.current_url)
        wait.until(lambda d: d.find_element(By.ID, "payment").get_attribute("data-status") == "succeeded")
        assert "•••• 4242" in driver.page_source, "the masked card is shown"
        assert "4242 4242 4242 4242" not in driver.page_source
        driver.get(args.base + "/balance")
        wait.until(EC.presence_of_element_located((By.ID, "movements")))
        assert "Пополнение счёта" in driver.page_source
        shot("04b-paid")

        step("see why a promised payment is not offered with money on the balance")
        driver.get(args.base + "/promised-payment")
        wait.until(EC.presence_of_element_located((By.ID, "promised-reasons")))
        assert "доступен при балансе ниже" in driver.find_element(By.ID, "promised-reasons").text

        step("see the profile")
        driver.get(args.base + "/profile")
        wait.until(EC.presence_of_element_located((By.ID, "profile-msisdn")))
        assert "+7 900 000-00-01" in driver.find_element(By.ID, "profile-msisdn").text
        assert "Иванов Иван Иванович" in driver.page_source
        shot("04-profile")

        step("see the security page with the visit journal")
        driver.get(args.base + "/security")
        wait.until(EC.presence_of_element_located((By.ID, "journal")))
        assert "Журнал посещений" in driver.page_source
        assert "код из SMS" in driver.page_source
        shot("05-security")

        step("connect an option through its preview")
        driver.get(args.base + "/services")
        wait.until(EC.presence_of_element_located((By.ID, "preview-roaming-ban")))
        driver.find_element(By.ID, "preview-roaming-ban").click()
        wait.until(EC.presence_of_element_located((By.ID, "service-preview")))
        driver.find_element(By.ID, "confirm-connect").click()
        wait.until(EC.presence_of_element_located((By.ID, "services-notice")))
        assert re.search(r"R-\d{6}", driver.find_element(By.ID, "services-notice").text)
        assert driver.find_elements(By.ID, "disconnect-roaming-ban"), "roaming ban is on"
        shot("05b-option")

        step("meet a conflict in the preview and resolve it by replacing the ban")
        driver.find_element(By.ID, "preview-international-roaming").click()
        wait.until(EC.presence_of_element_located((By.ID, "conflicts")))
        conflicts = driver.find_element(By.ID, "conflicts").text
        assert "несовместима" in conflicts and "«Запрет роуминга»" in conflicts, conflicts
        assert "«Международный роуминг»" in conflicts, conflicts
        shot("05c-conflict")
        driver.find_element(By.ID, "confirm-connect").click()
        wait.until(EC.presence_of_element_located((By.ID, "services-notice")))
        assert driver.find_elements(By.ID, "disconnect-international-roaming"), "roaming is on"
        assert driver.find_elements(By.ID, "preview-roaming-ban"), "the ban went with the change"

        step("switch the black list on and add a number as people type it")
        driver.get(args.base + "/blacklist")
        wait.until(EC.presence_of_element_located((By.ID, "blacklist-on-button")))
        driver.find_element(By.ID, "blacklist-on-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "blacklist-number")))
        driver.find_element(By.ID, "blacklist-number").send_keys("8 (495) 123-45-67")
        driver.find_element(By.ID, "blacklist-label").send_keys("реклама")
        driver.find_element(By.ID, "blacklist-add-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "blacklist-entries")))
        assert "+74951234567" in driver.find_element(By.ID, "blacklist-entries").text

        step("the network asks about a call from that number, and the page shows it stopped")
        check = json.dumps({"items": [{"id": "browser-1", "from": "+74951234567", "to": NUMBER, "kind": "voice",
                                       "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}]}).encode()
        request = urllib.request.Request(args.base + "/operator/v1/calls/check", data=check, method="POST", headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + args.operator_key})
        with urllib.request.urlopen(request, timeout=10) as answer:
            decision = json.load(answer)["items"][0]
        assert decision == {"id": "browser-1", "decision": "deny", "reason": "blackList"}, decision
        driver.get(args.base + "/blacklist")
        wait.until(EC.presence_of_element_located((By.ID, "blocked-log")))
        assert "+74951234567" in driver.find_element(By.ID, "blocked-log").text
        shot("05d-blacklist")

        step("remove the number from the black list")
        driver.find_element(By.CSS_SELECTOR, "#blacklist-entries button").click()
        wait.until(EC.presence_of_element_located((By.ID, "blacklist-notice")))
        assert not driver.find_elements(By.ID, "blacklist-entries")

        step("switch to English")
        driver.get(args.base + "/security")
        wait.until(EC.presence_of_element_located((By.ID, "journal")))
        driver.find_element(By.CSS_SELECTOR, "a.lang").click()
        wait.until(lambda d: "Visit journal" in d.page_source)

        step("log out")
        driver.find_element(By.CSS_SELECTOR, "form.who button").click()
        wait.until(lambda d: d.current_url.rstrip("/") == args.base.rstrip("/"))
        assert "cabinet_session" not in {c["name"] for c in driver.get_cookies()}
        driver.get(args.base + "/profile")
        wait.until(lambda d: d.current_url.endswith("/login"))
        shot("06-logged-out")

        step("the second demo line's phone is lost: its SIM is blocked through the public form with the PUK")
        lost = "+79000000002"
        puk = "20000008"  # DemoProvisioner.puk(for:): the last seven digits reversed, then 8
        driver.get(args.base + "/sim-block")
        wait.until(EC.presence_of_element_located((By.ID, "simblock-puk-form")))
        driver.find_element(By.ID, "simblock-msisdn").send_keys("8 900 000-00-02")
        driver.find_element(By.ID, "simblock-puk").send_keys("11111111")
        driver.find_element(By.ID, "simblock-puk-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "simblock-error")))
        driver.find_element(By.ID, "simblock-msisdn").clear()
        driver.find_element(By.ID, "simblock-msisdn").send_keys("8 900 000-00-02")
        driver.find_element(By.ID, "simblock-puk").send_keys(puk)
        driver.find_element(By.ID, "simblock-puk-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "simblock-notice")))
        assert re.search(r"R-\d{6}", driver.find_element(By.ID, "simblock-notice").text)
        shot("06b-sim-blocked")

        step("the blocked line, entered by PUK, may look but sends no money away")
        driver.get(args.base + "/login/puk")
        wait.until(EC.presence_of_element_located((By.ID, "puk")))
        driver.find_element(By.ID, "msisdn").send_keys(lost)
        driver.find_element(By.ID, "puk").send_keys(puk)
        driver.find_element(By.CSS_SELECTOR, "form[action='/login/puk'] button").click()
        wait.until(EC.presence_of_element_located((By.ID, "password")))
        driver.find_element(By.ID, "password").send_keys("Lost-phone-2026!")
        driver.find_element(By.CSS_SELECTOR, "form[action='/password'] button").click()
        wait.until(lambda d: "/password" not in d.current_url)
        driver.get(args.base + "/sim-block")
        wait.until(EC.presence_of_element_located((By.ID, "simblock-blocked")))
        driver.get(args.base + "/transfers")
        wait.until(EC.presence_of_element_located((By.ID, "transfer-form")))
        driver.find_element(By.ID, "to").send_keys("+79000000001")
        driver.find_element(By.ID, "amount").send_keys("10")
        driver.find_element(By.ID, "transfer-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "transfer-error")))
        assert "blocked" in driver.find_element(By.ID, "transfer-error").text, driver.find_element(By.ID, "transfer-error").text
        shot("06c-blocked-no-transfer")
        driver.find_element(By.CSS_SELECTOR, "form.who button").click()
        wait.until(lambda d: d.current_url.rstrip("/") == args.base.rstrip("/"))

        step("the third demo line, nearly out of money, takes a promised payment")
        low = "+79000000003"
        driver.get(args.base + "/login")
        wait.until(EC.presence_of_element_located((By.ID, "msisdn")))
        driver.find_element(By.ID, "msisdn").send_keys(low)
        driver.find_element(By.ID, "get-code").click()
        wait.until(EC.presence_of_element_located((By.ID, "code")))
        driver.find_element(By.ID, "code").send_keys(last_code(low))
        driver.find_element(By.ID, "enter").click()
        wait.until(lambda d: d.current_url.endswith("/dashboard"))
        driver.get(args.base + "/promised-payment")
        wait.until(EC.presence_of_element_located((By.ID, "promised-form")))
        driver.find_elements(By.CSS_SELECTOR, "#promised-form input[name=amount]")[-1].click()
        driver.find_element(By.ID, "promised-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "promised-notice")))
        assert re.search(r"R-\d{6}", driver.find_element(By.ID, "promised-notice").text)
        assert driver.find_element(By.ID, "promised-active").text
        shot("07-promised")
        driver.get(args.base + "/requests")
        wait.until(EC.presence_of_element_located((By.ID, "requests")))
        assert "Promised payment" in driver.find_element(By.ID, "requests").text, "listed (in English, chosen earlier)"
        step("the third line asks the advisor (on a phone) and changes to the cheapest other tariff from it")
        phone(driver)
        driver.get(args.base + "/tariffs")
        wait.until(EC.presence_of_element_located((By.ID, "advice-link")))
        tap(driver, driver.find_element(By.ID, "advice-link"))
        wait.until(EC.presence_of_element_located((By.ID, "advice-list")))
        fits(driver, "/tariffs/advice")
        audit(driver, "/tariffs/advice")
        shot("phone-advice")
        # One tap from the advice to the change's preview.
        choose = driver.find_elements(By.CSS_SELECTOR, "#advice-list button[id^='advice-choose-']")[0]
        chosen = choose.get_attribute("id").removeprefix("advice-choose-")
        tap(driver, choose)
        wait.until(EC.presence_of_element_located((By.ID, "tariff-compare")))
        shot("phone-tariff-compare")
        tap(driver, driver.find_element(By.ID, "confirm-button"))
        wait.until(EC.presence_of_element_located((By.ID, "tariff-notice")))
        assert re.search(r"R-\d{6}", driver.find_element(By.ID, "tariff-notice").text)
        desktop(driver)
        driver.get(args.base + "/tariffs/advice")
        wait.until(EC.presence_of_element_located((By.ID, "advice-list")))
        shot("desktop-advice")
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        print(f"· the advisor's cheapest other tariff, {chosen}, is planned")
        step("the third line plans a two-day suspension and sees its price first")
        driver.get(args.base + "/suspension")
        wait.until(EC.presence_of_element_located((By.ID, "suspension-form")))
        today = driver.find_element(By.ID, "suspension-from").get_attribute("value")
        year, month, day = map(int, today.split("-"))
        until = (datetime.date(year, month, day) + datetime.timedelta(days=2)).isoformat()
        driver.execute_script("document.getElementById('suspension-until').value = arguments[0]", until)
        driver.find_element(By.ID, "suspension-preview-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "suspension-preview")))
        preview = driver.find_element(By.ID, "suspension-preview").text
        assert "2 days" in preview, preview
        driver.find_element(By.ID, "suspension-confirm").click()
        wait.until(EC.presence_of_element_located((By.ID, "suspension-current")))
        assert re.search(r"R-\d{6}", driver.find_element(By.ID, "suspension-notice").text)
        shot("08-suspension")

        step("the third line disputes a charge from its balance history")
        driver.get(args.base + "/balance")
        wait.until(EC.presence_of_element_located((By.ID, "movements")))
        driver.find_element(By.CSS_SELECTOR, "#movements a.dispute").click()
        wait.until(EC.presence_of_element_located((By.ID, "ticket-form")))
        disputed = driver.find_element(By.ID, "ticket-amount").get_attribute("value")
        assert disputed, "the movement's amount is offered"
        driver.find_element(By.ID, "ticket-subject").send_keys("Charge I do not recognise")
        driver.find_element(By.ID, "ticket-message").send_keys("Please check this charge.")
        driver.find_element(By.ID, "ticket-send").click()
        wait.until(EC.presence_of_element_located((By.ID, "ticket-compensation")))
        compensation_number = re.search(r"R-\d{6}", driver.find_element(By.TAG_NAME, "h1").text).group(0)
        shot("09-compensation-request")

        step("the third line opens a ticket with a screenshot")
        picture = os.path.join(args.screenshots, "pixel.png")
        with open(picture, "wb") as handle:
            handle.write(PIXEL_PNG)
        driver.get(args.base + "/support/new")
        wait.until(EC.presence_of_element_located((By.ID, "ticket-form")))
        driver.find_element(By.ID, "ticket-subject").send_keys("Internet is slow")
        driver.find_element(By.ID, "ticket-message").send_keys("Since yesterday, see the screenshot.")
        driver.find_element(By.ID, "ticket-files").send_keys(picture)
        driver.find_element(By.ID, "ticket-send").click()
        wait.until(EC.presence_of_element_located((By.ID, "ticket-messages")))
        assert "pixel.png" in driver.find_element(By.ID, "ticket-messages").text
        ticket_number = re.search(r"R-\d{6}", driver.find_element(By.TAG_NAME, "h1").text).group(0)
        # A marker that a reload would wipe: the answer must arrive without one.
        driver.execute_script("window.cabinetMarker = 'still-here'")
        shot("10-ticket-open")

        step("an agent is created by the operator and logs in with a password and an authenticator code")
        created = operator_post(args.base, args.operator_key, "/operator/v1/support/agents", {
            "login": "olga.agent", "name": "Ольга", "role": "supervisor", "regions": ["msk"]})
        agent = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                 options=options)
        # The agent's pages reload after each action: an element found just before may be gone, and a question asked
        # while the next page loads may fail; the wait asks again until its time is up.
        def agent_shot(name):
            """A screenshot is a diagnosis, never a reason to fail."""
            try:
                agent.save_screenshot(os.path.join(args.screenshots, name + ".png"))
            except WebDriverException as error:
                print(f"  (no screenshot {name}: {error.msg})", flush=True)

        agent_wait = WebDriverWait(agent, 20, ignored_exceptions=(StaleElementReferenceException, WebDriverException))
        try:
            agent.get(args.base + "/agent/login")
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-login-button")))
            agent.find_element(By.NAME, "login").send_keys("olga.agent")
            agent.find_element(By.NAME, "password").send_keys(created["password"])
            agent.find_element(By.ID, "agent-login-button").click()
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-secret")))
            assert agent.find_element(By.ID, "agent-secret").text == created["totpSecret"]
            agent.find_element(By.NAME, "password").send_keys(created["password"])
            agent.find_element(By.NAME, "code").send_keys(totp(created["totpSecret"]))
            agent.find_element(By.ID, "agent-login-button").click()
            # The operator's first password only sets the agent's own.
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-password")))
            agent.find_element(By.ID, "agent-current").send_keys(created["password"])
            agent.find_element(By.ID, "agent-new-password").send_keys("Olga-own-password-2026")
            agent.find_element(By.ID, "agent-password-save").click()
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-queue")))
            assert ticket_number in agent.find_element(By.ID, "agent-tickets").text
            agent_shot("11-agent-queue")

            step("the agent answers, and the subscriber's open page shows it without a reload")
            agent.get(args.base + "/agent/tickets/" + ticket_number)
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-line")))
            agent.find_element(By.ID, "agent-reply-text").send_keys("Здравствуйте! Перезагрузите телефон, пожалуйста.")
            agent.find_element(By.ID, "agent-reply-send").click()
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-messages")))
            WebDriverWait(driver, 20).until(
                lambda d: "Перезагрузите телефон" in d.find_element(By.ID, "ticket-messages").text)
            assert driver.execute_script("return window.cabinetMarker") == "still-here", "the page was not reloaded"
            shot("12-answer-live")

            step("the agent resolves the ticket and the subscriber rates it")
            agent.get(args.base + "/agent/tickets/" + ticket_number)
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-status-send")))
            agent.find_element(By.CSS_SELECTOR, "form[action$='/status'] select option[value='resolved']").click()
            agent.find_element(By.ID, "agent-status-send").click()
            agent_wait.until(lambda d: "resolved" in d.find_element(By.ID, "agent-ticket-status").get_attribute(
                "data-status"))
            driver.get(args.base + "/support/tickets/" + ticket_number)
            wait.until(EC.presence_of_element_located((By.ID, "ticket-rating")))
            driver.find_element(By.CSS_SELECTOR, "#ticket-rating input[value='5']").click()
            driver.find_element(By.ID, "ticket-rate").click()
            wait.until(EC.presence_of_element_located((By.ID, "ticket-rated")))
            shot("13-rated")

            step("the agent approves the compensation and the balance shows it with the ticket")
            agent.get(args.base + "/agent/tickets/" + compensation_number)
            agent_wait.until(EC.presence_of_element_located((By.ID, "agent-compensation-approve")))
            agent.find_element(By.ID, "agent-compensation-approve").click()
            agent_wait.until(lambda d: "resolved" in d.find_element(By.ID, "agent-ticket-status").get_attribute(
                "data-status"))
            agent_shot("14-agent-approved")
        finally:
            agent.quit()
        driver.get(args.base + "/balance")
        wait.until(EC.presence_of_element_located((By.ID, "movements")))
        link = driver.find_element(By.CSS_SELECTOR, "#movements a[href='/support/tickets/%s']" % compensation_number)
        assert compensation_number in link.text, link.text
        shot("15-compensation-in-balance")
        driver.get(args.base + "/requests?kind=support.*")
        wait.until(EC.presence_of_element_located((By.ID, "requests")))
        assert ticket_number in driver.find_element(By.ID, "requests").text
        assert compensation_number in driver.find_element(By.ID, "requests").text

        step("the demo company's admin logs in with her designated number and a 6-digit code")
        driver.get(args.base + "/login")
        if not driver.find_elements(By.ID, "msisdn"):
            driver.find_element(By.CSS_SELECTOR, "form.who button").click()
            wait.until(lambda d: d.current_url.rstrip("/") == args.base.rstrip("/"))
            driver.get(args.base + "/login")
        wait.until(EC.presence_of_element_located((By.ID, "msisdn")))
        admin = "+79000000100"
        driver.find_element(By.ID, "msisdn").send_keys(admin)
        driver.find_element(By.ID, "get-code").click()
        wait.until(EC.presence_of_element_located((By.ID, "code")))
        admin_code = last_code(admin)
        assert len(admin_code) == 6, admin_code
        driver.find_element(By.ID, "code").send_keys(admin_code)
        driver.find_element(By.ID, "enter").click()
        wait.until(lambda d: d.current_url.endswith("/dashboard"))
        driver.get(args.base + "/lang/ru?back=/business")
        driver.get(args.base + "/business")
        wait.until(EC.presence_of_element_located((By.ID, "business-company")))
        assert "ООО «Демо»" in driver.find_element(By.ID, "business-company").text
        shot("16-business")

        step("she sets a quota on an employee's line and follows its request to done")
        driver.get(args.base + "/business/lines")
        wait.until(EC.presence_of_element_located((By.ID, "lines-table")))
        assert "Смирнова Анна" in driver.find_element(By.ID, "lines-table").text
        driver.find_element(By.CSS_SELECTOR, "#lines-table a[href='/business/lines/+79000000101']").click()
        wait.until(EC.presence_of_element_located((By.ID, "quota-form")))
        driver.find_element(By.ID, "quota-money-input").send_keys("500")
        driver.find_element(By.ID, "quota-submit").click()
        wait.until(EC.presence_of_element_located((By.ID, "quota-accepted")))
        quota_number = re.search(r"R-\d{6}", driver.find_element(By.ID, "quota-accepted").text).group(0)
        shot("17-quota-requested")
        for _ in range(60):
            driver.get(args.base + "/business/lines/+79000000101")
            rows = driver.find_elements(By.CSS_SELECTOR, "#quota-requests tr[data-status='done']")
            if any(quota_number in row.text for row in rows):
                break
            time.sleep(1)
        else:
            raise AssertionError(f"{quota_number} did not become done")
        assert "500.00" in driver.find_element(By.ID, "quota-money").text
        shot("18-quota-done")
        driver.get(args.base + "/business/requests")
        wait.until(EC.presence_of_element_located((By.ID, "requests-table")))
        assert quota_number in driver.find_element(By.ID, "requests-table").text

        step("she connects an option to the sales group: dry run, run, report")
        driver.get(args.base + "/business/bulk")
        wait.until(EC.presence_of_element_located((By.ID, "bulk-form")))
        Select(driver.find_element(By.ID, "bulk-action")).select_by_value("connectOption")
        Select(driver.find_element(By.ID, "bulk-option")).select_by_value("gudok")
        Select(driver.find_element(By.ID, "bulk-group")).select_by_visible_text("Отдел продаж")
        driver.find_element(By.ID, "bulk-plan").click()
        wait.until(EC.presence_of_element_located((By.ID, "bulk-start")))
        planned = driver.find_elements(By.CSS_SELECTOR, "#bulk-items tbody tr")
        assert len(planned) == 3, len(planned)
        shot("19-bulk-dry-run")
        start = driver.find_element(By.ID, "bulk-start")
        start.click()
        wait.until(EC.staleness_of(start))
        for _ in range(60):
            if attribute(driver, "bulk-operation", "data-status") == "done":
                break
            time.sleep(1)
            driver.refresh()
        else:
            raise AssertionError("the bulk operation did not finish")
        outcomes = [row.get_attribute("data-outcome") for row in driver.find_elements(By.CSS_SELECTOR, "#bulk-items tbody tr")]
        assert outcomes == ["done", "done", "done"], outcomes
        shot("20-bulk-done")
        report = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(document.getElementById('bulk-report').href).then(r => r.text()).then(done);")
        report_lines = [line for line in report.strip().splitlines() if line]
        assert report_lines[0].lstrip("\ufeff") == "msisdn;outcome;request;reason", report_lines[0]
        assert len(report_lines) == 4 and all(";done;R-" in line for line in report_lines[1:]), report

        step("she tops up the company's account by card, issues an invoice and downloads its PDF")
        driver.get(args.base + "/business/finance")
        wait.until(EC.presence_of_element_located((By.ID, "company-balance")))
        assert "₽" in driver.find_element(By.ID, "company-balance").text
        assert "DEMO-1" in driver.find_element(By.ID, "movements-table").text
        driver.find_element(By.ID, "topup-amount").send_keys("700")
        driver.find_element(By.ID, "topup-submit").click()
        wait.until(EC.presence_of_element_located((By.ID, "card-form")))
        assert "700,00" in driver.find_element(By.ID, "sandbox-amount").text
        driver.find_element(By.ID, "card").send_keys("4242 4242 4242 4242")
        driver.find_element(By.ID, "expiry").send_keys("12/30")
        driver.find_element(By.ID, "cvc").send_keys("123")
        driver.find_element(By.ID, "sandbox-pay-button").click()
        wait.until(lambda d: "/business/finance?payment=pay_" in d.current_url)
        for _ in range(30):
            if attribute(driver, "topup-status", "data-status") == "succeeded":
                break
            time.sleep(1)
            driver.refresh()
        else:
            raise AssertionError("the company's top-up was not credited")
        assert "Пополнение картой" in driver.find_element(By.ID, "movements-table").text
        driver.find_element(By.ID, "invoice-amount").send_keys("12500")
        driver.find_element(By.ID, "invoice-submit").click()
        wait.until(EC.presence_of_element_located((By.ID, "invoice-issued")))
        number = re.search(r"\d{4}-\d+", driver.find_element(By.ID, "invoice-issued").text).group(0)
        assert number in driver.find_element(By.ID, "documents-table").text, number
        shot("21-business-finance")
        pdf = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(document.querySelector('#documents-table a.document-pdf').href)"
            ".then(r => r.arrayBuffer()).then(b => done(String.fromCharCode(...new Uint8Array(b).slice(0, 5))));")
        assert pdf == "%PDF-", pdf
        driver.get(args.base + "/business/reports")
        wait.until(EC.presence_of_element_located((By.ID, "report-pdf")))
        report_pdf = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(document.getElementById('report-pdf').href)"
            ".then(r => r.arrayBuffer()).then(b => done(String.fromCharCode(...new Uint8Array(b).slice(0, 5))));")
        assert report_pdf == "%PDF-", report_pdf
        phone(driver)
        for page in ["/business", "/business/lines", "/business/lines/+79000000101", "/business/bulk",
                     "/business/finance"]:
            driver.get(args.base + page)
            fits(driver, page)
            audit(driver, page)
        desktop(driver)
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        print("browser test passed: login by SMS code, dashboard, statement, tariff change with preview, requests, "
              "an option through its preview and a conflict resolved, the black list with a call the check stopped, "
              "balance history, card top-up on the sandbox page, promised payment reasons, profile, security, "
              "language switch, logout, a lost SIM blocked by the public form and refused a transfer, promised payment "
              "taken, a suspension planned through its price, a charge disputed and a ticket with a file opened, an agent "
              "(second browser) logging in with TOTP and answering live, a rating, the compensation in the balance, "
              "every page at 360×640 and 1280×900 without sideways scroll and without serious axe-core findings, "
              "the tariff advisor and a change planned from it, a company admin's quota with its request done and a bulk "
              "option change over a group through its dry run with the report downloaded, the company's account topped "
              "up by card and an invoice issued with its PDF and the expense report's")
    except Exception as error:  # noqa: BLE001 - report any failure with its step and a screenshot
        shot("failure")
        detail = getattr(error, "msg", None) or ""
        print(f"browser test failed at step '{step_name}': {error!r} {detail}", file=sys.stderr)
        print(f"screenshots in {args.screenshots}", file=sys.stderr)
        sys.exit(1)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

"""A member's training day: equipment, a plan with a substitution, logging with the rest timer,
a PR, a reload mid-workout, the summary, the dashboard, and importing a Strong CSV."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"

STRONG_CSV = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    "2026-10-01 07:30:00,Morning Push,45m,Bench Press (Barbell),1,60,8,0,0,,,\n"
    "2026-10-01 07:30:00,Morning Push,45m,Bench Press (Barbell),2,62.5,8,0,0,,,8\n"
    "2026-10-03 07:30:00,Legs,50m,Squat (Barbell),1,80,5,0,0,,,\n"
    "2026-10-03 07:30:00,Legs,50m,Squat (Barbell),2,-5,5,0,0,,,\n"
)


def _register(page) -> str:
    email = f"lifter-{secrets.token_hex(4)}@example.com"
    page.goto("/register")
    page.get_by_label("Name").fill("Lee Lifter")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    return email


def _log(block, reps: str, load: str) -> None:
    block.get_by_label("Reps").fill(reps)
    block.get_by_label(re.compile(r"^Load")).fill(load)
    block.get_by_role("button", name="Log set").click()


def test_plan_substitute_log_reload_finish_dashboard_and_import(page, tmp_path):
    _register(page)

    # Equipment at home: a barbell setup and dumbbells.
    page.goto("/gear")
    page.get_by_label("Profile name").fill("Home")
    for item in ("Barbell", "Squat Rack", "Dumbbell", "Flat Bench"):
        page.get_by_text(item, exact=True).click()
    page.get_by_role("button", name="Save profile").click()
    home = page.locator('[aria-label="Home"]')
    expect(home.get_by_text("Barbell — temporarily unavailable")).to_be_visible()

    # A plan day with a barbell squat.
    page.goto("/plans")
    page.get_by_label("New plan name").fill("Strength base")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Strength base")).to_be_visible()
    page.get_by_label("Day name").fill("Lower A")
    page.get_by_role("button", name="Add day").click()
    day = page.locator('[aria-label="Lower A"]')
    planned = day.get_by_role("list", name="Planned exercises")
    expect(day).to_be_visible()
    day.get_by_label("Exercise", exact=True).select_option(label="Barbell Back Squat")
    day.get_by_label("Sets", exact=True).fill("3")
    day.get_by_label("Reps", exact=True).fill("5")
    day.get_by_label("Load", exact=True).fill("60")
    day.get_by_role("button", name="Add to day").click()
    expect(planned.get_by_text("Barbell Back Squat")).to_be_visible()

    # The barbell is out of order today: the plan offers a swap, which the member accepts.
    page.goto("/gear")
    home.get_by_text("Barbell — temporarily unavailable").click()
    page.goto("/plans")
    expect(planned.get_by_text("equipment not available")).to_be_visible()
    swap = day.get_by_role("button", name=re.compile(r"^Swap for ")).first
    substitute = swap.inner_text().removeprefix("Swap for ").strip()
    swap.click()
    expect(planned.get_by_text(substitute, exact=True)).to_be_visible()
    expect(planned.get_by_text("Barbell Back Squat")).to_have_count(0)

    # Start the day and log three sets; the rest timer runs and a PR is announced.
    day.get_by_role("button", name="Start this day").click()
    expect(page).to_have_url(re.compile(r"/workouts/?$"))
    block = page.locator(f'[aria-label="{substitute}"]')
    expect(block).to_be_visible()
    _log(block, "8", "20")
    timer = page.get_by_role("timer", name="Rest timer")
    expect(timer).to_be_visible()
    _log(block, "8", "24")
    expect(page.get_by_text(re.compile(r"New personal record"))).to_be_visible()
    _log(block, "10", "24")
    expect(block.get_by_label("Set", exact=True)).to_have_count(3)

    # A reload loses nothing, and the timer keeps counting from the server's time.
    page.reload()
    block = page.locator(f'[aria-label="{substitute}"]')
    expect(block.get_by_label("Set", exact=True)).to_have_count(3)
    expect(page.get_by_role("timer", name="Rest timer")).to_be_visible()

    page.get_by_role("button", name="Finish workout").click()
    summary = page.get_by_role("status", name="Workout summary")
    expect(summary).to_contain_text("3 sets")
    expect(summary).to_contain_text("volume 592 kg")

    # The dashboard's charts have data now.
    page.goto("/dashboard")
    expect(page.get_by_text("Recent personal records")).to_be_visible()
    expect(page.locator(".recharts-bar-rectangle").first).to_be_visible()
    expect(page.locator(".recharts-line")).to_have_count(1)

    # Bring history over from Strong; a broken row is reported with its line number.
    page.goto("/workouts")
    csv_path = tmp_path / "strong.csv"
    csv_path.write_text(STRONG_CSV)
    page.locator("input[type=file]").set_input_files(str(csv_path))
    expect(page.get_by_text("Imported 2 workouts and 3 sets.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Line 5: "))).to_be_visible()


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_trainer_adds_equipment_with_a_picture_and_a_shared_exercise(page, live_app):
    page.goto("/login")
    page.get_by_label("Email").fill("trainer@adaptivefit.example")
    page.get_by_label("Password").fill(live_app.demo_password("trainer@adaptivefit.example"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_contain_text("Theo")

    name = f"Sandbag {secrets.token_hex(2)}"
    page.goto("/equipment")
    page.get_by_role("button", name="Add equipment").click()
    page.get_by_label("Equipment name").fill(name)
    page.get_by_label("Type").select_option("accessory")
    page.get_by_label("Description").fill("A canvas bag filled with sand, awkward on purpose.")
    page.get_by_role("button", name="Save equipment").click()
    expect(page.get_by_text("Equipment saved.")).to_be_visible()
    page.locator("input[type=file]").set_input_files({"name": "bag.png", "mimeType": "image/png", "buffer": _png()})
    picture = page.get_by_role("img", name=name, exact=True)
    expect(picture).to_have_attribute("src", re.compile(r"/_upload/[0-9a-f]{32}\.webp$"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())

    page.goto("/exercises")
    page.get_by_role("button", name="New exercise").click()
    expect(page.get_by_text("Exercises you add here join the shared library.")).to_be_visible()
    page.get_by_label("Exercise name").fill(f"{name} Carry")
    page.get_by_label("Exercise category").select_option("full body")
    page.get_by_label("Primary muscle").select_option("traps")
    page.get_by_label("Equipment needed").fill(name)
    page.get_by_role("button", name="Save exercise").click()
    page.get_by_label("Search exercises").fill(f"{name} Carry")
    expect(page.get_by_role("heading", name=f"{name} Carry")).to_be_visible()


def test_a_goal_shows_progress_from_the_logs(page):
    _register(page)
    page.goto("/dashboard")
    expect(page.get_by_label("Training streak")).to_contain_text("0 weeks in a row")
    page.get_by_label("Kind").select_option("consistency")
    page.get_by_label("Target").fill("4")
    page.get_by_label("Priority").select_option("1")
    page.get_by_role("button", name="Add goal").click()
    goal = page.get_by_role("progressbar")
    expect(goal).to_have_count(1)
    expect(page.get_by_text("0 / 4 workouts")).to_be_visible()
    page.get_by_label("Target").fill("99")
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("alert").first).to_be_visible()

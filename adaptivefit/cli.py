"""`adaptivefit ...`: the project's own commands (configuration check, migrations, demo data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adaptivefit.config import ConfigError, get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str | None = None):
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def _check(_args) -> int:
    from adaptivefit.db import check_database, check_redis

    settings = get_settings()
    check_database(settings.database_url)
    if settings.redis_url:
        check_redis(settings.redis_url)
    print(f"Configuration is fine: database {settings.public_database_url}"
          + (", Redis state manager" if settings.redis_url else ", single-process state manager"))
    return 0


def _migrate(args) -> int:
    from alembic import command

    config = alembic_config()
    if args.revision.startswith("-") or args.direction == "down":
        command.downgrade(config, args.revision)
    else:
        command.upgrade(config, args.revision)
    return 0


def _library(_args) -> int:
    from adaptivefit.db import session_scope
    from adaptivefit.jobs.curated import seed_curated
    from adaptivefit.services.catalog.library import install_library
    from adaptivefit.services.nutrition.foods import install_foods

    with session_scope() as session:
        equipment, exercises = install_library(session)
        foods = install_foods(session)
        phrases = seed_curated(session)
    print(f"Exercise library ready ({exercises} exercises and {equipment} equipment items added); "
          f"food table ready ({foods} foods added); coaching phrases in the knowledge base "
          f"({phrases['added']} added, {phrases['stale']} no longer shipped).")
    return 0


def _coach_model(_args) -> int:
    from adaptivefit.coach import versions
    from adaptivefit.config import get_settings

    installed = versions.install_default_model()
    found = versions.find_model_dir()
    if installed is not None:
        print(f"Coach model installed: {installed}")
    elif found is not None:
        print(f"Coach model already there: {found}")
    else:
        print(f"No coach model in {get_settings().coach_model_dir} and none shipped; the coach writes from its "
              "templates. Train one with: python -m adaptivefit.coach.train")
    return 0


def _import_wger(args) -> int:
    from adaptivefit.db import session_scope
    from adaptivefit.services.catalog.wger_import import import_wger, summarise

    directory = Path(args.directory)
    if not directory.is_dir():
        print(f"{directory} is not a folder with wger's exercise JSON export.", file=sys.stderr)
        return 2
    with session_scope() as session:
        report = import_wger(session, directory, language=args.language)
    print(summarise(report))
    return 0


def _import_foods(args) -> int:
    from adaptivefit.db import session_scope
    from adaptivefit.services.nutrition import food_import

    status = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{path}: no such file.", file=sys.stderr)
            status = 2
            continue
        data = path.read_bytes()
        head = data[:4096].decode("utf-8", "replace")
        if any(key in head for key in ("FoundationFoods", "SRLegacyFoods", "BrandedFoods", "SurveyFoods")):
            importer = food_import.import_usda
        elif "nutrition.ingredient" in head:
            importer = food_import.import_wger_ingredients
        else:
            importer = lambda session, raw: food_import.import_off(session, raw, filename=path.name)  # noqa: E731
        with session_scope() as session:
            report = importer(session, data)
        print(f"{path.name}: {report.added} added, {report.merged} merged, {len(report.bad)} not imported.")
        for record, reason in report.bad:
            print(f"  {record}: {reason}")
    return status


def _demo(args) -> int:
    from adaptivefit.db import session_scope
    from adaptivefit.demo import load_demo

    with session_scope() as session:
        report = load_demo(session)
    print(f"Exercise library: {report.exercises_added} exercises and {report.equipment_added} equipment items added"
          f" ({report.images_drawn} pictures drawn).")
    print("Six weeks of demo history added." if report.history_created else "Demo history was already there.")
    if report.created_accounts:
        print("\nDemo accounts (the passwords are shown only now; note them):")
        for email, password in report.created_accounts.items():
            print(f"  {email:32} {password}")
    for email in report.existing_accounts:
        print(f"  {email} already existed; its password is unchanged.")
    return 0


def _utc(value) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def _jobs_list(_args) -> int:
    from datetime import UTC, datetime

    from adaptivefit.db import session_scope
    from adaptivefit.jobs import overview

    settings, now = get_settings(), datetime.now(UTC)
    with session_scope() as session:
        scheduler = overview.scheduler_status(session, settings, now=now)
        jobs = overview.job_statuses(session, settings, now=now)
    if scheduler.running:
        print(f"Scheduler: running in {scheduler.holder} (lease until {_utc(scheduler.expires_at)})")
    else:
        print("Scheduler: not running; no scheduled job fires until a web worker with SCHEDULER_ENABLED=true "
              "or `adaptivefit scheduler` runs. Next runs below are computed from the schedules.")
    rows = [("JOB", "SCHEDULE", "NEXT RUN", "LAST RUN", "STATUS", "COUNTS")]
    for job in jobs:
        last = job.running or job.last
        rows.append((job.name, f"{job.cron} ({job.schedule})", _utc(job.next_run), _utc(last.started_at) if last else "-",
                     last.status if last else "never run",
                     overview.counts_text(last.counts) if last and last.status != "running" else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    return 0


def _jobs_run(args) -> int:
    from adaptivefit.db import session_scope
    from adaptivefit.jobs import overview
    from adaptivefit.jobs.registry import JobRefused, UnknownJob, run_job
    from adaptivefit.models import JobRun

    def progress(done: int, total: int, note: str = "") -> None:
        print(f"[{done}/{total}] {note}".rstrip(), flush=True)

    try:
        run_id = run_job(args.name, triggered_by="manual", progress=progress)
    except UnknownJob as refused:
        print(refused, file=sys.stderr)
        return 2
    except JobRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    with session_scope() as session:
        run = session.get(JobRun, run_id)
    print(f"{run.job}: {run.status} in {overview.duration_text(run)} (run {run.id})")
    print(f"  {overview.counts_text(run.counts)}")
    if run.error:
        print(f"  error: {run.error}", file=sys.stderr)
    return 1 if run.status == "failed" else 0


def _payments_advance_clock(args) -> int:
    from adaptivefit.db import session_scope
    from adaptivefit.services.core.access import ValidationFailed
    from adaptivefit.services.payments import billing
    from adaptivefit.services.payments.simulated_clock import advance_test_clock
    from adaptivefit.services.payments.simulated_delivery import deliver_pending

    try:
        with session_scope() as session:
            counts = advance_test_clock(session, None, args.days)
            now = billing.now(session)
    except ValidationFailed as refused:
        print(" ".join(refused.errors.values()), file=sys.stderr)
        return 2
    sent = deliver_pending()
    print(f"Test clock now {_utc(now)}: {counts['renewed']} subscriptions renewed, {counts['ended']} ended, "
          f"{counts['failed']} renewals failed; {sent['delivered']} events delivered to the webhook.")
    if sent["failed"]:
        print(f"Some events could not be delivered to {get_settings().public_url}/api/stripe/webhook (is the app "
              "running?); they go out with the next delivery.", file=sys.stderr)
        return 1
    return 0


def _payments_deliver(_args) -> int:
    from adaptivefit.services.payments.billing import test_mode
    from adaptivefit.services.payments.simulated_delivery import deliver_pending

    if not test_mode():
        print("Stripe keys are set: Stripe delivers its own events.", file=sys.stderr)
        return 2
    sent = deliver_pending()
    print(f"{sent['delivered']} test provider events delivered, {sent['failed']} failed.")
    return 1 if sent["failed"] else 0


def _scheduler(_args) -> int:
    from adaptivefit.jobs.scheduler import main as run_scheduler

    return run_scheduler()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adaptivefit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check the configuration and that the database (and Redis) answer").set_defaults(run=_check)
    migrate = commands.add_parser("migrate", help="bring the database schema up (or down) with Alembic")
    migrate.add_argument("direction", choices=["up", "down"], nargs="?", default="up")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(run=_migrate)
    commands.add_parser("library", help="install the shipped exercise library, equipment catalog, food table and coaching phrases").set_defaults(run=_library)
    commands.add_parser("coach-model", help="install the shipped coach language model into COACH_MODEL_DIR "
                        "unless a passing version is there").set_defaults(run=_coach_model)
    wger = commands.add_parser("import-wger", help="import wger's exercise database (JSON export) with its licences")
    wger.add_argument("directory", help="folder with exercise-base-data.json, translations.json, licenses.json, ...")
    wger.add_argument("--language", default="en")
    wger.set_defaults(run=_import_wger)
    foods_cmd = commands.add_parser("import-foods", help="import foods: Open Food Facts JSON/JSONL, USDA FoodData "
                                    "Central JSON or wger ingredients; bad records are listed with their reason")
    foods_cmd.add_argument("files", nargs="+")
    foods_cmd.set_defaults(run=_import_foods)
    commands.add_parser("demo", help="fill the database with the demo accounts, library and history").set_defaults(run=_demo)
    jobs = commands.add_parser("jobs", help="list the scheduled jobs, or run one now")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser("list", help="each job's schedule, next run and last run").set_defaults(run=_jobs_list)
    jobs_run = jobs_commands.add_parser("run", help="run a job now, printing its progress and counts "
                                        "(exit 1 when it fails or is already running, 2 for an unknown job)")
    jobs_run.add_argument("name")
    jobs_run.set_defaults(run=_jobs_run)
    payments = commands.add_parser("payments", help="the built-in test payment provider (without Stripe keys)")
    payments_commands = payments.add_subparsers(dest="payments_command", required=True)
    clock = payments_commands.add_parser("advance-clock", help="move the test provider's clock forward DAYS days and "
                                         "renew or end subscriptions as Stripe would, delivering the events")
    clock.add_argument("days", type=int)
    clock.set_defaults(run=_payments_advance_clock)
    payments_commands.add_parser("deliver", help="send queued test provider events to the webhook again"
                                 ).set_defaults(run=_payments_deliver)
    commands.add_parser("scheduler", help="run the job scheduler in the foreground until SIGTERM (one process "
                        "at a time runs the schedule, whatever the number started)").set_defaults(run=_scheduler)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as error:
        print(f"Adaptive Fit cannot start: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

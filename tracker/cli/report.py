"""`tracker report`: an agreement's status report written to a file from the command line."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app

from tracker.models import clock
from tracker.reports import queries
from tracker.reports.documents import FORMATS, render


def _day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None
    if day > clock.today():
        raise click.BadParameter("the report can only describe today or a day in the past.")
    return day


@click.command("report")
@click.argument("agreement")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="html (printable, self-contained), pdf, md (Markdown) or json.",
)
@click.option("--as-of", callback=_day, metavar="YYYY-MM-DD", help="Report as of this day.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="File to write; '-' (the default) writes to standard output.",
)
def report(agreement: str, fmt: str, as_of: date | None, output: str) -> None:
    """Write the status report of AGREEMENT (its id or short name, e.g. RPSS)."""
    found = queries.find_agreement(agreement)
    if found is None:
        raise click.ClickException(f"No agreement has the id or short name {agreement!r}.")
    data = queries.agreement_report(found.id, as_of=as_of)
    # HTML needs url_for and the template globals of a request.
    with current_app.test_request_context():
        document = render(data, fmt)
    if output == "-":
        if fmt == "pdf" and sys.stdout.isatty():
            raise click.ClickException("A PDF would garble the terminal; give a file with -o.")
        click.echo(document.content, nl=False)  # bytes go to the binary stream
        return
    with open(output, "wb") as handle:
        handle.write(document.content)
    click.echo(f"Wrote {output} ({len(document.content):,} bytes).", err=True)
